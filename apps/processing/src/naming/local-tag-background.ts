import { tagKey, type TagStats } from '@photospots/tags';
import type { WindowPhotos } from '../clustering/window-photos.ts';

const M_PER_DEG = 111_320;

/** Side of the grid cells photos are laid out by (see PhotoGrid), in metres; larger for a window too sparse for it. */
const LAYOUT_CELL_M = 100;

/**
 * Photos in grid cells (LAYOUT_CELL_M square, in the plane of the window's mean latitude), row by row: the
 * photos of one row's run of cells are one run of positions, so a circle is ~2r/100 m runs of memory. Built
 * by a counting sort; `start[c] .. start[c + 1]` are the positions of cell c. It replaced a k-d tree search
 * and a sort per query, which cost the surroundings queries several times the CPU (docs/benchmarks.md).
 */
interface PhotoGrid {
  /** Photo (window index) at each position. */
  order: Int32Array;
  start: Int32Array;
  rows: number;
  columns: number;
  minLat: number;
  minLng: number;
  /** Cell height in degrees of latitude; its width is cellDeg / cosLat degrees of longitude. */
  cellDeg: number;
}

function gridOf(photos: WindowPhotos, cosLat: number): PhotoGrid {
  const n = photos.count;
  let minLat = Infinity;
  let maxLat = -Infinity;
  let minLng = Infinity;
  let maxLng = -Infinity;
  for (let i = 0; i < n; i++) {
    const lat = photos.lat[i]!;
    const lng = photos.lng[i]!;
    if (lat < minLat) minLat = lat;
    if (lat > maxLat) maxLat = lat;
    if (lng < minLng) minLng = lng;
    if (lng > maxLng) maxLng = lng;
  }
  if (n === 0)
    return {
      order: new Int32Array(0),
      start: new Int32Array(1),
      rows: 0,
      columns: 0,
      minLat: 0,
      minLng: 0,
      cellDeg: 1,
    };
  // A sparse window as wide as a country gets larger cells: at most ~4 cells per photo (plus a floor).
  let cellDeg = LAYOUT_CELL_M / M_PER_DEG;
  const rowsOf = (deg: number) => Math.floor((maxLat - minLat) / deg) + 1;
  const columnsOf = (deg: number) => Math.floor(((maxLng - minLng) * cosLat) / deg) + 1;
  while (rowsOf(cellDeg) * columnsOf(cellDeg) > 4 * n + 65_536) cellDeg *= 2;
  const rows = rowsOf(cellDeg);
  const columns = columnsOf(cellDeg);
  const cellOf = new Int32Array(n);
  const start = new Int32Array(rows * columns + 1);
  for (let i = 0; i < n; i++) {
    const row = Math.floor((photos.lat[i]! - minLat) / cellDeg);
    const column = Math.min(columns - 1, Math.floor(((photos.lng[i]! - minLng) * cosLat) / cellDeg));
    const cell = row * columns + column;
    cellOf[i] = cell;
    start[cell + 1]!++;
  }
  for (let c = 0; c < rows * columns; c++) start[c + 1]! += start[c]!;
  const next = start.slice(0, rows * columns);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[next[cellOf[i]!]!++] = i;
  return { order, start, rows, columns, minLat, minLng, cellDeg };
}

/**
 * Tag usage by photographer around any point of a window: the "surroundings"
 * a hotspot's tags are compared with. Local (a few hundred metres), so a name
 * shared by a whole riverbank ("elbe") loses to what is special about one spot
 * on it, and so the result depends only on nearby photos (incremental
 * re-clustering then names places exactly as a full rebuild does).
 *
 * Naming is the costly part of re-clustering (every hotspot asks for the
 * photos within 1.5 km of it), so the photos are laid out for that one loop:
 * in grid cells row by row (PhotoGrid), so a query reads a few runs of memory
 * and needs no search tree; their tag ids in one flat array; photographers
 * told apart by a stamp each instead of sorting each query's photos; and a
 * query counts only the tags its caller will ask about.
 */
export class LocalTagBackground {
  readonly #grid: PhotoGrid;
  /** The grid's projection (the photos' mean latitude); distances are measured at each query's own. */
  readonly #cosLat: number;
  readonly #latAt: Float64Array;
  readonly #lngAt: Float64Array;
  /** Photographer of the photo at each grid position. */
  readonly #userAt: Int32Array;
  /** Tag ids of position p: #tagFlat[#tagStart[p] .. #tagStart[p + 1]). */
  readonly #tagStart: Int32Array;
  readonly #tagFlat: Int32Array;
  readonly #idOf = new Map<string, number>();
  readonly #keys: string[] = [];
  // Scratch space for around(), reused by every query.
  /** Positions of the photos in the circle, and the next one of the same photographer (-1: none), by hit number. */
  readonly #hits: Int32Array;
  readonly #nextHit: Int32Array;
  readonly #slotOf: Int32Array;
  /** The query in which a photographer was last seen, and their latest hit in it. */
  readonly #userQuery: Int32Array;
  readonly #userFirstHit: Int32Array;
  readonly #usersSeen: Int32Array;
  #query = 0;

  constructor(photos: WindowPhotos) {
    const n = photos.count;
    let latSum = 0;
    let maxUser = -1;
    for (let i = 0; i < n; i++) {
      latSum += photos.lat[i]!;
      if (photos.user[i]! > maxUser) maxUser = photos.user[i]!;
    }
    this.#cosLat = Math.cos(((n > 0 ? latSum / n : 0) * Math.PI) / 180);
    this.#grid = gridOf(photos, this.#cosLat);
    const order = this.#grid.order;
    this.#userAt = new Int32Array(n);
    this.#latAt = new Float64Array(n);
    this.#lngAt = new Float64Array(n);
    this.#tagStart = new Int32Array(n + 1);
    const flat: number[] = [];
    const idOf = this.#idOf;
    const seen = new Set<number>();
    for (let p = 0; p < n; p++) {
      const i = order[p]!;
      this.#userAt[p] = photos.user[i]!;
      this.#latAt[p] = photos.lat[i]!;
      this.#lngAt[p] = photos.lng[i]!;
      seen.clear();
      for (const tag of photos.tags[i]!) {
        const key = tagKey(tag);
        let id = idOf.get(key);
        if (id === undefined) {
          id = this.#keys.length;
          idOf.set(key, id);
          this.#keys.push(key);
        }
        if (!seen.has(id)) {
          seen.add(id);
          flat.push(id);
        }
      }
      this.#tagStart[p + 1] = flat.length;
    }
    this.#tagFlat = Int32Array.from(flat);
    this.#hits = new Int32Array(Math.max(1, n));
    this.#nextHit = new Int32Array(Math.max(1, n));
    this.#slotOf = new Int32Array(this.#keys.length).fill(-1);
    this.#userQuery = new Int32Array(maxUser + 1);
    this.#userFirstHit = new Int32Array(maxUser + 1);
    this.#usersSeen = new Int32Array(Math.min(n, maxUser + 1));
  }

  /**
   * Distinct photographers within radiusM of a point, and per tag key among
   * `keys` (a place's own tags: the only ones naming compares). Asking the
   * result about a key outside `keys` is a programming error and throws.
   * Distance is measured in the plane tangent at the query's own latitude,
   * so the answer depends only on the photos in the circle, not on which
   * others were loaded with them: one background serves a whole pass, and
   * incremental passes name places as a full rebuild does.
   */
  around(lat: number, lng: number, radiusM: number, keys: Iterable<string>): TagStats {
    const slotOf = this.#slotOf;
    const asked: { key: string; slot: number }[] = [];
    const slotIds: number[] = [];
    for (const key of keys) {
      const id = this.#idOf.get(key);
      if (id === undefined) {
        asked.push({ key, slot: -1 }); // no photo here has it: its count is 0
        continue;
      }
      if (slotOf[id] === -1) {
        slotOf[id] = slotIds.length;
        slotIds.push(id);
      }
      asked.push({ key, slot: slotOf[id]! });
    }
    const lastUser = new Int32Array(slotIds.length).fill(-1);
    const counts = new Int32Array(slotIds.length);
    let users = 0;
    const grid = this.#grid;
    if (grid.rows > 0) {
      const cosQuery = Math.cos((lat * Math.PI) / 180);
      const kx = cosQuery * M_PER_DEG;
      const r2 = radiusM * radiusM;
      // The cells the circle can reach (distance at the query's latitude), one cell wider on every side.
      const halfLat = radiusM / M_PER_DEG;
      const halfLng = radiusM / Math.max(kx, 1e-9);
      const rowLo = Math.max(0, Math.floor((lat - halfLat - grid.minLat) / grid.cellDeg) - 1);
      const rowHi = Math.min(grid.rows - 1, Math.floor((lat + halfLat - grid.minLat) / grid.cellDeg) + 1);
      const columnLo = Math.max(0, Math.floor(((lng - halfLng - grid.minLng) * this.#cosLat) / grid.cellDeg) - 1);
      const columnHi = Math.min(
        grid.columns - 1,
        Math.floor(((lng + halfLng - grid.minLng) * this.#cosLat) / grid.cellDeg) + 1,
      );
      const start = grid.start;
      const hits = this.#hits;
      const userAt = this.#userAt;
      const latAt = this.#latAt;
      const lngAt = this.#lngAt;
      const tagStart = this.#tagStart;
      const tagFlat = this.#tagFlat;
      const userQuery = this.#userQuery;
      const firstHit = this.#userFirstHit;
      const nextHit = this.#nextHit;
      const usersSeen = this.#usersSeen;
      if (this.#query === 0x7fffffff) {
        userQuery.fill(0);
        this.#query = 0;
      }
      const query = ++this.#query;
      let found = 0;
      // First the photographers in the circle, each with a list of their photos in it (no cell: no photo) …
      for (let row = rowLo; row <= rowHi && columnLo <= columnHi; row++) {
        for (
          let p = start[row * grid.columns + columnLo]!, end = start[row * grid.columns + columnHi + 1]!;
          p < end;
          p++
        ) {
          const dx = (lngAt[p]! - lng) * kx;
          const dy = (latAt[p]! - lat) * M_PER_DEG;
          if (dx * dx + dy * dy > r2) continue;
          const u = userAt[p]!;
          if (userQuery[u] !== query) {
            userQuery[u] = query;
            firstHit[u] = -1;
            usersSeen[users++] = u;
          }
          hits[found] = p;
          nextHit[found] = firstHit[u]!;
          firstHit[u] = found++;
        }
      }
      // … then each photographer's tags, once per asked key.
      if (slotIds.length > 0) {
        for (let i = 0; i < users; i++) {
          const u = usersSeen[i]!;
          for (let h = firstHit[u]!; h !== -1; h = nextHit[h]!) {
            const p = hits[h]!;
            for (let s = tagStart[p]!, end = tagStart[p + 1]!; s < end; s++) {
              const k = slotOf[tagFlat[s]!]!;
              if (k === -1 || lastUser[k] === u) continue;
              lastUser[k] = u;
              counts[k]!++;
            }
          }
        }
      }
    }
    const result = new Map<string, number>();
    for (const { key, slot } of asked) result.set(key, slot === -1 ? 0 : counts[slot]!);
    for (const id of slotIds) slotOf[id] = -1;
    return {
      userCount: users,
      usersWith: (key) => {
        const n = result.get(key);
        if (n === undefined)
          throw new Error(`LocalTagBackground: ${JSON.stringify(key)} was not among the keys asked for`);
        return n;
      },
    };
  }
}
