import type { Queryable } from './client.ts';

/**
 * Marks work tiles dirty: their photos changed since they were last clustered. Written by whoever changes
 * photos, in the same transaction (so a tile is dirty exactly when its photos are newer than its hotspots,
 * however late the announcing message arrives); cleared by processing. Idempotent; a tile already dirty gets
 * a new version and a new dirtied_at, and keeps its first_dirtied_at, from which processing's longest delay
 * counts. Rows are locked in tile order, as processing's clearing does, so the two never deadlock.
 *
 * `postpone`: the writer is a bulk import with more batches to come, so the longest delay counts afresh from
 * this write too. A tile such an import keeps writing is then clustered once, when the import's writes to it
 * settle, instead of again after every delay while the import runs: each of those passes re-reads more
 * photos, so a long import would cost processing the photos times the import's duration. Writers that may
 * never stop (a harvest) keep the bound.
 */
export async function markTilesDirty(
  sql: Queryable,
  tiles: readonly number[],
  options: { postpone?: boolean } = {},
): Promise<void> {
  if (tiles.length === 0) return;
  await sql`
    insert into dirty_tiles (tile)
    select t from unnest(${[...tiles]}::int[]) as t group by t order by t
    on conflict (tile) do update set version = dirty_tiles.version + 1, dirtied_at = now()
      ${options.postpone ? sql`, first_dirtied_at = now()` : sql``}`;
}
