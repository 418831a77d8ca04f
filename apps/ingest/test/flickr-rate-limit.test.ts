import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FlickrRateLimiter } from '../src/flickr/rate-limiter.ts';
import { backoffMs, parseRetryAfter } from '../src/flickr/retry-policy.ts';

// Virtual time from 0: it moves only when every pending wait's timer is run, in deadline order.
beforeEach(() => vi.useFakeTimers({ now: 0 }));
afterEach(() => vi.useRealTimers());

/** Runs `calls` while advancing virtual time through every timer it sets; resolves with its result. */
async function inVirtualTime<T>(calls: () => Promise<T>): Promise<T> {
  const done = calls();
  await vi.runAllTimersAsync();
  return done;
}

describe('token bucket', () => {
  it('allows a burst of `capacity` calls, then one per 3600/rate seconds', async () => {
    const bucket = new FlickrRateLimiter({ ratePerHour: 3600, capacity: 10 });
    const times: number[] = [];
    await inVirtualTime(async () => {
      for (let i = 0; i < 30; i++) {
        await bucket.take();
        times.push(Date.now());
      }
    });
    expect(times.slice(0, 10)).toEqual(Array(10).fill(0));
    expect(times.slice(10)).toEqual(Array.from({ length: 20 }, (_, i) => (i + 1) * 1000));
    expect(bucket.stats).toEqual({ waits: 20, waitedMs: 20_000 });
  });

  it('never exceeds the hourly rate over an hour of calls', async () => {
    const bucket = new FlickrRateLimiter({ ratePerHour: 3600 });
    let calls = 0;
    await inVirtualTime(async () => {
      while (Date.now() < 3_600_000) {
        await bucket.take();
        if (Date.now() < 3_600_000) calls++;
      }
    });
    // The full hour's allowance plus the initial burst, never more.
    expect(calls).toBeLessThanOrEqual(3600 + bucket.capacity);
    expect(calls).toBeGreaterThanOrEqual(3600);
  });

  it('serves concurrent callers in order, each one token apart', async () => {
    const bucket = new FlickrRateLimiter({ ratePerHour: 36_000, capacity: 1 });
    const all = await inVirtualTime(() => Promise.all([bucket.take(), bucket.take(), bucket.take()]));
    expect(all).toEqual([0, 100, 200]);
  });

  it('holds every caller while paused by a Retry-After, even with the bucket disabled', async () => {
    const bucket = new FlickrRateLimiter({ ratePerHour: 0 });
    await inVirtualTime(() => bucket.take());
    expect(Date.now()).toBe(0);
    bucket.pauseUntil(5_000);
    await inVirtualTime(() => bucket.take());
    expect(Date.now()).toBe(5_000);
  });

  it('gives up a wait when its signal aborts, with the signal’s reason, and leaves no pause timer behind', async () => {
    const paused = new FlickrRateLimiter({ ratePerHour: 0 });
    paused.pauseUntil(60_000);
    const forPause = new AbortController();
    const held = paused.take(forPause.signal);
    await vi.advanceTimersByTimeAsync(1_000);
    forPause.abort(new Error('harvest stopped'));
    await expect(held).rejects.toThrow('harvest stopped');
    expect(vi.getTimerCount()).toBe(0);

    const bucket = new FlickrRateLimiter({ ratePerHour: 3600, capacity: 1 });
    await bucket.take();
    const forToken = new AbortController();
    const waiting = bucket.take(forToken.signal);
    forToken.abort(new Error('harvest stopped'));
    await expect(waiting).rejects.toThrow('harvest stopped');
  });

  it('is fully disabled at rate 0', async () => {
    const bucket = new FlickrRateLimiter({ ratePerHour: 0 });
    await inVirtualTime(async () => {
      for (let i = 0; i < 10_000; i++) await bucket.take();
    });
    expect(Date.now()).toBe(0);
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
