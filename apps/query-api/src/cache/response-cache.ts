import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import type { ApiMetrics } from '../metrics/api-metrics.ts';

/** A serialized response body and its validator. */
export interface CachedResponse {
  body: string;
  etag: string;
  /** Where the data came from (x-data-source) when it was computed. */
  source: string;
  /** How this answer was found (x-cache): hit-memory, hit-redis or miss; not stored. */
  cache?: 'hit-memory' | 'hit-redis' | 'miss';
}

export interface ResponseCacheOptions {
  redis: Redis | undefined;
  keyPrefix: string;
  ttlSeconds: number;
  maxEntries: number;
  metrics: ApiMetrics;
  log: FastifyBaseLogger;
}

/** After a Redis cache error, skip Redis for this long instead of paying a failing round trip per request. */
const L2_BACKOFF_MS = 5_000;

/**
 * Two-level cache of serialized responses keyed by normalised parameters: an
 * in-process LRU (L1) in front of Redis (L2, shared by every instance). L2
 * keys carry scoring's index version, so when scores change every instance
 * stops reading the old entries at once (they expire by TTL); L1 is cleared.
 * A Redis failure is a miss, never an error.
 */
export class ResponseCache {
  readonly #o: ResponseCacheOptions;
  readonly #l1: LRUCache<string, CachedResponse> | undefined;
  #version = 0;
  #l2PausedUntil = 0;

  constructor(options: ResponseCacheOptions) {
    this.#o = options;
    this.#l1 =
      options.ttlSeconds > 0 && options.maxEntries > 0
        ? new LRUCache<string, CachedResponse>({ max: options.maxEntries, ttl: options.ttlSeconds * 1000 })
        : undefined;
  }

  get enabled(): boolean {
    return this.#o.ttlSeconds > 0;
  }

  /** Data changed: drop L1; with scoring's new version, L2 moves to new keys. */
  invalidate(version?: number): void {
    if (version !== undefined && version > this.#version) this.#version = version;
    this.#l1?.clear();
  }

  /** Adopts the version already in Redis at start (so instances agree on L2 keys). */
  setVersion(version: number): void {
    this.#version = Math.max(this.#version, version);
  }

  #l2Key(key: string): string {
    return `${this.#o.keyPrefix}cache:${this.#version}:${key}`;
  }

  async get(route: string, key: string): Promise<CachedResponse | undefined> {
    if (!this.enabled) return undefined;
    const hit = this.#l1?.get(key);
    if (hit) {
      this.#o.metrics.cacheHit(route, 'memory');
      return { ...hit, cache: 'hit-memory' };
    }
    const redis = this.#o.redis;
    if (redis && Date.now() >= this.#l2PausedUntil) {
      try {
        const json = await redis.get(this.#l2Key(key));
        if (json) {
          const entry = JSON.parse(json) as CachedResponse;
          this.#l1?.set(key, entry);
          this.#o.metrics.cacheHit(route, 'redis');
          return { ...entry, cache: 'hit-redis' };
        }
      } catch (err) {
        this.#pauseL2(err);
      }
    }
    this.#o.metrics.cacheMiss(route);
    return undefined;
  }

  async set(key: string, entry: CachedResponse, ttlSeconds = this.#o.ttlSeconds): Promise<void> {
    if (!this.enabled || ttlSeconds <= 0) return;
    const stored: CachedResponse = { body: entry.body, etag: entry.etag, source: entry.source };
    this.#l1?.set(key, stored, { ttl: ttlSeconds * 1000 });
    const redis = this.#o.redis;
    if (redis && Date.now() >= this.#l2PausedUntil) {
      try {
        await redis.set(this.#l2Key(key), JSON.stringify(stored), 'EX', ttlSeconds);
      } catch (err) {
        this.#pauseL2(err);
      }
    }
  }

  #pauseL2(err: unknown): void {
    this.#l2PausedUntil = Date.now() + L2_BACKOFF_MS;
    this.#o.log.debug(
      { err: (err as Error).message },
      'Redis response cache unavailable; using the in-process cache only',
    );
  }
}
