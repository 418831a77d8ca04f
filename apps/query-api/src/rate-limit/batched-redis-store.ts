import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';

/** How often local increments are sent to Redis (and other instances' counts learnt). */
export const FLUSH_INTERVAL_MS = 100;

interface Counter {
  window: number;
  /** The shared count Redis returned at the last flush (every instance's requests). */
  shared: number;
  /** Requests counted here since the last flush. */
  pending: number;
}

type IncrCallback = (err: Error | null, result: { current: number; ttl: number }) => void;

/**
 * A @fastify/rate-limit store that keeps the counts in Redis (shared by every
 * instance) without a Redis round trip per request: each instance counts
 * locally and every FLUSH_INTERVAL_MS adds its increments to the shared
 * counter (INCRBY, one pipeline for all clients) and learns the total. A
 * client is therefore limited on this instance at once, and across instances
 * within one flush interval. Windows are fixed and aligned to the clock.
 * While Redis is down, counting continues locally (limits stay per instance)
 * and the increments are sent when it is back.
 */
export function batchedRedisStore(redis: Redis, namespace: string) {
  const counters = new LRUCache<string, Counter>({ max: 200_000 });
  let timer: NodeJS.Timeout | undefined;
  let flushing = false;

  const flush = async (windowMs: number) => {
    timer = undefined;
    if (flushing) return schedule(windowMs);
    const batch = [...counters.entries()]
      .filter(([, c]) => c.pending > 0)
      .map(([key, c]) => ({ key, c, n: c.pending, window: c.window }));
    if (batch.length === 0) return;
    flushing = true;
    try {
      const p = redis.pipeline();
      for (const { key, n, window } of batch) {
        const redisKey = `${namespace}${key}:${window}`;
        p.incrby(redisKey, n);
        p.pexpire(redisKey, windowMs * 2);
      }
      const results = (await p.exec()) ?? [];
      batch.forEach(({ c, n, window }, i) => {
        const [err, total] = results[i * 2] ?? [new Error('no reply')];
        if (err || c.window !== window) return;
        c.pending -= n;
        c.shared = Math.max(c.shared + n, Number(total));
      });
    } catch {
      // Redis unavailable: the increments stay pending and go with a later flush.
    } finally {
      flushing = false;
    }
    if (batch.some(({ c }) => c.pending > 0)) schedule(windowMs);
  };

  const schedule = (windowMs: number) => {
    if (timer) return;
    timer = setTimeout(() => void flush(windowMs), FLUSH_INTERVAL_MS);
    timer.unref();
  };

  return class BatchedRedisStore {
    incr(key: string, cb: IncrCallback, timeWindow: number): void {
      const now = Date.now();
      const window = Math.floor(now / timeWindow);
      let c = counters.get(key);
      if (!c || c.window !== window) {
        c = { window, shared: 0, pending: 0 };
        counters.set(key, c);
      }
      c.pending += 1;
      schedule(timeWindow);
      cb(null, { current: c.shared + c.pending, ttl: (window + 1) * timeWindow - now });
    }

    read(key: string, cb: IncrCallback, timeWindow: number): void {
      const now = Date.now();
      const window = Math.floor(now / timeWindow);
      const c = counters.get(key);
      const current = c && c.window === window ? c.shared + c.pending : 0;
      cb(null, { current, ttl: current ? (window + 1) * timeWindow - now : 0 });
    }

    child(): BatchedRedisStore {
      return this;
    }
  };
}
