import type { Queryable, Sql } from '@photospots/db';
import type { BBox } from '@photospots/geo';
import type { HotspotSummary, NearbyHit } from '@photospots/hotspot-index';
import { isoTime } from '../db-time.ts';
import { SnapshotBuilder, type HullRing, type MapHull, type ScoreCursor } from './hotspot-snapshot.ts';

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

/** Active hotspots as the in-process index holds them: their summaries, and their hulls by id. */
export interface IndexRows {
  items: HotspotSummary[];
  hulls: Map<number, HullRing>;
}

/** The hull's outer ring as GeoJSON coordinates (parsed by the driver), read in the same statement as the summary. */
const HULL_RING = (sql: Queryable) => sql`st_asgeojson(h.hull::geometry, 6)::json -> 'coordinates' -> 0 as hull`;

type IndexRow = HotspotSummary & { hull: [number, number][] | null };

function toIndexRows(rows: readonly IndexRow[]): IndexRows {
  const hulls = new Map<number, HullRing>();
  const items = rows.map(({ hull, ...summary }) => {
    if (hull && hull.length >= 4) hulls.set(summary.id, flatRing(hull));
    return summary;
  });
  return { items, hulls };
}

/** [[lng, lat], …] as one flat array, written in place (a million hulls: no intermediate arrays per hull). */
function flatRing(points: readonly [number, number][]): HullRing {
  const ring = new Float64Array(points.length * 2);
  for (let k = 0; k < points.length; k++) {
    ring[2 * k] = points[k]![0];
    ring[2 * k + 1] = points[k]![1];
  }
  return ring;
}

/** The box around every active hotspot; undefined when there is none. */
export async function activeBoundsFromDb(sql: Queryable): Promise<BBox | undefined> {
  const [row] = await sql<{ minLng: number | null; minLat: number; maxLng: number; maxLat: number }[]>`
    select min(h.lng) as "minLng", min(h.lat) as "minLat", max(h.lng) as "maxLng", max(h.lat) as "maxLat"
    from hotspots h where h.status = 'active'`;
  return row && row.minLng !== null ? { ...row, minLng: row.minLng } : undefined;
}

/**
 * Rows a full load of the in-process index reads at a time: adding a page
 * holds the event loop (~3 µs a row), so a page is small enough for requests
 * to go on between pages while a safety-net reload runs.
 */
const LOAD_PAGE_ROWS = 2_000;

/**
 * Every active hotspot's summary and hull, gathered for a snapshot (the
 * in-process index's full load; build() or a snapshot's reconciled() puts
 * them in order): fetched in pages from one cursor, best score first,
 * inside a repeatable-read transaction (a cursor lives in its transaction,
 * which a transaction pooler keeps on one connection), so no page outlives
 * its own rows and the pages make one consistent view however long the load
 * takes.
 */
export async function activeIndexLoad(sql: Sql, pageRows = LOAD_PAGE_ROWS): Promise<SnapshotBuilder> {
  return sql.begin('isolation level repeatable read read only', async (tx) => {
    // The view starts once the table can be read: a load that waited behind a writer's lock sees its commit.
    await tx`lock table hotspots in access share mode`;
    await tx`
      declare photospots_index_load no scroll cursor for
      select ${SUMMARY(tx)}, ${HULL_RING(tx)} from hotspots h
      where h.status = 'active'
      order by h.score desc nulls last, h.id`;
    const [{ active }] = await tx<[{ active: number }]>`
      select count(*)::float8 as active from hotspots h where h.status = 'active'`;
    const builder = new SnapshotBuilder(active);
    const rows = Math.max(1, Math.floor(pageRows));
    const fetchPage = () => {
      const page = tx<IndexRow[]>`fetch ${tx.unsafe(String(rows))} from photospots_index_load`.execute();
      page.catch(() => undefined); // awaited below; a load that fails meanwhile rolls back and rejects it
      return page;
    };
    try {
      for (let page = fetchPage(); ;) {
        const got = await page;
        const more = got.length === rows;
        // Postgres reads the next page while this one is added.
        if (more) page = fetchPage();
        for (const { hull, ...summary } of got)
          builder.add(summary, hull && hull.length >= 4 ? flatRing(hull) : undefined);
        if (!more) return builder;
      }
    } catch (err) {
      builder.discard();
      throw err;
    }
  });
}

/** Summaries and hulls of the given ids that are active (a retired or unknown id is absent). */
export async function indexRowsByIds(sql: Queryable, ids: readonly number[]): Promise<IndexRows> {
  if (ids.length === 0) return { items: [], hulls: new Map() };
  return toIndexRows(
    await sql<IndexRow[]>`
      select ${SUMMARY(sql)}, ${HULL_RING(sql)} from hotspots h
      where h.status = 'active' and h.id = any(${[...ids]}::bigint[])`,
  );
}

/** Active hotspots' hulls whose bounding box meets a box, best score first. */
export async function hullsInBoxFromDb(sql: Queryable, b: BBox): Promise<MapHull[]> {
  const rows = await sql<{ id: number; label: string | null; score: number; hull: [number, number][] }[]>`
    select h.id, h.label, h.score, ${HULL_RING(sql)} from hotspots h
    where h.status = 'active' and h.hull is not null
      and h.hull::geometry && st_makeenvelope(${b.minLng}, ${b.minLat}, ${b.maxLng}, ${b.maxLat}, 4326)
    order by h.score desc, h.id`;
  return rows
    .filter((r) => r.hull && r.hull.length >= 4)
    .map(({ hull, ...h }) => ({ ...h, ring: Float64Array.from(hull.flat()) }));
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
