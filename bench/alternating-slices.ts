/**
 * Two searches over the same questions timed in alternating slices, so that
 * load from other processes falls on both alike: each one's median
 * queries/s and the median of their per-round ratio.
 */
export interface AlternatingRates {
  first: number;
  second: number;
  /** Median of first / second per round. */
  ratio: number;
}

type Search = (qLat: number, qLng: number) => number;

export function alternatingRates(
  questions: readonly (readonly [number, number])[],
  first: Search,
  second: Search,
  options: { rounds: number; sliceMs: number },
): AlternatingRates {
  /** Queries per second over one slice (the sum of the answers' counts keeps the calls from being dropped). */
  const slice = (search: Search) => {
    const started = performance.now();
    let done = 0;
    let sink = 0;
    while (performance.now() - started < options.sliceMs) {
      for (const [qLat, qLng] of questions) sink += search(qLat, qLng);
      done += questions.length;
    }
    if (sink < 0) throw new Error('unreachable');
    return (done / (performance.now() - started)) * 1000;
  };
  slice(first); // warm-up
  slice(second);
  const firstRates: number[] = [];
  const secondRates: number[] = [];
  for (let r = 0; r < options.rounds; r++) {
    firstRates.push(slice(first));
    secondRates.push(slice(second));
  }
  return {
    first: median(firstRates),
    second: median(secondRates),
    ratio: median(firstRates.map((x, r) => x / secondRates[r]!)),
  };
}

function median(xs: readonly number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
}
