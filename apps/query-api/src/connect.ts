import { createDatabase } from '@photospots/db';
import { connectRedis, redisReady } from '@photospots/hotspot-index';
import type { Logger } from '@photospots/service';
import type { QueryApiDeps } from './app.ts';
import type { QueryApiConfig } from './config.ts';

/** Opens the query API's connections from config; `close` releases them. */
export async function connectQueryApiDeps(config: QueryApiConfig, log: Logger): Promise<QueryApiDeps & { close(): Promise<void> }> {
  const database = createDatabase(config.DATABASE_URL, { max: config.DATABASE_POOL_MAX, applicationName: 'query-api' });
  const redis = config.REDIS_URL ? connectRedis(config.REDIS_URL, log, 'query-api') : undefined;
  if (redis && !(await redisReady(redis))) log.warn({}, 'Redis not reachable at start; serving from PostGIS until it is');
  return {
    database,
    redis,
    log,
    close: async () => {
      await database.close();
      redis?.disconnect();
    },
  };
}
