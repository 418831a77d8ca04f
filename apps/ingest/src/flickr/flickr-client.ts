import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@photospots/service';
import { FlickrCallError, FlickrInvalidKeyError } from './flickr-errors.ts';
import { bboxParam, FLICKR_GEO_PAGE_SIZE, queryKey, type HarvestQuery } from './query-plan.ts';
import type { FlickrRateLimiter } from './rate-limiter.ts';
import { backoffMs, DEFAULT_RETRY_POLICY, parseRetryAfter, type RetryPolicy } from './retry-policy.ts';
import { parseSearchResponse, type SearchPage } from './search-response.ts';

export interface FlickrClientOptions {
  apiUrl: string;
  apiKey: string;
  /** Comma-separated licence ids passed as `license`. */
  licences: string;
  /** Comma-separated extras. */
  extras: string;
  limiter: FlickrRateLimiter;
  log: Logger;
  retry?: RetryPolicy;
  /** Per-call timeout. */
  timeoutMs?: number;
}

/** What happened on the calls of one client, for progress displays. */
export interface FlickrCallStats {
  calls: number;
  retries: number;
  /** Calls answered 429. */
  throttled: number;
}

type Attempt =
  | { ok: true; page: SearchPage }
  | { ok: false; retryable: boolean; reason: string; status?: number; code?: number; retryAfterMs?: number };

/** Flickr error codes worth no retry besides the invalid key: the request itself is wrong. */
const PERMANENT_CODES = new Set([3, 111, 112, 114, 115, 116]);

/**
 * Calls flickr.photos.search within the key's rate limit. Retries network
 * errors, 5xx, 429 (honouring Retry-After) and `stat: fail` answers with
 * exponential backoff and jitter; an invalid key (code 100) stops at once.
 * The API key is sent on every call and never logged or put in an error.
 */
export class FlickrClient {
  readonly stats: FlickrCallStats = { calls: 0, retries: 0, throttled: 0 };
  readonly #o: Required<FlickrClientOptions>;

  constructor(options: FlickrClientOptions) {
    this.#o = { retry: DEFAULT_RETRY_POLICY, timeoutMs: 30_000, ...options };
  }

  /** One page of a search, sorted oldest upload first so pages stay put while we read them. */
  async search(query: HarvestQuery, page: number, signal?: AbortSignal): Promise<SearchPage> {
    const { retry, log } = this.#o;
    for (let attempt = 1; ; attempt++) {
      await this.#o.limiter.take(signal);
      signal?.throwIfAborted();
      const result = await this.#attempt(query, page, signal);
      if (result.ok) return result.page;
      const context = {
        query: queryKey(query),
        page,
        attempt,
        reason: result.reason,
        status: result.status,
        code: result.code,
      };
      if (!result.retryable) throw new FlickrCallError(`flickr.photos.search failed: ${result.reason}`, false);
      if (attempt >= retry.maxAttempts) {
        throw new FlickrCallError(`flickr.photos.search failed ${attempt} times, last: ${result.reason}`, true);
      }
      const delay = Math.max(backoffMs(attempt, retry), result.retryAfterMs ?? 0);
      this.stats.retries++;
      log.warn({ ...context, delayMs: Math.round(delay) }, 'Flickr call failed; retrying');
      if (result.retryAfterMs !== undefined) {
        // Throttled: every call of this process waits, not only this one (the limiter's next take() sleeps).
        this.#o.limiter.pauseUntil(Date.now() + delay);
      } else {
        await sleep(delay, undefined, signal ? { signal } : undefined);
      }
    }
  }

  async #attempt(query: HarvestQuery, page: number, signal?: AbortSignal): Promise<Attempt> {
    const url = new URL(this.#o.apiUrl);
    const params: Record<string, string> = {
      method: 'flickr.photos.search',
      api_key: this.#o.apiKey,
      bbox: bboxParam(query.bbox),
      has_geo: '1',
      min_upload_date: String(query.minUpload),
      max_upload_date: String(query.maxUpload),
      license: this.#o.licences,
      extras: this.#o.extras,
      sort: 'date-posted-asc',
      per_page: String(FLICKR_GEO_PAGE_SIZE),
      page: String(page),
      format: 'json',
      nojsoncallback: '1',
    };
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    this.stats.calls++;
    const timeout = AbortSignal.timeout(this.#o.timeoutMs);
    let response: Response;
    let body: string;
    try {
      response = await fetch(url, {
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        headers: { accept: 'application/json' },
      });
      body = await response.text();
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      return { ok: false, retryable: true, reason: `network error: ${this.#redact(describe(err))}` };
    }
    if (response.status === 429) {
      this.stats.throttled++;
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
      return {
        ok: false,
        retryable: true,
        status: 429,
        reason: 'HTTP 429 Too Many Requests',
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      };
    }
    if (response.status >= 500 || response.status === 408) {
      return { ok: false, retryable: true, status: response.status, reason: `HTTP ${response.status}` };
    }
    if (!response.ok) {
      return {
        ok: false,
        retryable: false,
        status: response.status,
        reason: `HTTP ${response.status} from ${this.#endpoint()} (check FLICKR_API_URL)`,
      };
    }
    const parsed = parseSearchResponse(body);
    if (parsed.ok) return parsed;
    if (parsed.kind === 'malformed') return { ok: false, retryable: true, reason: this.#redact(parsed.message) };
    const message = this.#redact(parsed.message);
    if (parsed.code === 100) throw new FlickrInvalidKeyError(message);
    return {
      ok: false,
      retryable: !PERMANENT_CODES.has(parsed.code),
      code: parsed.code,
      reason: `stat fail ${parsed.code}: ${message}`,
    };
  }

  /** The endpoint without its query string, safe to show. */
  #endpoint(): string {
    const u = new URL(this.#o.apiUrl);
    return `${u.origin}${u.pathname}`;
  }

  #redact(text: string): string {
    return this.#o.apiKey ? text.split(this.#o.apiKey).join('[redacted]') : text;
  }
}

function describe(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return 'timed out';
  return [e.message, e.cause?.code ?? e.cause?.message].filter(Boolean).join(': ') || String(err);
}
