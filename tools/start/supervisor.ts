/**
 * Runs the services of `npm start` as separate processes: each one's full log
 * goes to .data/logs/<name>.log and its warnings and errors to the terminal;
 * one that exits on its own is reported; stopAll() sends SIGTERM, waits, and
 * SIGKILLs whatever is still alive, so no process outlives the launcher.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { EXIT_WITH_PARENT_PRELOAD } from '@photospots/embedded-services';

const LEVELS: Record<number, string> = { 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
/** Lines kept per process to show when it dies. */
const TAIL_LINES = 30;

interface Child {
  name: string;
  process: ChildProcess;
  exited: Promise<number | string>;
  tail: string[];
  log: WriteStream;
}

export interface SupervisorOptions {
  cwd: string;
  logDir: string;
  say: (line: string) => void;
  /** A process exited while nobody asked it to. */
  onUnexpectedExit: (name: string, code: number | string, tail: readonly string[]) => void;
}

/** Formats one log line for the terminal, or returns undefined to keep it in the file only. */
function terminalLine(name: string, line: string): string | undefined {
  if (!line.startsWith('{')) return line.trim() ? `  ${name} | ${line}` : undefined;
  try {
    const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } };
    const level = LEVELS[entry.level ?? 0];
    if (!level) return undefined;
    return `  ${name} ${level}: ${entry.msg ?? ''}${entry.err?.message ? ` (${entry.err.message})` : ''}`;
  } catch {
    return `  ${name} | ${line}`;
  }
}

export class Supervisor {
  readonly #options: SupervisorOptions;
  readonly #children = new Map<string, Child>();
  /** Commands run to completion (their exit is expected). */
  readonly #oneOffs = new Set<string>();
  #stopping = false;

  constructor(options: SupervisorOptions) {
    this.#options = options;
    mkdirSync(options.logDir, { recursive: true });
  }

  /** Starts `node <script> [args]` with the launcher's environment plus `env`. */
  start(name: string, script: string, args: readonly string[], env: Record<string, string>): Child {
    const child = spawn(process.execPath, ['--import', EXIT_WITH_PARENT_PRELOAD, script, ...args], {
      cwd: this.#options.cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = createWriteStream(path.join(this.#options.logDir, `${name}.log`), { flags: 'a' });
    const tail: string[] = [];
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
        log.write(`${line}\n`);
        tail.push(line);
        if (tail.length > TAIL_LINES) tail.shift();
        const shown = terminalLine(name, line);
        if (shown) this.#options.say(shown);
      });
    }
    const exited = new Promise<number | string>((resolve) => {
      child.once('error', (err) => resolve(err.message));
      // 'close', not 'exit': by then its last output has been read too.
      child.once('close', (code, signal) => resolve(code ?? signal ?? -1));
    });
    const entry: Child = { name, process: child, exited, tail, log };
    this.#children.set(name, entry);
    void exited.then((code) => {
      this.#children.delete(name);
      log.end();
      if (!this.#stopping && !this.#oneOffs.has(name)) this.#options.onUnexpectedExit(name, code, tail);
    });
    return entry;
  }

  /** Runs a command to completion (a CLI); resolves with its exit code. */
  async run(
    name: string,
    script: string,
    args: readonly string[],
    env: Record<string, string>,
  ): Promise<number | string> {
    this.#oneOffs.add(name);
    try {
      return await this.start(name, script, args, env).exited;
    } finally {
      this.#oneOffs.delete(name);
    }
  }

  /** Process ids of everything running now. */
  pids(): number[] {
    return [...this.#children.values()].map((c) => c.process.pid).filter((p): p is number => p !== undefined);
  }

  /** SIGTERM to every process, SIGKILL after `graceMs` to any still alive; resolves when all have exited. */
  async stopAll(graceMs: number): Promise<void> {
    this.#stopping = true;
    const children = [...this.#children.values()];
    for (const c of children) c.process.kill('SIGTERM');
    const timer = setTimeout(() => {
      for (const c of this.#children.values()) {
        this.#options.say(`  ${c.name} did not stop within ${graceMs / 1000} s; killing it`);
        c.process.kill('SIGKILL');
      }
    }, graceMs);
    const codes = await Promise.all(children.map((c) => c.exited));
    clearTimeout(timer);
    children.forEach((c, i) => {
      if (codes[i] !== 0)
        this.#options.say(`  ${c.name} exited with ${codes[i]} while stopping (see .data/logs/${c.name}.log)`);
    });
  }

  /** Kills everything at once (a second Ctrl-C). */
  killAll(): void {
    this.#stopping = true;
    for (const c of this.#children.values()) c.process.kill('SIGKILL');
  }
}

/** Waits until every URL answers 200 (the services' /readyz); throws after `timeoutMs` naming the ones that did not. */
/** A readiness URL, or how to find it once the process has said where it listens (undefined until then). */
export type ReadyUrl = string | (() => Promise<string | undefined>);

export async function waitForReady(
  urls: Record<string, ReadyUrl>,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const pending = new Map(Object.entries(urls));
  while (pending.size > 0) {
    signal.throwIfAborted();
    for (const [name, where] of pending) {
      const url = typeof where === 'string' ? where : await where();
      const ok =
        url !== undefined &&
        (await fetch(url, { signal: AbortSignal.timeout(3_000) }).then(
          (r) => r.ok,
          () => false,
        ));
      if (ok) pending.delete(name);
    }
    if (pending.size === 0) return;
    if (Date.now() > deadline)
      throw new Error(`not ready after ${timeoutMs / 1000} s: ${[...pending.keys()].join(', ')} (see .data/logs/)`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
