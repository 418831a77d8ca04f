/** How the Flickr client retries: attempts, and the backoff between them. */
export interface RetryPolicy {
  /** Attempts per call, the first included. */
  maxAttempts: number;
  /** Delay before the first retry; doubles per attempt. */
  baseMs: number;
  /** Longest delay between two attempts. */
  capMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 8, baseMs: 1_000, capMs: 60_000 };

/** Longest Retry-After honoured; a server asking for more is capped (and the call retried later). */
const MAX_RETRY_AFTER_MS = 3_600_000;

/**
 * Exponential backoff with "equal jitter": half of the doubling delay is
 * fixed, half random, so retries always back off yet never march in step.
 */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return ceiling / 2 + random() * (ceiling / 2);
}

/** Milliseconds a Retry-After header asks for (delta-seconds or an HTTP date); undefined if absent or unreadable. */
export function parseRetryAfter(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const text = header.trim();
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text) - now;
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms));
}
