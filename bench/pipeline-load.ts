/**
 * `npm run bench:pipeline`: synthetic photos end to end on the local stack
 * (the four services as processes, Postgres, Redis, fauxqs), at one size or
 * several. Per size: the import rate beside a plain `psql \copy` of the same
 * CSV into an unindexed table (same run), when each stage finished (import,
 * clustering and naming, scoring, the API's index), the CPU seconds each
 * service and Postgres spent, peak memory per service, the database's size,
 * queue depths over time, and a reconciliation (every photo stored once,
 * nothing left in any dead-letter queue). Given several sizes, it ends with
 * each stage's growth from the smallest size to each larger one.
 *
 * Options: --photos N[,N…] (default 1,000,000; e.g. 1000000,3000000,10000000 for the slope), --region
 * country|city (default country: Germany's extent, 2,000 towns; city: a 30 km square around Dresden),
 * --processing-tasks N (default 2: one per core here; production runs 1–16 processing tasks, which claim
 * disjoint areas), --floor (also time a binary COPY of the stored rows into an empty copy of `photos`, the
 * floor for any import; holds the rows in memory), --statements (the scratch server loads pg_stat_statements;
 * each size ends with the statements that took most of Postgres's time). DATABASE_URL names the Postgres server
 * (default: a scratch server of its own, see below); REDIS_URL the Redis.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline as streamPipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { ingestRequested } from '@photospots/contracts';
import { createSqsClient, MessagePublisher, resolveQueues } from '@photospots/queue';
import { FILE_IMPORT_JOB, type Sql } from '@photospots/db';
import { freePort } from '@photospots/test-harness';
import { pino } from 'pino';
import { STAGING_COLUMNS } from '../apps/ingest/src/photos/photo-store.ts';
import { startLocalPipeline } from '../tools/eval/local-pipeline.ts';
import { cpuTimeUs, residentBytes, statFields, ticksToSeconds } from './process-cpu.ts';
import { startScratchPostgres } from './scratch-postgres.ts';
import { writeSyntheticLbsnCsv, type SyntheticRegion } from './synthetic-photos.ts';

const { values } = parseArgs({
  options: {
    photos: { type: 'string' },
    region: { type: 'string' },
    'processing-tasks': { type: 'string' },
    floor: { type: 'boolean' },
    statements: { type: 'boolean' },
  },
});
const SIZES = (values.photos ?? '1000000').split(',').map(Number);
if (SIZES.some((n) => !Number.isSafeInteger(n) || n < 1000)) throw new Error('--photos takes sizes of at least 1000');
const REGION = (values.region ?? 'country') as SyntheticRegion;
if (REGION !== 'country' && REGION !== 'city') throw new Error('--region is country or city');
const PROCESSING_TASKS = Number(values['processing-tasks'] ?? 2);
/**
 * The server: DATABASE_URL's, or (without it) a scratch server of its own sized as RDS sizes one for this
 * machine's memory: shared buffers a quarter of it (RDS's default), the planner told the rest is cache, and
 * checkpoints spaced for bulk writes. Debian's default of 128 MB of shared buffers measures the kernel's page
 * copies once `photos` outgrows it, not the pipeline.
 */
const scratch = process.env.DATABASE_URL
  ? undefined
  : await startScratchPostgres({
      shared_buffers: `${Math.min(8192, Math.floor(totalmem() / 4 / 2 ** 20))}MB`,
      effective_cache_size: `${Math.floor((totalmem() * 0.75) / 2 ** 20)}MB`,
      max_wal_size: '8GB',
      checkpoint_timeout: '15min',
      ...(values.statements
        ? { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.max': '1000' }
        : {}),
    });
if (values.statements && !scratch) throw new Error('--statements needs the scratch server: unset DATABASE_URL');
const adminUrl = process.env.DATABASE_URL ?? scratch!.adminUrl;
if (scratch) {
  const shown = execFileSync('psql', [adminUrl, '-Atc', 'show shared_buffers']).toString().trim();
  console.log(
    `a scratch Postgres server of its own: shared_buffers ${shown} (a quarter of ${Math.round(totalmem() / 2 ** 30)} GB)`,
  );
  process.on('exit', () => scratch.stop());
}
const DATABASE = 'photospots_bench_pipeline';

/** Rows/s of a plain psql \copy of the CSV into an unindexed table: the ceiling for any import. */
function plainCopy(file: string, rows: number): number {
  const url = new URL(adminUrl);
  url.pathname = `/${DATABASE}`;
  const psql = (sql: string) =>
    execFileSync('psql', [url.toString(), '-qc', sql], { stdio: ['ignore', 'ignore', 'inherit'] });
  psql('drop table if exists plain_copy');
  psql(
    'create table plain_copy (origin_id text, lat float8, lng float8, guid text, user_guid text, created text, published text, body text, tags text, emoji text, views int, likes int, loc_id text, loc_name text)',
  );
  const t = performance.now();
  psql(`\\copy plain_copy from '${file}' with (format csv, header true)`);
  const s = (performance.now() - t) / 1000;
  psql('drop table plain_copy');
  return rows / s;
}

/** Resident memory in MB (0 once the process is gone). */
const rssMb = (pid: number | undefined) => residentBytes(pid) / 2 ** 20 || 0;

/** The server's postmaster: the parent of its checkpointer, a process that lives as long as the server. */
function postmasterPid(url: string): number {
  const checkpointer = execFileSync('psql', [
    url,
    '-Atc',
    "select pid from pg_stat_activity where backend_type = 'checkpointer'",
  ])
    .toString()
    .trim();
  return Number(statFields(checkpointer)[1]);
}

/**
 * CPU seconds of one Postgres server so far: its postmaster, the processes it runs now (backends, background
 * workers) and, through the postmaster's children's times, those that have exited.
 */
function postgresCpuSeconds(postmaster: number): number {
  const own = statFields(postmaster);
  let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = statFields(entry);
      if (Number(fields[1]) === postmaster) ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // The process exited meanwhile.
    }
  }
  return ticksToSeconds(ticks);
}

/** The statements that took most of the server's time since the run's reset, as a table. */
async function topStatements(sql: Sql): Promise<string> {
  const rows = await sql<
    { calls: number; total_s: number; mean_ms: number; rows: number; hit: number; read: number; query: string }[]
  >`
    select calls::float8 as calls, total_exec_time / 1000 as total_s, mean_exec_time as mean_ms, rows::float8 as rows,
           shared_blks_hit::float8 as hit, shared_blks_read::float8 as read, query
    from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database())
    order by total_exec_time desc limit 12`;
  const all = rows.reduce((sum, r) => sum + r.total_s, 0);
  const n = (x: number) => Math.round(x).toLocaleString('en');
  const lines = rows.map(
    (r) =>
      `  ${r.total_s.toFixed(1).padStart(8)} ${n(r.calls).padStart(10)} ${r.mean_ms.toFixed(2).padStart(9)} ${n(r.rows).padStart(12)} ${n(r.hit).padStart(14)} ${n(r.read).padStart(11)}  ${r.query.replace(/\s+/g, ' ').slice(0, 110)}`,
  );
  return `  statements by time (top 12, ${all.toFixed(0)} s in all):\n  ${'total s'.padStart(8)} ${'calls'.padStart(10)} ${'mean ms'.padStart(9)} ${'rows'.padStart(12)} ${'blocks hit'.padStart(14)} ${'read'.padStart(11)}  query\n${lines.join('\n')}\n`;
}

interface Run {
  photos: number;
  /** Seconds from the request until each stage finished. */
  ends: Record<Stage, number>;
  /** CPU seconds each stage's service spent (processing: all its tasks), and Postgres. */
  cpu: Record<Stage | 'postgres', number>;
  peakRssMb: Record<string, number>;
  databaseMb: number;
  hotspots: number;
  /** Photos processing's claims read, per photo stored. */
  readPerPhoto: number;
}

const STAGES = ['import', 'clustering and naming', 'scoring', 'index'] as const;
type Stage = (typeof STAGES)[number];
/** The service doing each stage. */
const SERVICE_OF: Record<Stage, string> = {
  import: 'ingest',
  'clustering and naming': 'processing',
  scoring: 'scoring',
  index: 'query-api',
};

async function runOnce(N: number): Promise<Run> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pipeline-load-'));
  const file = path.join(dir, 'photos.csv');
  console.log(`\nwriting ${N.toLocaleString('en')} synthetic photos (${REGION}) as an LBSN CSV …`);
  await writeSyntheticLbsnCsv(file, N, REGION);
  const pipeline = await startLocalPipeline({ adminUrl, database: DATABASE, reuse: false });
  const copyRate = plainCopy(file, N);
  if (values.statements) {
    await pipeline.database.sql`create extension if not exists pg_stat_statements`;
    await pipeline.database.sql`select pg_stat_statements_reset()`;
  }
  /** One process per task: the services as ECS runs them, with PROCESSING_TASKS processing tasks. */
  const tasks = [
    { app: 'ingest', name: 'ingest' },
    ...Array.from({ length: PROCESSING_TASKS }, (_, i) => ({
      app: 'processing',
      name: PROCESSING_TASKS > 1 ? `processing#${i + 1}` : 'processing',
    })),
    { app: 'scoring', name: 'scoring' },
    { app: 'query-api', name: 'query-api' },
  ];
  const apiPort = await freePort();
  const common = {
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_KEY_PREFIX: `bench-pipeline-${process.pid}-${N}:`,
    SQS_WAIT_TIME_SECONDS: '2',
    RESCORE_INTERVAL_MINUTES: '0',
    HEALTH_PORT: '0',
    PORT: '0',
  };
  // Processing logs each claim it re-clusters (info): the bench adds up the photos they read.
  const envOf = (app: string) =>
    app === 'query-api'
      ? { ...common, PORT: String(apiPort) }
      : app === 'processing'
        ? { ...common, LOG_LEVEL: 'info' }
        : common;
  const services = tasks.map((t) => pipeline.start(`apps/${t.app}/src/main.ts`, envOf(t.app)));
  const peak: Record<string, number> = {};
  try {
    await new Promise((r) => setTimeout(r, 3000));
    const sqs = createSqsClient({ region: 'us-east-1', endpoint: pipeline.env.AWS_ENDPOINT_URL! });
    const names = {
      ingest: pipeline.env.QUEUE_INGEST!,
      photosIngested: pipeline.env.QUEUE_PHOTOS_INGESTED!,
      hotspotsChanged: pipeline.env.QUEUE_HOTSPOTS_CHANGED!,
    };
    const queues = await resolveQueues(sqs, names);
    const depth = async (url: string) => {
      const a =
        (
          await sqs.send(
            new GetQueueAttributesCommand({
              QueueUrl: url,
              AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
            }),
          )
        ).Attributes ?? {};
      return Number(a.ApproximateNumberOfMessages ?? 0) + Number(a.ApproximateNumberOfMessagesNotVisible ?? 0);
    };
    /** Hotspots in the API's in-process index (undefined while it cannot serve). */
    const indexed = async () => {
      try {
        const text = await (await fetch(`http://127.0.0.1:${apiPort}/metrics`)).text();
        const m = /^photospots_api_index_hotspots (\d+)/m.exec(text);
        return m ? Number(m[1]) : undefined;
      } catch {
        return undefined;
      }
    };
    const publisher = new MessagePublisher({
      sqs,
      queueUrls: queues.url,
      producer: 'test',
      log: pino({ level: 'silent' }),
    });
    const postmaster = postmasterPid(adminUrl);
    const cpuBefore = { postgres: postgresCpuSeconds(postmaster) };
    // Stage ends are read off the database's clock (the checkpoint, the hotspots' last writes), so the 2 s
    // progress table below does not round them up; only the index's end is seen by polling.
    const [{ at: requestedAt }] = await pipeline.database.sql<
      { at: number }[]
    >`select extract(epoch from clock_timestamp())::float8 as at`;
    const started = performance.now();
    await publisher.publish(ingestRequested, { kind: 'file-import', location: file, format: 'lbsn-csv' });
    let settledAt = 0;
    let imported = false;
    console.log(
      `   s  photos≈  dirty  q:ingest q:photos q:hotspots  unscored  indexed   RSS MB (${tasks.map((t) => t.name).join(' / ')})`,
    );
    for (;;) {
      await new Promise((r) => setTimeout(r, 2000));
      // Cheap progress only: a count(*) over millions of photos every 2 s would load the server it measures.
      const [row] = await pipeline.database.sql<
        { photos: number; dirty: number; unscored: number; outbox: number; hotspots: number; imported: boolean }[]
      >`
        select (select n_live_tup from pg_stat_user_tables where relname = 'photos')::int as photos,
               (select count(*) from dirty_tiles)::int as dirty, (select count(*) from outbox)::int as outbox,
               (select count(*) from hotspots where status = 'active')::int as hotspots,
               (select count(*) from hotspots where status = 'active' and (scored_at is null or scored_at < updated_at))::int as unscored,
               exists (select from ingest_checkpoints where job = ${FILE_IMPORT_JOB} and key = ${file} and done) as imported`;
      const q = [
        await depth(queues.url.ingest),
        await depth(queues.url.photosIngested),
        await depth(queues.url.hotspotsChanged),
      ];
      const inIndex = await indexed();
      const rss = services.map((s, i) => {
        const mb = rssMb(s.pid());
        peak[tasks[i]!.name] = Math.max(peak[tasks[i]!.name] ?? 0, mb);
        return Math.round(mb);
      });
      const t = (performance.now() - started) / 1000;
      console.log(
        `${t.toFixed(0).padStart(4)} ${String(row!.photos).padStart(8)} ${String(row!.dirty).padStart(6)} ${q.map((d) => String(d).padStart(8)).join(' ')} ${String(row!.unscored).padStart(9)} ${String(inIndex ?? '-').padStart(8)}   ${rss.join(' / ')}`,
      );
      imported ||= row!.imported;
      if (
        imported &&
        row!.dirty === 0 &&
        row!.outbox === 0 &&
        row!.unscored === 0 &&
        row!.hotspots > 0 &&
        inIndex === row!.hotspots &&
        q.every((d) => d === 0)
      ) {
        settledAt = t;
        break;
      }
      if (t > 3600) throw new Error('the pipeline did not settle within an hour');
    }
    const cpu = Object.fromEntries(
      STAGES.map((stage) => [
        stage,
        services.reduce((sum, s, i) => sum + (tasks[i]!.app === SERVICE_OF[stage] ? cpuTimeUs(s.pid()) / 1e6 : 0), 0),
      ]),
    ) as Record<Stage, number>;
    const postgresCpu = postgresCpuSeconds(postmaster) - cpuBefore.postgres;
    const [at] = await pipeline.database.sql<{ imported: number; clustered: number; scored: number }[]>`
      select (select extract(epoch from max(updated_at)) from ingest_checkpoints where job = ${FILE_IMPORT_JOB} and key = ${file} and done)::float8 - ${requestedAt!} as imported,
             (select extract(epoch from max(updated_at)) from hotspots)::float8 - ${requestedAt!} as clustered,
             (select extract(epoch from max(scored_at)) from hotspots)::float8 - ${requestedAt!} as scored`;
    const clustering = claimsRead(
      services.filter((_, i) => tasks[i]!.app === 'processing').map((s) => s.output()),
      (requestedAt! + at!.imported) * 1000,
    );
    const deadLetterQueues = Object.entries(queues.deadLetterUrl);
    const dead = await Promise.all(deadLetterQueues.map(([, u]) => (u ? depth(u) : 0)));
    // A dead letter fails the reconciliation: say which queue, what the message was, and what the services logged as errors.
    for (const [i, [name, url]] of deadLetterQueues.entries()) {
      if (!url || dead[i] === 0) continue;
      const got = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      for (const m of got.Messages ?? []) console.log(`dead letter in ${name}: ${m.Body?.slice(0, 500)}`);
    }
    if (dead.some((d) => d > 0)) {
      services.forEach((s, i) => {
        const errors = s
          .output()
          .split('\n')
          .filter((l) => /"level":(50|60)/.test(l));
        for (const line of errors.slice(-5)) console.log(`${tasks[i]!.name} logged: ${line.slice(0, 600)}`);
      });
    }
    const [rec] = await pipeline.database.sql<
      {
        photos: number;
        distinct_sources: number;
        hotspots: number;
        members: number;
        distinct_members: number;
        database_mb: number;
      }[]
    >`
      select (select count(*) from photos)::int as photos, (select count(distinct source_id) from photos)::int as distinct_sources,
             (select count(*) from hotspots where status = 'active')::int as hotspots,
             (select count(*) from hotspot_photos)::int as members, (select count(distinct photo_id) from hotspot_photos)::int as distinct_members,
             pg_database_size(current_database())::float8 / 1048576 as database_mb`;
    sqs.destroy();
    await Promise.all(services.map((s) => s.stop()));
    const statements = values.statements ? await topStatements(pipeline.database.sql) : '';
    let floor = '';
    if (values.floor) {
      // The floor under any import into this table on this server: the same rows, already in COPY's binary form
      // and in memory, copied in one statement into an empty copy of `photos` (its indexes, defaults and checks).
      const COLUMNS = STAGING_COLUMNS.join(', ');
      const chunks: Buffer[] = [];
      for await (const chunk of await pipeline.database
        .sql`copy (select ${pipeline.database.sql.unsafe(COLUMNS)} from photos order by id) to stdout with (format binary)`.readable())
        chunks.push(chunk as Buffer);
      const rows = Buffer.concat(chunks);
      await pipeline.database.sql`create table photos_floor (like photos including all)`;
      const floorStarted = performance.now();
      const into = await pipeline.database
        .sql`copy photos_floor (${pipeline.database.sql.unsafe(COLUMNS)}) from stdin with (format binary)`.writable();
      await streamPipeline(Readable.from([rows]), into);
      const floorSeconds = (performance.now() - floorStarted) / 1000;
      await pipeline.database.sql`drop table photos_floor`;
      floor = `  COPY alone: the rows into an empty indexed copy of photos ${floorSeconds.toFixed(2)} s = ${((100 * N) / floorSeconds / copyRate).toFixed(1)}% of the copy (no import can beat this here)\n`;
    }
    const ends: Record<Stage, number> = {
      import: at!.imported,
      'clustering and naming': at!.clustered,
      scoring: at!.scored,
      index: settledAt,
    };
    const rssOf = (service: string) =>
      Math.max(...tasks.filter((t) => t.app === service).map((t) => Math.round(peak[t.name] ?? 0)));
    console.log('');
    console.log(
      `pipeline: ${N.toLocaleString('en')} photos (${REGION}) from file to hotspots served (${PROCESSING_TASKS} processing task${PROCESSING_TASKS > 1 ? 's' : ''})`,
    );
    console.log(`  plain psql \\copy into an unindexed table   ${Math.round(copyRate).toLocaleString('en')} rows/s`);
    console.log(
      `  import stage (validated, upserted, announced) ${ends.import.toFixed(2)} s: ${Math.round(N / ends.import).toLocaleString('en')} photos/s = ${((100 * N) / ends.import / copyRate).toFixed(1)}% of the copy`,
    );
    process.stdout.write(floor);
    console.log(`  stage            ends at (s)   CPU s   peak RSS MB (goal < 1,536)`);
    for (const stage of STAGES)
      console.log(
        `  ${stage.padEnd(22)} ${ends[stage].toFixed(1).padStart(7)} ${cpu[stage].toFixed(1).padStart(7)}   ${rssOf(SERVICE_OF[stage])}`,
      );
    console.log(`  ${'postgres'.padEnd(22)} ${''.padStart(7)} ${postgresCpu.toFixed(1).padStart(7)}`);
    console.log(
      `  file → every hotspot scored and served      ${settledAt.toFixed(0)} s; ${Math.round(N / settledAt).toLocaleString('en')} photos/s end to end`,
    );
    console.log(
      `  clustering read                             ${clustering.photosRead.toLocaleString('en')} photos in ${clustering.claims.toLocaleString('en')} claims: ${(clustering.photosRead / N).toFixed(2)} per photo; ${(clustering.duringImport / N).toFixed(2)} per photo before the import ended`,
    );
    console.log(
      `  database size                               ${Math.round(rec!.database_mb).toLocaleString('en')} MB`,
    );
    console.log(
      `  reconciled                                  photos ${rec!.photos} (distinct ${rec!.distinct_sources}), ${rec!.hotspots} hotspots, memberships ${rec!.members} (distinct photos ${rec!.distinct_members}), dead letters ${dead.reduce((a, b) => a + b, 0)}`,
    );
    process.stdout.write(statements);
    if (rec!.photos !== N || rec!.distinct_sources !== N || dead.some((d) => d > 0))
      throw new Error('the reconciliation failed: see above');
    return {
      photos: N,
      ends,
      cpu: { ...cpu, postgres: postgresCpu },
      peakRssMb: Object.fromEntries(['ingest', 'processing', 'scoring', 'query-api'].map((s) => [s, rssOf(s)])),
      databaseMb: rec!.database_mb,
      hotspots: rec!.hotspots,
      readPerPhoto: clustering.photosRead / N,
    };
  } finally {
    await Promise.all(services.map((s) => s.stop()));
    await pipeline.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const runs: Run[] = [];
for (const n of SIZES) runs.push(await runOnce(n));

if (runs.length > 1) {
  // Growth of each stage from the smallest run: photos ×k should cost at most ×k (linear) and no more.
  const base = runs[0]!;
  const col = (r: Run) => `×${(r.photos / base.photos).toFixed(1)} photos`;
  console.log(`\nslope from ${base.photos.toLocaleString('en')} photos: each figure's ratio to the smallest run's`);
  console.log(`  ${'figure'.padEnd(36)} ${runs.map((r) => r.photos.toLocaleString('en').padStart(14)).join('')}`);
  const line = (name: string, of: (r: Run) => number) =>
    console.log(
      `  ${name.padEnd(36)} ${runs
        .map((r) => {
          const v = of(r);
          return (r === base ? v.toFixed(1) : `${v.toFixed(1)} ×${(v / of(base)).toFixed(2)}`).padStart(14);
        })
        .join('')}`,
    );
  for (const stage of STAGES) line(`${stage}: CPU s`, (r) => r.cpu[stage]);
  line('postgres: CPU s', (r) => r.cpu.postgres);
  for (const stage of STAGES) line(`${stage}: ends at s`, (r) => r.ends[stage]);
  line('clustering: photos read per photo', (r) => r.readPerPhoto);
  line('database MB', (r) => r.databaseMb);
  line('active hotspots', (r) => r.hotspots);
  for (const s of ['ingest', 'processing', 'scoring', 'query-api']) line(`${s}: peak RSS MB`, (r) => r.peakRssMb[s]!);
  console.log(`  (${runs.map(col).join(', ')}; linear growth is a ratio equal to the photos' ratio)`);
}

/**
 * What processing's claims read, from the 'tiles re-clustered' lines the tasks logged: photos read in all (a
 * photo is read by every claim whose windows hold it) and before `importEndMs` (claims the import's later
 * batches made to run again).
 */
function claimsRead(outputs: readonly string[], importEndMs: number) {
  let claims = 0;
  let photosRead = 0;
  let duringImport = 0;
  for (const output of outputs)
    for (const line of output.split('\n')) {
      if (!line.includes('"tiles re-clustered"')) continue;
      // The services log ISO times (libs/service's logger).
      const entry = JSON.parse(line) as { time: string; photosRead: number };
      claims++;
      photosRead += entry.photosRead;
      if (Date.parse(entry.time) <= importEndMs) duringImport += entry.photosRead;
    }
  return { claims, photosRead, duringImport };
}
