import { influenceTiles, tileXYFromKey } from '@photospots/geo';

/** `key` and the tiles within its reach: what a claim of it reads and locks (the rebuild's influenceTiles). */
const withinReach = (key: number, reachM: number) => influenceTiles([key], reachM);

/** A dirty tile and how long ago it was last dirtied (quiet) and first dirtied (waited), in milliseconds. */
export interface DirtyTileAge {
  tile: number;
  quietMs: number;
  waitedMs: number;
}

/**
 * Milliseconds until each dirty tile may be re-clustered (0: now), in the order given. A tile has settled once
 * no write has touched it, nor any dirty tile within its reach, for `settleMs`: its clusters read those
 * photos, and a tile at the sparse edge of a bulk import is not written by every batch while its neighbours
 * are (clustering it between batches is work the next batch undoes). However busy its surroundings, a tile
 * waits at most `maxDelayMs` after it first became dirty.
 */
export function msUntilClaimable(
  dirty: readonly DirtyTileAge[],
  settling: { settleMs: number; maxDelayMs: number },
  reachM: number,
): number[] {
  const quietOf = new Map(dirty.map((d) => [d.tile, d.quietMs]));
  return dirty.map((d) => {
    const byDelay = settling.maxDelayMs - d.waitedMs;
    if (byDelay <= 0) return 0;
    let quiet = Number.POSITIVE_INFINITY;
    for (const t of withinReach(d.tile, reachM)) {
      const q = quietOf.get(t);
      if (q !== undefined && q < quiet) quiet = q;
    }
    return Math.max(0, Math.min(byDelay, settling.settleMs - quiet));
  });
}

/**
 * Chooses the tiles of one re-clustering claim from the eligible dirty tiles (oldest first): the oldest
 * tile whose area is clear of every tile another worker holds, and then the clear tiles nearest to it, in
 * rings around it (oldest first within a ring), up to `limit`.
 *
 * - Compact: the claim's windows and margins cover few tiles beyond it, where the next `limit` tiles by age
 *   can be scattered over the map and make one pass read every photo in it.
 * - Clear of other workers: a tile is taken only if no busy tile lies within its reach, so this claim's
 *   area (its tiles and their reach) and theirs do not overlap, and the workers run side by side instead
 *   of waiting for each other's locks. If no tile is clear, the oldest is taken anyway (its worker finds
 *   the area held and tries again shortly): a claim never comes back empty while tiles are dirty.
 */
export function chooseClaim(
  eligible: readonly number[],
  busy: readonly number[],
  limit: number,
  reachM: number,
): number[] {
  if (eligible.length === 0 || limit <= 0) return [];
  const busySet = new Set(busy);
  const clear = (key: number) => {
    if (busySet.size === 0) return true;
    for (const t of withinReach(key, reachM)) if (busySet.has(t)) return false;
    return true;
  };
  const free = eligible.filter(clear);
  const seed = free[0] ?? eligible[0]!;
  const pool = free.length > 0 ? free : eligible;
  const s = tileXYFromKey(seed);
  const ring = (key: number) => {
    const { x, y } = tileXYFromKey(key);
    return Math.max(Math.abs(x - s.x), Math.abs(y - s.y));
  };
  // Within a ring, the eligible order (oldest first).
  return pool
    .map((tile, age) => ({ tile, age, ring: ring(tile) }))
    .sort((a, b) => a.ring - b.ring || a.age - b.age)
    .slice(0, limit)
    .map((c) => c.tile);
}
