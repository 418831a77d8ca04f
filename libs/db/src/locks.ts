import type { Queryable } from './client.ts';

/** Namespace (first key) of the per-tile processing locks. */
const TILE_LOCK_NAMESPACE = 4_711;

/**
 * Takes transaction-scoped advisory locks on work tiles, in ascending order so
 * two workers locking overlapping sets cannot deadlock. Two rebuilds of the
 * same area therefore run one after the other.
 */
export async function lockTiles(tx: Queryable, tiles: readonly number[]): Promise<void> {
  const sorted = [...new Set(tiles)].sort((a, b) => a - b);
  for (let i = 0; i < sorted.length; i += 1000) {
    const chunk = sorted.slice(i, i + 1000);
    await tx`select pg_advisory_xact_lock(${TILE_LOCK_NAMESPACE}, t) from unnest(${chunk}::int[]) as t`;
  }
}

/**
 * Takes the same locks without waiting: true if every tile's lock is now held, false as soon as one is held
 * by another transaction. The locks taken before that stay held until the transaction ends, so a caller
 * that gets false ends its transaction at once (and tries again later) rather than going on.
 */
export async function tryLockTiles(tx: Queryable, tiles: readonly number[]): Promise<boolean> {
  const sorted = [...new Set(tiles)].sort((a, b) => a - b);
  for (let i = 0; i < sorted.length; i += 1000) {
    const chunk = sorted.slice(i, i + 1000);
    const [row] = await tx<{ ok: boolean }[]>`
      select bool_and(pg_try_advisory_xact_lock(${TILE_LOCK_NAMESPACE}, t)) as ok from unnest(${chunk}::int[]) as t`;
    if (!row?.ok) return false;
  }
  return true;
}

/**
 * Tiles whose processing lock another transaction holds or waits for: the areas other workers are
 * re-clustering now. A worker choosing its next claim keeps clear of them, so workers run side by side
 * instead of queueing for the same locks.
 */
export async function tilesLockedByOthers(tx: Queryable): Promise<number[]> {
  const rows = await tx<{ tile: number }[]>`
    select objid::int8 as tile from pg_locks
    where locktype = 'advisory' and classid = ${TILE_LOCK_NAMESPACE} and objsubid = 2 and pid <> pg_backend_pid()`;
  return rows.map((r) => r.tile);
}
