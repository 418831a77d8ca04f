import { describe, expect, it } from 'vitest';
import {
  PointClusters,
  rulerAt,
  PointIndex,
  seededRandom,
  zOrderCode,
  type BBox,
  type PointCluster,
} from '../src/index.ts';

/** Points around Dresden with shuffled tie keys, some on exactly the same spot. */
function points(n: number, seed: number) {
  const random = seededRandom(seed);
  const lat: number[] = [];
  const lng: number[] = [];
  const key = Array.from({ length: n }, (_, i) => i + 1).sort(() => random() - 0.5);
  for (let i = 0; i < n; i++) {
    const twin = i > 0 && random() < 0.1 ? Math.floor(random() * i) : -1;
    lat.push(twin >= 0 ? lat[twin]! : 51 + random() * 0.1);
    lng.push(twin >= 0 ? lng[twin]! : 13.65 + random() * 0.2);
  }
  return { lat, lng, key };
}

describe('zOrderCode', () => {
  /** The code bit by bit: bit 2k is bit k of the column, bit 2k + 1 bit k of the row (2^24 cells a side). */
  function interleaved(lat: number, lng: number): number {
    const cell = (f: number) => Math.min(2 ** 24 - 1, Math.max(0, Math.floor(f * 2 ** 24)));
    const x = cell((lng + 180) / 360);
    const y = cell((lat + 90) / 180);
    let code = 0;
    for (let k = 23; k >= 0; k--) code = code * 4 + ((y >>> k) & 1) * 2 + ((x >>> k) & 1);
    return code;
  }

  it('interleaves the bits of the 2^24 grid column and row, from 0 at (-90, -180) to 2^48 - 1 at (90, 180)', () => {
    expect(zOrderCode(-90, -180)).toBe(0);
    expect(zOrderCode(90, 180)).toBe(2 ** 48 - 1);
    const random = seededRandom(11);
    for (let i = 0; i < 2_000; i++) {
      const lat = -90 + random() * 180;
      const lng = -180 + random() * 360;
      expect(zOrderCode(lat, lng)).toBe(interleaved(lat, lng));
    }
  });
});

describe('rulerAt', () => {
  it('measures metres per degree on the WGS84 ellipsoid: the radii of curvature in the prime vertical and the meridian', () => {
    // (π/180)·a·cos φ / √(1 − e² sin² φ) and (π/180)·a·(1 − e²) / (1 − e² sin² φ)^1.5, a = 6,378,137 m, f = 1/298.257223563.
    for (const [lat, kx, ky] of [
      [0, 111_319.490793, 110_574.275822],
      [51.05, 70_122.203473, 111_249.234182],
      [80, 19_393.485528, 111_659.940414],
    ] as const) {
      expect(rulerAt(lat).kx).toBeCloseTo(kx, 5);
      expect(rulerAt(lat).ky).toBeCloseTo(ky, 5);
    }
  });
});

describe('PointIndex', () => {
  it('finds the nearest points within a radius as a brute-force scan does, ties by key', () => {
    const { lat, lng, key } = points(3_000, 5);
    const index = new PointIndex(lat, lng, key);
    expect(index.size).toBe(3_000);
    const random = seededRandom(9);
    let nonEmpty = 0;
    for (let q = 0; q < 300; q++) {
      const qLat = 51 + random() * 0.1;
      const qLng = 13.65 + random() * 0.2;
      const radius = [1, 50, 300, 1000, 5000, 50_000][q % 6]!;
      const limit = [1, 3, 20, 100][q % 4]!;
      const { kx, ky } = rulerAt(qLat);
      const expected = lat
        .map((_, i) => ({ i, d: Math.sqrt(((lng[i]! - qLng) * kx) ** 2 + ((lat[i]! - qLat) * ky) ** 2) }))
        .filter(({ d }) => d <= radius)
        .sort((a, b) => a.d - b.d || key[a.i]! - key[b.i]!)
        .slice(0, limit);
      if (expected.length > 0) nonEmpty++;
      const got = index.nearest(qLat, qLng, radius, limit);
      expect(Array.from({ length: got.count }, (_, k) => ({ i: got.index[k]!, d: got.distance[k]! }))).toEqual(
        expected,
      );
    }
    expect(nonEmpty).toBeGreaterThan(200);
  });

  it('finds the points in a box as a brute-force scan does, edges included', () => {
    const { lat, lng } = points(2_000, 6);
    const index = new PointIndex(lat, lng);
    const random = seededRandom(10);
    for (let q = 0; q < 50; q++) {
      const minLat = 51 + random() * 0.08;
      const minLng = 13.65 + random() * 0.15;
      const b: BBox = { minLat, minLng, maxLat: minLat + random() * 0.03, maxLng: minLng + random() * 0.05 };
      const expected = lat
        .map((_, i) => i)
        .filter((i) => lat[i]! >= b.minLat && lat[i]! <= b.maxLat && lng[i]! >= b.minLng && lng[i]! <= b.maxLng);
      expect(index.inBox(b).sort((x, y) => x - y)).toEqual(expected);
    }
    expect(index.inBox({ minLat: lat[7]!, minLng: lng[7]!, maxLat: lat[7]!, maxLng: lng[7]! })).toContain(7);
  });

  it('ties by input order without keys, and an empty index answers nothing', () => {
    const index = new PointIndex([51, 51, 51], [13.7, 13.7, 13.7]);
    const hits = index.nearest(51, 13.7, 10, 3);
    expect([hits.count, [...hits.index.subarray(0, 3)], [...hits.distance.subarray(0, 3)]]).toEqual([
      3,
      [0, 1, 2],
      [0, 0, 0],
    ]);
    const empty = new PointIndex([], []);
    expect(empty.nearest(51, 13.7, 50_000, 100).count).toBe(0);
    expect(empty.inBox({ minLat: -90, minLng: -180, maxLat: 90, maxLng: 180 })).toEqual([]);
  });
});

describe('PointClusters', () => {
  /** Clusters as read, lone points tagged as such. */
  type Shown = PointCluster | { kind: 'point'; index: number };
  const asRead = {
    cluster: (c: PointCluster): Shown => c,
    point: (index: number): Shown => ({ kind: 'point', index }),
  };
  const { lat, lng } = points(2_000, 7);
  const rank = Array.from({ length: lat.length }, (_, i) => (i * 7919) % lat.length);
  const clusters = new PointClusters(lat, lng, rank, { radiusPx: 60, maxZoom: 17 });
  const box: BBox = { minLat: 50.9, minLng: 13.5, maxLat: 51.2, maxLng: 14 };

  it('covers every point in the box once, each cluster named by its best-ranked point', () => {
    for (const zoom of [8, 11, 13, 15]) {
      const found = clusters.inBox(box, zoom, asRead);
      expect(found.some((c) => c.kind === 'cluster')).toBe(true);
      const total = found.reduce((n, c) => n + (c.kind === 'cluster' ? c.count : 1), 0);
      expect(total).toBe(lat.length);
      for (const c of found) if (c.kind === 'cluster') expect(c.expansionZoom).toBeGreaterThan(zoom);
      // The best-ranked point of all names its cluster (or stands alone).
      const shown = found.map((c) => (c.kind === 'cluster' ? c.best : c.index));
      expect(shown).toContain(rank.indexOf(0));
    }
  });

  it('names a cluster by its best-ranked point, wherever it lies in the input', () => {
    const few = new PointClusters([51, 51.00001, 51.00002, 52], [13.7, 13.70001, 13.7, 14], [5, 1, 3, 0], {
      radiusPx: 60,
      maxZoom: 17,
    });
    expect(few.inBox({ minLat: 50.9, minLng: 13.6, maxLat: 51.1, maxLng: 13.8 }, 10, asRead)).toEqual([
      {
        kind: 'cluster',
        clusterId: expect.any(Number),
        lat: expect.closeTo(51.00001, 5),
        lng: expect.closeTo(13.7, 5),
        count: 3,
        expansionZoom: expect.any(Number),
        best: 1,
      },
    ]);
  });

  it('shows every point alone past the last clustering zoom', () => {
    const found = clusters.inBox(box, 18, asRead);
    expect(found.every((c) => c.kind === 'point')).toBe(true);
    expect(found.map((c) => (c.kind === 'point' ? c.index : -1)).sort((a, b) => a - b)).toEqual(lat.map((_, i) => i));
  });
});
