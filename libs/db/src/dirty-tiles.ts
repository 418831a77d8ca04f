import type { Queryable } from './client.ts';

/**
 * Marks work tiles dirty: their photos changed since they were last clustered. Written by whoever changes
 * photos, in the same transaction (so a tile is dirty exactly when its photos are newer than its hotspots,
 * however late the announcing message arrives); cleared by processing. Idempotent; a tile already dirty gets
 * a new version and a new dirtied_at, and keeps its first_dirtied_at. Rows are locked in tile order, as
 * processing's clearing does, so the two never deadlock.
 */
export async function markTilesDirty(sql: Queryable, tiles: readonly number[]): Promise<void> {
  if (tiles.length === 0) return;
  await sql`
    insert into dirty_tiles (tile)
    select t from unnest(${[...tiles]}::int[]) as t group by t order by t
    on conflict (tile) do update set version = dirty_tiles.version + 1, dirtied_at = now()`;
}
