/**
 * `npm run bench:chaos`: the bench:pipeline photos (1,000,000 by default) through the four services while a
 * seeded schedule injects faults, then a reconciliation. Each fault is one of:
 * - kill: SIGKILL of a random service task, which the harness starts again at once;
 * - pg-drop: every Postgres connection dropped at the fault proxy (closed or reset), for 0.5–3 s;
 * - pg-restart: a fast restart of the Postgres server (a scratch server of this bench's own);
 * - sqs-stop: the SQS endpoint refusing every connection for 10–30 s.
 * A fault's recovery time runs from the moment it is healed until every service is ready again and, while work
 * remains, the pipeline has moved (photos stored, tiles clustered, hotspots scored, messages relayed).
 * Reconciled at the end: every photo of the file stored exactly once; hotspots and memberships equal to a clean
 * rebuild of the same photos (processing's full rebuild in a second database); no dead letter; every service
 * ready. The last line is `chaos: <faults> faults, <lost> lost, <duplicated> duplicated, <dead> dead letters,
 * recovery p95 <ms> ms`; the exit code is 1 when anything does not reconcile.
 *
 * Options: --photos N (default 1,000,000), --faults N (default 12, at least 10), --seed N (default 1),
 * --processing-tasks N (default 2). REDIS_URL names the Redis (default 127.0.0.1:6379).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline as streamPipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { ingestRequested } from '@photospots/contracts';
import { createDatabase, runMigrations, type Database } from '@photospots/db';
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
  freePort,
  REPO_ROOT,
  seededRandom,
  startFaultProxy,
  startProcess,
  type ServiceProcess,
} from '@photospots/test-harness';
import { buildApp } from 'fauxqs';
import { pino } from 'pino';
import { STAGING_COLUMNS } from '../apps/ingest/src/photos/photo-store.ts';
import { startScratchPostgres } from './scratch-postgres.ts';
import { writeSyntheticLbsnCsv } from './synthetic-photos.ts';

const { values } = parseArgs({
  options: {
    photos: { type: 'string' },
    faults: { type: 'string' },
    seed: { type: 'string' },
    'processing-tasks': { type: 'string' },
  },
});
const N = Number(values.photos ?? 1_000_000);
const FAULTS = Math.max(10, Number(values.faults ?? 12));
const SEED = Number(values.seed ?? 1);
const PROCESSING_TASKS = Number(values['processing-tasks'] ?? 2);
/** A fault not recovered from in this long fails the run. */
const RECOVERY_LIMIT_MS = 180_000;

type FaultKind = 'kill' | 'pg-drop' | 'pg-restart' | 'sqs-stop';
interface FaultRecord {
  at: number;
  kind: FaultKind;
  detail: string;
  healedMs: number;
  recoveryMs: number | undefined;
}

const random = seededRandom(SEED);
const pickOne = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const between = (lo: number, hi: number) => lo + random() * (hi - lo);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const dir = mkdtempSync(path.join(tmpdir(), 'chaos-'));
const file = path.join(dir, 'photos.csv');
console.log(`writing ${N.toLocaleString('en')} synthetic photos as an LBSN CSV …`);
await writeSyntheticLbsnCsv(file, N);

const postgres = await startScratchPostgres();
const databaseUrl = (name: string) => {
  const u = new URL(postgres.adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
};
const admin = createDatabase(postgres.adminUrl, { max: 1 });
await admin.sql`create database photospots_chaos`;
await admin.sql`create database photospots_chaos_clean`;
await runMigrations(databaseUrl('photospots_chaos'));
await runMigrations(databaseUrl('photospots_chaos_clean'));
/** The bench's own view of the database, straight to the server (not through the fault proxy). */
const db = createDatabase(databaseUrl('photospots_chaos'), { max: 2, applicationName: 'chaos-monitor' });

const fauxqs = buildApp({ logger: false });
await fauxqs.listen({ port: 0, host: '127.0.0.1' });
const sqsEndpoint = `http://127.0.0.1:${(fauxqs.server.address() as AddressInfo).port}`;
const names = prefixedQueueNames('chaos-');
const sqs = createSqsClient({ region: 'us-east-1', endpoint: sqsEndpoint });
await setupQueues(sqs, queueDefinitions(names));
const queues = await resolveQueues(sqs, names);

const proxies = {
  postgres: await startFaultProxy('127.0.0.1', postgres.port),
  sqs: await startFaultProxy('127.0.0.1', Number(new URL(sqsEndpoint).port)),
};
const common: Record<string, string> = {
  DATABASE_URL: proxies.postgres.url(databaseUrl('photospots_chaos')),
  AWS_ENDPOINT_URL: `http://127.0.0.1:${proxies.sqs.port}`,
  AWS_REGION: 'us-east-1',
  ...queueEnvVars(names),
  REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  REDIS_KEY_PREFIX: `bench-chaos-${process.pid}:`,
  LOG_LEVEL: 'warn',
  SQS_WAIT_TIME_SECONDS: '2',
  // A killed task's message comes back after this; heartbeats keep a live task's message hidden.
  SQS_VISIBILITY_TIMEOUT_SECONDS: '15',
  RESCORE_INTERVAL_MINUTES: '0',
  HEALTH_HOST: '127.0.0.1',
  HOST: '127.0.0.1',
};

interface Task {
  name: string;
  app: string;
  port: number;
  process?: ServiceProcess;
  restarts: number;
}
const tasks: Task[] = [
  { name: 'ingest', app: 'ingest', port: await freePort(), restarts: 0 },
  ...(await Promise.all(
    Array.from({ length: PROCESSING_TASKS }, async (_, i) => ({
      name: `processing#${i + 1}`,
      app: 'processing',
      port: await freePort(),
      restarts: 0,
    })),
  )),
  { name: 'scoring', app: 'scoring', port: await freePort(), restarts: 0 },
  { name: 'query-api', app: 'query-api', port: await freePort(), restarts: 0 },
];
const start = (t: Task) => {
  const env = { ...common, ...(t.app === 'query-api' ? { PORT: String(t.port) } : { HEALTH_PORT: String(t.port) }) };
  t.process = startProcess(t.name, process.execPath, [path.join(REPO_ROOT, 'apps', t.app, 'src', 'main.ts')], env);
};
const ready = async (t: Task) => {
  try {
    return (await fetch(`http://127.0.0.1:${t.port}/readyz`, { signal: AbortSignal.timeout(3_000) })).ok;
  } catch {
    return false;
  }
};
const allReady = async () => (await Promise.all(tasks.map(ready))).every(Boolean);

const depth = async (url: string) => {
  const a =
    (
      await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: [
            'ApproximateNumberOfMessages',
            'ApproximateNumberOfMessagesNotVisible',
            'ApproximateNumberOfMessagesDelayed',
          ],
        }),
      )
    ).Attributes ?? {};
  return (
    Number(a.ApproximateNumberOfMessages ?? 0) +
    Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) +
    Number(a.ApproximateNumberOfMessagesDelayed ?? 0)
  );
};

/** How far the pipeline is: any change means it moved. */
interface Progress {
  photos: number;
  dirty: number;
  outbox: number;
  hotspots: number;
  unscored: number;
  lastWrite: string;
}
async function progress(): Promise<Progress | undefined> {
  try {
    const [row] = await db.sql<Progress[]>`
      select (select count(*) from photos)::int as photos, (select count(*) from dirty_tiles)::int as dirty,
             (select count(*) from outbox)::int as outbox, (select count(*) from hotspots where status = 'active')::int as hotspots,
             (select count(*) from hotspots where status = 'active' and (scored_at is null or scored_at < updated_at))::int as unscored,
             coalesce((select greatest(max(updated_at), max(scored_at))::text from hotspots), '') as "lastWrite"`;
    return row;
  } catch {
    return undefined; // the server is restarting
  }
}
const settledNow = async (p: Progress | undefined) =>
  p !== undefined &&
  p.photos === N &&
  p.dirty === 0 &&
  p.outbox === 0 &&
  p.unscored === 0 &&
  p.hotspots > 0 &&
  (await Promise.all(Object.values(queues.url).map(depth))).every((d) => d === 0);
const sameProgress = (a: Progress, b: Progress) =>
  a.photos === b.photos &&
  a.dirty === b.dirty &&
  a.outbox === b.outbox &&
  a.hotspots === b.hotspots &&
  a.unscored === b.unscored &&
  a.lastWrite === b.lastWrite;

/** Injects one fault and heals it; resolves with what was done and when it was healed. */
async function inject(kind: FaultKind): Promise<{ detail: string }> {
  switch (kind) {
    case 'kill': {
      const t = pickOne(tasks);
      await t.process!.stop('SIGKILL');
      t.restarts++;
      start(t);
      return { detail: t.name };
    }
    case 'pg-drop': {
      const reset = random() < 0.5;
      const ms = between(500, 3_000);
      proxies.postgres.cut({ reset });
      await sleep(ms);
      proxies.postgres.restore();
      return { detail: `${reset ? 'reset' : 'closed'}, ${seconds(ms)}` };
    }
    case 'pg-restart': {
      await postgres.restart();
      return { detail: 'fast restart' };
    }
    case 'sqs-stop': {
      const ms = between(10_000, 30_000);
      proxies.sqs.cut({ reset: true });
      await sleep(ms);
      proxies.sqs.restore();
      return { detail: seconds(ms) };
    }
  }
}

const KINDS: FaultKind[] = ['kill', 'kill', 'kill', 'pg-drop', 'pg-drop', 'pg-restart', 'sqs-stop'];
const faults: FaultRecord[] = [];
let exitCode = 0;
const t0 = performance.now();
const now = () => performance.now() - t0;
try {
  for (const t of tasks) start(t);
  const deadline = Date.now() + 60_000;
  while (!(await allReady())) {
    if (Date.now() > deadline)
      throw new Error(
        `services not ready:\n${tasks.map((t) => `${t.name}: ${t.process!.output().slice(-1500)}`).join('\n')}`,
      );
    await sleep(250);
  }
  const publisher = new MessagePublisher({
    sqs,
    queueUrls: queues.url,
    producer: 'test',
    log: pino({ level: 'silent' }),
  });
  await publisher.publish(ingestRequested, { kind: 'file-import', location: file, format: 'lbsn-csv' });
  console.log(`import of ${N.toLocaleString('en')} photos requested; ${FAULTS} faults follow (seed ${SEED})`);
  console.log('  #      t  fault        target                       recovery');

  let next = 2_000;
  while (faults.length < FAULTS) {
    await sleep(Math.max(0, next - now()));
    const kind = pickOne(KINDS);
    const at = now();
    const { detail } = await inject(kind);
    const healed = now();
    const before = await progress();
    const workLeft = !(await settledNow(before));
    // Recovered: every service ready again, and (while work remains) the pipeline has moved.
    let recoveryMs: number | undefined;
    for (;;) {
      const p = await progress();
      const moved =
        !workLeft ||
        (before === undefined
          ? p !== undefined
          : p !== undefined && (!sameProgress(before, p) || (await settledNow(p))));
      if (moved && (await allReady())) {
        recoveryMs = now() - healed;
        break;
      }
      if (now() - healed > RECOVERY_LIMIT_MS) break;
      await sleep(100);
    }
    faults.push({ at, kind, detail, healedMs: healed - at, recoveryMs });
    console.log(
      `${String(faults.length).padStart(3)} ${seconds(at).padStart(7)}  ${kind.padEnd(11)}  ${detail.padEnd(27)}  ${recoveryMs === undefined ? `not recovered in ${seconds(RECOVERY_LIMIT_MS)}` : `${Math.round(recoveryMs)} ms`}`,
    );
    next = now() + between(2_000, 6_000);
  }

  // Everything settles: every photo stored, every tile clustered, every hotspot scored, every queue empty.
  const settleDeadline = now() + 30 * 60_000;
  while (!(await settledNow(await progress()))) {
    if (now() > settleDeadline) throw new Error('the pipeline did not settle within 30 minutes of the last fault');
    await sleep(1_000);
  }
  const settledAt = now();

  const [counts] = await db.sql<{ photos: number; distinct: number; expected: number }[]>`
    select count(*)::int as photos, count(distinct source_id)::int as distinct,
           count(distinct source_id) filter (where source_id ~ '^s[0-9]{1,9}$' and substr(source_id, 2)::int < ${N})::int as expected
    from photos`;
  const lost = N - counts!.expected;
  const duplicated = counts!.photos - counts!.distinct;
  const deadByQueue = await Promise.all(
    Object.entries(queues.deadLetterUrl).map(async ([q, url]) => [q, url ? await depth(url) : 0] as const),
  );
  const dead = deadByQueue.reduce((s, [, d]) => s + d, 0);
  // A dead letter fails the run: say what it was, and what the services logged as errors.
  for (const [q, d] of deadByQueue) {
    if (d === 0) continue;
    const got = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queues.deadLetterUrl[q as keyof typeof queues.deadLetterUrl]!,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );
    for (const m of got.Messages ?? [])
      console.log(`dead letter in ${q}: ${JSON.stringify(m.MessageAttributes ?? {})} ${m.Body?.slice(0, 400)}`);
  }
  if (dead > 0) {
    for (const t of tasks)
      for (const line of t
        .process!.output()
        .split('\n')
        .filter((l) => /"level":(50|60)/.test(l))
        .slice(-5))
        console.log(`${t.name} logged: ${line.slice(0, 600)}`);
  }
  const notReady = (await Promise.all(tasks.map(async (t) => ((await ready(t)) ? undefined : t.name)))).filter(Boolean);

  // The clean rebuild: the same photos in a second database, clustered and named from scratch in one pass.
  const clean = createDatabase(databaseUrl('photospots_chaos_clean'), { max: 1 });
  const columns = STAGING_COLUMNS.join(', ');
  const chunks: Buffer[] = [];
  for await (const chunk of await db.sql`copy (select ${db.sql.unsafe(columns)} from photos order by id) to stdout with (format binary)`.readable())
    chunks.push(chunk as Buffer);
  const into = await clean.sql`copy photos (${clean.sql.unsafe(columns)}) from stdin with (format binary)`.writable();
  await streamPipeline(Readable.from([Buffer.concat(chunks)]), into);
  const cleanNames = prefixedQueueNames('chaos-clean-');
  await setupQueues(sqs, queueDefinitions(cleanNames));
  const rebuild = startProcess(
    'rebuild',
    process.execPath,
    [path.join(REPO_ROOT, 'apps/processing/src/cli.ts'), 'rebuild'],
    {
      ...common,
      ...queueEnvVars(cleanNames),
      DATABASE_URL: databaseUrl('photospots_chaos_clean'),
      AWS_ENDPOINT_URL: sqsEndpoint,
      DATABASE_STATEMENT_TIMEOUT_MS: '0',
    },
  );
  const rebuildExit = await new Promise<number | null>((resolve) =>
    rebuild.child.once('exit', (code) => resolve(code)),
  );
  if (rebuildExit !== 0) throw new Error(`the clean rebuild failed:\n${rebuild.output().slice(-2000)}`);
  const memberships = async (d: Database) =>
    new Set(
      (
        await d.sql<{ members: string }[]>`
          select string_agg(p.source_id, ',' order by p.source_id) as members
          from hotspot_photos hp join hotspots h on h.id = hp.hotspot_id join photos p on p.id = hp.photo_id
          where h.status = 'active' group by hp.hotspot_id`
      ).map((r) => r.members),
    );
  const [ours, theirs] = [await memberships(db), await memberships(clean)];
  const differing = [...ours].filter((m) => !theirs.has(m)).length + [...theirs].filter((m) => !ours.has(m)).length;
  await clean.close();

  const recoveries = faults
    .map((f) => f.recoveryMs)
    .filter((ms): ms is number => ms !== undefined)
    .sort((a, b) => a - b);
  const quantile = (q: number) =>
    recoveries.length ? recoveries[Math.min(recoveries.length - 1, Math.ceil(q * recoveries.length) - 1)]! : 0;
  const unrecovered = faults.length - recoveries.length;
  console.log('');
  console.log(
    `settled ${seconds(settledAt)} after the import request; tasks restarted: ${tasks.map((t) => `${t.name} ${t.restarts}`).join(', ')}`,
  );
  console.log(
    `recovery: p50 ${Math.round(quantile(0.5))} ms, p95 ${Math.round(quantile(0.95))} ms, max ${Math.round(recoveries.at(-1) ?? 0)} ms${unrecovered ? `; ${unrecovered} not recovered` : ''}`,
  );
  console.log(
    `photos: ${counts!.photos.toLocaleString('en')} stored, ${counts!.expected.toLocaleString('en')} of the file's ${N.toLocaleString('en')}`,
  );
  console.log(
    `hotspots: ${ours.size.toLocaleString('en')} (clean rebuild ${theirs.size.toLocaleString('en')}), memberships ${differing === 0 ? 'equal' : `differ in ${differing} hotspots`}`,
  );
  console.log(
    `dead letters: ${deadByQueue.map(([q, d]) => `${q} ${d}`).join(', ')}; not ready: ${notReady.length ? notReady.join(', ') : 'none'}`,
  );
  if (lost || duplicated || dead || unrecovered || differing || notReady.length) exitCode = 1;
  console.log(
    `chaos: ${faults.length} faults, ${lost} lost, ${duplicated} duplicated, ${dead} dead letters, recovery p95 ${Math.round(quantile(0.95))} ms`,
  );
} catch (err) {
  exitCode = 1;
  console.error(err);
  for (const t of tasks) console.error(`--- ${t.name}\n${t.process?.output().slice(-3000) ?? ''}`);
} finally {
  await Promise.all(tasks.map((t) => t.process?.stop('SIGTERM')));
  await Promise.all(Object.values(proxies).map((p) => p.close()));
  sqs.destroy();
  await db.close();
  await admin.close();
  await fauxqs.close();
  postgres.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(exitCode);
