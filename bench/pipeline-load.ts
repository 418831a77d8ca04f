/**
 * `npm run bench:pipeline`: 1,000,000 synthetic photos end to end on the local
 * stack (the four services as processes, Postgres, Redis, fauxqs): import
 * rate beside a plain `psql \copy` of the same CSV into an unindexed table
 * (same run) and beside a binary COPY of the stored rows into an empty copy of
 * `photos` (the floor for any import into it), time until hotspots are served by the API, peak memory per
 * service, queue depths over time, and a reconciliation (every photo stored
 * once, nothing left in any dead-letter queue).
 *
 * Options: --photos N (default 1,000,000), --processing-tasks N (default 2: one per core here; production
 * runs 1–16 processing tasks, which claim disjoint areas). DATABASE_URL names the Postgres server; REDIS_URL the Redis.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline as streamPipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { ingestRequested } from '@photospots/contracts';
import { createSqsClient, MessagePublisher, resolveQueues } from '@photospots/queue';
import { pino } from 'pino';
import { STAGING_COLUMNS } from '../apps/ingest/src/photos/photo-store.ts';
import { startLocalPipeline } from '../tools/eval/local-pipeline.ts';
import { writeSyntheticLbsnCsv } from './synthetic-photos.ts';

const { values } = parseArgs({ options: { photos: { type: 'string' }, 'processing-tasks': { type: 'string' } } });
const N = Number(values.photos ?? 1_000_000);
const PROCESSING_TASKS = Number(values['processing-tasks'] ?? 2);
const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Rows/s of a plain psql \copy of the CSV into an unindexed table: the ceiling for any import. */
function plainCopy(file: string): number {
  const url = new URL(adminUrl);
  url.pathname = '/photospots_bench_pipeline';
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
  return N / s;
}

const rssMb = (pid: number | undefined) => {
  if (!pid) return 0;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
};

const dir = mkdtempSync(path.join(tmpdir(), 'pipeline-load-'));
const file = path.join(dir, 'photos.csv');
console.log(`writing ${N.toLocaleString('en')} synthetic photos as an LBSN CSV …`);
await writeSyntheticLbsnCsv(file, N);
const pipeline = await startLocalPipeline({ adminUrl, database: 'photospots_bench_pipeline', reuse: false });
const copyRate = plainCopy(file);
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
const common = {
  REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  REDIS_KEY_PREFIX: `bench-pipeline-${process.pid}:`,
  SQS_WAIT_TIME_SECONDS: '2',
  RESCORE_INTERVAL_MINUTES: '0',
  HEALTH_PORT: '0',
  PORT: '0',
};
const services = tasks.map((t) => pipeline.start(`apps/${t.app}/src/main.ts`, common));
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
  const publisher = new MessagePublisher({
    sqs,
    queueUrls: queues.url,
    producer: 'test',
    log: pino({ level: 'silent' }),
  });
  // The import stage ends when ingest marks the file's checkpoint done (after its last batch committed): the
  // database's clock at both ends, so the 2 s table below does not round the stage up.
  const [{ at: requestedAt }] = await pipeline.database.sql<
    { at: number }[]
  >`select extract(epoch from clock_timestamp())::float8 as at`;
  const started = performance.now();
  await publisher.publish(ingestRequested, { kind: 'file-import', location: file, format: 'lbsn-csv' });
  let importedAt = 0;
  let settledAt = 0;
  console.log(
    `   s    photos  dirty  q:ingest q:photos q:hotspots  unscored   RSS MB (${tasks.map((t) => t.name).join(' / ')})`,
  );
  for (;;) {
    await new Promise((r) => setTimeout(r, 2000));
    const [row] = await pipeline.database.sql<
      { photos: number; dirty: number; unscored: number; outbox: number; hotspots: number }[]
    >`
      select (select count(*) from photos)::int as photos, (select count(*) from dirty_tiles)::int as dirty, (select count(*) from outbox)::int as outbox,
             (select count(*) from hotspots where status = 'active')::int as hotspots,
             (select count(*) from hotspots where status = 'active' and (scored_at is null or scored_at < updated_at))::int as unscored`;
    const q = [
      await depth(queues.url.ingest),
      await depth(queues.url.photosIngested),
      await depth(queues.url.hotspotsChanged),
    ];
    const rss = services.map((s, i) => {
      const mb = rssMb(s.pid());
      peak[tasks[i]!.name] = Math.max(peak[tasks[i]!.name] ?? 0, mb);
      return Math.round(mb);
    });
    const t = (performance.now() - started) / 1000;
    console.log(
      `${t.toFixed(0).padStart(4)} ${String(row!.photos).padStart(9)} ${String(row!.dirty).padStart(6)} ${q.map((d) => String(d).padStart(8)).join(' ')} ${String(row!.unscored).padStart(9)}   ${rss.join(' / ')}`,
    );
    if (!importedAt && row!.photos === N) importedAt = t;
    if (
      importedAt &&
      row!.dirty === 0 &&
      row!.outbox === 0 &&
      row!.unscored === 0 &&
      row!.hotspots > 0 &&
      q.every((d) => d === 0)
    ) {
      settledAt = t;
      break;
    }
    if (t > 1800) throw new Error('the pipeline did not settle within 30 minutes');
  }
  const [checkpoint] = await pipeline.database.sql<{ at: number }[]>`
    select extract(epoch from updated_at)::float8 as at from ingest_checkpoints where job = 'file-import' and key = ${file} and done`;
  if (!checkpoint) throw new Error('the import left no completed checkpoint');
  const importSeconds = checkpoint.at - requestedAt!;
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
    { photos: number; distinct_sources: number; hotspots: number; members: number; distinct_members: number }[]
  >`
    select (select count(*) from photos)::int as photos, (select count(distinct source_id) from photos)::int as distinct_sources,
           (select count(*) from hotspots where status = 'active')::int as hotspots,
           (select count(*) from hotspot_photos)::int as members, (select count(distinct photo_id) from hotspot_photos)::int as distinct_members`;
  sqs.destroy();
  await Promise.all(services.map((s) => s.stop()));
  // The floor under any import into this table on this server: the same rows, already in COPY's binary form and
  // in memory, copied in one statement into an empty copy of `photos` (its three indexes, defaults and checks).
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
  console.log('');
  console.log(
    `pipeline: ${N.toLocaleString('en')} photos from file to hotspots served (${PROCESSING_TASKS} processing task${PROCESSING_TASKS > 1 ? 's' : ''})`,
  );
  console.log(`  plain psql \\copy into an unindexed table   ${Math.round(copyRate).toLocaleString('en')} rows/s`);
  console.log(
    `  import stage (validated, upserted, announced) ${importSeconds.toFixed(2)} s: ${Math.round(N / importSeconds).toLocaleString('en')} photos/s = ${((100 * N) / importSeconds / copyRate).toFixed(1)}% of the copy (goal ≥ 25%)`,
  );
  console.log(
    `  COPY alone: the rows into an empty indexed copy of photos ${floorSeconds.toFixed(2)} s = ${((100 * N) / floorSeconds / copyRate).toFixed(1)}% of the copy (no import can beat this here)`,
  );
  console.log(
    `  file → every hotspot scored                 ${settledAt.toFixed(0)} s (goal < 60 s); ${Math.round(N / settledAt).toLocaleString('en')} photos/s end to end`,
  );
  console.log(
    `  peak RSS MB                                 ${tasks.map((t) => `${t.name} ${Math.round(peak[t.name]!)}`).join(', ')} (goal < 1,536 each)`,
  );
  console.log(
    `  reconciled                                  photos ${rec!.photos} (distinct ${rec!.distinct_sources}), ${rec!.hotspots} hotspots, memberships ${rec!.members} (distinct photos ${rec!.distinct_members}), dead letters ${dead.reduce((a, b) => a + b, 0)}`,
  );
} finally {
  await Promise.all(services.map((s) => s.stop()));
  await pipeline.close();
  rmSync(dir, { recursive: true, force: true });
}
