import type { Queryable } from '@photospots/db';

/**
 * The hotspot each of the given ids was merged into (hotspots.successor_id),
 * for the ids that have one; a hotspot retired without a successor, or
 * deleted, is absent.
 */
export async function successorsOf(sql: Queryable, ids: readonly number[]): Promise<Map<number, number>> {
  if (ids.length === 0) return new Map();
  const rows = await sql<{ id: number; successorId: number }[]>`
    select id, successor_id as "successorId" from hotspots
    where id = any(${[...ids]}::bigint[]) and successor_id is not null`;
  return new Map(rows.map((r) => [r.id, r.successorId]));
}
