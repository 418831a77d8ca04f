import type { Redis } from 'ioredis';
import { indexKeys, type HotspotSummary } from './keys.ts';

export interface NearbyHit extends HotspotSummary {
  distanceM: number;
}

/** Reads the index (query-api). Every method returns null when the index is not synced. */
export class HotspotIndexReader {
  readonly #redis: Redis;
  readonly #keys: ReturnType<typeof indexKeys>;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#keys = indexKeys(prefix);
  }

  /** Hotspots within radius, nearest first (GEOSEARCH + one HMGET). */
  async nearby(lat: number, lng: number, radiusM: number, limit: number): Promise<NearbyHit[] | null> {
    const k = this.#keys;
    const [[, synced], [, hits]] = (await this.#redis
      .multi()
      .exists(k.meta)
      .geosearch(k.geo, 'FROMLONLAT', lng, lat, 'BYRADIUS', radiusM, 'm', 'ASC', 'COUNT', limit, 'WITHDIST')
      .exec()) as [[null, number], [null, [string, string][]]];
    if (synced !== 1) return null;
    if (hits.length === 0) return [];
    const summaries = await this.#redis.hmget(k.summaries, ...hits.map(([id]) => id));
    const out: NearbyHit[] = [];
    hits.forEach(([, dist], i) => {
      const json = summaries[i];
      if (json) out.push({ ...(JSON.parse(json) as HotspotSummary), distanceM: Math.round(Number(dist) * 10) / 10 });
    });
    return out;
  }

  /** The best-scored hotspots. */
  async top(limit: number, offset = 0): Promise<HotspotSummary[] | null> {
    const k = this.#keys;
    const [[, synced], [, ids]] = (await this.#redis
      .multi()
      .exists(k.meta)
      .zrevrange(k.top, offset, offset + limit - 1)
      .exec()) as [[null, number], [null, string[]]];
    if (synced !== 1) return null;
    if (ids.length === 0) return [];
    const summaries = await this.#redis.hmget(k.summaries, ...ids);
    return summaries.filter((s): s is string => s !== null).map((s) => JSON.parse(s) as HotspotSummary);
  }
}
