import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT_WITH_PARENT_PRELOAD } from '@photospots/embedded-services';
import { waitFor } from './wait-for.ts';

/** The repository root (tests spawn services and tools relative to it). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  /** Everything the process wrote so far (stdout and stderr). */
  output(): string;
  /** Sends a signal and waits for the exit; resolves with the exit code (or the signal name). */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | string>;
}

/** Ports freePort handed out in this process: the kernel may offer a port it just released again. */
const handedOut = new Set<number>();

/**
 * A TCP port free right now on the loopback interface, never one handed out before in this process (two
 * services given the same port would fail to start). Another process may still take it before it is used;
 * where that matters, let the service bind port 0 and read the port it got (listeningPort).
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

/**
 * The port a service started with port 0 listens on, read from its log (LOG_LEVEL info or lower): the
 * first "Server listening at" line (a worker's health server, or the query API itself).
 */
export async function listeningPort(service: ServiceProcess, timeoutMs = 60_000): Promise<number> {
  const port = await waitFor(
    () => {
      const m = /Server listening at http:\/\/[^"\s]*:(\d+)/.exec(service.output());
      if (m) return Number(m[1]);
      return service.child.exitCode !== null || service.child.signalCode !== null ? -1 : undefined;
    },
    { timeoutMs, message: `${service.name} to listen` },
  );
  if (port < 0) throw new Error(`${service.name} exited before it listened:\n${service.output().slice(-2000)}`);
  return port;
}

/** Every thread's native stack of a running process (gdb, where installed), for a process that will not stop. */
function nativeStacks(pid: number | undefined): string {
  if (!pid) return '(no pid)';
  const gdb = spawnSync('gdb', ['-p', String(pid), '-batch', '-nx', '-ex', 'thread apply all bt 25'], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  if (gdb.error) return `(gdb unavailable: ${gdb.error.message})`;
  return (gdb.stdout || gdb.stderr)
    .split('\n')
    .filter((l) => /^(Thread|#)/.test(l))
    .join('\n')
    .slice(0, 20_000);
}

/**
 * Starts a command (a service's main.ts, a CLI, a built bundle) as a separate
 * process with exactly the given environment plus PATH/HOME, the way a
 * deployment would run it.
 */
export function startProcess(
  name: string,
  command: string,
  args: string[],
  env: Record<string, string>,
  cwd = REPO_ROOT,
): ServiceProcess {
  const child = spawn(command, args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  return {
    name,
    child,
    output: () => out,
    stop: async (signal = 'SIGTERM', timeoutMs = 30_000) => {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill(signal);
      const timer = setTimeout(() => {
        // A process that does not stop is a bug to find: where every thread of it stands goes into its output.
        out += `\n--- ${name} did not exit within ${timeoutMs} ms of ${signal}; its threads:\n${nativeStacks(child.pid)}\n`;
        child.kill('SIGKILL');
      }, timeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/**
 * Starts one of the four services from its source entry point (node strips the
 * types), with the watchdog `npm start` gives the services it launches: a
 * service whose parent (this test worker) dies stops itself instead of running
 * on as an orphan.
 */
export function startService(app: string, env: Record<string, string>): ServiceProcess {
  return startProcess(
    app,
    process.execPath,
    ['--import', EXIT_WITH_PARENT_PRELOAD, path.join(REPO_ROOT, 'apps', app, 'src', 'main.ts')],
    env,
  );
}

/** Waits until an HTTP GET answers 200 (a /readyz, say). */
export async function waitForHttpOk(url: string, timeoutMs = 30_000): Promise<void> {
  await waitFor(async () => (await fetch(url)).ok, { timeoutMs, message: `${url} to answer 200` });
}
