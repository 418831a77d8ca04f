import type { ChainableCommander, Redis } from 'ioredis';
import { indexKeys, type HotspotSummary, type IndexChange } from './keys.ts';

/** INCR the version, then PUBLISH the change JSON (ARGV[1], its closing brace left off) with "version" appended. */
const ANNOUNCE_SCRIPT = `local v = redis.call('INCR', KEYS[1])
redis.call('PUBLISH', KEYS[2], ARGV[1] .. ',"version":' .. v .. '}')
return v`;

/**
 * Writes the index (scoring). Updates are pipelined per batch; a full sync
 * builds fresh keys and swaps them in with one MULTI, so readers never see a
 * half-built index.
 */
export class HotspotIndexWriter {
  readonly #redis: Redis;
  readonly #keys: ReturnType<typeof indexKeys>;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#keys = indexKeys(prefix);
  }

  /** Adds or replaces hotspots and removes retired ones, then announces the change. */
  async apply(upserts: readonly HotspotSummary[], removedIds: readonly number[]): Promise<void> {
    if (upserts.length === 0 && removedIds.length === 0) return;
    const k = this.#keys;
    const p = this.#redis.pipeline();
    for (let i = 0; i < upserts.length; i += 1000) {
      const chunk = upserts.slice(i, i + 1000);
      p.geoadd(k.geo, ...chunk.flatMap((h) => [h.lng, h.lat, String(h.id)]));
      p.zadd(k.top, ...chunk.flatMap((h) => [h.score, String(h.id)]));
      p.hset(k.summaries, Object.fromEntries(chunk.map((h) => [String(h.id), JSON.stringify(h)])));
    }
    if (removedIds.length > 0) {
      const ids = removedIds.map(String);
      p.zrem(k.geo, ...ids);
      p.zrem(k.top, ...ids);
      p.hdel(k.summaries, ...ids);
    }
    this.#announce(p, { upserted: upserts.map((h) => h.id), removed: [...removedIds] });
    const results = await p.exec();
    const failed = results?.find(([err]) => err);
    if (failed) throw failed[0];
  }

  /** Replaces the whole index with `all` (streamed in by the caller) atomically. */
  async replaceAll(all: AsyncIterable<readonly HotspotSummary[]>): Promise<number> {
    const k = this.#keys;
    const tmp = { geo: `${k.geo}:building`, top: `${k.top}:building`, summaries: `${k.summaries}:building` };
    await this.#redis.del(tmp.geo, tmp.top, tmp.summaries);
    let count = 0;
    for await (const chunk of all) {
      if (chunk.length === 0) continue;
      const p = this.#redis.pipeline();
      p.geoadd(tmp.geo, ...chunk.flatMap((h) => [h.lng, h.lat, String(h.id)]));
      p.zadd(tmp.top, ...chunk.flatMap((h) => [h.score, String(h.id)]));
      p.hset(tmp.summaries, Object.fromEntries(chunk.map((h) => [String(h.id), JSON.stringify(h)])));
      await p.exec();
      count += chunk.length;
    }
    const m = this.#redis.multi();
    if (count > 0) {
      m.rename(tmp.geo, k.geo);
      m.rename(tmp.top, k.top);
      m.rename(tmp.summaries, k.summaries);
    } else {
      m.del(k.geo, k.top, k.summaries);
    }
    m.hset(k.meta, { syncedAt: new Date().toISOString(), count: String(count) });
    this.#announce(m, { full: true });
    await m.exec();
    return count;
  }

  /**
   * Queues a version bump and the change announcement carrying the new
   * version (one script, so both stay in the caller's single round trip);
   * caches keyed by the version go stale at once.
   */
  #announce(batch: ChainableCommander, change: IndexChange): void {
    const json = JSON.stringify(change);
    batch.eval(ANNOUNCE_SCRIPT, 2, this.#keys.version, this.#keys.changes, json.slice(0, -1));
  }

  /** True when a complete sync has happened since Redis last lost its data. */
  async isSynced(): Promise<boolean> {
    return (await this.#redis.exists(this.#keys.meta)) === 1;
  }
}
