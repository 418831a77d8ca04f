import type { Queryable } from '@photospots/db';
import type { BBox } from '@photospots/geo';
import type { HotspotSummary, NearbyHit } from '@photospots/hotspot-index';
import { isoTime } from '../db-time.ts';
import type { ScoreCursor } from './hotspot-snapshot.ts';

const SUMMARY = (sql: Queryable) =>
  sql`h.id, h.label, h.lat, h.lng, h.score, h.photo_count as "photoCount", h.user_count as "userCount", h.top_tags as tags`;

/** Nearby hotspots from PostGIS: the fallback when neither the in-process nor the Redis index can answer. */
export async function nearbyFromDb(
  sql: Queryable,
  lat: number,
  lng: number,
  radiusM: number,
  limit: number,
): Promise<NearbyHit[]> {
  return sql<NearbyHit[]>`
    with here as (select st_setsrid(st_makepoint(${lng}, ${lat}), 4326)::geography as g)
    select ${SUMMARY(sql)}, round(st_distance(h.centroid, here.g)::numeric, 1)::float8 as "distanceM"
    from hotspots h, here
    where h.status = 'active' and st_dwithin(h.centroid, here.g, ${radiusM})
    order by "distanceM", h.id
    limit ${limit}`;
}

/** The best-scored hotspots from PostGIS. */
export async function topFromDb(sql: Queryable, limit: number): Promise<HotspotSummary[]> {
  return sql<HotspotSummary[]>`
    select ${SUMMARY(sql)} from hotspots h where h.status = 'active'
    order by h.score desc, h.id
    limit ${limit}`;
}

/** Hotspots in a box, best score first, after a cursor; limit + 1 rows tell whether more follow. */
export async function inBoxFromDb(
  sql: Queryable,
  b: BBox,
  limit: number,
  after?: ScoreCursor,
): Promise<HotspotSummary[]> {
  return sql<HotspotSummary[]>`
    select ${SUMMARY(sql)} from hotspots h
    where h.status = 'active'
      and h.centroid && st_makeenvelope(${b.minLng}, ${b.minLat}, ${b.maxLng}, ${b.maxLat}, 4326)::geography
      and h.lng between ${b.minLng} and ${b.maxLng} and h.lat between ${b.minLat} and ${b.maxLat}
      ${after ? sql`and (h.score < ${after.score} or (h.score = ${after.score} and h.id > ${after.id}))` : sql``}
    order by h.score desc, h.id
    limit ${limit}`;
}

/** Every active hotspot's summary (the in-process index's full load). */
export async function activeSummaries(sql: Queryable): Promise<HotspotSummary[]> {
  return sql<HotspotSummary[]>`select ${SUMMARY(sql)} from hotspots h where h.status = 'active'`;
}

/** Summaries of the given ids that are active (a retired or unknown id is absent). */
export async function summariesByIds(sql: Queryable, ids: readonly number[]): Promise<HotspotSummary[]> {
  if (ids.length === 0) return [];
  return sql<HotspotSummary[]>`
    select ${SUMMARY(sql)} from hotspots h where h.status = 'active' and h.id = any(${[...ids]}::bigint[])`;
}

/** Everything the detail endpoint shows about one hotspot, whatever its status. */
export interface HotspotRow {
  id: number;
  status: 'active' | 'retired';
  successorId: number | null;
  label: string | null;
  lat: number;
  lng: number;
  radiusM: number;
  hull: { type: 'Polygon'; coordinates: number[][][] } | null;
  photoCount: number;
  userCount: number;
  userDays: number;
  viewCount: number;
  favoriteCount: number;
  score: number;
  scoreComponents: Record<string, number> | null;
  scoredAt: string | null;
  tags: string[];
  monthHistogram: number[] | null;
  hourHistogram: number[] | null;
  firstPhotoAt: string | null;
  lastPhotoAt: string | null;
}

export async function hotspotById(sql: Queryable, id: number): Promise<HotspotRow | undefined> {
  const [row] = await sql<HotspotRow[]>`
    select h.id, h.status, h.successor_id as "successorId", h.label, h.lat, h.lng, h.radius_m as "radiusM",
           st_asgeojson(h.hull, 6)::json as hull, h.photo_count as "photoCount", h.user_count as "userCount",
           h.user_days as "userDays", h.view_count as "viewCount",
           (select count(*)::int from favorites f where f.hotspot_id = h.id) as "favoriteCount",
           h.score, h.score_components as "scoreComponents", ${isoTime(sql, 'h.scored_at')} as "scoredAt", h.top_tags as tags,
           h.month_histogram as "monthHistogram", h.hour_histogram as "hourHistogram",
           ${isoTime(sql, 'h.first_photo_at')} as "firstPhotoAt", ${isoTime(sql, 'h.last_photo_at')} as "lastPhotoAt"
    from hotspots h where h.id = ${id}`;
  return row;
}

/** Follows successor links from a retired hotspot to the active one that took over (bounded, cycle-safe). */
export async function activeSuccessor(sql: Queryable, id: number): Promise<number | null> {
  const [row] = await sql<{ id: number | null }[]>`
    with recursive chain(id, successor_id, status, depth) as (
      select id, successor_id, status, 0 from hotspots where id = ${id}
      union all
      select h.id, h.successor_id, h.status, c.depth + 1
      from chain c join hotspots h on h.id = c.successor_id
      where c.status = 'retired' and c.depth < 20
    )
    select (select id from chain where status = 'active' order by depth limit 1) as id`;
  return row?.id ?? null;
}
