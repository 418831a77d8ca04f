import TinyQueue from 'tinyqueue';

/**
 * The `k` lowest ranks of some rows (`rankOf[row]`), only those from `from` on, ascending.
 *
 * A map box in a city holds thousands of hotspots and a page shows the best 50: a heap of the best so far
 * (its worst on top) costs most rows one comparison, and the box's page twice as fast as a sort of all their
 * ranks (`npm run bench:box-select`, docs/benchmarks.md B12).
 */
export function bestRanks(rows: readonly number[], rankOf: Uint32Array, from: number, k: number): Uint32Array {
  if (k <= 0) return new Uint32Array(0);
  const kept = new TinyQueue<number>([], (a, b) => b - a);
  for (let j = 0; j < rows.length; j++) {
    const rank = rankOf[rows[j]!]!;
    if (rank < from) continue;
    if (kept.length < k) kept.push(rank);
    else if (rank < kept.peek()!) {
      kept.pop();
      kept.push(rank);
    }
  }
  const out = new Uint32Array(kept.length);
  for (let i = out.length - 1; i >= 0; i--) out[i] = kept.pop()!;
  return out;
}
