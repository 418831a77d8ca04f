import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { RebuildLoop } from '../src/clustering/rebuild-loop.ts';

describe('the re-clustering loop', () => {
  it('tries a failed pass again after a short backoff, without waiting for a message or the sweep', async () => {
    const attempts: number[] = [];
    const started = Date.now();
    const loop = new RebuildLoop(
      async () => {
        attempts.push(Date.now() - started);
        if (attempts.length <= 2) throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
      },
      pino({ level: 'silent' }),
      60_000, // the sweep would come only after a minute
    );
    loop.poke();
    const deadline = Date.now() + 5_000;
    while (attempts.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await loop.stop();
    expect(attempts).toHaveLength(3);
    // 0.5 s, then 1 s: the third pass comes about 1.5 s after the first.
    expect(attempts[2]! - attempts[0]!).toBeGreaterThanOrEqual(1_400);
    expect(attempts[2]! - attempts[0]!).toBeLessThan(3_000);
  });
});
