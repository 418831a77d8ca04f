/**
 * `npm run bench:api-scale`: the query API at 1M hotspots.
 *
 * Fills a database of its own (photospots_bench_api_scale; --reuse keeps one
 * filled before with the same size) with a continent of synthetic hotspots as
 * processing and scoring leave them (synthetic-hotspots.ts), syncs the Redis
 * index from it with scoring's writer, and starts the real query API against
 * it with production settings (in-process index, Redis change feed, caches,
 * rate limiting). It measures:
 *
 * - start: spawn → the in-process index serving (/readyz), and resident memory
 *   then, beside the same API on an empty database (photospots_bench_api_scale_empty):
 *   the difference divided by the hotspots is the memory each one costs;
 * - nearby, map box, map clusters and search with autocannon against a bare
 *   Fastify route answering same-size JSON, in alternating slices (bare-comparison.ts);
 * - a burst of changed hotspots (hotspot-burst.ts: written as processing and
 *   scoring write them, announced on Redis as scoring announces them): the
 *   time from the first announcement until the API's change stream has
 *   reported every change, then a sample checked through nearby.
 *
 * Options: --hotspots N (default 1,000,000), --burst N (10,000), --reuse,
 * --cpu-prof (the API writes a CPU profile; its top functions while loading, during each endpoint's slices and
 * during the burst are printed), --perf-basic-prof (the API writes a map of its JIT-compiled functions for
 * `perf record -p <pid>`; the pid is logged), --index-reload-seconds N (the API's
 * INDEX_RELOAD_SECONDS, for diagnosis; default the API's own, as production runs). Env: BENCH_DURATION_SECONDS (3 per slice),
 * BENCH_ROUNDS (5), BENCH_CONNECTIONS (50), BENCH_ENDPOINTS (comma-separated
 * names), DATABASE_URL / REDIS_URL (default the local ones).
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createDatabase } from '@photospots/db';
import { HotspotIndexWriter, indexKeys } from '@photospots/hotspot-index';
import { prefixedQueueNames, queueDefinitions, queueEnvVars, createSqsClient, setupQueues } from '@photospots/queue';
import { obtainBackingServices, waitFor, type ServiceProcess } from '@photospots/test-harness';
import { Redis } from 'ioredis';
import { allSummaries, loadSummaries } from '../apps/scoring/src/scoring/score-repository.ts';
import { ensureBenchDatabase, fmt, benchLog as log, median, startQueryApi } from './api-stack.ts';
import { measureBurst } from './api-scale-burst.ts';
import { memoryBreakdown, printSummary, type Figure } from './api-scale-report.ts';
import { scaleEndpoints } from './api-scale-endpoints.ts';
import { compareWithBare, startBareTwin } from './bare-comparison.ts';
import { topSelfTime } from './cpu-profile.ts';
import { undoBurst } from './hotspot-burst.ts';
import { residentBytes } from './process-cpu.ts';
import { checkFill, fillHotspots, recordedFill } from './synthetic-hotspots.ts';

const { values: args } = parseArgs({
  options: {
    hotspots: { type: 'string' },
    burst: { type: 'string' },
    reuse: { type: 'boolean' },
    'cpu-prof': { type: 'boolean' },
    'perf-basic-prof': { type: 'boolean' },
    'index-reload-seconds': { type: 'string' },
  },
});
const N = Number(args.hotspots ?? 1_000_000);
const BURST = Number(args.burst ?? 10_000);
const SEED = 42;
const DURATION = Number(process.env.BENCH_DURATION_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const DB_NAME = 'photospots_bench_api_scale';
const REDIS_PREFIX = 'photospots-bench-scale:';
const GB = 1024 ** 3;
/** nearby's goals are this bench's; the others' are bench:api's (docs/benchmarks.md, B2). */
const GOALS: Record<string, { ratio: number; p99Ms?: number }> = {
  nearby: { ratio: 0.5, p99Ms: 20 },
  bbox: { ratio: 0.3 },
  'clusters z13': { ratio: 0.3 },
  search: { ratio: 0.3 },
};

const services = await obtainBackingServices({ ...process.env, PHOTOSPOTS_TEST_CONTAINERS: 'false' });
const redis = new Redis(services.redisUrl, { maxRetriesPerRequest: 1 });
const processes: ServiceProcess[] = [];
const figures: Figure[] = [];
try {
  const loadBefore = loadavg()[0]!;
  let recorded: Awaited<ReturnType<typeof recordedFill>>;
  if (args.reuse) {
    const existing = createDatabase(await ensureBenchDatabase(services.adminDatabaseUrl, DB_NAME, false), { max: 1 });
    recorded = await recordedFill(existing.sql);
    await existing.close();
  }
  const fresh = !(recorded?.hotspots === N && recorded.seed === SEED);
  const databaseUrl = await ensureBenchDatabase(services.adminDatabaseUrl, DB_NAME, fresh);
  const emptyUrl = await ensureBenchDatabase(services.adminDatabaseUrl, `${DB_NAME}_empty`, true);
  const db = createDatabase(databaseUrl, { max: 2, applicationName: 'bench-api-scale' });
  const writer = new HotspotIndexWriter(redis, REDIS_PREFIX);
  if (fresh) {
    log(`filling ${DB_NAME} with ${fmt(N)} hotspots (seed ${SEED}; --reuse keeps it for the next run)…`);
    const started = performance.now();
    const filler = createDatabase(databaseUrl, { max: 1, applicationName: 'bench-api-scale-fill' });
    const fill = await fillHotspots(filler.sql, N, SEED, log);
    await filler.close();
    log(
      `filled: ${fmt(fill.hotspots)} hotspots in ${fmt(fill.cities)} cities, ${fmt(fill.photos)} member photos in ${((performance.now() - started) / 1000).toFixed(0)} s`,
    );
    await checkFill(db.sql);
  } else {
    const undone = await undoBurst(db.sql);
    if (undone) {
      log(`undoing the last run's burst (${fmt(undone.restored.length + undone.dropped.length)} hotspots)…`);
      await writer.apply(await loadSummaries(db.sql, undone.restored), undone.dropped);
    }
  }
  const [{ active }] = await db.sql<
    { active: number }[]
  >`select count(*)::int as active from hotspots where status = 'active'`;
  const keys = indexKeys(REDIS_PREFIX);
  if (fresh || Number(await redis.hget(keys.meta, 'count')) !== active) {
    log('syncing the Redis index with scoring’s writer…');
    const started = performance.now();
    await writer.replaceAll(allSummaries(db.sql));
    log(`Redis index synced in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
  for (const pattern of [`${REDIS_PREFIX}cache:*`, `${REDIS_PREFIX}ratelimit:*`]) {
    const stale = await redis.keys(pattern);
    if (stale.length > 0) await redis.del(...stale);
  }

  const sqs = createSqsClient({ region: 'us-east-1', endpoint: services.awsEndpoint });
  const queueNames = prefixedQueueNames(`benchscale${process.pid}-`);
  await setupQueues(sqs, queueDefinitions(queueNames));
  sqs.destroy();
  const common = {
    AWS_ENDPOINT_URL: services.awsEndpoint,
    AWS_REGION: 'us-east-1',
    REDIS_URL: services.redisUrl,
    ...queueEnvVars(queueNames),
    LOG_LEVEL: 'warn',
  };

  // The same API on an empty database: what it takes before any hotspot.
  const empty = await startQueryApi({ ...common, DATABASE_URL: emptyUrl, REDIS_KEY_PREFIX: `${REDIS_PREFIX}empty:` });
  const emptyRss = residentBytes(empty.api.child.pid);
  const emptyMemory = await memoryBreakdown(empty.apiUrl);
  await empty.api.stop();

  const profileDir = mkdtempSync(path.join(tmpdir(), 'api-scale-prof-'));
  let peakLoadRss = 0;
  let sampler: NodeJS.Timeout | undefined;
  const spawnedAt = performance.now();
  const { api, apiUrl, readyMs } = await startQueryApi(
    {
      ...common,
      DATABASE_URL: databaseUrl,
      REDIS_KEY_PREFIX: REDIS_PREFIX,
      NODE_OPTIONS: [
        ...(args['cpu-prof'] ? [`--cpu-prof --cpu-prof-dir=${profileDir}`] : []),
        ...(args['perf-basic-prof'] ? ['--perf-basic-prof'] : []),
      ].join(' '),
      ...(args['index-reload-seconds'] ? { INDEX_RELOAD_SECONDS: args['index-reload-seconds'] } : {}),
    },
    {
      timeoutMs: 900_000,
      onSpawn: (p) => {
        sampler = setInterval(() => (peakLoadRss = Math.max(peakLoadRss, residentBytes(p.child.pid) || 0)), 100);
      },
    },
  );
  clearInterval(sampler);
  if (args['perf-basic-prof']) log(`query API pid ${api.child.pid} (for perf record -p)`);
  processes.push(api);
  const rss = residentBytes(api.child.pid);
  const memory = await memoryBreakdown(apiUrl);
  log(`${fmt(active)} active hotspots served after ${(readyMs / 1000).toFixed(1)} s; RSS ${(rss / GB).toFixed(2)} GB`);
  figures.push(
    {
      what: 'start: spawn → in-process index serving',
      value: `${(readyMs / 1000).toFixed(1)} s`,
      goal: '< 30 s',
      met: readyMs < 30_000,
    },
    {
      what: 'RSS after load',
      value: `${(rss / GB).toFixed(2)} GB (empty database: ${fmt(emptyRss / 2 ** 20)} MB; peak while loading ${(peakLoadRss / GB).toFixed(2)} GB)`,
      goal: '< 1.5 GB',
      met: rss < 1.5 * GB,
    },
    {
      what: 'memory per hotspot (RSS − RSS on an empty database) / hotspots',
      value: `${fmt((rss - emptyRss) / active)} B (V8 heap ${fmt((memory.heapUsed - emptyMemory.heapUsed) / active)} B, external ${fmt((memory.external - emptyMemory.external) / active)} B)`,
    },
  );
  log(`memory after load: ${memory.describe}`);

  const endpoints = await scaleEndpoints(db.sql, N, SEED + 1);
  const only = process.env.BENCH_ENDPOINTS?.split(',').map((n) => n.trim());
  const measured = endpoints.filter((e) => !only || only.includes(e.name));
  const bare = await startBareTwin(apiUrl, measured);
  processes.push(bare.process);
  const rows: string[][] = [];
  /** When each endpoint's slices ran, in ms after the spawn (the CPU profile's clock). */
  const windows: [string, number, number][] = [];
  for (const [i, e] of measured.entries()) {
    const from = performance.now() - spawnedAt;
    const c = await compareWithBare({
      endpoint: e,
      apiUrl,
      apiPid: api.child.pid,
      bare,
      barePath: bare.path(i),
      rounds: ROUNDS,
      seconds: DURATION,
      connections: CONNECTIONS,
    });
    windows.push([`${e.name} (its slices and the bare route's)`, from, performance.now() - spawnedAt]);
    const p99 = median(c.api.map((a) => a.p99));
    rows.push([
      e.name,
      e.note,
      `${fmt(bare.sizes[e.name]!)} B`,
      fmt(median(c.bare.map((b) => b.rps))),
      `${median(c.bare.map((b) => b.p50))} / ${median(c.bare.map((b) => b.p99))}`,
      fmt(median(c.api.map((a) => a.rps))),
      `${median(c.api.map((a) => a.p50))} / ${p99}`,
      `${Math.round(c.ratio * 100)}%`,
      `${fmt(median(c.bare.map((b) => b.cpuUs)))} / ${fmt(median(c.api.map((a) => a.cpuUs)))}`,
    ]);
    log(
      `${e.name}: API/bare per round ${c.api.map((a, r) => `${Math.round((a.rps / c.bare[r]!.rps) * 100)}%`).join(' ')}; ` +
        `API p99 per round ${c.api.map((a) => a.p99).join(' ')} ms; ` +
        `CPU µs a request, bare / API, per round ${c.api.map((a, r) => `${fmt(c.bare[r]!.cpuUs)}/${fmt(a.cpuUs)}`).join(' ')}`,
    );
    const goal = GOALS[e.name]!;
    figures.push({
      what: `${e.name}: req/s vs the bare route; p99`,
      value: `${Math.round(c.ratio * 100)}%; ${p99} ms`,
      goal: `≥ ${goal.ratio * 100}%${goal.p99Ms ? `; < ${goal.p99Ms} ms` : ''}`,
      met: c.ratio >= goal.ratio && (!goal.p99Ms || p99 < goal.p99Ms),
    });
  }

  // Searches the slices left queued run on in Postgres: the burst starts once they are done.
  const drained = performance.now();
  await waitFor(
    async () => {
      const [{ running }] = await db.sql<{ running: number }[]>`
        select count(*)::int as running from pg_stat_activity
        where datname = current_database() and state = 'active' and query like '%photospots_fold%' and pid <> pg_backend_pid()`;
      return running === 0;
    },
    { timeoutMs: 1_800_000, intervalMs: 1000, message: 'the searches queued in Postgres' },
  );
  if (performance.now() - drained > 2000)
    log(`waited ${((performance.now() - drained) / 1000).toFixed(0)} s for the searches still running in Postgres`);
  log(`burst: ${fmt(BURST)} changed hotspots…`);
  const burst = await measureBurst({
    sql: db.sql,
    writer,
    apiUrl,
    apiPid: api.child.pid,
    hotspots: N,
    size: BURST,
    seed: SEED + 2,
    log,
  });
  figures.push(
    {
      what: `burst of ${fmt(BURST)} changes: first announcement → all served (change stream)`,
      value: `${(burst.servedMs / 1000).toFixed(2)} s (swaps at ${burst.swaps.map((s) => `${(s.atMs / 1000).toFixed(1)} s: ${fmt(s.changes)}`).join(', ')})`,
      goal: '< 5 s',
      met: burst.servedMs < 5_000,
    },
    {
      what: '…written first (processing transaction; scoring’s scores)',
      value: `${(burst.writeMs / 1000).toFixed(1)} s; ${(burst.scoreMs / 1000).toFixed(1)} s`,
    },
    { what: '…a sample of 100 checked through nearby', value: burst.checked },
    {
      what: 'peak RSS during the burst',
      value: `${(burst.peakRss / GB).toFixed(2)} GB`,
      goal: '< 1.5 GB',
      met: burst.peakRss < 1.5 * GB,
    },
  );
  const burstFrom = burst.startedAt - spawnedAt;

  console.log(
    `\nquery API vs a bare Fastify route with a same-size fixed JSON: medians of ${ROUNDS} alternating ${DURATION} s slices, ` +
      `${CONNECTIONS} connections, ${fmt(active)} hotspots; load average ${loadBefore.toFixed(1)} → ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores\n`,
  );
  const header = [
    'endpoint',
    'requests',
    'body (mean)',
    'bare req/s',
    'bare p50 / p99 ms',
    'API req/s',
    'API p50 / p99 ms',
    'API / bare',
    'CPU µs a request: bare / API',
  ];
  console.log(`| ${header.join(' | ')} |\n| ${header.map(() => '---').join(' | ')} |`);
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  printSummary(`the query API at ${fmt(active)} hotspots`, figures);

  await api.stop();
  if (args['cpu-prof']) {
    const file = path.join(
      profileDir,
      readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'))!,
    );
    for (const [phase, from, to] of [
      ['start (spawn → serving)', 0, readyMs],
      ...windows,
      ['burst (first announcement → all served)', burstFrom, burstFrom + burst.servedMs],
    ] as const) {
      console.log(`\nquery API CPU by function, ${phase}, self time (${file}):`);
      for (const f of topSelfTime(file, from, to))
        console.log(`  ${fmt(f.ms).padStart(7)} ms ${(f.share * 100).toFixed(1).padStart(5)}%  ${f.name}`);
    }
  }
  const undone = await undoBurst(db.sql);
  if (undone) await writer.apply(await loadSummaries(db.sql, undone.restored), undone.dropped);
  await db.close();
} finally {
  for (const p of processes.reverse()) await p.stop();
  redis.disconnect();
  await services.stop();
}
