import type { Queryable } from '@photospots/db';
import type { ApiContext } from '../api-context.ts';
import { ApiError } from '../errors/error-catalog.ts';
import { activeSuccessor } from './hotspot-read-repository.ts';

/**
 * Ensures an id names an active hotspot (the in-process index answers
 * without I/O when it knows the id); otherwise throws like rejectRetired,
 * or 404 for an unknown id.
 */
export async function requireActiveHotspot(ctx: ApiContext, id: number, pathOf: (id: number) => string): Promise<void> {
  if (ctx.memory?.snapshot?.get(id)) return;
  const [row] = await ctx.database.sql<{ status: string }[]>`select status from hotspots where id = ${id}`;
  if (!row) throw new ApiError('HOTSPOT_NOT_FOUND', undefined, { hotspotId: id });
  if (row.status !== 'active') await rejectRetired(ctx.database.sql, id, pathOf);
}

/**
 * Throws for a retired hotspot: 301 to the same resource of the active
 * hotspot it was merged into (Location built by `pathOf`), or 410 when it
 * simply disappeared.
 */
export async function rejectRetired(sql: Queryable, id: number, pathOf: (id: number) => string): Promise<never> {
  const successorId = await activeSuccessor(sql, id);
  if (successorId !== null) {
    throw new ApiError(
      'HOTSPOT_MERGED',
      undefined,
      { hotspotId: id, successorId },
      { location: pathOf(successorId), 'cache-control': 'public, max-age=300' },
    );
  }
  throw new ApiError('HOTSPOT_RETIRED', undefined, { hotspotId: id });
}
