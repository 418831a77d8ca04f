/**
 * The bounded insertion of PointIndex.nearest, for the benches' alternatives
 * to it: adds candidate i at distance d to the `count` nearest kept so far
 * (sorted, ties by key), keeping at most `limit`; returns the new count.
 */
export function keepNearest(
  kept: { index: Uint32Array; distance: Float64Array },
  count: number,
  limit: number,
  key: Float64Array,
  i: number,
  d: number,
): number {
  const { index, distance } = kept;
  let k = count;
  while (k > 0 && (distance[k - 1]! > d || (distance[k - 1] === d && key[index[k - 1]!]! > key[i]!))) k--;
  if (k >= limit) return count;
  for (let m = Math.min(count, limit - 1); m > k; m--) {
    index[m] = index[m - 1]!;
    distance[m] = distance[m - 1]!;
  }
  index[k] = i;
  distance[k] = d;
  return Math.min(count + 1, limit);
}

/** What both searches answer: the same points at the same distances, in the same order. */
export interface NearestAnswer {
  count: number;
  index: ArrayLike<number>;
  distance: ArrayLike<number>;
}

/**
 * Asks both searches every question and throws at the first on which they
 * answer differently; returns the hits per question.
 */
export function checkSameAnswers(
  questions: readonly (readonly [number, number])[],
  first: (qLat: number, qLng: number) => NearestAnswer,
  second: (qLat: number, qLng: number) => NearestAnswer,
): number {
  let hits = 0;
  for (const [qLat, qLng] of questions) {
    const a = first(qLat, qLng);
    const b = second(qLat, qLng);
    const same =
      a.count === b.count &&
      Array.from({ length: a.count }).every((_, k) => a.index[k] === b.index[k] && a.distance[k] === b.distance[k]);
    if (!same) throw new Error(`the two searches disagree at ${qLat}, ${qLng}`);
    hits += a.count;
  }
  return hits / questions.length;
}
