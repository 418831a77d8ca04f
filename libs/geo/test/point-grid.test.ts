import { describe, expect, it } from 'vitest';
import { PointGrid, seededRandom } from '../src/index.ts';

const M_PER_DEG = 111_320;

function pointsAround(n: number, seed: number, spanLat = 0.04, spanLng = 0.06) {
  const random = seededRandom(seed);
  const lat = new Float64Array(n);
  const lng = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    lat[i] = 51.05 + (random() - 0.5) * spanLat;
    lng[i] = 13.74 + (random() - 0.5) * spanLng;
  }
  return { lat, lng };
}

/** The definition, by brute force: the points within the radius, measured in the plane at the query's latitude. */
function bruteForce(lat: Float64Array, lng: Float64Array, qLat: number, qLng: number, radiusM: number): number[] {
  const cos = Math.cos((qLat * Math.PI) / 180);
  const inside: number[] = [];
  for (let i = 0; i < lat.length; i++) {
    const dx = (lng[i]! - qLng) * cos * M_PER_DEG;
    const dy = (lat[i]! - qLat) * M_PER_DEG;
    if (dx * dx + dy * dy <= radiusM * radiusM) inside.push(i);
  }
  return inside;
}

/** The input indexes of a circle query's answer, sorted. */
function circle(grid: PointGrid, lat: number, lng: number, radiusM: number): number[] {
  const out = new Int32Array(grid.size);
  const found = grid.withinCircle(lat, lng, radiusM, out);
  return [...out.subarray(0, found)].map((p) => grid.order[p]!).sort((a, b) => a - b);
}

describe('PointGrid', () => {
  it('finds the points in a circle as a brute-force scan does, and keeps each position’s coordinates', () => {
    for (const seed of [1, 2, 3]) {
      const { lat, lng } = pointsAround(3_000, seed);
      const grid = new PointGrid(lat, lng);
      expect(grid.size).toBe(3_000);
      expect([...grid.order].sort((a, b) => a - b)).toEqual(Array.from({ length: 3_000 }, (_, i) => i));
      for (let p = 0; p < grid.size; p++) {
        expect([grid.lat[p], grid.lng[p]]).toEqual([lat[grid.order[p]!], lng[grid.order[p]!]]);
      }
      const random = seededRandom(seed + 100);
      for (let q = 0; q < 40; q++) {
        const qLat = 51.05 + (random() - 0.5) * 0.04;
        const qLng = 13.74 + (random() - 0.5) * 0.06;
        const radius = [50, 400, 1500][q % 3]!;
        expect(circle(grid, qLat, qLng, radius)).toEqual(bruteForce(lat, lng, qLat, qLng, radius));
      }
    }
  });

  it('answers from the points in the circle alone: more points far away leave the answer as it was', () => {
    const near = pointsAround(2_000, 11);
    const far = pointsAround(3_000, 12);
    // The grid's mean latitude moves by half a degree.
    const lat = Float64Array.from([...near.lat, ...far.lat.map((x) => x + 1)]);
    const lng = Float64Array.from([...near.lng, ...far.lng]);
    const alone = new PointGrid(near.lat, near.lng);
    const withFar = new PointGrid(lat, lng);
    const random = seededRandom(5);
    for (let q = 0; q < 30; q++) {
      const qLat = 51.05 + (random() - 0.5) * 0.03;
      const qLng = 13.74 + (random() - 0.5) * 0.05;
      const hits = circle(alone, qLat, qLng, 1500);
      expect(hits.length).toBeGreaterThan(0);
      expect(circle(withFar, qLat, qLng, 1500)).toEqual(hits);
    }
  });

  it('finds as the brute-force scan does over a country (coarser cells) and for circles reaching past its edge', () => {
    const { lat, lng } = pointsAround(2_000, 21);
    const random = seededRandom(22);
    // Half the points scattered over five degrees: 100 m cells would number in the millions.
    for (let i = 0; i < lat.length; i += 2) {
      lat[i] = 49 + random() * 5;
      lng[i] = 11 + random() * 5;
    }
    const grid = new PointGrid(lat, lng);
    for (let q = 0; q < 60; q++) {
      const wide = q % 2 === 0;
      const qLat = wide ? 48.9 + random() * 5.2 : 51.05 + (random() - 0.5) * 0.05;
      const qLng = wide ? 10.9 + random() * 5.2 : 13.74 + (random() - 0.5) * 0.07;
      const radius = [400, 1500, 100_000, 250_000][Math.floor(q / 2) % 4]!;
      expect(circle(grid, qLat, qLng, radius)).toEqual(bruteForce(lat, lng, qLat, qLng, radius));
    }
  });

  it('lays out only the first `count` points when asked', () => {
    const { lat, lng } = pointsAround(100, 31);
    const grid = new PointGrid(lat, lng, 60);
    expect(grid.size).toBe(60);
    expect(circle(grid, 51.05, 13.74, 100_000)).toEqual(Array.from({ length: 60 }, (_, i) => i));
  });

  it('answers an empty grid and a circle far from every point with nothing', () => {
    expect(circle(new PointGrid([], []), 51, 13, 1500)).toEqual([]);
    const { lat, lng } = pointsAround(500, 41);
    expect(circle(new PointGrid(lat, lng), 48, 2.35, 1500)).toEqual([]);
  });
});
