import { offsetMeters } from './distance.ts';
import { EARTH_RADIUS_M, DEG } from './earth.ts';

/** A WGS84 bounding box; never crosses the antimeridian (minLng <= maxLng). */
export interface BBox {
  minLng: number;
  minLat: number;
  maxLng: number;
  maxLat: number;
}

/** Problems parseBBox can report; callers map them to their own error codes. */
export type BBoxProblem = 'format' | 'range' | 'order';

/** Parses "minLng,minLat,maxLng,maxLat"; returns a problem instead of throwing. */
export function parseBBox(text: string): BBox | BBoxProblem {
  const parts = text.split(',');
  if (parts.length !== 4) return 'format';
  const nums = parts.map((p) => (p.trim() === '' ? Number.NaN : Number(p)));
  if (nums.some((n) => !Number.isFinite(n))) return 'format';
  const [minLng, minLat, maxLng, maxLat] = nums as [number, number, number, number];
  if (minLng < -180 || maxLng > 180 || minLat < -90 || maxLat > 90) return 'range';
  if (minLng >= maxLng || minLat >= maxLat) return 'order';
  return { minLng, minLat, maxLng, maxLat };
}

/** Approximate area in square kilometres (spherical zone formula). */
export function bboxAreaKm2(b: BBox): number {
  const r = EARTH_RADIUS_M / 1000;
  return r * r * (b.maxLng - b.minLng) * DEG * Math.abs(Math.sin(b.maxLat * DEG) - Math.sin(b.minLat * DEG));
}

export function bboxContains(b: BBox, lat: number, lng: number): boolean {
  return lat >= b.minLat && lat <= b.maxLat && lng >= b.minLng && lng <= b.maxLng;
}

/** Grows a box by a margin in metres on every side (clamped to valid coordinates). */
export function expandBBox(b: BBox, meters: number): BBox {
  const poleward = Math.max(Math.abs(b.minLat), Math.abs(b.maxLat));
  const sw = offsetMeters(b.minLat, b.minLng, -meters, 0);
  const ne = offsetMeters(b.maxLat, b.maxLng, meters, 0);
  const dLng = meters / (EARTH_RADIUS_M * DEG * Math.cos(Math.min(89, poleward + 1) * DEG));
  return {
    minLng: Math.max(-180, b.minLng - dLng),
    minLat: Math.max(-90, sw.lat),
    maxLng: Math.min(180, b.maxLng + dLng),
    maxLat: Math.min(90, ne.lat),
  };
}

/** Smallest box around all given boxes. */
export function unionBBox(boxes: readonly BBox[]): BBox {
  let minLng = Infinity,
    minLat = Infinity,
    maxLng = -Infinity,
    maxLat = -Infinity;
  for (const b of boxes) {
    if (b.minLng < minLng) minLng = b.minLng;
    if (b.minLat < minLat) minLat = b.minLat;
    if (b.maxLng > maxLng) maxLng = b.maxLng;
    if (b.maxLat > maxLat) maxLat = b.maxLat;
  }
  return { minLng, minLat, maxLng, maxLat };
}
