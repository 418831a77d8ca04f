import { TokenBucket } from 'limiter';

export interface RateLimiterStats {
  /** Calls that had to wait for a token or for a Retry-After pause. */
  waits: number;
  waitedMs: number;
}

/**
 * The Flickr key's allowance, shared by every Flickr call of a process:
 * `ratePerHour` calls an hour, at most `capacity` saved up for a burst (a
 * token bucket from `limiter`, which serves waiting calls in order, so the
 * long-run rate never exceeds the key's allowance). A 429's Retry-After
 * pauses every caller, not only the one that saw it. Rate 0 disables the
 * bucket (the pauses still apply).
 */
export class FlickrRateLimiter {
  readonly ratePerHour: number;
  readonly capacity: number;
  readonly #bucket: TokenBucket | undefined;
  #pausedUntil = 0;
  readonly #stats: RateLimiterStats = { waits: 0, waitedMs: 0 };

  constructor(options: { ratePerHour: number; capacity?: number }) {
    this.ratePerHour = options.ratePerHour;
    // Ten seconds' worth of calls by default: enough to absorb jitter, too little to matter to Flickr.
    this.capacity = Math.max(1, options.capacity ?? Math.ceil(options.ratePerHour / 360));
    if (options.ratePerHour > 0) {
      this.#bucket = new TokenBucket({
        bucketSize: this.capacity,
        tokensPerInterval: options.ratePerHour,
        interval: 'hour',
      });
      // limiter's buckets start empty; the key's burst is there from the start.
      this.#bucket.content = this.capacity;
    }
  }

  get stats(): Readonly<RateLimiterStats> {
    return this.#stats;
  }

  /** Waits for a token (and for any pause); resolves with the milliseconds waited. */
  async take(signal?: AbortSignal): Promise<number> {
    const started = Date.now();
    // The token is reserved even if the wait is given up: the call may still go out.
    if (this.#bucket) await untilAborted(this.#bucket.removeTokens(1), signal);
    // A pause holds every caller, also one that began while we waited (another call got a 429).
    for (let now = Date.now(); this.#pausedUntil > now; now = Date.now()) {
      await sleep(this.#pausedUntil - now, signal);
    }
    const waited = Date.now() - started;
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
}

/** `promise`, or its signal's reason as soon as the signal aborts (`onAbort` runs first). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined, onAbort?: () => void): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const abort = () => {
      onAbort?.();
      reject(signal.reason);
    };
    if (signal.aborted) return abort();
    signal.addEventListener('abort', abort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}

/**
 * Global setTimeout (not node:timers/promises), so tests drive it with fake timers like the bucket's own
 * waits; the timer is cleared if the wait is given up.
 */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const slept = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return untilAborted(slept, signal, () => clearTimeout(timer));
}
