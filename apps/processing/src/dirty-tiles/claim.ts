import type { TilesHeld } from '@photospots/db';
import {
  clusteringMarginM,
  forEachTileWithin,
  influenceTiles,
  membershipReachM,
  tileKeyFromXY,
  tileRing,
  tileXYFromKey,
  WORK_TILE_ZOOM,
  type PeopleClusterParams,
} from '@photospots/geo';

/**
 * How far a claim reaches around its tiles: `areaM` to the tiles whose hotspots it re-clusters, and `writesM`
 * beyond those to the tiles whose hotspots' members it may take over (see membershipReachM).
 */
export interface ClaimReach {
  areaM: number;
  writesM: number;
}

/** The reach of a claim under these clustering parameters. */
export function claimReachOf(params: PeopleClusterParams): ClaimReach {
  return { areaM: clusteringMarginM(params), writesM: membershipReachM(params) };
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
 * waits at most `maxDelayMs` after it first became dirty. (While a file import runs, no tile settles: see
 * claimableTiles.)
 */
export function msUntilClaimable(
  dirty: readonly DirtyTileAge[],
  settling: { settleMs: number; maxDelayMs: number },
  reachM: number,
): number[] {
  // Only tiles written within settleMs hold others back: with none, every tile may be claimed.
  const recent = new Map<number, number>();
  for (const d of dirty) if (d.quietMs < settling.settleMs) recent.set(d.tile, d.quietMs);
  return dirty.map((d) => {
    const byDelay = settling.maxDelayMs - d.waitedMs;
    if (byDelay <= 0 || recent.size === 0) return 0;
    let quiet = Number.POSITIVE_INFINITY;
    forEachTileWithin(d.tile, tileRing(d.tile, reachM), (t) => {
      const q = recent.get(t);
      if (q !== undefined && q < quiet) quiet = q;
    });
    return Math.max(0, Math.min(byDelay, settling.settleMs - quiet));
  });
}

/** How far from its seed (in tile rings, ~50 km at 51°N) a claim looks for more tiles. */
const MAX_CLAIM_RING = 32;
const SIDE = 2 ** WORK_TILE_ZOOM;

/**
 * Chooses the tiles of re-clustering claims, one claim after another, from the eligible dirty tiles (oldest
 * first): the oldest tile whose area is clear of every tile another worker holds, and then the clear tiles
 * nearest to it, in rings around it (oldest first within a ring), up to `limit`.
 *
 * - Compact: the claim's windows and margins cover few tiles beyond it, where the next `limit` tiles by age
 *   can be scattered over the map and make one pass read every photo in it.
 * - Clear of other workers: a tile is taken only if its area holds no tile another worker holds, and the
 *   tiles its writes reach hold none of their areas, so its locks and theirs are granted together and
 *   the workers run side by side instead of waiting for each other's locks. If no tile is clear, the oldest
 *   is taken anyway (its worker finds the area held and tries again shortly): a claim never comes back empty
 *   while tiles are dirty.
 * - Cheap at any backlog: a claim costs its rings around the seed (at most MAX_CLAIM_RING of them) and the
 *   tiles near other workers' locks, not the whole backlog, so a pass over n dirty tiles costs O(n).
 */
export class ClaimChooser {
  /** Eligible tiles, oldest first; those taken meanwhile are skipped. */
  readonly #order: readonly number[];
  /** Tiles not yet taken, by their position in #order (their age rank). */
  readonly #rank = new Map<number, number>();
  /** Everything before this position in #order has been taken. */
  #start = 0;
  readonly #reach: ClaimReach;

  constructor(eligible: readonly number[], reach: ClaimReach) {
    this.#order = eligible;
    eligible.forEach((tile, i) => this.#rank.set(tile, i));
    this.#reach = reach;
  }

  /** Tiles not yet taken. */
  get size(): number {
    return this.#rank.size;
  }

  /** Marks tiles as claimed: later claims leave them out. */
  take(tiles: Iterable<number>): void {
    for (const t of tiles) this.#rank.delete(t);
  }

  /** The next claim, without taking it. */
  choose(busy: TilesHeld, limit: number): number[] {
    if (this.#rank.size === 0 || limit <= 0) return [];
    const blocked = this.#blockedBy(busy);
    while (!this.#rank.has(this.#order[this.#start]!)) this.#start++;
    let seed: number | undefined;
    for (let i = this.#start; i < this.#order.length && seed === undefined; i++) {
      const t = this.#order[i]!;
      if (this.#rank.has(t) && !blocked(t)) seed = t;
    }
    const anyClear = seed !== undefined;
    seed ??= this.#order[this.#start]!;
    const { x: sx, y: sy } = tileXYFromKey(seed);
    const out: number[] = [];
    for (let r = 0; r <= MAX_CLAIM_RING && out.length < limit; r++) {
      const ring: number[] = [];
      const visit = (x: number, y: number) => {
        if (x < 0 || x >= SIDE || y < 0 || y >= SIDE) return;
        const t = tileKeyFromXY(x, y);
        if (this.#rank.has(t) && (!anyClear || !blocked(t))) ring.push(t);
      };
      if (r === 0) visit(sx, sy);
      for (let d = -r; d < r; d++) {
        visit(sx + d, sy - r);
        visit(sx + r, sy + d);
        visit(sx - d, sy + r);
        visit(sx - r, sy - d);
      }
      ring.sort((a, b) => this.#rank.get(a)! - this.#rank.get(b)!);
      for (const t of ring) if (out.length < limit) out.push(t);
    }
    return out;
  }

  /**
   * Whether a claim of the tile would meet another worker's locks (see claimLocks). Only tiles near a held
   * tile can; for those the claim's locks are worked out.
   */
  #blockedBy(busy: TilesHeld): (key: number) => boolean {
    if (busy.any.length === 0) return () => false;
    const held = new Set(busy.any);
    const areas = new Set(busy.exclusive);
    const near = new Set<number>();
    for (const h of busy.any)
      forEachTileWithin(h, tileRing(h, this.#reach.areaM) + tileRing(h, this.#reach.writesM) + 1, (t) => near.add(t));
    const known = new Map<number, boolean>();
    return (key) => {
      if (!near.has(key)) return false;
      let hit = known.get(key);
      if (hit === undefined) {
        const { area, writes } = claimLocks([key], this.#reach);
        hit = area.some((t) => held.has(t)) || writes.some((t) => areas.has(t));
        known.set(key, hit);
      }
      return hit;
    };
  }
}

/** One claim from the eligible dirty tiles (see ClaimChooser). */
export function chooseClaim(eligible: readonly number[], busy: TilesHeld, limit: number, reach: ClaimReach): number[] {
  return new ClaimChooser(eligible, reach).choose(busy, limit);
}
