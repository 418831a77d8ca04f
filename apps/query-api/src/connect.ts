import { hostname } from 'node:os';
import { S3Client } from '@aws-sdk/client-s3';
import { createDatabase, poolOptions } from '@photospots/db';
import { connectRedis } from '@photospots/hotspot-index';
import { AWS_HTTP_TIMEOUTS, awsCredentials, createSqsClient } from '@photospots/queue';
import type { Logger } from '@photospots/service';
import type { QueryApiDeps } from './app.ts';
import type { QueryApiConfig } from './config.ts';

/** Opens the query API's connections from config; `close` releases them. Nothing here waits for a dependency. */
export function connectQueryApiDeps(config: QueryApiConfig, log: Logger): QueryApiDeps & { close(): Promise<void> } {
  const database = createDatabase(config.DATABASE_URL, {
    ...poolOptions(config, log),
    // Unique per process, so /metrics can count this pool's connections in pg_stat_activity.
    applicationName: `query-api/${hostname()}/${process.pid}`.slice(0, 63),
  });
  const redis = config.REDIS_URL ? connectRedis(config.REDIS_URL, log, 'query-api') : undefined;
  const conn = {
    region: config.AWS_REGION,
    endpoint: config.AWS_ENDPOINT_URL,
    accessKeyId: config.AWS_ACCESS_KEY_ID,
    secretAccessKey: config.AWS_SECRET_ACCESS_KEY,
  };
  const sqs = createSqsClient(conn);
  const credentials = awsCredentials(conn);
  const s3 = new S3Client({
    region: config.AWS_REGION,
    ...(config.AWS_ENDPOINT_URL ? { endpoint: config.AWS_ENDPOINT_URL, forcePathStyle: true } : {}),
    ...(credentials ? { credentials } : {}),
    requestHandler: AWS_HTTP_TIMEOUTS,
  });
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
