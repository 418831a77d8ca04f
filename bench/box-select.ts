/**
 * `npm run bench:box-select`: how the query API's in-process index picks a map
 * box's page, the best `limit` hotspots among all inside the box. The points
 * are a continent shaped as bench:api-scale fills it, stored in Z-order as the
 * index stores its rows, with ranks in a random order (a score does not follow
 * a position); the boxes are bench:api-scale's (≈ 3 × 2 km around a hotspot).
 * Three ways to keep the 51 lowest ranks of a box's points (a page of 50 and
 * whether more follow): bestRanks (tinyqueue's heap of the best so far, what
 * the index does), the same heap written out over a typed array, and a sort
 * of all the box's ranks (what the index did before). The answers are checked
 * equal; each pair is timed in alternating slices. Prints boxes/s, ratios and
 * points per box.
 *
 * Options: --points N (default 1,000,000), --limit N (default 50), --rounds N (default 5), --seconds S per
 * slice (default 1).
 */
import { parseArgs } from 'node:util';
import { PointIndex, seededRandom, zOrderCode } from '@photospots/geo';
import { bestRanks } from '../apps/query-api/src/hotspots/best-ranks.ts';
import { alternatingRates } from './alternating-slices.ts';
import { continent } from './synthetic-continent.ts';

const { values } = parseArgs({
  options: {
    points: { type: 'string' },
    limit: { type: 'string' },
    rounds: { type: 'string' },
    seconds: { type: 'string' },
  },
});
const POINTS = Number(values.points ?? 1_000_000);
const KEEP = Number(values.limit ?? 50) + 1;
const ROUNDS = Number(values.rounds ?? 5);
const SLICE_MS = Number(values.seconds ?? 1) * 1000;

const points = continent(POINTS);
const order = Uint32Array.from({ length: POINTS }, (_, i) => i);
const codes = Float64Array.from({ length: POINTS }, (_, i) => zOrderCode(points.lat[i]!, points.lng[i]!));
order.sort((a, b) => codes[a]! - codes[b]! || a - b);
const lat = Float64Array.from(order, (i) => points.lat[i]!);
const lng = Float64Array.from(order, (i) => points.lng[i]!);
const index = new PointIndex(
  lat,
  lng,
  Float64Array.from({ length: POINTS }, (_, i) => i + 1),
);
const rnd = seededRandom(11);
const rankOf = Uint32Array.from({ length: POINTS }, (_, i) => i);
for (let i = POINTS - 1; i > 0; i--) {
  const j = Math.floor(rnd() * (i + 1));
  [rankOf[i], rankOf[j]] = [rankOf[j]!, rankOf[i]!];
}
const boxes = Array.from({ length: 1_000 }, () => {
  const i = Math.floor(rnd() * POINTS);
  return [lat[i]! + ((rnd() - 0.5) * 1000) / 111_320, lng[i]! + ((rnd() - 0.5) * 1000) / 70_000] as const;
});
const inBox = (qLat: number, qLng: number) =>
  index.inBox({ minLng: qLng - 0.02, minLat: qLat - 0.01, maxLng: qLng + 0.02, maxLat: qLat + 0.01 });

const viaQueue = (rows: readonly number[]) => bestRanks(rows, rankOf, 0, KEEP);
/** A bounded max-heap over a typed array, written out: no comparator function, no array of numbers. */
const viaTypedHeap = (rows: readonly number[]) => {
  const heap = new Uint32Array(KEEP);
  let n = 0;
  for (const row of rows) {
    const rank = rankOf[row]!;
    let i: number;
    if (n < KEEP) {
      // Up from a free slot at the bottom.
      for (i = n++; i > 0 && heap[(i - 1) >> 1]! < rank; i = (i - 1) >> 1) heap[i] = heap[(i - 1) >> 1]!;
    } else if (rank < heap[0]!) {
      // Down from the top, which it replaces.
      for (i = 0; ;) {
        let child = 2 * i + 1;
        if (child >= KEEP) break;
        if (child + 1 < KEEP && heap[child + 1]! > heap[child]!) child++;
        if (heap[child]! <= rank) break;
        heap[i] = heap[child]!;
        i = child;
      }
    } else continue;
    heap[i] = rank;
  }
  return heap.subarray(0, n).sort();
};
const viaSort = (rows: readonly number[]) => {
  const ranks = new Uint32Array(rows.length);
  for (let k = 0; k < rows.length; k++) ranks[k] = rankOf[rows[k]!]!;
  return ranks.sort().subarray(0, KEEP);
};

let pointsInBoxes = 0;
for (const [qLat, qLng] of boxes) {
  const rows = inBox(qLat, qLng);
  pointsInBoxes += rows.length;
  const expected = viaSort(rows).join();
  if (viaQueue(rows).join() !== expected || viaTypedHeap(rows).join() !== expected)
    throw new Error(`the three disagree on the box at ${qLat}, ${qLng}`);
}

const options = { rounds: ROUNDS, sliceMs: SLICE_MS };
const queueVsSort = alternatingRates(
  boxes,
  (a, b) => viaQueue(inBox(a, b)).length,
  (a, b) => viaSort(inBox(a, b)).length,
  options,
);
const typedVsQueue = alternatingRates(
  boxes,
  (a, b) => viaTypedHeap(inBox(a, b)).length,
  (a, b) => viaQueue(inBox(a, b)).length,
  options,
);
const fmt = (x: number) => Math.round(x).toLocaleString('en');
console.log(
  `${fmt(POINTS)} points in Z-order, ${fmt(boxes.length)} boxes of ≈ 3 × 2 km, ${fmt(pointsInBoxes / boxes.length)} ` +
    `points a box on average; the ${KEEP} best of each (the box query included in every figure), ` +
    `medians of ${ROUNDS} alternating slices:\n` +
    `  bestRanks (tinyqueue) ${fmt(queueVsSort.first)} boxes/s against a sort of all ranks ` +
    `${fmt(queueVsSort.second)}: ${queueVsSort.ratio.toFixed(2)}×\n` +
    `  the heap written out over a typed array ${fmt(typedVsQueue.first)} boxes/s against bestRanks ` +
    `${fmt(typedVsQueue.second)}: ${typedVsQueue.ratio.toFixed(2)}×`,
);
