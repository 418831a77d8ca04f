import { seededRandom } from '@photospots/test-harness';
import { describe, expect, it } from 'vitest';
import { bestRanks } from '../src/hotspots/best-ranks.ts';

describe('bestRanks', () => {
  it('is the k lowest ranks from `from` on, ascending, like a sort of them all', () => {
    const rnd = seededRandom(21);
    const rankOf = Uint32Array.from({ length: 5000 }, (_, i) => i);
    for (let i = rankOf.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [rankOf[i], rankOf[j]] = [rankOf[j]!, rankOf[i]!];
    }
    for (let q = 0; q < 300; q++) {
      const rows = Array.from(
        new Set(Array.from({ length: Math.floor(rnd() * 3000) }, () => Math.floor(rnd() * 5000))),
      );
      const k = [0, 1, 2, 51, 201, 5000][q % 6]!;
      const from = q % 4 === 0 ? 0 : Math.floor(rnd() * 5000);
      const expected = rows
        .map((r) => rankOf[r]!)
        .filter((rank) => rank >= from)
        .sort((a, b) => a - b)
        .slice(0, k);
      expect([...bestRanks(rows, rankOf, from, k)]).toEqual(expected);
    }
  });
});
