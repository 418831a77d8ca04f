import { rulerAt } from '@photospots/geo';
import type { HotspotSummary } from '@photospots/hotspot-index';
import { seededRandom } from '@photospots/test-harness';
import { describe, expect, it } from 'vitest';
import { diffSnapshots } from '../src/changes/snapshot-diff.ts';
import { HotspotSnapshot, SnapshotBuilder, type HullRing } from '../src/hotspots/hotspot-snapshot.ts';

/** Hotspots around Dresden in random id order, some on exactly the same spot (distance ties broken by id). */
function hotspots(n: number, seed: number): HotspotSummary[] {
  const rnd = seededRandom(seed);
  const ids = Array.from({ length: n }, (_, i) => i + 1).sort(() => rnd() - 0.5);
  const items: HotspotSummary[] = [];
  for (const id of ids) {
    const twin = items.length > 0 && rnd() < 0.1 ? items[Math.floor(rnd() * items.length)]! : undefined;
    items.push({
      id,
      label: rnd() < 0.2 ? null : rnd() < 0.5 ? `Spot "${id}"` : `Brühlsche Terrasse ${id} – 東`,
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
      expect(snapshot.nearbyBody(lat, lng, radius, limit).toString()).toBe(JSON.stringify({ items: expected }));
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
    expect(snapshot.nearbyBody(51, 13.7, 50_000, 100).toString()).toBe('{"items":[]}');
  });
});

/** A closed square ring of half-width r degrees around a hotspot. */
function squareHull(h: HotspotSummary, r: number): HullRing {
  const { lat, lng } = h;
  return Float64Array.from([lng - r, lat - r, lng + r, lat - r, lng + r, lat + r, lng - r, lat + r, lng - r, lat - r]);
}

describe('HotspotSnapshot.patched', () => {
  it('answers every query exactly like a snapshot built from scratch, over a sequence of patches', () => {
    const rnd = seededRandom(21);
    let items = new Map(hotspots(2000, 11).map((h) => [h.id, h]));
    let hulls = new Map([...items.values()].filter((h) => h.id % 3 === 0).map((h) => [h.id, squareHull(h, 0.001)]));
    let snapshot = new HotspotSnapshot([...items.values()], hulls);
    let nextId = 5000;
    const changes = { created: 0, updated: 0, retired: 0 };
    const ids = () => [...items.keys()];
    for (let round = 0; round < 12; round++) {
      const upserts: HotspotSummary[] = [];
      const upsertHulls = new Map<number, HullRing>();
      const removed: number[] = [];
      const size = [1, 5, 40, 300][round % 4]!;
      for (let k = 0; k < size; k++) {
        const pick = ids()[Math.floor(rnd() * items.size)]!;
        const roll = rnd();
        if (roll < 0.25) removed.push(pick);
        else {
          const base = roll < 0.4 ? { ...items.get(pick)!, id: nextId++ } : items.get(pick)!;
          // Equal scores on purpose: their order is by id.
          const h = { ...base, score: rnd() < 0.3 ? base.score : Math.round(rnd() * 1000) / 10 };
          if (rnd() < 0.3) h.lat += (rnd() - 0.5) * 0.01;
          if (rnd() < 0.2) h.label = `Renamed ${h.id}`;
          upserts.push(h);
          if (rnd() < 0.5) upsertHulls.set(h.id, squareHull(h, 0.0005 + rnd() * 0.02));
        }
      }
      // An id both removed and upserted stays, as upserted.
      if (upserts.length > 0 && round % 3 === 0) removed.push(upserts[0]!.id);
      // Removing an id that is not there is harmless.
      removed.push(999_999);

      const previous = snapshot;
      snapshot = snapshot.patched(upserts, removed, upsertHulls);
      items = new Map(items);
      hulls = new Map(hulls);
      for (const id of removed) {
        items.delete(id);
        hulls.delete(id);
      }
      for (const h of upserts) {
        items.set(h.id, h);
        const ring = upsertHulls.get(h.id);
        if (ring) hulls.set(h.id, ring);
        else hulls.delete(h.id);
      }
      const built = new HotspotSnapshot([...items.values()], hulls);

      expect(snapshot.top(snapshot.size)).toEqual(built.top(built.size));
      expect(snapshot.top(25)).toEqual(built.top(25));
      for (let q = 0; q < 30; q++) {
        const lat = 51 + rnd() * 0.1;
        const lng = 13.65 + rnd() * 0.2;
        expect(snapshot.nearbyBody(lat, lng, 2000, 20).toString()).toBe(
          built.nearbyBody(lat, lng, 2000, 20).toString(),
        );
        const box = { minLat: lat - 0.02, maxLat: lat + 0.02, minLng: lng - 0.03, maxLng: lng + 0.03 };
        const first = snapshot.inBoxJson(box, 10);
        expect(first).toEqual(built.inBoxJson(box, 10));
        const after = first.last && { score: first.last.score, id: first.last.id };
        expect(snapshot.inBoxJson(box, 10, after)).toEqual(built.inBoxJson(box, 10, after));
        expect(snapshot.hullsInBox(box)).toEqual(built.hullsInBox(box));
        expect(snapshot.clusters(box, 13)).toEqual(built.clusters(box, 13));
      }
      // The patch's diff visits only what it named, and finds what comparing everything finds.
      expect(snapshot.delta?.from).toBe(previous.serial);
      const diff = diffSnapshots(previous, snapshot);
      expect(diff).toEqual(diffSnapshots(previous, built));
      for (const kind of ['created', 'updated', 'retired'] as const) changes[kind] += diff[kind].length;
    }
    expect(Object.values(changes).every((n) => n > 20)).toBe(true);
  });

  it('keeps the unchanged hotspots as they were, and moves the changed one to its new rank', () => {
    const snapshot = new HotspotSnapshot(hotspots(300, 3));
    const moved = { ...snapshot.at(150), score: 1000 };
    const next = snapshot.patched([moved], [snapshot.idAt(0)]);
    expect(next.at(0)).toEqual(moved);
    expect(next.size).toBe(snapshot.size - 1);
    const unchanged = snapshot.top(snapshot.size).filter((h) => h.id !== moved.id && h.id !== snapshot.idAt(0));
    expect(next.top(next.size).slice(1)).toEqual(unchanged);
    expect(diffSnapshots(snapshot, next)).toEqual({
      created: [],
      updated: [{ before: snapshot.at(150), after: moved }],
      retired: [snapshot.at(0)],
    });
  });
});

describe('HotspotSnapshot map boxes', () => {
  it('list a box best score first, page after page, like a sort of every hotspot inside it', () => {
    // Scores of one decimal: many ties, broken by id.
    const items = hotspots(4000, 12).map((h) => ({ ...h, score: Math.round(h.score / 10) }));
    const snapshot = new HotspotSnapshot(items);
    const rnd = seededRandom(13);
    const inside = (h: HotspotSummary, b: { minLat: number; maxLat: number; minLng: number; maxLng: number }) =>
      h.lat >= b.minLat && h.lat <= b.maxLat && h.lng >= b.minLng && h.lng <= b.maxLng;
    let paged = 0;
    for (let q = 0; q < 60; q++) {
      const lat = 51 + rnd() * 0.1;
      const lng = 13.65 + rnd() * 0.2;
      const half = [0.001, 0.01, 0.05, 0.2][q % 4]!;
      const box = { minLat: lat - half / 2, maxLat: lat + half / 2, minLng: lng - half, maxLng: lng + half };
      const limit = [1, 7, 50, 200][q % 4]!;
      const expected = items.filter((h) => inside(h, box)).sort((a, b) => b.score - a.score || a.id - b.id);
      const pages: HotspotSummary[][] = [];
      let after: { score: number; id: number } | undefined;
      for (;;) {
        const { items: page, more } = snapshot.inBox(box, limit, after);
        pages.push(page);
        expect(snapshot.inBoxJson(box, limit, after).itemsJson).toBe(JSON.stringify(page));
        if (!more) break;
        after = { score: page.at(-1)!.score, id: page.at(-1)!.id };
      }
      if (pages.length > 1) paged++;
      expect(pages.flat()).toEqual(expected);
      expect(pages.slice(0, -1).every((page) => page.length === limit)).toBe(true);
    }
    expect(paged).toBeGreaterThan(20);
    // A cursor whose hotspot is gone (or never was) still continues after its place in score order.
    const box = { minLat: 50.9, maxLat: 51.2, minLng: 13.5, maxLng: 14 };
    const all = [...items].sort((a, b) => b.score - a.score || a.id - b.id);
    const after = { score: all[100]!.score, id: all[100]!.id + 0.5 };
    const rest = all.filter((h) => h.score < after.score || (h.score === after.score && h.id > after.id));
    expect(snapshot.inBox(box, 30, after).items).toEqual(rest.slice(0, 30));
  });
});

describe('HotspotSnapshot.reconciled', () => {
  it('is the same snapshot when a full load finds nothing new, and a patch of exactly the differences when it does', () => {
    const items = hotspots(500, 8);
    const hulls = new Map(items.filter((h) => h.id % 4 === 0).map((h) => [h.id, squareHull(h, 0.001)]));
    const snapshot = new HotspotSnapshot(items, hulls);
    // A load reads new objects with the same values.
    const copies = items.map((h) => ({ ...h, tags: [...h.tags] }));
    const copyHulls = new Map([...hulls].map(([id, ring]) => [id, Float64Array.from(ring)]));
    expect(snapshot.reconciled(new HotspotSnapshot(copies, copyHulls))).toBe(snapshot);

    const moved = { ...copies[10]!, lat: copies[10]!.lat + 0.001 };
    const retagged = { ...copies[20]!, tags: [...copies[20]!.tags, 'new'] };
    const reshaped = copies.find((h) => h.id % 4 === 0 && h !== copies[10] && h !== copies[20])!;
    const added = { ...copies[30]!, id: 10_000 };
    const gone = copies[40]!.id;
    const load = [
      ...copies.filter((h) => h.id !== gone).map((h) => (h === copies[10] ? moved : h === copies[20] ? retagged : h)),
      added,
    ];
    const loadHulls = new Map<number, HullRing>(copyHulls);
    loadHulls.set(reshaped.id, squareHull(reshaped, 0.002));
    loadHulls.delete(gone);
    const next = snapshot.reconciled(new HotspotSnapshot(load, loadHulls));
    expect(new Set(next.delta?.upserted)).toEqual(new Set([moved.id, retagged.id, reshaped.id, added.id]));
    expect(next.delta?.removed).toEqual([gone]);
    const built = new HotspotSnapshot(load, loadHulls);
    expect(next.top(next.size)).toEqual(built.top(built.size));
    const box = { minLat: 50.9, maxLat: 51.2, minLng: 13.5, maxLng: 14 };
    expect(next.hullsInBox(box)).toEqual(built.hullsInBox(box));

    // A load still being gathered (as the full load reads it, best score first) is compared as it arrived.
    const gathered = (hotspots: readonly HotspotSummary[], rings: ReadonlyMap<number, HullRing>) => {
      const builder = new SnapshotBuilder();
      for (const h of [...hotspots].sort((a, b) => b.score - a.score || a.id - b.id)) builder.add(h, rings.get(h.id));
      return builder;
    };
    const unchanged = gathered(copies, copyHulls);
    expect(snapshot.reconciled(unchanged)).toBe(snapshot);
    // A load that found nothing new is dropped, its memory freed.
    expect(() => unchanged.arrived()).toThrow(/already handed over or discarded/);
    const fromBuilder = snapshot.reconciled(gathered(load, loadHulls));
    expect(new Set(fromBuilder.delta?.upserted)).toEqual(new Set(next.delta?.upserted));
    expect(fromBuilder.delta?.removed).toEqual([gone]);
    expect(fromBuilder.top(fromBuilder.size)).toEqual(built.top(built.size));
    expect(fromBuilder.nearbyBody(51.05, 13.74, 5000, 50).toString()).toBe(
      built.nearbyBody(51.05, 13.74, 5000, 50).toString(),
    );
    expect(fromBuilder.hullsInBox(box)).toEqual(built.hullsInBox(box));
  });
});
