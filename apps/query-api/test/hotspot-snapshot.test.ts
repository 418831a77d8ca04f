import { rulerAt } from '@photospots/geo';
import type { HotspotSummary } from '@photospots/hotspot-index';
import { seededRandom } from '@photospots/test-harness';
import { describe, expect, it } from 'vitest';
import { HotspotSnapshot } from '../src/hotspots/hotspot-snapshot.ts';

/** Hotspots around Dresden in random id order, some on exactly the same spot (distance ties broken by id). */
function hotspots(n: number, seed: number): HotspotSummary[] {
  const rnd = seededRandom(seed);
  const ids = Array.from({ length: n }, (_, i) => i + 1).sort(() => rnd() - 0.5);
  const items: HotspotSummary[] = [];
  for (const id of ids) {
    const twin = items.length > 0 && rnd() < 0.1 ? items[Math.floor(rnd() * items.length)]! : undefined;
    items.push({
      id,
      label: rnd() < 0.2 ? null : `Spot "${id}"`,
      lat: twin?.lat ?? 51 + rnd() * 0.1,
      lng: twin?.lng ?? 13.65 + rnd() * 0.2,
      score: Math.round(rnd() * 1000) / 10,
      photoCount: 10 + id,
      userCount: 3 + (id % 7),
      tags: ['elbe', `t${id % 5}`],
    });
  }
  return items;
}

/** The answer by brute force: every hotspot measured, all sorted, cut to the limit. */
function reference(items: HotspotSummary[], lat: number, lng: number, radiusM: number, limit: number) {
  const { kx, ky } = rulerAt(lat);
  return items
    .map((h) => ({ h, d: Math.hypot((h.lng - lng) * kx, (h.lat - lat) * ky) }))
    .filter(({ d }) => d <= radiusM)
    .sort((a, b) => a.d - b.d || a.h.id - b.h.id)
    .slice(0, limit)
    .map(({ h, d }) => ({ ...h, distanceM: Math.round(d * 10) / 10 }));
}

describe('HotspotSnapshot nearby', () => {
  it('answers like a brute-force scan: the nearest within the radius, ties by id, distances to 0.1 m, JSON text included', () => {
    const items = hotspots(3000, 5);
    const snapshot = new HotspotSnapshot(items);
    const rnd = seededRandom(9);
    let nonEmpty = 0;
    for (let q = 0; q < 400; q++) {
      const lat = 51 + rnd() * 0.1;
      const lng = 13.65 + rnd() * 0.2;
      const radius = [1, 50, 300, 1000, 5000, 50_000][q % 6]!;
      const limit = [1, 3, 20, 100][q % 4]!;
      const expected = reference(items, lat, lng, radius, limit);
      if (expected.length > 0) nonEmpty++;
      // Brute force uses hypot, the index sqrt of the sum: equal to the last bit here, so the order is the same.
      expect(snapshot.nearby(lat, lng, radius, limit)).toEqual(expected);
      expect(snapshot.nearbyJson(lat, lng, radius, limit)).toBe(JSON.stringify({ items: expected }));
    }
    expect(nonEmpty).toBeGreaterThan(250);
  });

  it('a query on a hotspot finds it at distance 0, and twins at the same spot in id order', () => {
    const items = hotspots(500, 6);
    const snapshot = new HotspotSnapshot(items);
    const target = items[123]!;
    const atSpot = items
      .filter((h) => h.lat === target.lat && h.lng === target.lng)
      .map((h) => h.id)
      .sort((a, b) => a - b);
    const hits = snapshot.nearby(target.lat, target.lng, 1, 100);
    expect(hits.map((h) => h.id)).toEqual(atSpot);
    expect(hits.every((h) => h.distanceM === 0)).toBe(true);
  });

  it('an empty snapshot answers nothing', () => {
    const snapshot = new HotspotSnapshot([]);
    expect(snapshot.nearby(51, 13.7, 50_000, 100)).toEqual([]);
    expect(snapshot.nearbyJson(51, 13.7, 50_000, 100)).toBe('{"items":[]}');
  });
});
