import { S3Client } from '@aws-sdk/client-s3';
import { createDatabase, poolOptions } from '@photospots/db';
import { AWS_HTTP_TIMEOUTS, awsCredentials, createSqsClient, resolveQueues } from '@photospots/queue';
import type { Logger } from '@photospots/service';
import type { IngestDeps } from './app.ts';
import type { IngestConfig } from './config.ts';

/** Opens the ingest service's connections from config; `close` releases them. */
export async function connectIngestDeps(
  config: IngestConfig,
  log: Logger,
  /** The CLI can import while SQS is unreachable: announcements then wait in the outbox. */
  options: { queuesOptional?: boolean } = {},
): Promise<IngestDeps & { close(): Promise<void> }> {
  const aws = {
    region: config.AWS_REGION,
    endpoint: config.AWS_ENDPOINT_URL,
    accessKeyId: config.AWS_ACCESS_KEY_ID,
    secretAccessKey: config.AWS_SECRET_ACCESS_KEY,
  };
  const sqs = createSqsClient(aws);
  const credentials = awsCredentials(aws);
  const s3 = new S3Client({
    region: config.AWS_REGION,
    ...(config.AWS_ENDPOINT_URL ? { endpoint: config.AWS_ENDPOINT_URL, forcePathStyle: true } : {}),
    ...(credentials ? { credentials } : {}),
    requestHandler: AWS_HTTP_TIMEOUTS,
  });
  const database = createDatabase(config.DATABASE_URL, { ...poolOptions(config, log), applicationName: 'ingest' });
  try {
    const queues = await resolveQueues(sqs, {
      ingest: config.QUEUE_INGEST,
      photosIngested: config.QUEUE_PHOTOS_INGESTED,
      thumbnails: config.QUEUE_THUMBNAILS,
    }).catch((err: unknown) => {
      if (!options.queuesOptional) throw err;
      log.warn(
        { err: (err as Error).message },
        'SQS unreachable: photos are stored, their announcements wait in the outbox',
      );
      return { url: {}, deadLetterUrl: {} } as Awaited<ReturnType<typeof resolveQueues>>;
    });
    return {
      database,
      sqs,
      s3,
      queues,
      log,
      close: async () => {
        await database.close();
        sqs.destroy();
        s3.destroy();
      },
    };
  } catch (err) {
    await database.close();
    throw err;
  }
}
