import { seededRandom } from '@photospots/test-harness';
import { tagKey } from '@photospots/tags';
import { describe, expect, it } from 'vitest';
import type { WindowPhotos } from '../src/clustering/window-photos.ts';
import { LocalTagBackground } from '../src/naming/local-tag-background.ts';

const M_PER_DEG = 111_320;
const TAGS = [
  'Frauenkirche',
  'frauenkirche',
  'Elbe',
  'dresden',
  'Zwinger',
  'zwinger ',
  'bridge',
  'Brücke',
  'bruecke',
  'night',
];

function windowOf(n: number, seed: number): WindowPhotos {
  const random = seededRandom(seed);
  const users = 1 + Math.floor(n / 4);
  const tags: string[][] = [];
  const lat = new Float64Array(n);
  const lng = new Float64Array(n);
  const user = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    lat[i] = 51.05 + (random() - 0.5) * 0.04;
    lng[i] = 13.74 + (random() - 0.5) * 0.06;
    user[i] = Math.floor(random() ** 2 * users); // a few prolific photographers
    tags.push(Array.from({ length: Math.floor(random() * 5) }, () => TAGS[Math.floor(random() * TAGS.length)]!));
  }
  return {
    count: n,
    id: Float64Array.from({ length: n }, (_, i) => i + 1),
    lat,
    lng,
    user,
    owners: [],
    tags,
    takenAt: new Float64Array(n),
    views: new Float64Array(n),
  };
}

/** The definition, by brute force: distinct photographers within the radius (measured at the query's latitude), per tag key. */
function bruteForce(w: WindowPhotos, lat: number, lng: number, radiusM: number, keys: string[]) {
  const cos = Math.cos((lat * Math.PI) / 180);
  const users = new Set<number>();
  const byKey = new Map(keys.map((k) => [k, new Set<number>()]));
  for (let i = 0; i < w.count; i++) {
    const dx = (w.lng[i]! - lng) * cos * M_PER_DEG;
    const dy = (w.lat[i]! - lat) * M_PER_DEG;
    if (dx * dx + dy * dy > radiusM * radiusM) continue;
    users.add(w.user[i]!);
    for (const t of w.tags[i]!) byKey.get(tagKey(t))?.add(w.user[i]!);
  }
  return { userCount: users.size, counts: Object.fromEntries([...byKey].map(([k, s]) => [k, s.size])) };
}

describe('LocalTagBackground', () => {
  it('counts distinct photographers in a circle, overall and per asked-for tag key, as a brute-force scan does', () => {
    for (const seed of [1, 2, 3]) {
      const w = windowOf(3_000, seed);
      const background = new LocalTagBackground(w);
      const random = seededRandom(seed + 100);
      const keys = [...new Set([...TAGS.map(tagKey), 'nowhere'])];
      for (let q = 0; q < 40; q++) {
        const lat = 51.05 + (random() - 0.5) * 0.04;
        const lng = 13.74 + (random() - 0.5) * 0.06;
        const radius = [50, 400, 1500][q % 3]!;
        const asked = keys.filter(() => random() < 0.7);
        const got = background.around(lat, lng, radius, asked);
        const want = bruteForce(w, lat, lng, radius, asked);
        expect(got.userCount).toBe(want.userCount);
        expect(Object.fromEntries(asked.map((k) => [k, got.usersWith(k)]))).toEqual(want.counts);
      }
    }
  });

  it('counts a group of variants as one tag: a photographer who used any of them, once', () => {
    const w = windowOf(3_000, 4);
    const background = new LocalTagBackground(w);
    // "bridge" and "brücke" as one tag under "bridge" ("bruecke" folds apart from "brücke": a third member).
    const variants = new Map([['bridge', ['bridge', tagKey('Brücke'), 'bruecke']]]);
    const cos = Math.cos((51.05 * Math.PI) / 180);
    for (const radius of [200, 900]) {
      const got = background.around(51.05, 13.74, radius, ['bridge', 'elbe', 'nowhere'], variants);
      const want = new Set<number>();
      for (let i = 0; i < w.count; i++) {
        const dx = (w.lng[i]! - 13.74) * cos * M_PER_DEG;
        const dy = (w.lat[i]! - 51.05) * M_PER_DEG;
        if (dx * dx + dy * dy > radius * radius) continue;
        if (w.tags[i]!.some((t) => variants.get('bridge')!.includes(tagKey(t)))) want.add(w.user[i]!);
      }
      expect(got.usersWith('bridge')).toBe(want.size);
      expect(got.usersWith('bridge')).toBeGreaterThan(bruteForce(w, 51.05, 13.74, radius, ['bridge']).counts.bridge!);
      expect(got.usersWith('elbe')).toBe(bruteForce(w, 51.05, 13.74, radius, ['elbe']).counts.elbe);
      expect(got.usersWith('nowhere')).toBe(0);
    }
    // The groups are not remembered: asked alone, each key counts alone again.
    const plain = background.around(51.05, 13.74, 900, ['bridge']);
    expect(plain.usersWith('bridge')).toBe(bruteForce(w, 51.05, 13.74, 900, ['bridge']).counts.bridge);
  });

  it('answers repeated and overlapping queries alike (its scratch space is reset) and refuses keys it was not asked about', () => {
    const w = windowOf(500, 7);
    const background = new LocalTagBackground(w);
    const first = background.around(51.05, 13.74, 800, ['elbe', 'dresden']);
    background.around(51.051, 13.741, 300, ['dresden', 'night', 'elbe']);
    const again = background.around(51.05, 13.74, 800, ['dresden', 'elbe']);
    expect([again.userCount, again.usersWith('elbe'), again.usersWith('dresden')]).toEqual([
      first.userCount,
      first.usersWith('elbe'),
      first.usersWith('dresden'),
    ]);
    expect(first.usersWith('dresden')).toBeGreaterThan(0);
    expect(() => first.usersWith('night')).toThrow(/not among the keys/);
  });

  it('answers from the photos in the circle alone: a window holding more photos far away gives the same counts', () => {
    const near = windowOf(2_000, 11);
    // The same photos plus many far to the north: the index's mean latitude moves by half a degree.
    const far = windowOf(3_000, 12);
    for (let i = 0; i < far.count; i++) far.lat[i] = far.lat[i]! + 1;
    const merged: WindowPhotos = {
      count: near.count + far.count,
      id: Float64Array.from([...near.id, ...far.id.map((x) => x + 1e6)]),
      lat: Float64Array.from([...near.lat, ...far.lat]),
      lng: Float64Array.from([...near.lng, ...far.lng]),
      user: Int32Array.from([...near.user, ...far.user.map((u) => u + 100_000)]),
      owners: [],
      tags: [...near.tags, ...far.tags],
      takenAt: new Float64Array(near.count + far.count),
      views: new Float64Array(near.count + far.count),
    };
    const alone = new LocalTagBackground(near);
    const withFar = new LocalTagBackground(merged);
    const random = seededRandom(5);
    const keys = TAGS.map(tagKey);
    for (let q = 0; q < 30; q++) {
      const lat = 51.05 + (random() - 0.5) * 0.03;
      const lng = 13.74 + (random() - 0.5) * 0.05;
      const a = alone.around(lat, lng, 1500, keys);
      const b = withFar.around(lat, lng, 1500, keys);
      expect([b.userCount, ...keys.map((k) => b.usersWith(k))]).toEqual([
        a.userCount,
        ...keys.map((k) => a.usersWith(k)),
      ]);
    }
  });

  it('counts as the brute-force scan does in a window as wide as a country (coarser cells), and for circles reaching past its edge', () => {
    const w = windowOf(2_000, 21);
    const random = seededRandom(22);
    // Half the photos scattered over five degrees, half around Dresden: the grid would need 100,000s of 100 m cells.
    for (let i = 0; i < w.count; i += 2) {
      w.lat[i] = 49 + random() * 5;
      w.lng[i] = 11 + random() * 5;
      w.user[i] = 10_000 + i; // one photographer each: a photo missed changes the count
    }
    const background = new LocalTagBackground(w);
    const keys = TAGS.map(tagKey);
    for (let q = 0; q < 60; q++) {
      const wide = q % 2 === 0;
      const lat = wide ? 48.9 + random() * 5.2 : 51.05 + (random() - 0.5) * 0.05;
      const lng = wide ? 10.9 + random() * 5.2 : 13.74 + (random() - 0.5) * 0.07;
      const radius = [400, 1500, 100_000, 250_000][Math.floor(q / 2) % 4]!;
      const got = background.around(lat, lng, radius, keys);
      const want = bruteForce(w, lat, lng, radius, keys);
      expect(got.userCount).toBe(want.userCount);
      expect(Object.fromEntries(keys.map((k) => [k, got.usersWith(k)]))).toEqual(
        Object.fromEntries(keys.map((k) => [k, want.counts[k]])),
      );
    }
  });

  it('answers an empty window with zeros', () => {
    const empty = new LocalTagBackground(windowOf(0, 1));
    const stats = empty.around(51, 13, 1500, ['elbe']);
    expect([stats.userCount, stats.usersWith('elbe')]).toEqual([0, 0]);
  });
});
