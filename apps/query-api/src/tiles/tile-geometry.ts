import { mercatorToLat, mercatorX, mercatorY, type BBox } from '@photospots/geo';

/** A Web Mercator ("slippy map", XYZ) tile: y counts rows from the top. */
export interface TileAddress {
  z: number;
  x: number;
  y: number;
}

/** Tile coordinates per side (the MVT default; MapLibre draws a tile as 512 px, so 8 units a pixel). */
export const TILE_EXTENT = 4096;

/**
 * Tile units drawn beyond each edge, as PostGIS's ST_AsMVTGeom does by
 * default: a circle or an icon whose centre lies just outside the tile is
 * still drawn whole where it reaches inside.
 */
export const TILE_BUFFER = 256;

/** Half the Web Mercator world's width in metres: x and y run from minus to plus this. */
const HALF_WORLD_M = mercatorX(180);

/** The tile's box in WGS84, grown by `buffer` tile units on every side (clamped to the Mercator world). */
export function tileBox(t: TileAddress, buffer = TILE_BUFFER): BBox {
  const n = 2 ** t.z;
  const pad = buffer / TILE_EXTENT;
  const clamp = (v: number) => Math.min(1, Math.max(0, v));
  // World fractions: x from the antimeridian eastwards, y from the north edge southwards.
  const west = clamp((t.x - pad) / n);
  const east = clamp((t.x + 1 + pad) / n);
  const north = clamp((t.y - pad) / n);
  const south = clamp((t.y + 1 + pad) / n);
  return {
    minLng: west * 360 - 180,
    maxLng: east * 360 - 180,
    maxLat: mercatorToLat((1 - 2 * north) * HALF_WORLD_M),
    minLat: mercatorToLat((1 - 2 * south) * HALF_WORLD_M),
  };
}

/** Projects WGS84 positions into one tile's integer coordinates (0..TILE_EXTENT inside the tile, y down). */
export class TileProjection {
  readonly #scale: number;
  readonly #x0: number;
  readonly #y0: number;

  constructor(t: TileAddress) {
    this.#scale = (2 ** t.z * TILE_EXTENT) / (2 * HALF_WORLD_M);
    this.#x0 = t.x * TILE_EXTENT;
    this.#y0 = t.y * TILE_EXTENT;
  }

  x(lng: number): number {
    return Math.round(this.#x(lng));
  }

  y(lat: number): number {
    return Math.round(this.#y(lat));
  }

  #x(lng: number): number {
    return (mercatorX(lng) + HALF_WORLD_M) * this.#scale - this.#x0;
  }

  #y(lat: number): number {
    return (HALF_WORLD_M - mercatorY(lat)) * this.#scale - this.#y0;
  }

  /**
   * A closed ring (flat [lng, lat, …]) as an MVT exterior ring: projected,
   * clipped to the tile and its buffer, points that round together merged,
   * and wound clockwise on screen (positive area by the surveyor's formula in
   * tile coordinates, as MVT 2.1 requires of exterior rings). Undefined when
   * nothing with an area is left.
   */
  ring(flat: Float64Array, buffer = TILE_BUFFER): [number, number][] | undefined {
    let points: [number, number][] = [];
    // The closing point repeats the first; clipping works on the open ring.
    for (let k = 0; k + 2 < flat.length; k += 2) points.push([this.#x(flat[k]!), this.#y(flat[k + 1]!)]);
    points = clipToSquare(points, -buffer, TILE_EXTENT + buffer);
    const ring: [number, number][] = [];
    for (const p of points) {
      const x = Math.round(p[0]);
      const y = Math.round(p[1]);
      const last = ring.at(-1);
      if (!last || last[0] !== x || last[1] !== y) ring.push([x, y]);
    }
    while (ring.length > 1 && ring[0]![0] === ring.at(-1)![0] && ring[0]![1] === ring.at(-1)![1]) ring.pop();
    if (ring.length < 3) return undefined;
    const area = surveyorArea(ring);
    if (area === 0) return undefined;
    if (area < 0) ring.reverse();
    ring.push([ring[0]![0], ring[0]![1]]);
    return ring;
  }
}

/** Twice the signed area of an open ring; positive when clockwise on screen (y down). */
function surveyorArea(ring: readonly [number, number][]): number {
  let sum = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++)
    sum += ring[j]![0] * ring[i]![1] - ring[i]![0] * ring[j]![1];
  return sum;
}

/**
 * Sutherland–Hodgman clipping of an open ring to the square [lo, hi]²: exact
 * for convex rings such as hulls (a concave one may keep zero-width edges
 * along the square's sides, which renderers ignore).
 */
function clipToSquare(ring: [number, number][], lo: number, hi: number): [number, number][] {
  const inside = ring.every(([x, y]) => x >= lo && x <= hi && y >= lo && y <= hi);
  if (inside) return ring;
  let out = ring;
  for (const [axis, bound, keepBelow] of [
    [0, lo, false],
    [0, hi, true],
    [1, lo, false],
    [1, hi, true],
  ] as const) {
    const input = out;
    out = [];
    const keeps = (p: [number, number]) => (keepBelow ? p[axis] <= bound : p[axis] >= bound);
    for (let i = 0; i < input.length; i++) {
      const current = input[i]!;
      const previous = input[(i + input.length - 1) % input.length]!;
      if (keeps(current) !== keeps(previous)) {
        const t = (bound - previous[axis]) / (current[axis] - previous[axis]);
        const crossing: [number, number] = [
          previous[0] + t * (current[0] - previous[0]),
          previous[1] + t * (current[1] - previous[1]),
        ];
        crossing[axis] = bound;
        out.push(crossing);
      }
      if (keeps(current)) out.push(current);
    }
    if (out.length === 0) return out;
  }
  return out;
}
