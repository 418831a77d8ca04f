/**
 * The query API as the API benchmarks measure it: the Dresden sample loaded
 * through the real pipeline into a database of its own (bench_photospots_api,
 * kept between runs; `reload` rebuilds it), the Redis index synced, and the
 * query API started as a separate process with production settings
 * (in-process index, Redis index and caches, rate limiting with the Redis store).
 */
import { ingestRequested } from '@photospots/contracts';
import { runMigrations } from '@photospots/db';
import {
  createSqsClient,
  MessagePublisher,
  prefixedQueueNames,
  queueDefinitions,
  queueEnvVars,
  resolveQueues,
  setupQueues,
} from '@photospots/queue';
import {
  DRESDEN_SAMPLE_CSV,
  freePort,
  obtainBackingServices,
  pipelineState,
  startService,
  waitFor,
  type ServiceProcess,
} from '@photospots/test-harness';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import postgres from 'postgres';

const DB_NAME = 'bench_photospots_api';
const BENCH_REDIS_PREFIX = 'photospots-bench:';

export interface ApiStack {
  apiUrl: string;
  /** The bench database the API serves from. */
  databaseUrl: string;
  api: ServiceProcess;
  /** Active hotspots in the bench database. */
  active: number;
  /** Starts another process next to the API; it is stopped with the stack. */
  adopt(process: ServiceProcess): void;
  stop(): Promise<void>;
}

export const benchLog = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

export async function startApiStack(
  options: { reload?: boolean; apiEnv?: Record<string, string> } = {},
): Promise<ApiStack> {
  const services = await obtainBackingServices({ ...process.env, PHOTOSPOTS_TEST_CONTAINERS: 'false' });
  const processes: ServiceProcess[] = [];
  const redis = new Redis(services.redisUrl, { maxRetriesPerRequest: 1 });
  const stop = async () => {
    for (const p of processes.reverse()) await p.stop();
    redis.disconnect();
    await services.stop();
  };
  try {
    const databaseUrl = await ensureBenchDatabase(services.adminDatabaseUrl, DB_NAME, Boolean(options.reload));
    const sqs = createSqsClient({ region: 'us-east-1', endpoint: services.awsEndpoint });
    const queueNames = prefixedQueueNames(`bench${process.pid}-`);
    await setupQueues(sqs, queueDefinitions(queueNames));
    const queues = await resolveQueues(sqs, queueNames);
    const common = {
      DATABASE_URL: databaseUrl,
      AWS_ENDPOINT_URL: services.awsEndpoint,
      AWS_REGION: 'us-east-1',
      REDIS_URL: services.redisUrl,
      REDIS_KEY_PREFIX: BENCH_REDIS_PREFIX,
      ...queueEnvVars(queueNames),
      LOG_LEVEL: 'warn',
      SQS_WAIT_TIME_SECONDS: '1',
      RESCORE_INTERVAL_MINUTES: '0',
      HEALTH_PORT: '0',
      HEALTH_HOST: '127.0.0.1',
    };

    const sql = postgres(databaseUrl, { max: 1, onnotice: () => undefined });
    const [{ scored }] = await sql<
      { scored: number }[]
    >`select count(*)::int as scored from hotspots where status = 'active' and scored_at is not null`;
    if (scored === 0) {
      benchLog('loading the Dresden sample through ingest, processing and scoring (once; --reload repeats it)…');
      const workers = ['ingest', 'processing', 'scoring'].map((s) => startService(s, common));
      const publisher = new MessagePublisher({
        sqs,
        queueUrls: queues.url,
        producer: 'cli',
        log: pino({ level: 'silent' }),
      });
      try {
        await publisher.publish(ingestRequested, {
          kind: 'file-import',
          location: DRESDEN_SAMPLE_CSV,
          format: 'lbsn-csv',
        });
        await waitFor(
          async () => {
            const s = await pipelineState(sql, sqs, Object.values(queues.url));
            return s.settled && s.photos > 17_000 ? s : undefined;
          },
          { timeoutMs: 300_000, intervalMs: 1000, message: 'the pipeline to settle' },
        );
      } finally {
        for (const w of workers) await w.stop();
      }
    }
    const [{ active }] = await sql<
      { active: number }[]
    >`select count(*)::int as active from hotspots where status = 'active'`;
    await sql.end();
    if ((await redis.exists(`${BENCH_REDIS_PREFIX}hotspots:meta`)) !== 1) {
      benchLog('syncing the Redis index (scoring)…');
      const scoring = startService('scoring', common);
      await waitFor(async () => (await redis.exists(`${BENCH_REDIS_PREFIX}hotspots:meta`)) === 1, {
        timeoutMs: 60_000,
        message: 'the Redis index',
      });
      await scoring.stop();
    }
    // Drop cached answers and rate-limit counters of earlier runs, so every run starts alike.
    const stale = await redis.keys(`${BENCH_REDIS_PREFIX}cache:*`);
    const limits = await redis.keys(`${BENCH_REDIS_PREFIX}ratelimit:*`);
    if (stale.length + limits.length > 0) await redis.del(...stale, ...limits);

    const { api, apiUrl } = await startQueryApi({ ...common, ...options.apiEnv });
    processes.push(api);
    return { apiUrl, databaseUrl, api, active, adopt: (p) => processes.push(p), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function fmt(n: number): string {
  return Math.round(n).toLocaleString('en');
}

/** Creates (or with reload, recreates) a bench database and migrates it; returns its URL. */
export async function ensureBenchDatabase(adminUrl: string, name: string, reload: boolean): Promise<string> {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
  try {
    if (reload) await admin.unsafe(`drop database if exists ${name} with (force)`);
    const [exists] = await admin`select 1 from pg_database where datname = ${name}`;
    if (!exists) await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  await runMigrations(url.toString());
  return url.toString();
}

/**
 * Starts the query API (its source entry point, as a separate process) on a free loopback port with the
 * given environment and production settings otherwise (the rate limit raised out of the way), and waits until
 * it serves from its in-process index: it listens only after the index's first load. `readyMs` is the time
 * from the spawn to the first /readyz saying so, polled every 100 ms.
 */
export async function startQueryApi(
  env: Record<string, string>,
  options: { timeoutMs?: number; onSpawn?: (api: ServiceProcess) => void } = {},
): Promise<{ api: ServiceProcess; apiUrl: string; readyMs: number }> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const apiPort = await freePort();
  const started = performance.now();
  const api = startService('query-api', {
    PORT: String(apiPort),
    HOST: '127.0.0.1',
    RATE_LIMIT_MAX: '1000000',
    ...env,
  });
  options.onSpawn?.(api);
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  try {
    const state = await waitFor(
      async () => {
        if (api.child.exitCode !== null || api.child.signalCode !== null) return 'exited';
        const res = await fetch(`${apiUrl}/readyz`);
        const body = (await res.json()) as { checks?: { index?: { status: string } } };
        return res.ok && body.checks?.index?.status === 'serving' && 'serving';
      },
      { timeoutMs, message: 'the query API to serve from its in-process index' },
    );
    if (state === 'exited') throw new Error('it exited');
  } catch (err) {
    await api.stop();
    throw new Error(`the query API did not start: ${(err as Error).message}\n${api.output().slice(-4000)}`, {
      cause: err,
    });
  }
  return { api, apiUrl, readyMs: performance.now() - started };
}
