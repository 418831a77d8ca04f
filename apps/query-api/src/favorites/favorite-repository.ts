import type { Sql, TransactionSql } from '@photospots/db';
import type { HotspotSummary } from '@photospots/hotspot-index';
import { isoTime } from '../db-time.ts';

export interface FavoriteRow extends HotspotSummary {
  status: 'active' | 'retired';
  favoritedAt: string;
  /** created_at in epoch microseconds: the exact keyset position. */
  atMicros: number;
}

/**
 * Adds a favorite unless it exists, holding a share lock on the hotspot row so
 * a concurrent retirement (which moves favorites to the successor) waits for
 * this commit and then moves this favorite too. Returns null when the hotspot
 * is missing or not active (nothing written), else whether a row was added.
 */
export async function addFavorite(
  tx: TransactionSql,
  userId: string,
  hotspotId: number,
): Promise<{ added: boolean; favoritedAt: string } | null> {
  const [h] = await tx<{ status: string }[]>`select status from hotspots where id = ${hotspotId} for share`;
  if (!h || h.status !== 'active') return null;
  const [added] = await tx<{ createdAt: string }[]>`
    insert into favorites (user_id, hotspot_id) values (${userId}, ${hotspotId})
    on conflict do nothing returning ${isoTime(tx, 'created_at')} as "createdAt"`;
  if (added) return { added: true, favoritedAt: added.createdAt };
  const [existing] = await tx<{ createdAt: string }[]>`
    select ${isoTime(tx, 'created_at')} as "createdAt" from favorites where user_id = ${userId} and hotspot_id = ${hotspotId}`;
  return { added: false, favoritedAt: existing!.createdAt };
}

/** Removes a favorite; true when one was there. */
export async function removeFavorite(tx: TransactionSql, userId: string, hotspotId: number): Promise<boolean> {
  const rows =
    await tx`delete from favorites where user_id = ${userId} and hotspot_id = ${hotspotId} returning hotspot_id`;
  return rows.length > 0;
}

/** One user's favorites, newest first, after a keyset position; limit + 1 rows tell whether more follow. */
export async function listFavorites(
  sql: Sql,
  userId: string,
  limit: number,
  after?: { atMicros: number; hotspotId: number },
): Promise<FavoriteRow[]> {
  const at = sql`(extract(epoch from f.created_at) * 1000000)::bigint`;
  return sql<FavoriteRow[]>`
    select h.id, h.label, h.lat, h.lng, h.score, h.photo_count as "photoCount", h.user_count as "userCount", h.top_tags as tags,
           h.status, ${isoTime(sql, 'f.created_at')} as "favoritedAt", ${at} as "atMicros"
    from favorites f join hotspots h on h.id = f.hotspot_id
    where f.user_id = ${userId}
      ${after ? sql`and (${at} < ${after.atMicros} or (${at} = ${after.atMicros} and f.hotspot_id > ${after.hotspotId}))` : sql``}
    order by ${at} desc, f.hotspot_id
    limit ${limit}`;
}
