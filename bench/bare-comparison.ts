/**
 * The yardstick of the API benchmarks: a bare Fastify server (bare-server.ts)
 * answering, for each measured endpoint, the API's own answer whose size is
 * closest to the mean of the run's questions, and autocannon slices that
 * alternate between the two (bare, API, bare, API, …), so load from other
 * processes on the machine falls on both alike.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, startProcess, waitFor, type ServiceProcess } from '@photospots/test-harness';
import autocannon from 'autocannon';
import { median } from './api-stack.ts';
import { cpuTimeUs } from './process-cpu.ts';

/** A measured endpoint: the run cycles through `paths`, one per request. */
export interface Endpoint {
  name: string;
  note: string;
  paths: string[];
}

export interface SliceResult {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  /** Requests sent (the next slice continues the paths from here). */
  sent: number;
  /** The server's CPU time (user + system) per completed request, in µs; NaN where /proc cannot tell. */
  cpuUs: number;
}

export interface BareTwin {
  url: string;
  process: ServiceProcess;
  /** Mean answer size of each endpoint's first 100 questions, by endpoint name. */
  sizes: Record<string, number>;
  /** The bare twin's path of the endpoint at `index` in the list it was started with. */
  path(index: number): string;
}

/** Asks the API each endpoint's first 100 questions and starts a bare server answering a same-size body per endpoint. */
export async function startBareTwin(apiUrl: string, endpoints: readonly Endpoint[]): Promise<BareTwin> {
  const bodies: Record<string, unknown> = {};
  const sizes: Record<string, number> = {};
  for (const [i, e] of endpoints.entries()) {
    const sample: string[] = [];
    for (const p of e.paths.slice(0, 100)) {
      const res = await fetch(`${apiUrl}${p}`);
      if (res.status !== 200) throw new Error(`${p} answered ${res.status}: ${await res.text()}`);
      sample.push(await res.text());
    }
    const mean = sample.reduce((n, t) => n + Buffer.byteLength(t), 0) / sample.length;
    const closest = sample.reduce((a, b) =>
      Math.abs(Buffer.byteLength(b) - mean) < Math.abs(Buffer.byteLength(a) - mean) ? b : a,
    );
    sizes[e.name] = Math.round(mean);
    bodies[`e${i}`] = JSON.parse(closest);
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'photospots-bench-'));
  writeFileSync(path.join(dir, 'bodies.json'), JSON.stringify(bodies));
  const port = await freePort();
  const bare = startProcess('bare', process.execPath, [path.join(import.meta.dirname, 'bare-server.ts')], {
    PORT: String(port),
    BARE_BODIES: path.join(dir, 'bodies.json'),
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${url}/bare/e0`).catch(() => undefined))?.ok, {
    timeoutMs: 10_000,
    message: 'the bare server',
  });
  return { url, process: bare, sizes, path: (index) => `/bare/e${index}` };
}

/** Runs autocannon against `base` for `seconds`, each request taking the next of `paths` (round robin from `offset`). */
export async function measureSlice(
  base: string,
  paths: readonly string[],
  options: { seconds: number; connections: number; offset?: number; pid?: number },
): Promise<SliceResult> {
  const offset = options.offset ?? 0;
  let next = offset;
  const cpuBefore = cpuTimeUs(options.pid);
  const result = await autocannon({
    url: base,
    connections: options.connections,
    duration: options.seconds,
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: paths[next++ % paths.length] }) }],
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    sent: next - offset,
    cpuUs: (cpuTimeUs(options.pid) - cpuBefore) / result.requests.total,
  };
}

export interface Comparison {
  bare: SliceResult[];
  api: SliceResult[];
  /** Median over rounds of API req/s ÷ bare req/s. */
  ratio: number;
  /** Median over rounds of bare CPU µs/request ÷ API CPU µs/request. */
  cpuRatio: number;
}

/**
 * One endpoint against its bare twin: a 1 s warm-up of each, then `rounds`
 * alternating slices. Throws on any non-2xx answer or error from the API.
 */
export async function compareWithBare(options: {
  endpoint: Endpoint;
  apiUrl: string;
  apiPid: number | undefined;
  bare: BareTwin;
  barePath: string;
  rounds: number;
  seconds: number;
  connections: number;
}): Promise<Comparison> {
  const { endpoint: e, apiUrl, apiPid, bare: twin, barePath, rounds, seconds, connections } = options;
  const barePid = twin.process.child.pid;
  await measureSlice(twin.url, [barePath], { seconds: 1, connections });
  await measureSlice(apiUrl, e.paths.slice(-200), { seconds: 1, connections });
  const bare: SliceResult[] = [];
  const api: SliceResult[] = [];
  let offset = 0;
  for (let r = 0; r < rounds; r++) {
    bare.push(await measureSlice(twin.url, [barePath], { seconds, connections, pid: barePid }));
    const a = await measureSlice(apiUrl, e.paths, { seconds, connections, offset, pid: apiPid });
    offset += a.sent;
    if (a.non2xx > 0 || a.errors > 0) throw new Error(`${e.name}: ${a.non2xx} non-2xx answers, ${a.errors} errors`);
    api.push(a);
  }
  return {
    bare,
    api,
    ratio: median(api.map((a, r) => a.rps / bare[r]!.rps)),
    cpuRatio: median(api.map((a, r) => bare[r]!.cpuUs / a.cpuUs)),
  };
}
