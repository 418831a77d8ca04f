import type { BBox } from '@photospots/geo';
import { tilesInBBox } from '@photospots/geo';
import { photoTimeSql, type Queryable } from '@photospots/db';

/** Photos of one or more clustering windows, column-wise (a window can hold millions). */
export interface WindowPhotos {
  count: number;
  id: Float64Array;
  lat: Float64Array;
  lng: Float64Array;
  /** Dense photographer index into `owners`. */
  user: Int32Array;
  owners: string[];
  tags: string[][];
  /** Epoch ms of when the photo was taken, else uploaded (photoTimeSql: placeholders are unknown); NaN if neither. */
  takenAt: Float64Array;
  views: Float64Array;
}

interface PhotoRow {
  id: number;
  owner_id: string;
  lat: number;
  lng: number;
  tags: string[];
  taken_ms: number | null;
  views: number;
}

const inside = (w: BBox, lat: number, lng: number) =>
  lat >= w.minLat && lat <= w.maxLat && lng >= w.minLng && lng <= w.maxLng;

/**
 * Loads every photo inside any of the windows, ordered by id, in ONE
 * statement: all windows of a rebuild see the same snapshot, so jobs that
 * overlap agree on every photo (two statements could straddle an ingest commit
 * and assign one photo to two hotspots). The rows are sorted here, not in
 * Postgres: a dense town's claim holds more rows than `work_mem` sorts in
 * memory, and Postgres's CPU is the pipeline's scarcest.
 */
export async function loadWindowPhotos(sql: Queryable, windows: readonly BBox[]): Promise<WindowPhotos> {
  const tiles = [...new Set(windows.flatMap(tilesInBBox))];
  const rows = await sql<PhotoRow[]>`
    select id, owner_id, lat, lng, tags, views,
           (extract(epoch from ${photoTimeSql(sql, 'p')}) * 1000)::float8 as taken_ms
    from photos p
    where tile = any(${tiles}::int[])`;
  const kept = rows.filter((r) => windows.some((w) => inside(w, r.lat, r.lng))).sort((a, b) => a.id - b.id);
  const n = kept.length;
  const out: WindowPhotos = {
    count: n,
    id: new Float64Array(n),
    lat: new Float64Array(n),
    lng: new Float64Array(n),
    user: new Int32Array(n),
    owners: [],
    tags: new Array(n),
    takenAt: new Float64Array(n),
    views: new Float64Array(n),
  };
  const ownerIndex = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const r = kept[i]!;
    out.id[i] = r.id;
    out.lat[i] = r.lat;
    out.lng[i] = r.lng;
    let u = ownerIndex.get(r.owner_id);
    if (u === undefined) {
      u = out.owners.length;
      ownerIndex.set(r.owner_id, u);
      out.owners.push(r.owner_id);
    }
    out.user[i] = u;
    out.tags[i] = r.tags;
    out.takenAt[i] = r.taken_ms ?? Number.NaN;
    out.views[i] = r.views;
  }
  return out;
}

/** The photos inside one window, as their own WindowPhotos (photographer indices kept). */
export function photosInWindow(all: WindowPhotos, window: BBox): WindowPhotos {
  const idx: number[] = [];
  for (let i = 0; i < all.count; i++) if (inside(window, all.lat[i]!, all.lng[i]!)) idx.push(i);
  return {
    count: idx.length,
    id: Float64Array.from(idx, (i) => all.id[i]!),
    lat: Float64Array.from(idx, (i) => all.lat[i]!),
    lng: Float64Array.from(idx, (i) => all.lng[i]!),
    user: Int32Array.from(idx, (i) => all.user[i]!),
    owners: all.owners,
    tags: idx.map((i) => all.tags[i]!),
    takenAt: Float64Array.from(idx, (i) => all.takenAt[i]!),
    views: Float64Array.from(idx, (i) => all.views[i]!),
  };
}
