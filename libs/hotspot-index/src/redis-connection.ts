import { Redis } from 'ioredis';

/**
 * A Redis client that never blocks the caller for long: commands fail fast
 * while Redis is down (no offline queue), and reconnection retries forever in
 * the background with capped backoff.
 */
export function connectRedis(
  url: string,
  log: { warn(obj: object, msg: string): void; info(msg: string): void },
  name: string,
): Redis {
  const redis = new Redis(url, {
    lazyConnect: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    connectionName: name,
    retryStrategy: (times) => Math.min(times * 200, 5_000),
  });
  let down = false;
  redis.on('error', (err) => {
    if (!down) log.warn({ err: err.message }, 'Redis unavailable; retrying in the background');
    down = true;
  });
  redis.on('ready', () => {
    if (down) log.info('Redis connection restored');
    down = false;
  });
  return redis;
}

/**
 * Resolves when the client is ready, or after `timeoutMs` whatever its state:
 * a service starts (degraded) without Redis rather than not at all.
 */
export async function redisReady(redis: Redis, timeoutMs = 3_000): Promise<boolean> {
  if (redis.status === 'ready') return true;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      resolve(false);
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve(true);
    };
    redis.once('ready', onReady);
  });
}
