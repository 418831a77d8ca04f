/**
 * `npm run bench:nearest`: the nearby search of the query API's in-process
 * index (PointIndex.nearest, which widens its circle from 1/16 of the radius,
 * as far as the density it has seen says, and stops once a circle holds the
 * limit) beside one scan of the box around
 * the whole radius, the search it replaced. The points are a continent shaped
 * as bench:api-scale fills it (Europe, 90% in cities of Zipf sizes, a
 * Gaussian 0.4–3.4 km across each, 10% rural), the questions are its nearby
 * questions (within 500 m of a hotspot, r = 1 km, limit 20). The answers are
 * checked equal; the two are timed in alternating slices. Prints the median
 * queries/s of each, their ratio, and the candidates each looks at. Then the
 * same widening search over the same points stored in Z-order (the API's
 * Morton codes, cut to a 2^16 grid), where a query's candidates lie close together in memory,
 * against a random order (as when the rows were in score order): the answers,
 * mapped back, checked equal, and the time the reordering takes. The API's
 * index keeps its rows in Z-order (docs/benchmarks.md, B11).
 *
 * Options: --points N (default 1,000,000), --rounds N (default 5), --seconds S per slice (default 1).
 */
import { parseArgs } from 'node:util';
import { PointIndex, rulerAt, seededRandom, zOrderCode } from '@photospots/geo';
import KDBush from 'kdbush';
import { alternatingRates } from './alternating-slices.ts';
import { checkSameAnswers, keepNearest } from './bounded-nearest.ts';
import { continent } from './synthetic-continent.ts';

const { values } = parseArgs({
  options: { points: { type: 'string' }, rounds: { type: 'string' }, seconds: { type: 'string' } },
});
const POINTS = Number(values.points ?? 1_000_000);
const ROUNDS = Number(values.rounds ?? 5);
const SLICE_MS = Number(values.seconds ?? 1) * 1000;
const RADIUS_M = 1000;
const LIMIT = 20;

/** The search before widening: every point in the box around the whole radius, kept by bounded insertion. */
class OneScan {
  readonly #lat: Float64Array;
  readonly #lng: Float64Array;
  readonly #key: Float64Array;
  readonly #tree: KDBush;
  readonly index = new Uint32Array(LIMIT);
  readonly distance = new Float64Array(LIMIT);
  candidates = 0;

  constructor(lat: Float64Array, lng: Float64Array, key: Float64Array) {
    this.#lat = lat;
    this.#lng = lng;
    this.#key = key;
    this.#tree = new KDBush(lat.length);
    for (let i = 0; i < lat.length; i++) this.#tree.add(lng[i]!, lat[i]!);
    this.#tree.finish();
  }

  nearest(lat: number, lng: number, radiusM: number, limit: number): number {
    const { kx, ky } = rulerAt(lat);
    const dLat = radiusM / ky;
    const dLng = radiusM / kx;
    const key = this.#key;
    const found = this.#tree.range(lng - dLng, lat - dLat, lng + dLng, lat + dLat);
    this.candidates += found.length;
    let count = 0;
    for (const i of found) {
      const dx = (this.#lng[i]! - lng) * kx;
      const dy = (this.#lat[i]! - lat) * ky;
      const d2 = dx * dx + dy * dy;
      if (d2 > radiusM * radiusM) continue;
      const d = Math.sqrt(d2);
      count = keepNearest(this, count, limit, key, i, d);
    }
    return count;
  }
}

const { lat, lng } = continent(POINTS);
const key = Float64Array.from({ length: POINTS }, (_, i) => i + 1);
const rnd = seededRandom(7);
const questions = Array.from({ length: 1_000 }, () => {
  const i = Math.floor(rnd() * POINTS);
  return [lat[i]! + ((rnd() - 0.5) * 1000) / 111_320, lng[i]! + ((rnd() - 0.5) * 1000) / 70_000] as const;
});

const widening = new PointIndex(lat, lng, key);
const oneScan = new OneScan(lat, lng, key);
const hitsPerQuestion = checkSameAnswers(
  questions,
  (qLat, qLng) => widening.nearest(qLat, qLng, RADIUS_M, LIMIT),
  (qLat, qLng) => ({ ...oneScan, count: oneScan.nearest(qLat, qLng, RADIUS_M, LIMIT) }),
);
const candidatesPerQuestion = oneScan.candidates / questions.length;

const rates = alternatingRates(
  questions,
  (a, b) => widening.nearest(a, b, RADIUS_M, LIMIT).count,
  (a, b) => oneScan.nearest(a, b, RADIUS_M, LIMIT),
  {
    rounds: ROUNDS,
    sliceMs: SLICE_MS,
  },
);
const fmt = (x: number) => Math.round(x).toLocaleString('en');
console.log(
  `nearby search, ${fmt(POINTS)} points over a continent, r = ${RADIUS_M} m, limit ${LIMIT} ` +
    `(${hitsPerQuestion.toFixed(1)} hits, ${fmt(candidatesPerQuestion)} points in the radius's box per question); ` +
    `medians of ${ROUNDS} alternating ${SLICE_MS / 1000} s slices`,
);
console.log(`  PointIndex.nearest (widening)        ${fmt(rates.first).padStart(10)} queries/s`);
console.log(`  one scan of the radius's box         ${fmt(rates.second).padStart(10)} queries/s`);
console.log(`  widening / one scan                  ${rates.ratio.toFixed(2)}×`);

/**
 * The points' order sorted by Morton code (the API's zOrderCode cut to a 2^16 grid, 32 bits), ties by index; one
 * typed sort of code·2^20 + index.
 */
function zOrder(lat: Float64Array, lng: Float64Array): Uint32Array {
  const n = lat.length;
  if (n > 2 ** 20) throw new Error('zOrder packs indexes in 20 bits');
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = Math.floor(zOrderCode(lat[i]!, lng[i]!) / 2 ** 16) * 2 ** 20 + i;
  keys.sort();
  const order = new Uint32Array(n);
  for (let k = 0; k < n; k++) order[k] = keys[k]! % 2 ** 20;
  return order;
}

const reorderStarted = performance.now();
const order = zOrder(lat, lng);
const zLat = new Float64Array(POINTS);
const zLng = new Float64Array(POINTS);
const zKey = new Float64Array(POINTS);
for (let k = 0; k < POINTS; k++) {
  zLat[k] = lat[order[k]!]!;
  zLng[k] = lng[order[k]!]!;
  zKey[k] = key[order[k]!]!;
}
const reorderMs = performance.now() - reorderStarted;
const zIndexStarted = performance.now();
const zOrdered = new PointIndex(zLat, zLng, zKey);
const zIndexMs = performance.now() - zIndexStarted;
checkSameAnswers(
  questions,
  (qLat, qLng) => widening.nearest(qLat, qLng, RADIUS_M, LIMIT),
  (qLat, qLng) => {
    const hits = zOrdered.nearest(qLat, qLng, RADIUS_M, LIMIT);
    return { count: hits.count, index: Array.from(hits.index, (k) => order[k]!), distance: hits.distance };
  },
);
const zRates = alternatingRates(
  questions,
  (a, b) => zOrdered.nearest(a, b, RADIUS_M, LIMIT).count,
  (a, b) => widening.nearest(a, b, RADIUS_M, LIMIT).count,
  { rounds: ROUNDS, sliceMs: SLICE_MS },
);
console.log(`\nthe same widening search, points in Z-order against random order (same answers)`);
console.log(`  Z-order                              ${fmt(zRates.first).padStart(10)} queries/s`);
console.log(`  random order                         ${fmt(zRates.second).padStart(10)} queries/s`);
console.log(`  Z-order / random                     ${zRates.ratio.toFixed(2)}×`);
console.log(`  reordering ${fmt(reorderMs)} ms, then the KD-tree ${fmt(zIndexMs)} ms`);
