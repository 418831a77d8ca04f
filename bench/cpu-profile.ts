/**
 * Reads a V8 CPU profile (what `node --cpu-prof` writes) and tells which
 * functions took the CPU in a window of the run, by self time: where a phase
 * of a benchmark went, without a profiler UI.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  /** µs since the previous sample. */
  timeDeltas: number[];
}

export interface SelfTime {
  /** Function name and where it is (file:line, relative to the repository where it is in it). */
  name: string;
  ms: number;
  /** Share of the window's sampled time (idle included). */
  share: number;
}

/** The `count` functions with the most self time between `fromMs` and `toMs` after the profile started. */
export function topSelfTime(file: string, fromMs: number, toMs: number, count = 12): SelfTime[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let t = 0;
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i]! / 1000;
    if (t < fromMs || t > toMs) continue;
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const { functionName, url, lineNumber } = byId.get(profile.samples[i]!)!.callFrame;
    const where = url.replace(/^file:\/\/.*?\/(apps|libs|node_modules)\//, '$1/');
    const name = `${functionName || '(anonymous)'}${where ? ` ${where}:${lineNumber + 1}` : ''}`;
    self.set(name, (self.get(name) ?? 0) + dt);
    total += dt;
  }
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, ms]) => ({ name, ms, share: total > 0 ? ms / total : 0 }));
}
