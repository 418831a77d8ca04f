import type { BBox } from '@photospots/geo';
import type { FlickrClient } from './flickr-client.ts';
import { emptyCounts, type QueryCounts } from './harvest-checkpoints.ts';
import type { FlickrRateLimiter } from './rate-limiter.ts';

/** The outcome of a harvest: totals over all its runs, and what this run cost. */
export interface HarvestReport {
  harvest: string;
  bbox: BBox;
  since: string;
  until: string;
  incremental: boolean;
  /** This run continued an interrupted one. */
  resumed: boolean;
  /** The harvest had already completed; nothing was done. */
  alreadyComplete: boolean;
  /** Photos Flickr reported for the whole window (the root query's total). */
  expectedTotal: number | null;
  /** Leaf queries read; queries split because they were over the cap. */
  queries: number;
  splits: number;
  /** Leaves over the cap that could not be split (one second, one ~0.2 m box); their excess is lost. */
  truncatedQueries: number;
  photosBeyondCap: number;
  photosSeen: number;
  inserted: number;
  updated: number;
  unchanged: number;
  skipped: QueryCounts['skipped'];
  thumbnailsRequested: number;
  messagesQueued: number;
  /** This run only: */
  pages: number;
  calls: number;
  retries: number;
  throttled: number;
  rateLimitWaits: number;
  rateLimitWaitMs: number;
  durationMs: number;
}

/** Live counters of a harvest, read by progress displays and turned into the report. */
export class HarvestProgress {
  expectedTotal: number | undefined;
  queriesDone = 0;
  queriesSplit = 0;
  truncatedQueries = 0;
  photosBeyondCap = 0;
  pagesThisRun = 0;
  /** Photos read but not committed yet. */
  pendingSeen = 0;
  /** Everything committed, across runs. */
  totals: QueryCounts = emptyCounts();
  readonly meta: { key: string; bbox: BBox; since: number; until: number; incremental: boolean; resumed: boolean };
  readonly #client: FlickrClient;
  readonly #limiter: FlickrRateLimiter;
  readonly #start: { calls: number; retries: number; throttled: number; waits: number; waitedMs: number; at: number };

  constructor(meta: HarvestProgress['meta'], client: FlickrClient, limiter: FlickrRateLimiter) {
    this.meta = meta;
    this.#client = client;
    this.#limiter = limiter;
    this.#start = {
      ...client.stats,
      waits: limiter.stats.waits,
      waitedMs: limiter.stats.waitedMs,
      at: performance.now(),
    };
  }

  get resumed(): boolean {
    return this.meta.resumed;
  }

  get calls(): number {
    return this.#client.stats.calls - this.#start.calls;
  }

  get rateLimitWaits(): number {
    return this.#limiter.stats.waits - this.#start.waits;
  }

  get rateLimitWaitMs(): number {
    return Math.round(this.#limiter.stats.waitedMs - this.#start.waitedMs);
  }

  report(): HarvestReport {
    const t = this.totals;
    return {
      harvest: this.meta.key,
      bbox: this.meta.bbox,
      since: new Date(this.meta.since * 1000).toISOString(),
      until: new Date(this.meta.until * 1000).toISOString(),
      incremental: this.meta.incremental,
      resumed: this.meta.resumed,
      alreadyComplete: false,
      expectedTotal: this.expectedTotal ?? null,
      queries: this.queriesDone,
      splits: this.queriesSplit,
      truncatedQueries: this.truncatedQueries,
      photosBeyondCap: this.photosBeyondCap,
      photosSeen: t.seen,
      inserted: t.inserted,
      updated: t.updated,
      unchanged: t.unchanged,
      skipped: t.skipped,
      thumbnailsRequested: t.thumbnails,
      messagesQueued: t.messages,
      pages: this.pagesThisRun,
      calls: this.calls,
      retries: this.#client.stats.retries - this.#start.retries,
      throttled: this.#client.stats.throttled - this.#start.throttled,
      rateLimitWaits: this.rateLimitWaits,
      rateLimitWaitMs: this.rateLimitWaitMs,
      durationMs: Math.round(performance.now() - this.#start.at),
    };
  }
}
