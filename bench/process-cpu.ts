import { readFileSync } from 'node:fs';

/** Linux's USER_HZ, the unit of /proc/<pid>/stat's CPU times (100 on every mainstream build). */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * /proc/<pid>/stat's fields after the command name (in parentheses, and it may hold any character): state,
 * ppid, …, utime (11), stime (12), and the times of its exited children, cutime (13) and cstime (14), in ticks.
 */
export function statFields(pid: number | string | undefined): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** Clock ticks to seconds. */
export const ticksToSeconds = (ticks: number) => ticks / CLOCK_TICKS_PER_SECOND;

/** A process's CPU time so far in µs (user + system, all its threads), or NaN where /proc cannot tell. */
export function cpuTimeUs(pid: number | undefined): number {
  try {
    const fields = statFields(pid);
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/** A process's resident set size in bytes (VmRSS in /proc/<pid>/status), or NaN where /proc cannot tell. */
export function residentBytes(pid: number | undefined): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}
