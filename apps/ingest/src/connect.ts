import { openDatabase } from '@photospots/db';
import {
  awsConnectionOf,
  createS3Client,
  createSqsClient,
  resolveQueues,
  thumbnailConnectionOf,
} from '@photospots/queue';
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
  const aws = awsConnectionOf(config);
  const sqs = createSqsClient(aws);
  const s3 = createS3Client(aws);
  // The thumbnail bucket on an S3-compatible endpoint of its own (Supabase Storage); import files stay on s3.
  const thumbnailS3 = config.THUMBNAIL_S3_ENDPOINT_URL ? createS3Client(thumbnailConnectionOf(config)) : undefined;
  const database = openDatabase(config, 'ingest', log);
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
      ...(thumbnailS3 ? { thumbnailS3 } : {}),
      queues,
      log,
      close: async () => {
        await database.close();
        sqs.destroy();
        s3.destroy();
        thumbnailS3?.destroy();
      },
    };
  } catch (err) {
    await database.close();
    thumbnailS3?.destroy();
    throw err;
  }
}
