/** How the launcher writes numbers and durations for people. */

export function count(n: number): string {
  return n.toLocaleString('en');
}

/** "850 ms", "12.3 s", "2 min 05 s". */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

export function since(startedMs: number): string {
  return duration(performance.now() - startedMs);
}
