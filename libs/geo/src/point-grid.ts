/** Metres per degree of latitude (and of longitude at the equator) on the grid's sphere. */
const M_PER_DEG = 111_320;

/** Side of the grid cells points are laid out by, in metres; larger for a set of points too sparse for it. */
const DEFAULT_CELL_M = 100;

/**
 * Points in square grid cells (cellM, in the plane of the points' mean
 * latitude), row by row: the points of one row's run of cells are one run of
 * positions, so a circle query reads ~2r/cellM runs of memory and needs no
 * search tree. Built by a counting sort; `start[c] .. start[c + 1]` are the
 * positions of cell c. Made for many circle queries over one static set of
 * points (the surroundings of every hotspot of a re-clustered window), where
 * it beats a k-d tree (docs/clustering.md, Naming).
 */
export class PointGrid {
  /** Point (input index) at each position. */
  readonly order: Int32Array;
  /** Latitude and longitude of the point at each position. */
  readonly lat: Float64Array;
  readonly lng: Float64Array;
  readonly #start: Int32Array;
  readonly #rows: number;
  readonly #columns: number;
  readonly #minLat: number;
  readonly #minLng: number;
  /** Cell height in degrees of latitude; its width is cellDeg / cosLat degrees of longitude. */
  readonly #cellDeg: number;
  /** The grid's projection (the points' mean latitude); distances are measured at each query's own. */
  readonly #cosLat: number;

  /** Lays out the first `count` points of lat/lng (degrees). */
  constructor(lat: ArrayLike<number>, lng: ArrayLike<number>, count = lat.length, cellM = DEFAULT_CELL_M) {
    const n = count;
    let latSum = 0;
    let minLat = Infinity;
    let maxLat = -Infinity;
    let minLng = Infinity;
    let maxLng = -Infinity;
    for (let i = 0; i < n; i++) {
      const la = lat[i]!;
      const lo = lng[i]!;
      latSum += la;
      if (la < minLat) minLat = la;
      if (la > maxLat) maxLat = la;
      if (lo < minLng) minLng = lo;
      if (lo > maxLng) maxLng = lo;
    }
    const cosLat = Math.cos(((n > 0 ? latSum / n : 0) * Math.PI) / 180);
    this.#cosLat = cosLat;
    if (n === 0) {
      this.order = new Int32Array(0);
      this.lat = new Float64Array(0);
      this.lng = new Float64Array(0);
      this.#start = new Int32Array(1);
      this.#rows = 0;
      this.#columns = 0;
      this.#minLat = 0;
      this.#minLng = 0;
      this.#cellDeg = 1;
      return;
    }
    // A sparse set as wide as a country gets larger cells: at most ~4 cells per point (plus a floor).
    let cellDeg = cellM / M_PER_DEG;
    const rowsOf = (deg: number) => Math.floor((maxLat - minLat) / deg) + 1;
    const columnsOf = (deg: number) => Math.floor(((maxLng - minLng) * cosLat) / deg) + 1;
    while (rowsOf(cellDeg) * columnsOf(cellDeg) > 4 * n + 65_536) cellDeg *= 2;
    const rows = rowsOf(cellDeg);
    const columns = columnsOf(cellDeg);
    const cellOf = new Int32Array(n);
    const start = new Int32Array(rows * columns + 1);
    for (let i = 0; i < n; i++) {
      const row = Math.floor((lat[i]! - minLat) / cellDeg);
      const column = Math.min(columns - 1, Math.floor(((lng[i]! - minLng) * cosLat) / cellDeg));
      const cell = row * columns + column;
      cellOf[i] = cell;
      start[cell + 1]!++;
    }
    for (let c = 0; c < rows * columns; c++) start[c + 1]! += start[c]!;
    const next = start.slice(0, rows * columns);
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[next[cellOf[i]!]!++] = i;
    this.order = order;
    this.lat = new Float64Array(n);
    this.lng = new Float64Array(n);
    for (let p = 0; p < n; p++) {
      this.lat[p] = lat[order[p]!]!;
      this.lng[p] = lng[order[p]!]!;
    }
    this.#start = start;
    this.#rows = rows;
    this.#columns = columns;
    this.#minLat = minLat;
    this.#minLng = minLng;
    this.#cellDeg = cellDeg;
  }

  /** How many points the grid holds. */
  get size(): number {
    return this.order.length;
  }

  /**
   * Writes the positions of the points within radiusM of a point into `out`
   * (room for `size` positions), row by row, and returns how many. Distance
   * is measured in the plane tangent at the query's own latitude, so the
   * answer depends only on the points in the circle, not on which others
   * share the grid.
   */
  withinCircle(lat: number, lng: number, radiusM: number, out: Int32Array): number {
    if (this.#rows === 0) return 0;
    const kx = Math.cos((lat * Math.PI) / 180) * M_PER_DEG;
    const r2 = radiusM * radiusM;
    // The cells the circle can reach (distance at the query's latitude), one cell wider on every side.
    const cellDeg = this.#cellDeg;
    const cosLat = this.#cosLat;
    const halfLat = radiusM / M_PER_DEG;
    const halfLng = radiusM / Math.max(kx, 1e-9);
    const rowLo = Math.max(0, Math.floor((lat - halfLat - this.#minLat) / cellDeg) - 1);
    const rowHi = Math.min(this.#rows - 1, Math.floor((lat + halfLat - this.#minLat) / cellDeg) + 1);
    const columnLo = Math.max(0, Math.floor(((lng - halfLng - this.#minLng) * cosLat) / cellDeg) - 1);
    const columnHi = Math.min(this.#columns - 1, Math.floor(((lng + halfLng - this.#minLng) * cosLat) / cellDeg) + 1);
    if (columnLo > columnHi) return 0;
    const start = this.#start;
    const columns = this.#columns;
    const latAt = this.lat;
    const lngAt = this.lng;
    let found = 0;
    for (let row = rowLo; row <= rowHi; row++) {
      for (let p = start[row * columns + columnLo]!, end = start[row * columns + columnHi + 1]!; p < end; p++) {
        const dx = (lngAt[p]! - lng) * kx;
        const dy = (latAt[p]! - lat) * M_PER_DEG;
        if (dx * dx + dy * dy <= r2) out[found++] = p;
      }
    }
    return found;
  }
}
