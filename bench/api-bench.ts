/**
 * `npm run bench:api`: HTTP benchmark of the query API.
 *
 * Loads the Dresden sample through the real pipeline into a database of its
 * own (bench_photospots_api, kept between runs; --reload rebuilds it), starts the
 * query API as a separate process (production settings: in-process index,
 * Redis index and caches, rate limiting with the Redis store), and a bare
 * Fastify server answering fixed JSON of the same size for each endpoint.
 * Each endpoint and its bare twin are measured with autocannon in alternating
 * slices (bare, API, bare, API, …), so load from other processes on the
 * machine falls on both alike; the table prints the medians of requests/s and
 * p50/p99 latency and the median of the per-round ratios. It also prints each
 * server's CPU time per request (from /proc, all its threads): requests/s
 * moves with whatever else the machine runs, CPU time per request far less.
 *
 * Env: BENCH_DURATION_SECONDS (3 per slice), BENCH_ROUNDS (5), BENCH_CONNECTIONS
 * (50), BENCH_ENDPOINTS (comma-separated names, default all), DATABASE_URL / REDIS_URL
 * (default the local ones). Needs Postgres+PostGIS and Redis.
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { seededRandom } from '@photospots/test-harness';
import { benchLog as log, fmt, median, startApiStack } from './api-stack.ts';
import { compareWithBare, startBareTwin, type Endpoint } from './bare-comparison.ts';

const { values: args } = parseArgs({ options: { reload: { type: 'boolean' } } });
/** Seconds of each measured slice; each endpoint is measured in ROUNDS alternating slices (bare, API, bare, API, …). */
const DURATION = Number(process.env.BENCH_DURATION_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);

// The same seed every run, so every run asks the same questions.
const rnd = seededRandom(42);
const around = (n: number, make: (lat: number, lng: number) => string) =>
  Array.from({ length: n }, () => make(51.03 + rnd() * 0.05, 13.69 + rnd() * 0.1));
const TERMS = [
  'frauenkirche',
  'zwinger',
  'semperoper',
  'elbe',
  'bruhl',
  'neustadt',
  'kirche',
  'bridge',
  'altmarkt',
  'graffiti',
];

/**
 * The measured requests. Where apps ask varied questions (positions, map
 * boxes), the run cycles through many different ones (100,000 boxes: more
 * than a run sends, so no answer is ever served from a cache); top is one
 * question for everyone; search is measured both as a repeated query (served
 * by the response cache) and with every request new.
 */
const ENDPOINTS: Endpoint[] = [
  {
    name: 'nearby',
    note: '500 points (never cached), r=1 km',
    paths: around(
      500,
      (lat, lng) => `/v1/hotspots/nearby?lat=${lat.toFixed(5)}&lng=${lng.toFixed(5)}&radius=1000&limit=20`,
    ),
  },
  {
    name: 'bbox',
    note: 'every request a new box ≈ 3×2 km, limit 50',
    paths: around(
      100_000,
      (lat, lng) =>
        `/v1/hotspots?bbox=${(lng - 0.02).toFixed(4)},${(lat - 0.01).toFixed(4)},${(lng + 0.02).toFixed(4)},${(lat + 0.01).toFixed(4)}&limit=50`,
    ),
  },
  {
    name: 'bbox zoom=13',
    note: 'every request a new city-wide box, clusters',
    paths: around(
      100_000,
      (lat, lng) =>
        `/v1/hotspots?bbox=${(lng - 0.15).toFixed(4)},${(lat - 0.07).toFixed(4)},${(lng + 0.15).toFixed(4)},${(lat + 0.07).toFixed(4)}&zoom=13&limit=200`,
    ),
  },
  { name: 'search', note: 'one query, cached', paths: ['/v1/hotspots/search?q=frauenkirche&limit=20'] },
  {
    name: 'search (uncached)',
    note: 'every request a new query',
    paths: Array.from(
      { length: 100_000 },
      (_, i) => `/v1/hotspots/search?q=${TERMS[i % TERMS.length]}&lat=51.05&lng=13.74&radius=${20_000 + i}&limit=20`,
    ),
  },
  { name: 'top', note: 'one question', paths: ['/v1/hotspots/top?limit=20'] },
];

const only = process.env.BENCH_ENDPOINTS?.split(',').map((n) => n.trim());
const selected = (name: string) => !only || only.includes(name);
if (only) {
  const unknown = only.filter((n) => !ENDPOINTS.some((e) => e.name === n));
  if (unknown.length > 0)
    throw new Error(
      `BENCH_ENDPOINTS names no endpoint ${unknown.join(', ')} (known: ${ENDPOINTS.map((e) => e.name).join(', ')})`,
    );
}

async function main(): Promise<void> {
  const stack = await startApiStack({ reload: Boolean(args.reload) });
  try {
    const { apiUrl, active } = stack;
    const bare = await startBareTwin(apiUrl, ENDPOINTS);
    stack.adopt(bare.process);

    log(
      `${active} active hotspots; ${CONNECTIONS} connections, ${ROUNDS} rounds of ${DURATION} s slices, API and bare server in separate processes`,
    );
    const loadBefore = loadavg()[0]!;
    const rows: string[][] = [];
    for (const [i, e] of ENDPOINTS.entries()) {
      if (!selected(e.name)) continue;
      const {
        bare: b,
        api,
        ratio,
        cpuRatio,
      } = await compareWithBare({
        endpoint: e,
        apiUrl,
        apiPid: stack.api.child.pid,
        bare,
        barePath: bare.path(i),
        rounds: ROUNDS,
        seconds: DURATION,
        connections: CONNECTIONS,
      });
      rows.push([
        e.name,
        e.note,
        `${bare.sizes[e.name]} B`,
        fmt(median(b.map((x) => x.rps))),
        `${median(b.map((x) => x.p50))} / ${median(b.map((x) => x.p99))}`,
        fmt(median(api.map((a) => a.rps))),
        `${median(api.map((a) => a.p50))} / ${median(api.map((a) => a.p99))}`,
        `${Math.round(ratio * 100)}%`,
        `${Math.round(median(b.map((x) => x.cpuUs)))} / ${Math.round(median(api.map((a) => a.cpuUs)))}`,
        `${Math.round(cpuRatio * 100)}%`,
      ]);
      log(
        `${e.name}: API/bare per round ${api.map((a, r) => `${Math.round((a.rps / b[r]!.rps) * 100)}%`).join(' ')}; ` +
          `CPU bare/API per round ${api.map((a, r) => `${Math.round((b[r]!.cpuUs / a.cpuUs) * 100)}%`).join(' ')}`,
      );
    }
    const header = [
      'endpoint',
      'requests',
      'body (mean)',
      'bare req/s',
      'bare p50 / p99 ms',
      'API req/s',
      'API p50 / p99 ms',
      'API / bare',
      'CPU µs/req bare / API',
      'CPU bare / API',
    ];
    console.log(
      `\nquery API vs a bare Fastify route with a same-size fixed JSON: medians of ${ROUNDS} alternating ${DURATION} s slices, ` +
        `${CONNECTIONS} connections, ${active} hotspots; load average ${loadBefore.toFixed(1)} → ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores\n`,
    );
    console.log(`| ${header.join(' | ')} |`);
    console.log(`| ${header.map(() => '---').join(' | ')} |`);
    for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  } finally {
    await stack.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
