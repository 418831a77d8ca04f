import { createDatabase } from '@photospots/db';
import { connectRedis } from '@photospots/hotspot-index';
import type { Logger } from '@photospots/service';
import type { QueryApiDeps } from './app.ts';
import type { QueryApiConfig } from './config.ts';

/** Opens the query API's connections from config; `close` releases them. */
export function connectQueryApiDeps(config: QueryApiConfig, log: Logger): QueryApiDeps & { close(): Promise<void> } {
  const database = createDatabase(config.DATABASE_URL, { max: config.DATABASE_POOL_MAX, applicationName: 'query-api' });
  const redis = config.REDIS_URL ? connectRedis(config.REDIS_URL, log, 'query-api') : undefined;
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
