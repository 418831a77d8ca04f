import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EXIT_WITH_PARENT_PRELOAD } from '../src/index.ts';

/** A service stand-in: prints its pid, stops on SIGTERM (after writing a mark), or lives on. */
const CHILD = `
  process.on('SIGTERM', () => { require('node:fs').writeFileSync(process.argv[1], 'stopped by SIGTERM'); process.exit(0); });
  console.log(process.pid);
  setInterval(() => undefined, 1000);
`;

/** A launcher stand-in: starts the child with (or without) the preload, prints the child's pid, waits. */
function launcher(preload: boolean, mark: string): ChildProcess {
  const parent = `
    const { spawn } = require('node:child_process');
    const args = ${JSON.stringify([...(preload ? ['--import', EXIT_WITH_PARENT_PRELOAD] : []), '-e', CHILD, mark])};
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'ignore'] });
    setInterval(() => undefined, 1000);
  `;
  return spawn(process.execPath, ['-e', parent], { stdio: ['ignore', 'pipe', 'ignore'] });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function childPid(parent: ChildProcess): Promise<number> {
  let out = '';
  parent.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  await vi.waitFor(() => expect(out).toMatch(/^\d+\n/), { timeout: 10_000, interval: 50 });
  return Number(out.trim());
}

/** Watching for something not to happen takes time: longer than the watch's one-second period. */
const QUIET_MS = 2_500;

let dir: string;
const orphans: number[] = [];
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'photospots-orphan-'));
});
afterEach(() => {
  for (const pid of orphans.splice(0)) if (alive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('the exit-with-parent preload', () => {
  it('stops a process with SIGTERM when its parent is killed, and lets it run while the parent lives', async () => {
    const mark = path.join(dir, 'mark');
    const parent = launcher(true, mark);
    const pid = await childPid(parent);
    orphans.push(pid);
    // A living parent's child is left alone.
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
    expect(alive(pid)).toBe(true);
    parent.kill('SIGKILL');
    await vi.waitFor(() => expect(alive(pid)).toBe(false), { timeout: 10_000, interval: 100 });
    expect(existsSync(mark) && readFileSync(mark, 'utf8')).toBe('stopped by SIGTERM');
  });

  it('is what stops it: without the preload the orphan runs on', async () => {
    const mark = path.join(dir, 'mark');
    const parent = launcher(false, mark);
    const pid = await childPid(parent);
    orphans.push(pid);
    parent.kill('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
    expect([alive(pid), existsSync(mark)]).toEqual([true, false]);
  });
});
