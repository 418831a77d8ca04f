import { describe, expect, it } from 'vitest';
import {
  clusterByPeople,
  clusterInBlocks,
  DEFAULT_CLUSTER_PARAMS,
  haversineMeters,
  offsetMeters,
  planClusterJobs,
  runClusterJob,
  seededRandom,
  tileKeyOf,
  type ClusterPoints,
} from '../src/index.ts';
import { clusterOnOneGrid, separateGroups } from '../src/clustering/people-density-clusters.ts';

interface Builder {
  lat: number[];
  lng: number[];
  user: number[];
}

/** Adds `users` photographers, each with `photosEach` photos scattered (gaussian-ish) around a point. */
function addPlace(
  b: Builder,
  lat: number,
  lng: number,
  spreadM: number,
  users: number,
  photosEach: number,
  firstUser: number,
  random: () => number,
) {
  for (let u = 0; u < users; u++) {
    for (let k = 0; k < photosEach; k++) {
      const r = spreadM * Math.sqrt(-2 * Math.log(1 - random())) * 0.5;
      const a = 2 * Math.PI * random();
      const p = offsetMeters(lat, lng, r * Math.cos(a), r * Math.sin(a));
      b.lat.push(p.lat);
      b.lng.push(p.lng);
      b.user.push(firstUser + u);
    }
  }
}

const empty = (): Builder => ({ lat: [], lng: [], user: [] });

describe('clusterByPeople', () => {
  it('separates two sights 150 m apart and centres each within 15 m', () => {
    const b = empty();
    const random = seededRandom(1);
    const a = { lat: 51.0519, lng: 13.7416 };
    const c = offsetMeters(a.lat, a.lng, 0, 150);
    addPlace(b, a.lat, a.lng, 20, 15, 3, 0, random);
    addPlace(b, c.lat, c.lng, 20, 12, 3, 100, random);
    const clusters = clusterByPeople(b);
    expect(clusters).toHaveLength(2);
    const near = (p: { lat: number; lng: number }) =>
      clusters.find((cl) => haversineMeters(cl.lat, cl.lng, p.lat, p.lng) < 15);
    expect(near(a)?.members.length).toBe(45);
    expect(near(c)?.members.length).toBe(36);
  });

  it("counts photographers, not photos: one person's 4,000 photos are no hotspot", () => {
    const b = empty();
    const random = seededRandom(2);
    addPlace(b, 51.0377, 13.7708, 15, 1, 4000, 0, random);
    addPlace(b, 51.0377, 13.7708, 15, 1, 2, 1, random);
    expect(clusterByPeople(b)).toEqual([]);
    // A third photographer makes it a (small) place.
    addPlace(b, 51.0377, 13.7708, 15, 1, 1, 2, random);
    const clusters = clusterByPeople(b);
    expect(clusters).toHaveLength(1);
    expect(clusters[0]!.nearbyUsers).toBe(3);
  });

  it('drops photos beyond maxRadius from the hotspot', () => {
    const b = empty();
    const random = seededRandom(3);
    addPlace(b, 51.05, 13.74, 10, 10, 2, 0, random);
    const far = offsetMeters(51.05, 13.74, 0, DEFAULT_CLUSTER_PARAMS.maxRadiusM + 200);
    b.lat.push(far.lat);
    b.lng.push(far.lng);
    b.user.push(0);
    const [cluster] = clusterByPeople(b);
    expect(cluster!.members).toHaveLength(20);
    expect(Array.from(cluster!.members)).not.toContain(20);
  });

  it('is deterministic and independent of input order', () => {
    const b = empty();
    const random = seededRandom(4);
    for (let i = 0; i < 30; i++)
      addPlace(b, 51 + random() * 0.05, 13.7 + random() * 0.08, 30, 3 + Math.floor(random() * 10), 2, i * 20, random);
    const first = clusterByPeople(b);
    const order = b.lat.map((_, i) => i).reverse();
    const reversed: ClusterPoints = {
      lat: order.map((i) => b.lat[i]!),
      lng: order.map((i) => b.lng[i]!),
      user: order.map((i) => b.user[i]!),
    };
    const second = clusterByPeople(reversed);
    expect(second.map((c) => [c.lat, c.lng, c.members.length])).toEqual(
      first.map((c) => [c.lat, c.lng, c.members.length]),
    );
  });
});

describe('separated groups', () => {
  /** Villages a few km apart with hamlets and lone photos between them, as a rural window holds them. */
  function countryside(seed: number): Builder {
    const b = empty();
    const random = seededRandom(seed);
    let user = 0;
    for (let v = 0; v < 12; v++) {
      const village = offsetMeters(50.9, 13.5, (random() - 0.5) * 20_000, (random() - 0.5) * 20_000);
      // One to three sights close enough to draw on each other's photographers.
      for (let s = 1 + Math.floor(random() * 3); s > 0; s--) {
        const at = offsetMeters(village.lat, village.lng, (random() - 0.5) * 240, (random() - 0.5) * 240);
        const users = 2 + Math.floor(random() * 12);
        addPlace(b, at.lat, at.lng, 10 + random() * 60, users, 1 + Math.floor(random() * 4), user, random);
        user += users;
      }
    }
    for (let k = 0; k < 300; k++) {
      const at = offsetMeters(50.9, 13.5, (random() - 0.5) * 20_000, (random() - 0.5) * 20_000);
      b.lat.push(at.lat);
      b.lng.push(at.lng);
      b.user.push(Math.floor(random() * user));
    }
    return b;
  }

  it('finds, group by group, exactly the clusters of one grid over everything', () => {
    for (const seed of [1, 2, 3]) {
      const b = countryside(seed);
      const oneGrid = clusterOnOneGrid(b).map((c) => c.cluster);
      expect(oneGrid.length).toBeGreaterThan(3);
      expect(separateGroups(b).length).toBeGreaterThan(20);
      expect(clusterByPeople(b)).toEqual(oneGrid);
    }
  });

  it('keeps photos within the clustering margin of each other in one group', () => {
    const b = empty();
    // A chain of photos 300 m apart (less than the margin) spans 6 km: one group, however long.
    for (let k = 0; k < 20; k++) {
      const p = offsetMeters(50.9, 13.5, 0, k * 300);
      b.lat.push(p.lat);
      b.lng.push(p.lng);
      b.user.push(k);
    }
    const far = offsetMeters(50.9, 13.5, 5_000, 0);
    b.lat.push(far.lat);
    b.lng.push(far.lng);
    b.user.push(99);
    expect(separateGroups(b).map((g) => g.length)).toEqual([20, 1]);
  });
});

describe('windows and blocks', () => {
  // Many places spread over ~40 km so they span several blocks of work tiles.
  const b = empty();
  const random = seededRandom(5);
  for (let i = 0; i < 120; i++) {
    addPlace(
      b,
      50.9 + random() * 0.35,
      13.4 + random() * 0.6,
      25 + random() * 40,
      3 + Math.floor(random() * 12),
      1 + Math.floor(random() * 4),
      i * 20,
      random,
    );
  }
  for (let i = 0; i < 3000; i++) {
    b.lat.push(50.9 + random() * 0.35);
    b.lng.push(13.4 + random() * 0.6);
    b.user.push(5000 + Math.floor(random() * 400));
  }
  const whole = clusterByPeople(b);
  const summary = (cs: { lat: number; lng: number; members: Int32Array }[]) =>
    cs
      .map(
        (c) =>
          `${c.lat.toFixed(9)},${c.lng.toFixed(9)}:${Array.from(c.members)
            .sort((x, y) => x - y)
            .join(' ')}`,
      )
      .sort();

  it('finds the same clusters block by block as in one pass', () => {
    expect(whole.length).toBeGreaterThan(80);
    expect(summary(clusterInBlocks(b, DEFAULT_CLUSTER_PARAMS, 4))).toEqual(summary(whole));
  });

  it('finds the same clusters in a window of a few tiles as the whole computation does there', () => {
    const centreTile = tileKeyOf(51.07, 13.7);
    const [job] = planClusterJobs([centreTile, centreTile + 1]);
    const idx: number[] = [];
    b.lat.forEach((lat, i) => {
      const w = job!.window;
      if (lat >= w.minLat && lat <= w.maxLat && b.lng[i]! >= w.minLng && b.lng[i]! <= w.maxLng) idx.push(i);
    });
    const local = runClusterJob(job!, {
      lat: idx.map((i) => b.lat[i]!),
      lng: idx.map((i) => b.lng[i]!),
      user: idx.map((i) => b.user[i]!),
    });
    const mapped = local.map((c) => ({ ...c, members: Int32Array.from(c.members, (j) => idx[j]!) }));
    const core = new Set(job!.coreTiles);
    const expected = whole.filter((c) => core.has(tileKeyOf(c.peakLat, c.peakLng)));
    expect(expected.length).toBeGreaterThan(0);
    expect(summary(mapped)).toEqual(summary(expected));
  });
});
