import type { Database } from '@photospots/db';
import type { BBox } from '@photospots/geo';
import type { HotspotIndexReader, HotspotSummary, NearbyHit } from '@photospots/hotspot-index';
import type { FastifyBaseLogger } from 'fastify';
import type { HotspotMemoryIndex } from './hotspot-memory-index.ts';
import { hullsInBoxFromDb, inBoxFromDb, nearbyFromDb, topFromDb } from './hotspot-read-repository.ts';
import { HotspotSnapshot, type MapCluster, type MapHull, type ScoreCursor } from './hotspot-snapshot.ts';

export type DataSource = 'memory' | 'redis' | 'postgis';

/** Most hotspots a clustered map box loads from PostGIS when the in-process index cannot answer. */
const DB_CLUSTER_CAP = 50_000;

/**
 * Answers hotspot lookups from the fastest source that is fresh: the
 * in-process index (no I/O), then the Redis index when it is configured,
 * synced and up, then PostGIS. Redis down is a slower answer, never an error;
 * one WARN per outage, and the state is reported in /readyz.
 */
export class HotspotFinder {
  readonly #db: Database;
  readonly #memory: HotspotMemoryIndex | undefined;
  readonly #index: HotspotIndexReader | undefined;
  readonly #log: FastifyBaseLogger;
  #redisDown = false;

  constructor(
    db: Database,
    memory: HotspotMemoryIndex | undefined,
    index: HotspotIndexReader | undefined,
    log: FastifyBaseLogger,
  ) {
    this.#db = db;
    this.#memory = memory;
    this.#index = index;
    this.#log = log;
  }

  get redisState(): 'absent' | 'up' | 'down' {
    if (!this.#index) return 'absent';
    return this.#redisDown ? 'down' : 'up';
  }

  /** Records what a Redis call outside the finder learnt (the memory index's feed, the cache). */
  noteRedis(up: boolean): void {
    if (!this.#index) return;
    if (up && this.#redisDown) this.#log.info('Redis reachable again');
    // The Redis connection itself logs the outage (one WARN, connectRedis); this says what the API does about it.
    if (!up && !this.#redisDown) this.#log.info('Redis unavailable; serving from the in-process index and PostGIS');
    this.#redisDown = !up;
  }

  async #fromIndex<T>(read: (index: HotspotIndexReader) => Promise<T | null>): Promise<T | null> {
    if (!this.#index) return null;
    try {
      const result = await read(this.#index);
      this.noteRedis(true);
      return result;
    } catch (err) {
      if (!this.#redisDown)
        this.#log.info({ err: (err as Error).message }, 'Redis index unavailable; serving from PostGIS');
      this.#redisDown = true;
      return null;
    }
  }

  async nearby(
    lat: number,
    lng: number,
    radiusM: number,
    limit: number,
  ): Promise<{ items: NearbyHit[]; source: DataSource }> {
    const snapshot = this.#memory?.snapshot;
    if (snapshot) return { items: snapshot.nearby(lat, lng, radiusM, limit), source: 'memory' };
    const hits = await this.#fromIndex((index) => index.nearby(lat, lng, radiusM, limit));
    if (hits) return { items: hits, source: 'redis' };
    return { items: await nearbyFromDb(this.#db.sql, lat, lng, radiusM, limit), source: 'postgis' };
  }

  async top(limit: number): Promise<{ items: HotspotSummary[]; source: DataSource }> {
    const snapshot = this.#memory?.snapshot;
    if (snapshot) return { items: snapshot.top(limit), source: 'memory' };
    const hits = await this.#fromIndex((index) => index.top(limit));
    if (hits) return { items: hits, source: 'redis' };
    return { items: await topFromDb(this.#db.sql, limit), source: 'postgis' };
  }

  /** A page of hotspots in a box, best score first. */
  async inBox(
    b: BBox,
    limit: number,
    after?: ScoreCursor,
  ): Promise<{ items: HotspotSummary[]; more: boolean; source: DataSource }> {
    const snapshot = this.#memory?.snapshot;
    if (snapshot) return { ...snapshot.inBox(b, limit, after), source: 'memory' };
    const rows = await inBoxFromDb(this.#db.sql, b, limit + 1, after);
    return { items: rows.slice(0, limit), more: rows.length > limit, source: 'postgis' };
  }

  /** Map clusters in a box at a zoom level. */
  async clusters(b: BBox, zoom: number): Promise<{ items: (MapCluster | HotspotSummary)[]; source: DataSource }> {
    const snapshot = this.#memory?.snapshot;
    if (snapshot) return { items: snapshot.clusters(b, zoom), source: 'memory' };
    // Cluster this box's hotspots in process; the margin keeps clusters at the edges whole.
    const w = (b.maxLng - b.minLng) / 2;
    const h = (b.maxLat - b.minLat) / 2;
    const grown = {
      minLng: Math.max(-180, b.minLng - w),
      minLat: Math.max(-90, b.minLat - h),
      maxLng: Math.min(180, b.maxLng + w),
      maxLat: Math.min(90, b.maxLat + h),
    };
    const rows = await inBoxFromDb(this.#db.sql, grown, DB_CLUSTER_CAP);
    return { items: new HotspotSnapshot(rows).clusters(b, zoom), source: 'postgis' };
  }

  /** Hotspot hulls whose bounding box meets a box, best score first (the Redis index holds no hulls). */
  async hulls(b: BBox): Promise<{ items: MapHull[]; source: DataSource }> {
    const snapshot = this.#memory?.snapshot;
    if (snapshot) return { items: snapshot.hullsInBox(b), source: 'memory' };
    return { items: await hullsInBoxFromDb(this.#db.sql, b), source: 'postgis' };
  }
}
