/**
 * `npm run bench:snapshot`: the query API's in-process index applying a change.
 * Builds a HotspotSnapshot of N synthetic hotspots (cities of Zipf-like sizes
 * over Europe, a hull each for two in three, labels, tags), then applies
 * patches of 1, 100 and 10,000 changed hotspots (score changes, moves, new
 * hotspots and removals, as a re-clustered area brings them) with patched()
 * and with a build from scratch of the same hotspots, and diffs each patch
 * for the change stream. Prints the best of --runs runs, the ratio, and the
 * index's memory per hotspot (V8's heap and the array buffers outside it).
 *
 * Options: --hotspots N[,N…] (default 100,000,1,000,000), --changes N[,N…]
 * (default 1,100,10,000), --runs N (default 3). Run with `node --expose-gc` (the
 * script does) so that the memory figure is measured after a collection.
 */
import { setTimeout } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type { HotspotSummary } from '@photospots/hotspot-index';
import { seededRandom } from '@photospots/test-harness';
import { diffSnapshots } from '../apps/query-api/src/changes/snapshot-diff.ts';
import { HotspotSnapshot, type HullRing } from '../apps/query-api/src/hotspots/hotspot-snapshot.ts';

const { values } = parseArgs({
  options: { hotspots: { type: 'string' }, changes: { type: 'string' }, runs: { type: 'string' } },
});
const list = (s: string | undefined, fallback: number[]) => (s ? s.split(',').map(Number) : fallback);
const SIZES = list(values.hotspots, [100_000, 1_000_000]);
const CHANGES = list(values.changes, [1, 100, 10_000]);
/** Best of several runs: the machine is shared and noise only ever adds time. */
const RUNS = Number(values.runs ?? 3);
const TAGS = ['architecture', 'sunset', 'river', 'oldtown', 'church', 'night', 'bridge', 'panorama', 'travel'];

function hotspots(n: number, rnd: () => number): { items: HotspotSummary[]; hulls: Map<number, HullRing> } {
  const cities = Array.from({ length: Math.max(1, Math.round(n / 400)) }, () => ({
    lat: 36 + rnd() * 34,
    lng: -10 + rnd() * 50,
  }));
  const items: HotspotSummary[] = [];
  const hulls = new Map<number, HullRing>();
  for (let id = 1; id <= n; id++) items.push(hotspot(id, cities, rnd, hulls));
  return { items, hulls };
}

function hotspot(
  id: number,
  cities: { lat: number; lng: number }[],
  rnd: () => number,
  hulls: Map<number, HullRing>,
): HotspotSummary {
  // City r is chosen ∝ 1/r (Zipf-like): a few large cities hold most hotspots.
  const city = cities[Math.min(cities.length - 1, Math.floor(Math.exp(rnd() * Math.log(cities.length + 1)) - 1))]!;
  const spread = 0.005 + rnd() * 0.03;
  const h: HotspotSummary = {
    id,
    label: rnd() < 0.15 ? null : `Place ${id.toString(36)} ${rnd() < 0.5 ? 'Kirche' : 'Bridge'}`,
    lat: Math.round((city.lat + (rnd() - 0.5) * spread) * 1e6) / 1e6,
    lng: Math.round((city.lng + (rnd() - 0.5) * spread * 1.5) * 1e6) / 1e6,
    score: Math.round(rnd() * 10_000) / 100,
    photoCount: 5 + Math.floor(1 / (0.002 + rnd())),
    userCount: 3 + Math.floor(1 / (0.01 + rnd())),
    tags: Array.from({ length: 1 + Math.floor(rnd() * 5) }, (_, k) => TAGS[(id + k) % TAGS.length]!),
  };
  if (rnd() < 0.67) {
    const r = 0.0002 + rnd() * 0.0006;
    const ring = new Float64Array(18);
    for (let k = 0; k < 8; k++) {
      ring[2 * k] = h.lng + r * 1.5 * Math.cos((k * Math.PI) / 4);
      ring[2 * k + 1] = h.lat + r * Math.sin((k * Math.PI) / 4);
    }
    ring[16] = ring[0]!;
    ring[17] = ring[1]!;
    hulls.set(id, ring);
  }
  return h;
}

function best<T>(fn: () => T): [T, number] {
  let out: T | undefined;
  let bestMs = Infinity;
  for (let r = 0; r < RUNS; r++) {
    const t = performance.now();
    out = fn();
    bestMs = Math.min(bestMs, performance.now() - t);
  }
  return [out!, bestMs];
}

const gc = (globalThis as { gc?: () => void }).gc;
/**
 * V8's heap and the array buffers outside it (typed arrays' and Buffers' contents), after collections that
 * have had time to finish: a collection hands dead array buffers to a sweeper, which frees their contents
 * later, so a figure read at once still counts the garbage of the runs before.
 */
const heap = async () => {
  for (let k = 0; k < 3; k++) {
    gc?.();
    await setTimeout(100);
  }
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
};
const fmtMs = (t: number) => (t < 10 ? `${t.toFixed(2)} ms` : `${Math.round(t).toLocaleString('en-US')} ms`);

console.log(`runs: best of ${RUNS}${gc ? '' : ' (no --expose-gc: memory figures include garbage)'}\n`);
console.log('| hotspots | changes | patched() | diff | rebuild from scratch | rebuild / patched |');
console.log('| --- | --- | --- | --- | --- | --- |');
const heapRows: string[] = [];
for (const n of SIZES) {
  const rnd = seededRandom(n);
  const { items, hulls } = hotspots(n, rnd);
  const before = await heap();
  const [base, buildMs] = best(() => new HotspotSnapshot(items, hulls));
  heapRows.push(
    `| ${n.toLocaleString('en-US')} | ${fmtMs(buildMs)} | ${Math.round(((await heap()) - before) / n).toLocaleString('en-US')} B |`,
  );
  const byId = new Map(items.map((h) => [h.id, h]));
  let nextId = n + 1;
  for (const k of CHANGES) {
    // A re-clustered area: its hotspots rescored, some moved, some retired, some new.
    const upserts: HotspotSummary[] = [];
    const upsertHulls = new Map<number, HullRing>();
    const removed: number[] = [];
    for (let c = 0; c < k; c++) {
      const old = byId.get(1 + Math.floor(rnd() * n))!;
      const roll = rnd();
      if (roll < 0.1) removed.push(old.id);
      else if (roll < 0.2) upserts.push(hotspot(nextId++, [old], rnd, upsertHulls));
      else {
        upserts.push({ ...old, score: Math.round(rnd() * 10_000) / 100, lat: old.lat + (roll < 0.4 ? 0.0001 : 0) });
        const ring = hulls.get(old.id);
        if (ring) upsertHulls.set(old.id, ring);
      }
    }
    const [patched, patchMs] = best(() => base.patched(upserts, removed, upsertHulls));
    const [, diffMs] = best(() => diffSnapshots(base, patched));
    const all = new Map(byId);
    for (const id of removed) all.delete(id);
    for (const h of upserts) all.set(h.id, h);
    const allHulls = new Map(hulls);
    for (const [id, ring] of upsertHulls) allHulls.set(id, ring);
    const [rebuilt, rebuildMs] = best(() => new HotspotSnapshot([...all.values()], allHulls));
    if (rebuilt.size !== patched.size) throw new Error(`patched ${patched.size} hotspots, rebuilt ${rebuilt.size}`);
    console.log(
      `| ${n.toLocaleString('en-US')} | ${k.toLocaleString('en-US')} | ${fmtMs(patchMs)} | ${fmtMs(diffMs)} | ${fmtMs(rebuildMs)} | ${(rebuildMs / patchMs).toFixed(1)}× |`,
    );
  }
}
console.log(
  '\n| hotspots | build from scratch | memory per hotspot (snapshot only: heap and array buffers) |\n| --- | --- | --- |',
);
for (const row of heapRows) console.log(row);
