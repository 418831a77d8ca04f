import type { Queryable, TransactionSql } from '@photospots/db';

export interface ClaimedTile {
  tile: number;
  version: number;
}

/** Marks tiles dirty (idempotent; a tile already dirty gets a new version). */
export async function markTilesDirty(sql: Queryable, tiles: readonly number[]): Promise<void> {
  if (tiles.length === 0) return;
  await sql`
    insert into dirty_tiles (tile)
    select distinct t from unnest(${[...tiles]}::int[]) as t
    on conflict (tile) do update set version = dirty_tiles.version + 1, dirtied_at = now()`;
}

/** The oldest dirty tiles, without locking them (the caller locks their area, then reads them again). */
export async function peekDirtyTiles(tx: TransactionSql, limit: number): Promise<number[]> {
  const rows = await tx<{ tile: number }[]>`select tile from dirty_tiles order by dirtied_at, tile limit ${limit}`;
  return rows.map((r) => r.tile);
}

/** The tiles of `tiles` that are still dirty now, with their versions. */
export async function dirtyVersions(tx: TransactionSql, tiles: readonly number[]): Promise<ClaimedTile[]> {
  if (tiles.length === 0) return [];
  return tx<ClaimedTile[]>`select tile, version from dirty_tiles where tile = any(${[...tiles]}::int[]) order by tile`;
}

/** Clears claimed tiles unless they were dirtied again meanwhile (then they stay for the next run). */
export async function clearDirtyTiles(tx: TransactionSql, claimed: readonly ClaimedTile[]): Promise<void> {
  if (claimed.length === 0) return;
  await tx`
    delete from dirty_tiles d
    using unnest(${claimed.map((c) => c.tile)}::int[], ${claimed.map((c) => c.version)}::int[]) as c(tile, version)
    where d.tile = c.tile and d.version = c.version`;
}

/** Dirties every tile that has photos or active hotspots: the full rebuild. */
export async function markAllTilesDirty(sql: Queryable): Promise<number> {
  const [row] = await sql<{ count: number }[]>`
    with t as (
      insert into dirty_tiles (tile)
      select tile from photos union select tile from hotspots where status = 'active'
      on conflict (tile) do update set version = dirty_tiles.version + 1, dirtied_at = now()
      returning 1
    ) select count(*)::int as count from t`;
  return row?.count ?? 0;
}

export async function countDirtyTiles(sql: Queryable): Promise<number> {
  const [row] = await sql<{ count: number }[]>`select count(*)::int as count from dirty_tiles`;
  return row?.count ?? 0;
}
