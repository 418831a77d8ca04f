import type { BBox } from '@photospots/geo';
import { tilesInBBox } from '@photospots/geo';
import type { Queryable } from '@photospots/db';

/** The photos of a clustering window, column-wise (a window can hold millions). */
export interface WindowPhotos {
  count: number;
  id: Float64Array;
  lat: Float64Array;
  lng: Float64Array;
  /** Dense photographer index into `owners`. */
  user: Int32Array;
  owners: string[];
  tags: string[][];
  /** Epoch ms of when the photo was taken (NaN when unknown). */
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

/** Loads every photo inside a box, ordered by id (so results never depend on scan order). */
export async function loadWindowPhotos(sql: Queryable, window: BBox): Promise<WindowPhotos> {
  const tiles = tilesInBBox(window);
  const rows = await sql<PhotoRow[]>`
    select id, owner_id, lat, lng, tags,
           (extract(epoch from coalesce(taken_at, uploaded_at)) * 1000)::float8 as taken_ms, views
    from photos
    where tile = any(${tiles}::int[])
      and lat between ${window.minLat} and ${window.maxLat}
      and lng between ${window.minLng} and ${window.maxLng}
    order by id`;
  const n = rows.length;
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
    const r = rows[i]!;
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
