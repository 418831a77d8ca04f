import type { BBox } from './bbox.ts';
import { MAX_MERCATOR_LAT, mercatorToLat } from './mercator.ts';
import { MERCATOR_RADIUS_M, DEG } from './earth.ts';

/**
 * Work is partitioned into Web Mercator ("slippy map") tiles at this zoom:
 * about 2.4 km at the equator and 1.5 km at 51°N. Processing dirties and
 * rebuilds whole tiles, so the tile must be wider than the clustering margin.
 */
export const WORK_TILE_ZOOM = 14;

const SIDE = 2 ** WORK_TILE_ZOOM;

/** Tile column and row containing a point, at WORK_TILE_ZOOM. */
export function tileXY(lat: number, lng: number): { x: number; y: number } {
  const clampedLat = Math.max(-MAX_MERCATOR_LAT, Math.min(MAX_MERCATOR_LAT, lat));
  const x = Math.floor(((lng + 180) / 360) * SIDE);
  const rad = clampedLat * DEG;
  const y = Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * SIDE);
  return { x: Math.min(SIDE - 1, Math.max(0, x)), y: Math.min(SIDE - 1, Math.max(0, y)) };
}

/** Integer key of the work tile containing a point (fits a Postgres integer). */
export function tileKeyOf(lat: number, lng: number): number {
  const { x, y } = tileXY(lat, lng);
  return y * SIDE + x;
}

export function tileKeyFromXY(x: number, y: number): number {
  return y * SIDE + x;
}

export function tileXYFromKey(key: number): { x: number; y: number } {
  return { x: key % SIDE, y: Math.floor(key / SIDE) };
}

/** WGS84 bounds of a work tile. */
export function tileBounds(key: number): BBox {
  const { x, y } = tileXYFromKey(key);
  const tileM = (2 * Math.PI * MERCATOR_RADIUS_M) / SIDE;
  const top = Math.PI * MERCATOR_RADIUS_M - y * tileM;
  return {
    minLng: (x / SIDE) * 360 - 180,
    maxLng: ((x + 1) / SIDE) * 360 - 180,
    maxLat: mercatorToLat(top),
    minLat: mercatorToLat(top - tileM),
  };
}

/** The given tiles plus every tile within `ring` tiles of one of them, sorted. */
export function withNeighbourTiles(keys: Iterable<number>, ring = 1): number[] {
  const out = new Set<number>();
  for (const key of keys) {
    const { x, y } = tileXYFromKey(key);
    for (let dy = -ring; dy <= ring; dy++) {
      const ny = y + dy;
      if (ny < 0 || ny >= SIDE) continue;
      for (let dx = -ring; dx <= ring; dx++) {
        const nx = (x + dx + SIDE) % SIDE;
        out.add(ny * SIDE + nx);
      }
    }
  }
  return [...out].sort((a, b) => a - b);
}

/** Every work tile intersecting a box (use for small boxes only). */
export function tilesInBBox(b: BBox): number[] {
  const sw = tileXY(b.minLat, b.minLng);
  const ne = tileXY(b.maxLat, b.maxLng);
  const keys: number[] = [];
  for (let y = ne.y; y <= sw.y; y++) for (let x = sw.x; x <= ne.x; x++) keys.push(y * SIDE + x);
  return keys;
}

/** Width in true metres of the narrowest (most poleward) edge of a work tile. */
export function tileWidthM(key: number): number {
  const row = Math.floor(key / SIDE);
  let width = widthOfRow.get(row);
  if (width === undefined) {
    const b = tileBounds(key);
    const poleward = Math.max(Math.abs(b.minLat), Math.abs(b.maxLat));
    width = ((2 * Math.PI * MERCATOR_RADIUS_M) / SIDE) * Math.cos(poleward * DEG);
    widthOfRow.set(row, width);
  }
  return width;
}

/** tileWidthM by tile row (it depends on the row only): at most 2¹⁴ entries. */
const widthOfRow = new Map<number, number>();

/**
 * The tiles whose hotspots can change when photos in `dirty` change: each
 * dirty tile and every tile within `reachM` of it (more rings where tiles are
 * narrow, towards the poles).
 */
export function influenceTiles(dirty: Iterable<number>, reachM: number): number[] {
  const out = new Set<number>();
  for (const key of dirty) forEachTileWithin(key, tileRing(key, reachM), (t) => out.add(t));
  return [...out].sort((a, b) => a - b);
}

/** Rings of neighbouring tiles that cover `reachM` around a tile: at least one, more where tiles are narrow. */
export function tileRing(key: number, reachM: number): number {
  return Math.max(1, Math.ceil(reachM / tileWidthM(key)));
}

/** Calls `visit` for the tile and every tile within `ring` tiles of it (withNeighbourTiles without the array). */
export function forEachTileWithin(key: number, ring: number, visit: (tile: number) => void): void {
  const x = key % SIDE;
  const y = Math.floor(key / SIDE);
  for (let dy = -ring; dy <= ring; dy++) {
    const ny = y + dy;
    if (ny < 0 || ny >= SIDE) continue;
    for (let dx = -ring; dx <= ring; dx++) visit(ny * SIDE + ((x + dx + SIDE) % SIDE));
  }
}
