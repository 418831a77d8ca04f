import { hostname } from 'node:os';
import { openDatabase } from '@photospots/db';
import { connectRedis } from '@photospots/hotspot-index';
import { awsConnectionOf, createS3Client, createSqsClient, thumbnailConnectionOf } from '@photospots/queue';
import type { Logger } from '@photospots/service';
import type { QueryApiDeps } from './app.ts';
import type { QueryApiConfig } from './config.ts';

/** Opens the query API's connections from config; `close` releases them. Nothing here waits for a dependency. */
export function connectQueryApiDeps(config: QueryApiConfig, log: Logger): QueryApiDeps & { close(): Promise<void> } {
  // Named uniquely per process, so /metrics can count this pool's connections in pg_stat_activity.
  const database = openDatabase(config, `query-api/${hostname()}/${process.pid}`.slice(0, 63), log);
  const redis = config.REDIS_URL ? connectRedis(config.REDIS_URL, log, 'query-api') : undefined;
  const aws = awsConnectionOf(config);
  const sqs = createSqsClient(aws);
  // Only for the thumbnail bucket, which may have an endpoint of its own (Supabase Storage).
  const s3 = createS3Client(thumbnailConnectionOf(config));
  return {
    database,
    redis,
    sqs,
    s3,
    log,
    close: async () => {
      await database.close();
      redis?.disconnect();
      sqs.destroy();
      s3.destroy();
    },
  };
}
