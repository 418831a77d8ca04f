import KDBush from 'kdbush';
import type { BBox } from './bbox.ts';
import { rulerAt } from './local-ruler.ts';

/**
 * The nearest points of one query, nearest first: `index[k]` (into the
 * points the index was built from) and `distance[k]` (metres) for k < count.
 * The arrays are reused by the index's next query.
 */
export interface NearestPoints {
  count: number;
  index: Uint32Array;
  distance: Float64Array;
}

/** nearest()'s first circle: this fraction of the radius. */
const FIRST_CIRCLE = 16;

/**
 * A static KD-tree (kdbush) over points, answering box queries and "the
 * nearest within a radius" in metres (cheap-ruler's). Built once per data
 * version; queries allocate nothing per candidate and do no validation.
 */
export class PointIndex {
  readonly #lat: Float64Array;
  readonly #lng: Float64Array;
  readonly #tieKey: Float64Array;
  readonly #tree: KDBush;
  #nearest: NearestPoints = { count: 0, index: new Uint32Array(0), distance: new Float64Array(0) };

  /**
   * Indexes the points (degrees); equally distant points come in ascending `tieKey` (default: their index).
   * Float64Arrays are kept, not copied: the caller must not change them afterwards.
   */
  constructor(lat: ArrayLike<number>, lng: ArrayLike<number>, tieKey?: ArrayLike<number>) {
    const n = lat.length;
    this.#lat = asFloat64(lat);
    this.#lng = asFloat64(lng);
    this.#tieKey = tieKey ? asFloat64(tieKey) : Float64Array.from({ length: n }, (_, i) => i);
    this.#tree = new KDBush(Math.max(1, n));
    for (let i = 0; i < n; i++) this.#tree.add(this.#lng[i]!, this.#lat[i]!);
    if (n === 0) this.#tree.add(0, 0);
    this.#tree.finish();
  }

  /** How many points the index holds. */
  get size(): number {
    return this.#lat.length;
  }

  /** Indexes of the points inside the box (edges included), in no particular order. */
  inBox(b: BBox): number[] {
    if (this.size === 0) return [];
    // kdbush returns the insertion indexes of the points, i.e. indexes into the input.
    return this.#tree.range(b.minLng, b.minLat, b.maxLng, b.maxLat);
  }

  /**
   * The `limit` nearest points within radiusM of a point (ties by tieKey),
   * nearest first. The search widens: it scans the box around a circle of
   * 1/16 of the radius, and stops as soon as a circle holds `limit` points,
   * since nothing outside a circle is nearer than what is in it; otherwise the
   * next circle is as large as the density seen so far says the missing points
   * need (at least twice the last), up to the whole radius. In a city a nearby
   * question's 20 nearest are a few dozen metres away, its radius a kilometre
   * (`npm run bench:nearest`). The answer's arrays are reused by the next query.
   */
  nearest(lat: number, lng: number, radiusM: number, limit: number): NearestPoints {
    for (let r = radiusM / FIRST_CIRCLE; ;) {
      if (r >= radiusM) return this.#nearestWithin(lat, lng, radiusM, limit);
      const hits = this.#nearestWithin(lat, lng, r, limit);
      if (hits.count === limit) return hits;
      // The area, and so the points, grow with the square of the radius; a quarter more for luck.
      r *= Math.max(2, 1.25 * Math.sqrt(limit / Math.max(1, hits.count)));
    }
  }

  /**
   * nearest() in one circle: a bounded insertion keeps only the best `limit`
   * while scanning the box around it, so nothing is allocated or sorted per
   * candidate.
   */
  #nearestWithin(lat: number, lng: number, radiusM: number, limit: number): NearestPoints {
    // The ruler's metres per degree, applied inline: its distance() takes [lng, lat] pairs and costs a call per
    // candidate (`npm run bench:ruler`); the box search never crosses the antimeridian that distance() wraps.
    const { kx, ky } = rulerAt(lat);
    const dLat = radiusM / ky;
    const dLng = Math.min(180, radiusM / Math.max(kx, 1e-6));
    const candidates = this.inBox({
      minLng: Math.max(-180, lng - dLng),
      minLat: Math.max(-90, lat - dLat),
      maxLng: Math.min(180, lng + dLng),
      maxLat: Math.min(90, lat + dLat),
    });
    const latAt = this.#lat;
    const lngAt = this.#lng;
    const tieKey = this.#tieKey;
    const r2 = radiusM * radiusM;
    const hits = this.#scratchFor(limit);
    const { index, distance } = hits;
    let count = 0;
    for (const i of candidates) {
      const dx = (lngAt[i]! - lng) * kx;
      const dy = (latAt[i]! - lat) * ky;
      const d2 = dx * dx + dy * dy;
      if (d2 > r2) continue;
      const d = Math.sqrt(d2);
      const key = tieKey[i]!;
      // Where the hit goes in the kept list; past the end: not among the nearest `limit`.
      let k = count;
      while (k > 0 && (distance[k - 1]! > d || (distance[k - 1] === d && tieKey[index[k - 1]!]! > key))) k--;
      if (k >= limit) continue;
      const last = Math.min(count, limit - 1);
      for (let m = last; m > k; m--) {
        index[m] = index[m - 1]!;
        distance[m] = distance[m - 1]!;
      }
      index[k] = i;
      distance[k] = d;
      if (count < limit) count++;
    }
    hits.count = count;
    return hits;
  }

  #scratchFor(limit: number): NearestPoints {
    if (this.#nearest.index.length < limit)
      this.#nearest = { count: 0, index: new Uint32Array(limit), distance: new Float64Array(limit) };
    return this.#nearest;
  }
}

function asFloat64(values: ArrayLike<number>): Float64Array {
  return values instanceof Float64Array ? values : Float64Array.from(values);
}
