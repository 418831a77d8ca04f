/**
 * `npm run bench:ruler`: the nearby search of the query API's in-process
 * index (PointIndex.nearest: cheap-ruler's metres per degree applied inline
 * on flat arrays) beside the same search measuring each candidate with
 * cheap-ruler's distance() on [lng, lat] pairs. Same points, same questions
 * (the shape of `npm run bench:api`'s nearby: r = 1 km, limit 20), the same
 * answers checked; the two are timed in alternating slices so load from other
 * processes falls on both alike. Prints the median queries/s of each and
 * their ratio.
 *
 * Options: --points N (default 2,000), --rounds N (default 7), --seconds S per slice (default 1).
 */
import { parseArgs } from 'node:util';
import { PointIndex, rulerAt } from '@photospots/geo';
import { seededRandom } from '@photospots/test-harness';
import CheapRuler from 'cheap-ruler';
import KDBush from 'kdbush';
import { alternatingRates } from './alternating-slices.ts';
import { checkSameAnswers, keepNearest } from './bounded-nearest.ts';

const { values } = parseArgs({
  options: { points: { type: 'string' }, rounds: { type: 'string' }, seconds: { type: 'string' } },
});
const POINTS = Number(values.points ?? 2_000);
const ROUNDS = Number(values.rounds ?? 7);
const SLICE_MS = Number(values.seconds ?? 1) * 1000;
const RADIUS_M = 1000;
const LIMIT = 20;

/** PointIndex.nearest with cheap-ruler's distance() per candidate: the alternative measured. */
class DistancePerCandidate {
  readonly #coords: [number, number][];
  readonly #key: Float64Array;
  readonly #tree: KDBush;
  readonly index = new Uint32Array(LIMIT);
  readonly distance = new Float64Array(LIMIT);

  constructor(lat: Float64Array, lng: Float64Array, key: Float64Array) {
    this.#coords = Array.from(lat, (la, i) => [lng[i]!, la]);
    this.#key = key;
    this.#tree = new KDBush(lat.length);
    for (const [x, y] of this.#coords) this.#tree.add(x, y);
    this.#tree.finish();
  }

  nearest(lat: number, lng: number, radiusM: number, limit: number): number {
    const ruler = new CheapRuler(lat, 'meters');
    const at: [number, number] = [lng, lat];
    const [west, south, east, north] = ruler.bufferPoint(at, radiusM);
    const key = this.#key;
    let count = 0;
    for (const i of this.#tree.range(west, south, east, north)) {
      const d = ruler.distance(this.#coords[i]!, at);
      if (d > radiusM) continue;
      count = keepNearest(this, count, limit, key, i, d);
    }
    return count;
  }
}

const random = seededRandom(7);
const lat = Float64Array.from({ length: POINTS }, () => 51 + random() * 0.1);
const lng = Float64Array.from({ length: POINTS }, () => 13.65 + random() * 0.2);
const key = Float64Array.from({ length: POINTS }, (_, i) => i + 1);
const questions = Array.from({ length: 500 }, () => [51.03 + random() * 0.05, 13.69 + random() * 0.1] as const);

const inline = new PointIndex(lat, lng, key);
const perCandidate = new DistancePerCandidate(lat, lng, key);
const hitsPerQuestion = checkSameAnswers(
  questions,
  (qLat, qLng) => inline.nearest(qLat, qLng, RADIUS_M, LIMIT),
  (qLat, qLng) => ({ ...perCandidate, count: perCandidate.nearest(qLat, qLng, RADIUS_M, LIMIT) }),
);
// Both use the same ruler: a different coefficient would change the answers above.
if (rulerAt(51.05).kx !== new CheapRuler(51.05, 'meters').kx) throw new Error('rulerAt is not cheap-ruler in metres');

const rates = alternatingRates(
  questions,
  (a, b) => inline.nearest(a, b, RADIUS_M, LIMIT).count,
  (a, b) => perCandidate.nearest(a, b, RADIUS_M, LIMIT),
  {
    rounds: ROUNDS,
    sliceMs: SLICE_MS,
  },
);
const fmt = (x: number) => Math.round(x).toLocaleString('en');
console.log(
  `nearby search, ${fmt(POINTS)} points, r = ${RADIUS_M} m, limit ${LIMIT} (${hitsPerQuestion.toFixed(1)} hits per question); ` +
    `medians of ${ROUNDS} alternating ${SLICE_MS / 1000} s slices`,
);
console.log(`  PointIndex.nearest (ruler's kx/ky inline)   ${fmt(rates.first).padStart(10)} queries/s`);
console.log(`  cheap-ruler distance() per candidate        ${fmt(rates.second).padStart(10)} queries/s`);
console.log(`  inline / distance()                         ${rates.ratio.toFixed(2)}×`);
