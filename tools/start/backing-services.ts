/**
 * What the services of `npm start` run against: the database, SQS/S3 and Redis
 * named by DATABASE_URL, AWS_ENDPOINT_URL and REDIS_URL when set, otherwise the
 * embedded PostGIS and SQS/S3 (and no Redis: the API then serves from PostGIS
 * and keeps rate limits in memory). Either way the migrations are applied and
 * the queues (each with its dead-letter queue) and the bucket exist.
 */
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { DLQ_SUFFIX, QUEUES, type QueueKey } from '@photospots/contracts';
import { runMigrations } from '@photospots/db';
import {
  restoreQueuedMessages,
  startEmbeddedPostgis,
  startEmbeddedSqsS3,
  type EmbeddedPostgis,
  type EmbeddedSqsS3,
} from '@photospots/embedded-services';
import { awsCredentials, createSqsClient, queueDefinitions, setupQueues } from '@photospots/queue';
import { since } from './format.ts';
import type { LauncherConfig } from './launcher-config.ts';

export interface BackingServices {
  databaseUrl: string;
  awsEndpoint: string;
  redisUrl: string | undefined;
  /** Which parts are embedded (the others came from the environment). */
  embedded: { database: boolean; sqsS3: boolean };
  queueNames: Record<QueueKey, string>;
  sqs: SQSClient;
  /** Messages a previous clean stop saved and this start queued again. */
  restoredMessages: number;
  /** Saves what is still queued (embedded SQS only), then stops the embedded parts. */
  stop(): Promise<void>;
}

/** Where a clean stop leaves the embedded queues' messages, inside the data folder. */
const SAVED_MESSAGES_FILE = 'queued-messages.json';

async function createBucket(config: LauncherConfig, aws: Parameters<typeof awsCredentials>[0]): Promise<void> {
  const s3 = new S3Client({
    region: aws.region,
    endpoint: aws.endpoint,
    forcePathStyle: true,
    credentials: awsCredentials(aws)!,
  });
  try {
    await s3.send(new CreateBucketCommand({ Bucket: config.env.THUMBNAIL_BUCKET }));
  } catch (err) {
    const name = (err as Error).name;
    if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw err;
  } finally {
    s3.destroy();
  }
}

export async function startBackingServices(
  config: LauncherConfig,
  say: (line: string) => void,
): Promise<BackingServices> {
  const { env } = config;
  const savedFile = path.join(config.dataDir, SAVED_MESSAGES_FILE);
  let pg: EmbeddedPostgis | undefined;
  let fauxqs: EmbeddedSqsS3 | undefined;
  let sqs: SQSClient | undefined;
  // Until the saved messages are back in the queues, stopping must not overwrite the file.
  let restored = false;
  const queueNames = Object.fromEntries(
    QUEUES.map((q) => [q.key, env[q.envVar as keyof typeof env] as string]),
  ) as Record<QueueKey, string>;
  const stop = async () => {
    if (fauxqs && restored) {
      const everyQueue = Object.values(queueNames).flatMap((n) => [n, `${n}${DLQ_SUFFIX}`]);
      const saved = await fauxqs.saveQueuedMessages(everyQueue, savedFile).catch(() => 0);
      if (saved > 0) say(`${saved} queued message(s) saved for the next start`);
    }
    await fauxqs?.stop().catch(() => undefined);
    sqs?.destroy();
    await pg?.stop().catch(() => undefined);
  };

  try {
    let databaseUrl = env.DATABASE_URL;
    if (databaseUrl) {
      say(`database: ${new URL(databaseUrl).host}${new URL(databaseUrl).pathname} (DATABASE_URL)`);
    } else {
      const started = performance.now();
      pg = await startEmbeddedPostgis(path.join(config.dataDir, 'pglite'));
      databaseUrl = pg.url;
      say(`database: embedded PostGIS (PGlite) on ${new URL(pg.url).host}, data in .data/pglite (${since(started)})`);
    }
    const migrating = performance.now();
    await runMigrations(databaseUrl);
    say(`migrations applied (${since(migrating)})`);

    let awsEndpoint = env.AWS_ENDPOINT_URL;
    if (awsEndpoint) {
      say(`SQS/S3: ${awsEndpoint} (AWS_ENDPOINT_URL)`);
    } else {
      fauxqs = await startEmbeddedSqsS3();
      awsEndpoint = fauxqs.endpoint;
      say(`SQS/S3: embedded fauxqs on ${new URL(awsEndpoint).host}`);
    }
    const aws = {
      region: env.AWS_REGION,
      endpoint: awsEndpoint,
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
    };
    sqs = createSqsClient(aws);
    await setupQueues(sqs, queueDefinitions(queueNames));
    await createBucket(config, aws);
    const restoredMessages = fauxqs ? await restoreQueuedMessages(sqs, savedFile) : 0;
    restored = true;
    say(
      `Redis: ${env.REDIS_URL ? `${new URL(env.REDIS_URL).host} (REDIS_URL)` : 'none (the API serves from PostGIS)'}`,
    );

    return {
      databaseUrl,
      awsEndpoint,
      redisUrl: env.REDIS_URL,
      embedded: { database: Boolean(pg), sqsS3: Boolean(fauxqs) },
      queueNames,
      sqs,
      restoredMessages,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
