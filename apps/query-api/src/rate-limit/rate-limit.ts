import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { QueryApiConfig } from '../config.ts';
import { batchedRedisStore } from './batched-redis-store.ts';

/**
 * @fastify/rate-limit with counts kept in Redis (shared by every instance;
 * see batchedRedisStore for why not a round trip per request): per user for
 * signed-in calls (the auth hook runs first), per IP otherwise. 429 carries
 * Retry-After and the x-ratelimit-* headers.
 */
export async function registerRateLimit(
  app: FastifyInstance,
  config: QueryApiConfig,
  redis: Redis | undefined,
  exempt: (path: string) => boolean,
): Promise<void> {
  // Exempt routes are marked as they are declared (before the plugin's own onRoute hook sees them), not
  // checked per request with allowList: every awaited option costs the limited routes throughput.
  app.addHook('onRoute', (route) => {
    if (exempt(route.url)) route.config = { ...(route.config as object), rateLimit: false } as typeof route.config;
  });
  await app.register(rateLimit, {
    global: true,
    max: (request) => (request.userId ? config.RATE_LIMIT_USER_MAX : config.RATE_LIMIT_MAX),
    timeWindow: config.RATE_LIMIT_WINDOW_SECONDS * 1000,
    keyGenerator: (request) => (request.userId ? `user:${request.userId}` : `ip:${request.ip}`),
    ...(redis ? { store: batchedRedisStore(redis, `${config.REDIS_KEY_PREFIX}ratelimit:`) as never } : {}),
  });
}
