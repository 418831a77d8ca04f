import type { Queryable, TransactionSql } from '@photospots/db';
import type { HotspotCandidate } from '../clustering/hotspot-candidate.ts';

/** A stored active hotspot with what re-clustering compares. */
export interface StoredHotspot {
  id: number;
  lat: number;
  lng: number;
  tile: number;
  photoIds: number[];
  radiusM: number;
  photoCount: number;
  userCount: number;
  userDays: number;
  viewCount: number;
  cappedUserDays: number;
  bestViews: number;
  /** Epoch ms, ascending. */
  userLastPhotoAt: number[];
  label: string | null;
  topTags: string[];
}

/** Active hotspots owned by the given tiles, with their member photo ids. */
export async function loadActiveHotspots(sql: Queryable, tiles: readonly number[]): Promise<StoredHotspot[]> {
  if (tiles.length === 0) return [];
  return sql<StoredHotspot[]>`
    select h.id, h.lat, h.lng, h.tile, h.radius_m as "radiusM", h.photo_count as "photoCount",
           h.user_count as "userCount", h.user_days as "userDays", h.view_count as "viewCount",
           h.capped_user_days as "cappedUserDays", h.best_views as "bestViews",
           array(select (extract(epoch from t) * 1000)::float8 from unnest(h.user_last_photo_at) t order by t)
             as "userLastPhotoAt",
           h.label, h.top_tags as "topTags",
           coalesce((select array_agg(hp.photo_id order by hp.photo_id) from hotspot_photos hp where hp.hotspot_id = h.id), '{}') as "photoIds"
    from hotspots h
    where h.status = 'active' and h.tile = any(${[...tiles]}::int[])
    order by h.id`;
}

/** True when storing the candidate over the stored hotspot would change nothing a client sees. */
export function sameHotspot(stored: StoredHotspot, c: HotspotCandidate): boolean {
  return (
    stored.lat === c.lat &&
    stored.lng === c.lng &&
    stored.tile === c.tile &&
    Math.abs(stored.radiusM - c.radiusM) < 0.5 &&
    stored.photoCount === c.photoCount &&
    stored.userCount === c.userCount &&
    stored.userDays === c.userDays &&
    stored.viewCount === c.viewCount &&
    stored.cappedUserDays === c.cappedUserDays &&
    stored.bestViews === c.bestViews &&
    stored.userLastPhotoAt.length === c.userLastPhotoAt.length &&
    stored.userLastPhotoAt.every((t, i) => t === c.userLastPhotoAt[i]) &&
    stored.label === c.label &&
    stored.topTags.join('\u0000') === c.topTags.join('\u0000') &&
    stored.photoIds.length === c.photoIds.length &&
    stored.photoIds.every((id, i) => id === c.photoIds[i])
  );
}

function rows(items: readonly { id?: number; c: HotspotCandidate }[]) {
  return items.map(({ id, c }, ord) => ({
    ord,
    id: id ?? null,
    lat: c.lat,
    lng: c.lng,
    tile: c.tile,
    hull: c.hullWkt,
    radius_m: c.radiusM,
    photo_count: c.photoCount,
    user_count: c.userCount,
    user_days: c.userDays,
    view_count: c.viewCount,
    capped_user_days: c.cappedUserDays,
    best_views: c.bestViews,
    user_last_photo_at: c.userLastPhotoAt.map((ms) => new Date(ms).toISOString()),
    peak_density: c.peakDensity,
    label: c.label,
    top_tags: c.topTags,
    month_histogram: c.monthHistogram,
    hour_histogram: c.hourHistogram,
    first_photo_at: c.firstPhotoAt?.toISOString() ?? null,
    last_photo_at: c.lastPhotoAt?.toISOString() ?? null,
  }));
}

const RECORD = `ord int, id bigint, lat float8, lng float8, tile int, hull text, radius_m real, photo_count int, user_count int,
  user_days int, view_count bigint, capped_user_days int, best_views bigint, user_last_photo_at timestamptz[],
  peak_density real, label text, top_tags text[], month_histogram int[], hour_histogram int[],
  first_photo_at timestamptz, last_photo_at timestamptz`;

/** Inserts new hotspots; returns their ids in input order. */
export async function insertHotspots(tx: TransactionSql, candidates: readonly HotspotCandidate[]): Promise<number[]> {
  if (candidates.length === 0) return [];
  const inserted = await tx<{ id: number }[]>`
    insert into hotspots (lat, lng, tile, hull, radius_m, photo_count, user_count, user_days, view_count,
                          capped_user_days, best_views, user_last_photo_at, peak_density,
                          label, top_tags, month_histogram, hour_histogram, first_photo_at, last_photo_at)
    select lat, lng, tile, st_geogfromtext(hull), radius_m, photo_count, user_count, user_days, view_count,
           capped_user_days, best_views, user_last_photo_at, peak_density,
           label, coalesce(top_tags, '{}'), month_histogram, hour_histogram, first_photo_at, last_photo_at
    from jsonb_to_recordset(${JSON.stringify(rows(candidates.map((c) => ({ c }))))}::jsonb) as v(${tx.unsafe(RECORD)})
    order by ord
    returning id`;
  return inserted.map((r) => r.id);
}

/** Overwrites stored hotspots with recomputed ones (same ids). */
export async function updateHotspots(
  tx: TransactionSql,
  updates: readonly { id: number; c: HotspotCandidate }[],
): Promise<void> {
  if (updates.length === 0) return;
  await tx`
    update hotspots h set
      lat = v.lat, lng = v.lng, tile = v.tile, hull = st_geogfromtext(v.hull), radius_m = v.radius_m,
      photo_count = v.photo_count, user_count = v.user_count, user_days = v.user_days, view_count = v.view_count,
      capped_user_days = v.capped_user_days, best_views = v.best_views, user_last_photo_at = v.user_last_photo_at,
      peak_density = v.peak_density, label = v.label, top_tags = coalesce(v.top_tags, '{}'),
      month_histogram = v.month_histogram, hour_histogram = v.hour_histogram,
      first_photo_at = v.first_photo_at, last_photo_at = v.last_photo_at, updated_at = now()
    from jsonb_to_recordset(${JSON.stringify(rows(updates))}::jsonb) as v(${tx.unsafe(RECORD)})
    where h.id = v.id`;
}

/** Retires hotspots; a merged one points at its successor, and its favorites move there. */
export async function retireHotspots(
  tx: TransactionSql,
  retire: readonly { id: number; successorId: number | null }[],
): Promise<void> {
  if (retire.length === 0) return;
  const ids = retire.map((r) => r.id);
  const successors = retire.map((r) => r.successorId);
  await tx`
    update hotspots h set status = 'retired', retired_at = now(), successor_id = v.successor, updated_at = now()
    from unnest(${ids}::bigint[], ${successors as never}::bigint[]) as v(id, successor)
    where h.id = v.id`;
  await tx`
    insert into favorites (user_id, hotspot_id, created_at)
    select f.user_id, v.successor, f.created_at
    from favorites f
    join unnest(${ids}::bigint[], ${successors as never}::bigint[]) as v(id, successor) on v.id = f.hotspot_id
    where v.successor is not null
    on conflict do nothing`;
  await tx`
    delete from favorites f
    using unnest(${ids}::bigint[], ${successors as never}::bigint[]) as v(id, successor)
    where f.hotspot_id = v.id and v.successor is not null`;
  await tx`delete from hotspot_photos where hotspot_id = any(${ids}::bigint[])`;
}

/** Replaces the memberships of the given hotspots (a photo moving between them moves once). */
export async function replaceMemberships(
  tx: TransactionSql,
  previousIds: readonly number[],
  memberships: readonly { hotspotId: number; photoIds: readonly number[] }[],
): Promise<void> {
  if (previousIds.length > 0)
    await tx`delete from hotspot_photos where hotspot_id = any(${[...previousIds]}::bigint[])`;
  const hotspotIds: number[] = [];
  const photoIds: number[] = [];
  for (const m of memberships) {
    for (const p of m.photoIds) {
      hotspotIds.push(m.hotspotId);
      photoIds.push(p);
    }
  }
  for (let i = 0; i < photoIds.length; i += 50_000) {
    await tx`
      insert into hotspot_photos (hotspot_id, photo_id)
      select * from unnest(${hotspotIds.slice(i, i + 50_000)}::bigint[], ${photoIds.slice(i, i + 50_000)}::bigint[])
      on conflict (photo_id) do update set hotspot_id = excluded.hotspot_id`;
  }
}
