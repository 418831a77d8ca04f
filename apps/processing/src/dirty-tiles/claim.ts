import type { TilesHeld } from '@photospots/db';
import { influenceTiles, tileXYFromKey } from '@photospots/geo';

/** `key` and the tiles within its reach: what a claim of it reads and locks (the rebuild's influenceTiles). */
const withinReach = (key: number, reachM: number) => influenceTiles([key], reachM);

/**
 * How far a claim reaches around its tiles: `areaM` to the tiles whose hotspots it re-clusters, and `writesM`
 * beyond those to the tiles whose hotspots' members it may take over (see membershipReachM).
 */
export interface ClaimReach {
  areaM: number;
  writesM: number;
}

/**
 * The locks a claim of `tiles` takes: its area exclusively, and shared the tiles its writes reach beyond it.
 * Two claims whose locks are granted together write no row in common, so neither can wait for the other.
 */
export function claimLocks(tiles: readonly number[], reach: ClaimReach): { area: number[]; writes: number[] } {
  const area = influenceTiles(tiles, reach.areaM);
  const inArea = new Set(area);
  const writes = influenceTiles(area, reach.writesM).filter((t) => !inArea.has(t));
  return { area, writes };
}

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
 * - Clear of other workers: a tile is taken only if its area holds no tile another worker holds, and the
 *   tiles its writes reach hold none of their areas, so its locks and theirs are granted together and
 *   the workers run side by side instead of waiting for each other's locks. If no tile is clear, the oldest
 *   is taken anyway (its worker finds the area held and tries again shortly): a claim never comes back empty
 *   while tiles are dirty.
 */
export function chooseClaim(eligible: readonly number[], busy: TilesHeld, limit: number, reach: ClaimReach): number[] {
  if (eligible.length === 0 || limit <= 0) return [];
  const held = new Set(busy.any);
  const areas = new Set(busy.exclusive);
  const clear = (key: number) => {
    if (held.size === 0) return true;
    const { area, writes } = claimLocks([key], reach);
    return !area.some((t) => held.has(t)) && !writes.some((t) => areas.has(t));
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
