import type { Database } from '@photospots/db';
import type { HotspotIndexReader, HotspotSummary, NearbyHit } from '@photospots/hotspot-index';
import type { FastifyBaseLogger } from 'fastify';
import { nearbyFromDb, topFromDb } from './hotspot-read-repository.ts';

export type DataSource = 'redis' | 'postgis';

/**
 * Answers hotspot lookups from the Redis index when it is configured, synced
 * and up, and from PostGIS otherwise: Redis down is a slower answer, never an
 * error. Logs one WARN per outage, and reports the state for /readyz.
 */
export class HotspotFinder {
  readonly #db: Database;
  readonly #index: HotspotIndexReader | undefined;
  readonly #log: FastifyBaseLogger;
  #redisDown = false;

  constructor(db: Database, index: HotspotIndexReader | undefined, log: FastifyBaseLogger) {
    this.#db = db;
    this.#index = index;
    this.#log = log;
  }

  get redisState(): 'absent' | 'up' | 'down' {
    if (!this.#index) return 'absent';
    return this.#redisDown ? 'down' : 'up';
  }

  async #fromIndex<T>(read: (index: HotspotIndexReader) => Promise<T | null>): Promise<T | null> {
    if (!this.#index) return null;
    try {
      const result = await read(this.#index);
      if (this.#redisDown) this.#log.info('Redis index reachable again; serving from Redis');
      this.#redisDown = false;
      return result;
    } catch (err) {
      if (!this.#redisDown) this.#log.warn({ err: (err as Error).message }, 'Redis index unavailable; serving from PostGIS');
      this.#redisDown = true;
      return null;
    }
  }

  async nearby(lat: number, lng: number, radiusM: number, limit: number): Promise<{ items: NearbyHit[]; source: DataSource }> {
    const hits = await this.#fromIndex((index) => index.nearby(lat, lng, radiusM, limit));
    if (hits) return { items: hits, source: 'redis' };
    return { items: await nearbyFromDb(this.#db.sql, lat, lng, radiusM, limit), source: 'postgis' };
  }

  async top(limit: number): Promise<{ items: HotspotSummary[]; source: DataSource }> {
    const hits = await this.#fromIndex((index) => index.top(limit));
    if (hits) return { items: hits, source: 'redis' };
    return { items: await topFromDb(this.#db.sql, limit), source: 'postgis' };
  }
}
