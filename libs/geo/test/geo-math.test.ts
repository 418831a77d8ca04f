import { describe, expect, it } from 'vitest';
import {
  bboxAreaKm2,
  convexHull,
  expandBBox,
  haversineMeters,
  offsetMeters,
  parseBBox,
  tileBounds,
  tileKeyOf,
  tilesInBBox,
  withNeighbourTiles,
} from '../src/index.ts';

describe('haversineMeters', () => {
  it('measures one degree of latitude as about 111.2 km', () => {
    expect(haversineMeters(51, 13, 52, 13)).toBeCloseTo(111_195, -1);
  });
  it('measures the Frauenkirche to the Semperoper (about 420 m)', () => {
    const d = haversineMeters(51.05193, 13.74138, 51.05433, 13.73565);
    expect(d).toBeGreaterThan(400);
    expect(d).toBeLessThan(500);
  });
  it('inverts offsetMeters', () => {
    const p = offsetMeters(51.05, 13.74, 300, -400);
    expect(haversineMeters(51.05, 13.74, p.lat, p.lng)).toBeCloseTo(500, 0);
  });
});

describe('parseBBox', () => {
  it('parses a valid box', () => {
    expect(parseBBox('13.7,51.0,13.8,51.1')).toEqual({ minLng: 13.7, minLat: 51, maxLng: 13.8, maxLat: 51.1 });
  });
  it.each([
    ['13.7,51.0,13.8', 'format'],
    ['13.7,51.0,13.8,abc', 'format'],
    ['13.7,,13.8,51.1', 'format'],
    ['13.7,51.0,190,51.1', 'range'],
    ['13.8,51.0,13.7,51.1', 'order'],
    ['13.7,51.1,13.8,51.1', 'order'],
  ])('rejects %s as %s', (text, problem) => {
    expect(parseBBox(text)).toBe(problem);
  });
  it('computes areas and grows boxes by metres', () => {
    const b = { minLng: 13.7, minLat: 51, maxLng: 13.8, maxLat: 51.1 };
    expect(bboxAreaKm2(b)).toBeGreaterThan(75);
    expect(bboxAreaKm2(b)).toBeLessThan(80);
    const e = expandBBox(b, 1000);
    expect(haversineMeters(b.minLat, b.minLng, e.minLat, b.minLng)).toBeCloseTo(1000, -1);
    expect(haversineMeters(b.minLat, b.minLng, b.minLat, e.minLng)).toBeGreaterThanOrEqual(999);
  });
});

describe('work tiles', () => {
  it('puts a point inside the bounds of its tile', () => {
    for (const [lat, lng] of [
      [51.0519, 13.7416],
      [-33.86, 151.21],
      [0.0001, -0.0001],
      [64.1, -21.9],
    ] as const) {
      const b = tileBounds(tileKeyOf(lat, lng));
      expect(lat).toBeGreaterThanOrEqual(b.minLat);
      expect(lat).toBeLessThanOrEqual(b.maxLat);
      expect(lng).toBeGreaterThanOrEqual(b.minLng);
      expect(lng).toBeLessThanOrEqual(b.maxLng);
    }
  });
  it('lists a tile with its eight neighbours once each', () => {
    const key = tileKeyOf(51.0519, 13.7416);
    const ring = withNeighbourTiles([key, key]);
    expect(ring).toHaveLength(9);
    expect(ring).toContain(key);
    expect(withNeighbourTiles([key], 2)).toHaveLength(25);
  });
  it('covers a box with the tiles intersecting it', () => {
    const tiles = tilesInBBox({ minLng: 13.73, minLat: 51.04, maxLng: 13.76, maxLat: 51.06 });
    expect(tiles).toContain(tileKeyOf(51.0519, 13.7416));
    expect(tiles.length).toBeGreaterThanOrEqual(4);
  });
});

describe('convexHull', () => {
  it('returns the closed ring of a square, dropping the interior point', () => {
    const ring = convexHull([0, 1, 1, 0, 0.5], [0, 0, 1, 1, 0.5]);
    expect(ring).toEqual([
      [0, 0],
      [1, 0],
      [1, 1],
      [0, 1],
      [0, 0],
    ]);
  });
  it('returns null for collinear or too few points', () => {
    expect(convexHull([0, 1, 2], [0, 1, 2])).toBeNull();
    expect(convexHull([0, 1], [0, 1])).toBeNull();
  });
});
