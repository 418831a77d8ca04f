/**
 * `npm run bench:lambda`: the Dresden sample (17,879 photos) from an ingest.requested message to every hotspot
 * scored, once through the three workers as ECS-style services and once through their packaged Lambda zips
 * under `lambda:local` (LAMBDA_FUNCTIONS of libs/contracts, the processing schedule every 10 s), in
 * scratch databases on the local Postgres and an in-process SQS. For each way it prints the time to the
 * last hotspot scored; for the Lambda way, each function's invocations, records and handler time, and the
 * GB-seconds that time bills at the function's memory, each function's cold start (its bundle loaded, config
 * read, connections made), and how long processing's scheduled invocation takes once there is nothing to do
 * (what a quiet minute costs). The handler times are those of this machine's cores (a Lambda function's CPU
 * share grows with its memory; 1,769 MB is one vCPU).
 *
 * Env: DATABASE_URL names the server (default the local Postgres). Options: --rounds N (default 1).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { LAMBDA_FUNCTIONS, LAMBDA_WORKERS, QUEUES } from '@photospots/contracts';
import { createSqsClient, resolveQueues } from '@photospots/queue';
import { pipelineState, requestFileImport } from '@photospots/test-harness';
import { startLocalPipeline } from '../tools/eval/local-pipeline.ts';
import { packageWorker } from '../tools/lambda/package.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string' } } });
const ROUNDS = Number(values.rounds ?? 1);
const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PHOTOS = 17_879;
const COMMON = { LOG_LEVEL: 'warn', SQS_WAIT_TIME_SECONDS: '1', RESCORE_INTERVAL_MINUTES: '0', HEALTH_PORT: '0' };

interface Invocation {
  service: string;
  records: number;
  durationMs: number;
  at: number;
}

/** Seconds processing's schedule is left to run once all is settled, for its idle invocations. */
const IDLE_SECONDS = 25;

/** Runs the import one way; returns the seconds to settled and the invocations the Lambda runners logged. */
async function runOnce(way: 'ecs' | 'lambda', zips: Record<string, string>) {
  const pipeline = await startLocalPipeline({ adminUrl: ADMIN_URL, database: `photospots_bench_${way}`, reuse: false });
  const processes =
    way === 'ecs'
      ? LAMBDA_WORKERS.map((s) => pipeline.start(`apps/${s}/src/main.ts`, COMMON))
      : LAMBDA_WORKERS.map((s) =>
          pipeline.start('tools/lambda/local.ts', COMMON, [s, '--zip', zips[s]!, '--schedule-seconds', '10']),
        );
  try {
    const sqs = createSqsClient({ region: 'us-east-1', endpoint: pipeline.env.AWS_ENDPOINT_URL! });
    // Every queue under the scratch name the pipeline gave it.
    const queues = await resolveQueues(sqs, Object.fromEntries(QUEUES.map((q) => [q.key, pipeline.env[q.envVar]!])));
    // Every process is up and polling before the clock starts.
    await new Promise((r) => setTimeout(r, way === 'lambda' ? 6_000 : 3_000));
    const started = performance.now();
    await requestFileImport(sqs, queues.url);
    const deadline = Date.now() + 600_000;
    for (;;) {
      const s = await pipelineState(pipeline.database.sql, sqs, Object.values(queues.url));
      if (s.settled && s.photos === PHOTOS) break;
      if (Date.now() > deadline) throw new Error(`${way}: not settled in 10 min: ${JSON.stringify(s)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const seconds = (performance.now() - started) / 1000;
    const settledAt = Date.now();
    if (way === 'lambda') await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
    const [{ hotspots }] = await pipeline.database.sql<{ hotspots: number }[]>`
      select count(*)::int as hotspots from hotspots where status = 'active'`;
    sqs.destroy();
    const invocations: Invocation[] = [];
    const initMs: Record<string, number> = {};
    LAMBDA_WORKERS.forEach((service, i) => {
      if (way !== 'lambda') return;
      for (const line of processes[i]!.output().split('\n')) {
        if (!line.includes('"runner":"lambda:local"')) continue;
        const r = JSON.parse(line) as { msg: string; records: number; durationMs: number; at: number; initMs: number };
        if (r.msg === 'handler loaded') initMs[service] = r.initMs;
        if (r.msg === 'invoked') invocations.push({ service, records: r.records, durationMs: r.durationMs, at: r.at });
      }
    });
    return {
      seconds,
      hotspots: hotspots!,
      initMs,
      invocations: invocations.filter((i) => i.at <= settledAt),
      idle: invocations.filter((i) => i.at > settledAt && i.service === 'processing' && i.records === 0),
    };
  } finally {
    await Promise.all(processes.map((p) => p.stop()));
    await pipeline.close();
  }
}

const dir = mkdtempSync(path.join(tmpdir(), 'bench-lambda-'));
const zips: Record<string, string> = {};
for (const s of LAMBDA_WORKERS) zips[s] = (await packageWorker(s, dir)).zip;

for (let round = 1; round <= ROUNDS; round++) {
  const ecs = await runOnce('ecs', zips);
  const lambda = await runOnce('lambda', zips);
  console.log(
    `round ${round}: the Dresden sample (${PHOTOS.toLocaleString('en')} photos), message → every hotspot scored`,
  );
  console.log(`  ECS-style services        ${ecs.seconds.toFixed(1)} s  (${ecs.hotspots} hotspots)`);
  console.log(
    `  Lambda (lambda:local)     ${lambda.seconds.toFixed(1)} s  (${lambda.hotspots} hotspots; ${(lambda.seconds / ecs.seconds).toFixed(2)}× the services)`,
  );
  console.log('  function     invocations  records  handler s  GB-s (at its memory)  cold start');
  for (const s of LAMBDA_WORKERS) {
    const mine = lambda.invocations.filter((i) => i.service === s);
    const ms = mine.reduce((a, i) => a + i.durationMs, 0);
    const gbs = (ms / 1000) * (LAMBDA_FUNCTIONS[s].memoryMb / 1024);
    console.log(
      `  ${s.padEnd(12)} ${String(mine.length).padStart(11)}  ${String(mine.reduce((a, i) => a + i.records, 0)).padStart(7)}  ${(ms / 1000).toFixed(1).padStart(9)}  ${gbs.toFixed(1).padStart(6)} (${LAMBDA_FUNCTIONS[s].memoryMb} MB)  ${String(lambda.initMs[s] ?? '?').padStart(7)} ms`,
    );
  }
  const idle = lambda.idle.map((i) => i.durationMs).sort((a, b) => a - b);
  console.log(
    `  processing's scheduled invocation with nothing to do: ${idle.length > 0 ? idle.join(', ') : 'none seen'} ms (${idle.length} in ${IDLE_SECONDS} s)`,
  );
}
