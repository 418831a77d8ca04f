import { setTimeout as sleep } from 'node:timers/promises';

/** Time source and sleeper, replaceable in tests. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => sleep(ms, undefined, signal ? { signal } : undefined),
};

export interface RateLimiterStats {
  /** Calls that had to wait for a token or for a Retry-After pause. */
  waits: number;
  waitedMs: number;
}

/**
 * A token bucket shared by every Flickr call of a process: `ratePerHour`
 * tokens an hour, at most `capacity` saved up for a burst. Calls reserve a
 * token and sleep until it exists, so waiters are served in order and the
 * long-run rate never exceeds the key's allowance. A 429's Retry-After pauses
 * every caller, not only the one that saw it. Rate 0 disables the bucket (the
 * pauses still apply).
 */
export class TokenBucket {
  readonly ratePerHour: number;
  readonly capacity: number;
  readonly #clock: Clock;
  readonly #perMs: number;
  #tokens: number;
  #updatedAt: number;
  #pausedUntil = 0;
  readonly #stats: RateLimiterStats = { waits: 0, waitedMs: 0 };

  constructor(options: { ratePerHour: number; capacity?: number; clock?: Clock }) {
    this.ratePerHour = options.ratePerHour;
    // Ten seconds' worth of calls by default: enough to absorb jitter, too little to matter to Flickr.
    this.capacity = Math.max(1, options.capacity ?? Math.ceil(options.ratePerHour / 360));
    this.#clock = options.clock ?? systemClock;
    this.#perMs = options.ratePerHour / 3_600_000;
    this.#tokens = this.capacity;
    this.#updatedAt = this.#clock.now();
  }

  get stats(): Readonly<RateLimiterStats> {
    return this.#stats;
  }

  /** Waits for a token (and for any pause); resolves with the milliseconds waited. */
  async take(signal?: AbortSignal): Promise<number> {
    const started = this.#clock.now();
    let waitMs = 0;
    if (this.ratePerHour > 0) {
      this.#refill(started);
      this.#tokens -= 1;
      if (this.#tokens < 0) waitMs = -this.#tokens / this.#perMs;
    }
    waitMs = Math.max(waitMs, this.#pausedUntil - started);
    if (waitMs > 0) await this.#clock.sleep(Math.ceil(waitMs), signal);
    // A pause that began while we slept (another call got a 429) holds us too.
    for (let now = this.#clock.now(); this.#pausedUntil > now; now = this.#clock.now()) {
      await this.#clock.sleep(this.#pausedUntil - now, signal);
    }
    const waited = this.#clock.now() - started;
    if (waited > 0) {
      this.#stats.waits++;
      this.#stats.waitedMs += waited;
    }
    return waited;
  }

  /** Holds every caller until `until` (epoch ms), e.g. a 429's Retry-After. */
  pauseUntil(until: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, until);
  }

  #refill(now: number): void {
    this.#tokens = Math.min(this.capacity, this.#tokens + (now - this.#updatedAt) * this.#perMs);
    this.#updatedAt = now;
  }
}
