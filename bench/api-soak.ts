/**
 * `npm run bench:api-soak`: ten minutes of mixed traffic against the query API.
 *
 * The same stack as `bench:api` (the Dresden sample in bench_photospots_api,
 * the API as its own process with Redis caches and rate limiting, sign-in with
 * an HS256 secret). First the mix is sent flat out for MAX_SECONDS to measure
 * its maximum rate; then it is sent at a fixed 70% of that rate for
 * SOAK_SECONDS. Every window prints p50/p99 latency, answers, errors and the
 * API's resident memory; the summary compares memory early and late in the run.
 *
 * The mix (per 100 requests): 30 nearby, 20 map box (10 of them with zoom),
 * 15 search (new queries), 10 top, 15 detail, 10 signed in (5 list favorites,
 * 5 PUT or DELETE a favorite), each signed-in call as one of 200 users.
 *
 * Exits 1 when any answer was not 2xx or memory grew by more than LEAK_BOUND
 * (15%) from the third minute (the in-process caches are full by then) to the last.
 *
 * Env: SOAK_SECONDS (600), MAX_SECONDS (20), WINDOW_SECONDS (30), RATE_SHARE (0.7),
 * BENCH_CONNECTIONS (50), DATABASE_URL / REDIS_URL.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { SignJWT } from 'jose';
import { seededRandom } from '@photospots/test-harness';
import { benchLog as log, fmt, median, startApiStack } from './api-stack.ts';

const { values: args } = parseArgs({ options: { reload: { type: 'boolean' } } });
const SOAK_SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
const MAX_SECONDS = Number(process.env.MAX_SECONDS ?? 20);
const WINDOW_SECONDS = Number(process.env.WINDOW_SECONDS ?? 30);
const RATE_SHARE = Number(process.env.RATE_SHARE ?? 0.7);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const LEAK_BOUND = 0.15;
const ISSUER = 'https://bench.supabase.co/auth/v1';
const SECRET = 'bench-only-shared-secret-of-at-least-32-characters';
const USERS = 200;

interface Call {
  method: 'GET' | 'PUT' | 'DELETE';
  path: string;
  headers?: Record<string, string>;
}

const rnd = seededRandom(7);
const TERMS = [
  'frauenkirche',
  'zwinger',
  'semper',
  'elbe',
  'bruhl',
  'neustadt',
  'kirche',
  'bruecke',
  'altmarkt',
  'graffiti',
  'schloss',
  'garten',
];
const point = () => ({ lat: 51.03 + rnd() * 0.05, lng: 13.69 + rnd() * 0.1 });

/** One request of the mix (weights per 100). */
function nextCall(ids: number[], tokens: string[]): Call {
  const pick = rnd() * 100;
  const { lat, lng } = point();
  if (pick < 30)
    return {
      method: 'GET',
      path: `/v1/hotspots/nearby?lat=${lat.toFixed(5)}&lng=${lng.toFixed(5)}&radius=1000&limit=20`,
    };
  if (pick < 40)
    return {
      method: 'GET',
      path: `/v1/hotspots?bbox=${(lng - 0.02).toFixed(4)},${(lat - 0.01).toFixed(4)},${(lng + 0.02).toFixed(4)},${(lat + 0.01).toFixed(4)}&limit=50`,
    };
  if (pick < 50)
    return {
      method: 'GET',
      path: `/v1/hotspots?bbox=${(lng - 0.15).toFixed(4)},${(lat - 0.07).toFixed(4)},${(lng + 0.15).toFixed(4)},${(lat + 0.07).toFixed(4)}&zoom=13&limit=200`,
    };
  if (pick < 65) {
    const term = TERMS[Math.floor(rnd() * TERMS.length)]!;
    return {
      method: 'GET',
      path: `/v1/hotspots/search?q=${term}&lat=${lat.toFixed(4)}&lng=${lng.toFixed(4)}&radius=${5_000 + Math.floor(rnd() * 20_000)}&limit=20`,
    };
  }
  if (pick < 75) return { method: 'GET', path: '/v1/hotspots/top?limit=20' };
  const id = ids[Math.floor(rnd() * ids.length)]!;
  if (pick < 90) return { method: 'GET', path: `/v1/hotspots/${id}` };
  const headers = { authorization: `Bearer ${tokens[Math.floor(rnd() * tokens.length)]!}` };
  if (pick < 95) return { method: 'GET', path: '/v1/me/favorites?limit=20', headers };
  return { method: rnd() < 0.6 ? 'PUT' : 'DELETE', path: `/v1/me/favorites/${id}`, headers };
}

const rssMb = (pid: number) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
};

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface Window {
  second: number;
  answers: number;
  non2xx: number;
  errors: number;
  p50: number;
  p99: number;
  rssMb: number;
}

/** Sends the mix for `seconds` (at `rate` requests/s overall, or flat out) and reports per window. */
async function run(
  apiUrl: string,
  calls: () => Call,
  seconds: number,
  pid: number,
  rate?: number,
  onWindow?: (w: Window) => void,
) {
  const windows: Window[] = [];
  let latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  let started = Date.now();
  const close = () => {
    const sorted = latencies.sort((a, b) => a - b);
    const w = {
      second: Math.round((Date.now() - started) / 1000),
      answers: sorted.length,
      non2xx,
      errors,
      p50: Math.round(percentile(sorted, 50) * 10) / 10,
      p99: Math.round(percentile(sorted, 99) * 10) / 10,
      rssMb: rssMb(pid),
    };
    windows.push(w);
    onWindow?.(w);
    latencies = [];
    non2xx = 0;
    errors = 0;
  };
  const instance = autocannon({
    url: apiUrl,
    connections: CONNECTIONS,
    duration: seconds,
    ...(rate ? { overallRate: Math.round(rate) } : {}),
    requests: [{ setupRequest: (req) => ({ ...req, ...calls() }) }],
    // Without a callback autocannon returns its event emitter, which is also a promise of the result.
  }) as unknown as autocannon.Instance & Promise<autocannon.Result>;
  started = Date.now();
  const timer = setInterval(close, WINDOW_SECONDS * 1000);
  const badStatuses = new Map<number, number>();
  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    latencies.push(responseTime);
    if (statusCode < 200 || statusCode > 299) {
      non2xx++;
      badStatuses.set(statusCode, (badStatuses.get(statusCode) ?? 0) + 1);
    }
  });
  instance.on('reqError', () => errors++);
  const result = await instance;
  clearInterval(timer);
  // The tail after the last full window joins the report only when it is a window's worth.
  if (
    latencies.length > 0 &&
    Date.now() - started - (windows.at(-1)?.second ?? 0) * 1000 >= (WINDOW_SECONDS * 1000) / 2
  )
    close();
  return { windows, average: result.requests.average, badStatuses };
}

async function main(): Promise<void> {
  const stack = await startApiStack({
    reload: Boolean(args.reload),
    apiEnv: { AUTH_JWT_ISSUER: ISSUER, AUTH_JWT_SECRET: SECRET, RATE_LIMIT_USER_MAX: '1000000' },
  });
  try {
    const { apiUrl, api } = stack;
    const pid = api.child.pid!;
    const top = (await (await fetch(`${apiUrl}/v1/hotspots/top?limit=100`)).json()) as { items: { id: number }[] };
    const ids = top.items.map((h) => h.id);
    const key = new TextEncoder().encode(SECRET);
    const tokens = await Promise.all(
      Array.from({ length: USERS }, (_, i) =>
        new SignJWT({ role: 'authenticated' })
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject(`soak-user-${i}`)
          .setIssuer(ISSUER)
          .setAudience('authenticated')
          .setExpirationTime('2h')
          .sign(key),
      ),
    );
    const calls = () => nextCall(ids, tokens);

    await run(apiUrl, calls, 5, pid); // warm-up: JIT, caches, users created
    log(`measuring the mix flat out for ${MAX_SECONDS} s with ${CONNECTIONS} connections…`);
    const max = await run(apiUrl, calls, MAX_SECONDS, pid);
    if (max.badStatuses.size > 0)
      throw new Error(`non-2xx answers while measuring the maximum: ${JSON.stringify([...max.badStatuses])}`);
    const rate = max.average * RATE_SHARE;
    log(
      `maximum ${fmt(max.average)} req/s; soaking at ${fmt(rate)} req/s (${Math.round(RATE_SHARE * 100)}%) for ${SOAK_SECONDS} s`,
    );

    console.log(`\n| second | answers/s | p50 ms | p99 ms | non-2xx | errors | API RSS MB |`);
    console.log('| --- | --- | --- | --- | --- | --- | --- |');
    let last = 0;
    const soak = await run(apiUrl, calls, SOAK_SECONDS, pid, rate, (w) => {
      console.log(
        `| ${w.second} | ${fmt(w.answers / Math.max(1, w.second - last))} | ${w.p50} | ${w.p99} | ${w.non2xx} | ${w.errors} | ${w.rssMb.toFixed(0)} |`,
      );
      last = w.second;
    });
    // Memory is compared from the third minute on: by then the in-process caches (CACHE_MAX_ENTRIES
    // answers each) are full, and what grows after that is a leak.
    // A run shorter than four minutes compares with its first minute instead.
    const perMinute = Math.max(1, Math.round(60 / WINDOW_SECONDS));
    const baseline = soak.windows.length >= 4 * perMinute ? 2 * perMinute : 0;
    const first = median(soak.windows.slice(0, perMinute).map((w) => w.rssMb));
    const early = median(soak.windows.slice(baseline, baseline + perMinute).map((w) => w.rssMb));
    const late = median(soak.windows.slice(-perMinute).map((w) => w.rssMb));
    const growth = (late - early) / early;
    const answers = soak.windows.reduce((n, w) => n + w.answers, 0);
    const bad = soak.windows.reduce((n, w) => n + w.non2xx, 0);
    const errors = soak.windows.reduce((n, w) => n + w.errors, 0);
    const p99s = soak.windows.map((w) => w.p99);
    console.log(
      `\nsoak: ${fmt(answers)} answers in ${SOAK_SECONDS} s at ${fmt(rate)} req/s target (${Math.round(RATE_SHARE * 100)}% of the measured maximum ${fmt(max.average)} req/s); ` +
        `p50 ${median(soak.windows.map((w) => w.p50)).toFixed(1)} ms, p99 median ${median(p99s).toFixed(1)} ms / worst ${Math.max(...p99s)} ms; ` +
        `non-2xx ${bad}${bad > 0 ? ` ${JSON.stringify([...soak.badStatuses])}` : ''}, errors ${errors}; ` +
        `API RSS ${first.toFixed(0)} MB in the first minute, ${early.toFixed(0)} MB in the ${baseline ? 'third (caches full)' : 'first'} → ${late.toFixed(0)} MB in the last (${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)}% since then, bound ${LEAK_BOUND * 100}%)`,
    );
    if (bad > 0 || errors > 0 || growth > LEAK_BOUND) process.exitCode = 1;
  } finally {
    await stack.stop();
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
