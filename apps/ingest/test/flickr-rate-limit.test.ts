import { describe, expect, it } from 'vitest';
import { TokenBucket, type Clock } from '../src/flickr/rate-limiter.ts';
import { backoffMs, parseRetryAfter } from '../src/flickr/retry-policy.ts';

/** A clock that only moves when someone sleeps. */
function manualClock(): Clock & { t: number } {
  const clock = {
    t: 0,
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.t += ms;
    },
  };
  return clock;
}

/** A clock whose timers fire in deadline order when run() advances virtual time. */
function virtualClock(): Clock & { run(): Promise<void> } {
  let t = 0;
  const timers: { at: number; resolve: () => void }[] = [];
  const tick = () => new Promise((resolve) => setImmediate(resolve));
  return {
    now: () => t,
    sleep: (ms) => new Promise<void>((resolve) => timers.push({ at: t + ms, resolve })),
    run: async () => {
      for (await tick(); timers.length > 0; await tick()) {
        timers.sort((a, b) => a.at - b.at);
        const next = timers.shift()!;
        t = Math.max(t, next.at);
        next.resolve();
      }
    },
  };
}

describe('token bucket', () => {
  it('allows a burst of `capacity` calls, then one per 3600/rate seconds', async () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ ratePerHour: 3600, capacity: 10, clock });
    const times: number[] = [];
    for (let i = 0; i < 30; i++) {
      await bucket.take();
      times.push(clock.t);
    }
    expect(times.slice(0, 10)).toEqual(Array(10).fill(0));
    expect(times.slice(10)).toEqual(Array.from({ length: 20 }, (_, i) => (i + 1) * 1000));
    expect(bucket.stats).toEqual({ waits: 20, waitedMs: 20_000 });
  });

  it('never exceeds the hourly rate over an hour of calls', async () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ ratePerHour: 3600, clock });
    let calls = 0;
    while (clock.t < 3_600_000) {
      await bucket.take();
      if (clock.t < 3_600_000) calls++;
    }
    // The full hour's allowance plus the initial burst, never more.
    expect(calls).toBeLessThanOrEqual(3600 + bucket.capacity);
    expect(calls).toBeGreaterThanOrEqual(3600);
  });

  it('serves concurrent callers in order, each one token apart', async () => {
    const clock = virtualClock();
    const bucket = new TokenBucket({ ratePerHour: 36_000, capacity: 1, clock });
    const all = Promise.all([bucket.take(), bucket.take(), bucket.take()]);
    await clock.run();
    expect(await all).toEqual([0, 100, 200]);
  });

  it('holds every caller while paused by a Retry-After, even with the bucket disabled', async () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ ratePerHour: 0, clock });
    await bucket.take();
    expect(clock.t).toBe(0);
    bucket.pauseUntil(5_000);
    await bucket.take();
    expect(clock.t).toBe(5_000);
  });

  it('is fully disabled at rate 0', async () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ ratePerHour: 0, clock });
    for (let i = 0; i < 10_000; i++) await bucket.take();
    expect(clock.t).toBe(0);
  });
});

describe('retry policy', () => {
  const policy = { maxAttempts: 8, baseMs: 1000, capMs: 60_000 };

  it('doubles the delay per attempt, with jitter in the upper half, up to the cap', () => {
    expect([1, 2, 3, 4].map((a) => backoffMs(a, policy, () => 0))).toEqual([500, 1000, 2000, 4000]);
    expect([1, 2, 3, 4].map((a) => backoffMs(a, policy, () => 1))).toEqual([1000, 2000, 4000, 8000]);
    expect(backoffMs(20, policy, () => 1)).toBe(60_000);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('99999', now)).toBe(3_600_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
