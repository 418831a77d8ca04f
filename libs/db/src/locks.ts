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
 *
 * `shared` tiles (those not in `tiles`) are locked in shared mode: a transaction that holds them may write
 * there (a re-clustered hotspot's members reach beyond its area) but computes nothing there, so two of them
 * may share such a tile, while one that locks it exclusively, for its area, may not.
 */
export async function tryLockTiles(
  tx: Queryable,
  tiles: readonly number[],
  shared: readonly number[] = [],
): Promise<boolean> {
  const exclusive = [...new Set(tiles)].sort((a, b) => a - b);
  const inTiles = new Set(exclusive);
  const sharedOnly = [...new Set(shared)].filter((t) => !inTiles.has(t)).sort((a, b) => a - b);
  for (const [keys, lock] of [
    [exclusive, 'pg_try_advisory_xact_lock'],
    [sharedOnly, 'pg_try_advisory_xact_lock_shared'],
  ] as const) {
    for (let i = 0; i < keys.length; i += 1000) {
      const chunk = keys.slice(i, i + 1000);
      const [row] = await tx<{ ok: boolean }[]>`
        select bool_and(${tx.unsafe(lock)}(${TILE_LOCK_NAMESPACE}, t)) as ok from unnest(${chunk}::int[]) as t`;
      if (!row?.ok) return false;
    }
  }
  return true;
}

/** Tiles whose processing locks other transactions hold or wait for, in either mode, and exclusively. */
export interface TilesHeld {
  /** In either mode: other workers' areas and the tiles their writes reach. */
  any: number[];
  /** Exclusively: other workers' areas alone. */
  exclusive: number[];
}

/**
 * The areas other workers are re-clustering now. A worker choosing its next claim keeps clear of them, so
 * workers run side by side instead of queueing for the same locks.
 */
export async function tilesLockedByOthers(tx: Queryable): Promise<TilesHeld> {
  const rows = await tx<{ tile: number; exclusive: boolean }[]>`
    select objid::int8 as tile, bool_or(mode = 'ExclusiveLock') as exclusive from pg_locks
    where locktype = 'advisory' and classid = ${TILE_LOCK_NAMESPACE} and objsubid = 2 and pid <> pg_backend_pid()
      and database = (select oid from pg_database where datname = current_database())
    group by objid`;
  return { any: rows.map((r) => r.tile), exclusive: rows.filter((r) => r.exclusive).map((r) => r.tile) };
}
