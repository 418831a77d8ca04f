import type { Queryable } from '@photospots/db';
import { isoTime } from '../db-time.ts';

export type PhotoOrder = 'newest' | 'views';

/** A member photo with what attribution needs. */
export interface PhotoRow {
  id: number;
  source: string;
  sourceId: string;
  ownerId: string;
  ownerName: string | null;
  title: string | null;
  license: string | null;
  lat: number;
  lng: number;
  takenAt: string | null;
  views: number;
  imageUrl: string | null;
  thumbnailKey: string | null;
  /** Keyset position in the requested order (see PhotoCursor). */
  cursorKey: number;
}

/** Keyset position of the last photo of a page; `key` is taken_at in ms (newest, -1 for none) or views. */
export interface PhotoCursor {
  key: number;
  id: number;
}

const COLUMNS = (sql: Queryable) => sql`
  p.id, p.source, p.source_id as "sourceId", p.owner_id as "ownerId", p.owner_name as "ownerName", p.title, p.license,
  p.lat, p.lng, ${isoTime(sql, 'p.taken_at')} as "takenAt", p.views, p.image_url as "imageUrl", p.thumbnail_key as "thumbnailKey"`;

/**
 * A hotspot's member photos, newest (by taken date; undated last) or most
 * viewed first, ties by id; limit + 1 rows tell whether more follow.
 */
export async function hotspotPhotos(
  sql: Queryable,
  hotspotId: number,
  order: PhotoOrder,
  limit: number,
  after?: PhotoCursor,
): Promise<PhotoRow[]> {
  if (order === 'views') {
    return sql<PhotoRow[]>`
      select ${COLUMNS(sql)}, p.views::float8 as "cursorKey" from hotspot_photos hp join photos p on p.id = hp.photo_id
      where hp.hotspot_id = ${hotspotId}
        ${after ? sql`and (p.views < ${after.key} or (p.views = ${after.key} and p.id > ${after.id}))` : sql``}
      order by p.views desc, p.id
      limit ${limit}`;
  }
  // Undated photos sort last with key -1 (epoch ms is never negative for real photos).
  const key = sql`coalesce((extract(epoch from p.taken_at) * 1000)::float8, -1)`;
  return sql<PhotoRow[]>`
    select ${COLUMNS(sql)}, ${key} as "cursorKey" from hotspot_photos hp join photos p on p.id = hp.photo_id
    where hp.hotspot_id = ${hotspotId}
      ${after ? sql`and (${key} < ${after.key} or (${key} = ${after.key} and p.id > ${after.id}))` : sql``}
    order by ${key} desc, p.id
    limit ${limit}`;
}
