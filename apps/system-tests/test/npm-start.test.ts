import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { createTestEnv, freePort, REPO_ROOT, waitFor } from '@photospots/test-harness';
import postgres from 'postgres';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { newcomerCheckout } from './support/newcomer-checkout.ts';
import { descendants, isAlive, type ProcessInfo } from './support/process-tree.ts';

/**
 * The README's run command, the way a newcomer runs it: a fresh copy of the
 * repository, nothing but Node (no DATABASE_URL, REDIS_URL or AWS_ENDPOINT_URL),
 * `npm start`, and Ctrl-C (SIGINT to the whole process group, as a terminal
 * sends it). Run twice: cold (imports the sample) and warm (reuses .data/).
 */

const SERVICES = ['ingest', 'processing', 'scoring', 'query-api'];
const FRAUENKIRCHE = { lat: 51.0519, lng: 13.7416 };

interface Run {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | string>;
}

let checkout: string;
let port: number;
let running: Run | undefined;
/** The hotspots around the old town after the cold run, to compare an interrupted first run with. */
let coldHotspots: string[] = [];

const OLD_TOWN = '/v1/hotspots/nearby?lat=51.0502&lng=13.7372&radius=50000&limit=100';

/**
 * The places around the old town (position, photos, photographers). Labels are
 * left out: a place whose photos did not change keeps its name until the next
 * full rebuild (docs/clustering.md), and a recovery runs one while a cold
 * start builds batch by batch.
 */
async function hotspotsAround(url: string): Promise<string[]> {
  const { items } = (await (await fetch(`${url}${OLD_TOWN}`)).json()) as {
    items: { lat: number; lng: number; photoCount: number; userCount: number }[];
  };
  return items.map((h) => `${h.lat.toFixed(6)},${h.lng.toFixed(6)}:${h.photoCount}:${h.userCount}`).sort();
}

function npmStart(dir = checkout, services: Record<string, string> = {}): Run {
  // A newcomer's shell: PATH and HOME, none of the services' variables (unless a test names
  // its own services). PORT only because other test runs on this machine may hold 3000.
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: String(port), ...services };
  const child = spawn('npm', ['start'], { cwd: dir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.once('close', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  return { child, output: () => out, exited };
}

/** Ctrl-C in the terminal: SIGINT to every process of the foreground group. */
function pressCtrlC(run: Run): void {
  process.kill(-run.child.pid!, 'SIGINT');
}

/** What `probe` finds in npm start's output within timeoutMs; fails at once (with the output) if npm start exits first. */
async function untilFound<T>(run: Run, probe: () => T | undefined, timeoutMs: number, message: string): Promise<T> {
  // waitFor retries a probe that throws, so the exit is raced beside it, not thrown from it.
  const exitedEarly = run.exited.then((code) => {
    const found = probe();
    if (found === undefined) throw new Error(`npm start exited (${code}) before ${message}`);
    return found;
  });
  exitedEarly.catch(() => undefined); // when the wait ends first (a timeout), a later exit is not news
  return Promise.race([waitFor(probe, { timeoutMs, intervalMs: 100, message }), exitedEarly]).catch((err: Error) => {
    throw new Error(`${err.message}\n--- output ---\n${run.output()}`);
  });
}

/** Waits for a line of output; fails at once (with the output) if npm start exited. */
async function untilOutput(run: Run, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  return untilFound(run, () => pattern.exec(run.output()) ?? undefined, timeoutMs, `npm start to print ${pattern}`);
}

async function waitUntilReady(run: Run, timeoutMs: number): Promise<{ url: string; ms: number }> {
  const started = performance.now();
  const url = await untilFound(
    run,
    () => /Photospots is ready at (http:\/\/\S+)/.exec(run.output())?.[1],
    timeoutMs,
    'npm start to print "Photospots is ready"',
  );
  return { url, ms: performance.now() - started };
}

function portIsFree(p: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(p, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Asserts what a newcomer is promised, then stops with Ctrl-C and checks nothing is left. */
async function useAndStop(run: Run, url: string): Promise<void> {
  // Four services, each its own process, started from its entry point.
  const tree = descendants(run.child.pid!);
  for (const svc of SERVICES) {
    expect(
      tree.filter((p) => p.cmdline.includes(`apps/${svc}/src/main.ts`)),
      `${svc} runs as one process`,
    ).toHaveLength(1);
  }

  const res = await fetch(
    `${url}/v1/hotspots/nearby?lat=${FRAUENKIRCHE.lat}&lng=${FRAUENKIRCHE.lng}&radius=300&limit=3`,
  );
  expect(res.status).toBe(200);
  // From the in-process index (loaded from PostGIS; without REDIS_URL there is no Redis at all).
  expect(res.headers.get('x-data-source')).toBe('memory');
  const { items } = (await res.json()) as { items: { label: string | null; distanceM: number; userCount: number }[] };
  expect(items[0]!.label).toMatch(/^Frauenkirche/);
  expect(items[0]!.distanceM).toBeLessThan(50);
  expect(items[0]!.userCount).toBeGreaterThan(100);

  // The map page's URL comes first among the examples, and serves the page.
  const tryLines = run
    .output()
    .split('Try:')[1]!
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  expect(tryLines[0]!.trim()).toBe(`${url}/`);
  const mapPage = await fetch(`${url}/`);
  expect(mapPage.status).toBe(200);
  expect(mapPage.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(await mapPage.text()).toContain('/map/map.js');

  // Every printed example is a command that returns real results.
  const commands = [...run.output().matchAll(/curl '([^']+)'/g)].map((m) => m[1]!);
  expect(commands).toHaveLength(3);
  for (const command of commands) {
    const answer = await fetch(command);
    expect(answer.status, command).toBe(200);
    expect(((await answer.json()) as { items: unknown[] }).items.length, command).toBeGreaterThan(0);
  }

  const everyProcess: ProcessInfo[] = [{ pid: run.child.pid!, cmdline: 'npm start' }, ...descendants(run.child.pid!)];
  pressCtrlC(run);
  const code = await Promise.race([
    run.exited,
    new Promise((resolve) => setTimeout(() => resolve('still running after 60 s'), 60_000)),
  ]);
  // npm re-raises the SIGINT it got once its script has exited; the launcher itself exits 0.
  expect([0, 'SIGINT'], run.output()).toContain(code);
  await waitFor(() => everyProcess.every((p) => !isAlive(p.pid)), {
    timeoutMs: 5_000,
    message: 'every process to be gone',
  }).catch(() => undefined);
  expect(everyProcess.filter((p) => isAlive(p.pid))).toEqual([]);
  expect(await portIsFree(port)).toBe(true);
  expect(run.output()).toMatch(/stopped \(/);
}

beforeAll(async () => {
  checkout = newcomerCheckout(REPO_ROOT);
  port = await freePort();
});

/** A test that failed half-way must not leave its launcher (and services) running into the next one. */
async function killIfRunning() {
  if (running && running.child.exitCode === null && running.child.signalCode === null) {
    process.kill(-running.child.pid!, 'SIGKILL');
    await running.exited;
  }
}

afterEach(killIfRunning);

afterAll(async () => {
  await killIfRunning();
  rmSync(checkout, { recursive: true, force: true });
});

describe('npm start in a fresh checkout, with nothing but Node', () => {
  it(
    'cold: embeds PostGIS and SQS, imports the sample through the pipeline, answers nearby, stops on Ctrl-C',
    { timeout: 400_000 },
    async () => {
      running = npmStart();
      const { url, ms } = await waitUntilReady(running, 300_000);
      console.log(`[npm start] cold start (import included): ${(ms / 1000).toFixed(1)} s`);
      expect(running.output()).toContain('database: embedded PostGIS (PGlite)');
      expect(running.output()).toContain('SQS/S3: embedded fauxqs on 127.0.0.1:');
      expect(running.output()).toContain('first run: importing the Dresden sample');
      expect(running.output()).toMatch(
        /rows read 17,879 · photos stored 17,879 · hotspots built [1-9][\d,]* · scored [1-9]/,
      );
      coldHotspots = await hotspotsAround(url);
      expect(coldHotspots).toHaveLength(100);
      await useAndStop(running, url);
    },
  );

  it('warm: reuses .data/ without importing again, and stops on Ctrl-C', { timeout: 200_000 }, async () => {
    running = npmStart();
    const { url, ms } = await waitUntilReady(running, 120_000);
    console.log(`[npm start] warm start: ${(ms / 1000).toFixed(1)} s`);
    expect(running.output()).toContain('reusing the stored data');
    expect(running.output()).not.toContain('first run');
    await useAndStop(running, url);
  });

  it(
    'interrupted: Ctrl-C in the middle of the first import, then the launcher killed; the next start ends with the same hotspots',
    { timeout: 400_000 },
    async () => {
      const fresh = newcomerCheckout(REPO_ROOT);
      try {
        // 1. Ctrl-C while the sample is being imported: a clean stop.
        let run = (running = npmStart(fresh));
        const dbUrl = (await untilOutput(run, /embedded PostGIS \(PGlite\) on (127\.0\.0\.1:\d+)/, 120_000))[1]!;
        await untilOutput(run, /first run: importing/, 120_000);
        const sql = postgres(`postgres://postgres@${dbUrl}/postgres`, { max: 1, onnotice: () => undefined });
        try {
          await waitFor(async () => (await sql<{ n: number }[]>`select count(*)::int as n from photos`)[0]!.n > 0, {
            timeoutMs: 60_000,
            intervalMs: 50,
            message: 'the first photos',
          });
        } finally {
          await sql.end();
        }
        let processes = descendants(run.child.pid!);
        pressCtrlC(run);
        await run.exited;
        expect(run.output()).toMatch(/stopped \(/);
        expect(processes.filter((p) => isAlive(p.pid))).toEqual([]);

        // 2. Start again, and kill the launcher itself (not Ctrl-C) once the services are up: they stop on their own.
        run = running = npmStart(fresh);
        await untilOutput(run, /services ready/, 120_000);
        processes = descendants(run.child.pid!);
        // The launcher itself, not the `sh -c` npm runs it with.
        const launcher = processes.find(
          (p) => !p.cmdline.startsWith('sh ') && p.cmdline.endsWith('tools/start/main.ts'),
        )!;
        expect(launcher).toBeDefined();
        process.kill(launcher.pid, 'SIGKILL');
        await waitFor(() => processes.every((p) => !isAlive(p.pid)), {
          timeoutMs: 40_000,
          message: 'the orphaned services to stop themselves',
        });
        await run.exited;

        // 3. The next start recovers and ends where an uninterrupted first run ends.
        run = running = npmStart(fresh);
        const { url } = await waitUntilReady(run, 300_000);
        expect(run.output()).toContain('the last run did not stop cleanly');
        expect(coldHotspots, 'the cold test runs first and records its hotspots').toHaveLength(100);
        expect(await hotspotsAround(url)).toEqual(coldHotspots);
        await useAndStop(run, url);
      } finally {
        rmSync(fresh, { recursive: true, force: true });
      }
    },
  );

  it(
    'with DATABASE_URL, REDIS_URL and AWS_ENDPOINT_URL set, uses those instead of the embedded parts',
    { timeout: 400_000 },
    async () => {
      const services = await createTestEnv();
      const fresh = newcomerCheckout(REPO_ROOT);
      try {
        running = npmStart(fresh, {
          DATABASE_URL: services.databaseUrl,
          REDIS_URL: services.redisUrl,
          REDIS_KEY_PREFIX: services.redisPrefix,
          AWS_ENDPOINT_URL: services.awsEndpoint,
        });
        const { url } = await waitUntilReady(running, 300_000);
        const output = running.output();
        expect(output).toContain(
          `database: ${new URL(services.databaseUrl).host}${new URL(services.databaseUrl).pathname} (DATABASE_URL)`,
        );
        expect(output).toContain(`SQS/S3: ${services.awsEndpoint} (AWS_ENDPOINT_URL)`);
        expect(output).toContain(`Redis: ${new URL(services.redisUrl).host} (REDIS_URL)`);
        expect(output).not.toContain('PGlite');
        expect(output).not.toContain('embedded fauxqs');
        // The sample went into the given database, and scoring filled the given Redis.
        const [{ photos }] = await services.database.sql<
          { photos: number }[]
        >`select count(*)::int as photos from photos`;
        expect(photos).toBe(17_879);
        expect(await services.redis.exists(`${services.redisPrefix}hotspots:meta`)).toBe(1);
        await useAndStop(running, url);
      } finally {
        rmSync(fresh, { recursive: true, force: true });
        await services.close();
      }
    },
  );
});
