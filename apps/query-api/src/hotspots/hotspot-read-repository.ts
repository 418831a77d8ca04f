import type { Queryable } from '@photospots/db';
import type { HotspotSummary, NearbyHit } from '@photospots/hotspot-index';

/** Nearby hotspots from PostGIS: the fallback when the Redis index is absent or down. */
export async function nearbyFromDb(sql: Queryable, lat: number, lng: number, radiusM: number, limit: number): Promise<NearbyHit[]> {
  return sql<NearbyHit[]>`
    with here as (select st_setsrid(st_makepoint(${lng}, ${lat}), 4326)::geography as g)
    select h.id, h.label, h.lat, h.lng, h.score, h.photo_count as "photoCount", h.user_count as "userCount",
           h.top_tags as tags, round(st_distance(h.centroid, here.g)::numeric, 1)::float8 as "distanceM"
    from hotspots h, here
    where h.status = 'active' and st_dwithin(h.centroid, here.g, ${radiusM})
    order by "distanceM", h.id
    limit ${limit}`;
}

/** The best-scored hotspots from PostGIS. */
export async function topFromDb(sql: Queryable, limit: number): Promise<HotspotSummary[]> {
  return sql<HotspotSummary[]>`
    select id, label, lat, lng, score, photo_count as "photoCount", user_count as "userCount", top_tags as tags
    from hotspots where status = 'active'
    order by score desc, id
    limit ${limit}`;
}
