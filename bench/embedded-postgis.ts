/**
 * `npm run bench:embedded-postgis`: the embedded database of `npm start`
 * (PGlite with PostGIS, served over pglite-socket) against a real Postgres
 * (DATABASE_URL's server, default the local one), on the same work: applying
 * the migrations, importing the Dresden sample (the ingest CLI, its own
 * process) and re-clustering every tile (the processing CLI), then nearby
 * queries as the API runs them without Redis. Prints each time and the ratio.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createDatabase, runMigrations } from '@photospots/db';
import { startEmbeddedPostgis, startEmbeddedSqsS3 } from '@photospots/embedded-services';
import { createSqsClient, prefixedQueueNames, queueDefinitions, queueEnvVars, setupQueues } from '@photospots/queue';
import postgres from 'postgres';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const SAMPLE = path.join(ROOT, 'data/flickr-dresden-cc-by.csv');
const NEARBY_QUERIES = 300;
const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const run = promisify(execFile);

interface Timings {
  /** A digest of every hotspot (label, counts, position): both databases must build the same ones. */
  digest: string;
  start: number;
  migrate: number;
  import: number;
  cluster: number;
  nearby: number;
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const out = await work();
  return [out, performance.now() - started];
}

/** Runs the pipeline's batch steps against `url` (a fresh, empty database). */
async function measure(url: string, sqsEndpoint: string, startMs: number): Promise<Timings> {
  const [, migrate] = await timed(() => runMigrations(url));
  const id = randomBytes(3).toString('hex');
  const names = prefixedQueueNames(`bench-${id}-`);
  const sqs = createSqsClient({ region: 'us-east-1', endpoint: sqsEndpoint });
  await setupQueues(sqs, queueDefinitions(names));
  sqs.destroy();
  const env = {
    PATH: process.env.PATH ?? '',
    DATABASE_URL: url,
    AWS_ENDPOINT_URL: sqsEndpoint,
    ...queueEnvVars(names),
    LOG_LEVEL: 'warn',
  };
  const [imported, importMs] = await timed(() =>
    run(process.execPath, [path.join(ROOT, 'apps/ingest/src/cli.ts'), 'import', SAMPLE], { env }),
  );
  if (!imported.stdout.includes('photos inserted 17879'))
    throw new Error(`import went wrong:\n${imported.stdout}${imported.stderr}`);
  const [rebuilt, clusterMs] = await timed(() =>
    run(process.execPath, [path.join(ROOT, 'apps/processing/src/cli.ts'), 'rebuild'], { env }),
  );
  const hotspots = /(\d+) created/.exec(rebuilt.stdout)?.[1];
  if (!hotspots || Number(hotspots) < 100)
    throw new Error(`clustering went wrong:\n${rebuilt.stdout}${rebuilt.stderr}`);

  const database = createDatabase(url, { max: 1 });
  const [, nearbyMs] = await timed(async () => {
    for (let i = 0; i < NEARBY_QUERIES; i++) {
      const lat = 51.03 + (i % 20) * 0.003;
      const lng = 13.7 + Math.floor(i / 20) * 0.006;
      await database.sql`
        with here as (select st_setsrid(st_makepoint(${lng}, ${lat}), 4326)::geography as g)
        select h.id, round(st_distance(h.centroid, here.g)::numeric, 1)::float8 as d
        from hotspots h, here
        where h.status = 'active' and st_dwithin(h.centroid, here.g, 1000)
        order by d, h.id limit 20`;
    }
  });
  const [{ digest }] = (await database.sql`
    select md5(string_agg(concat_ws(':', label, photo_count, user_count, round(lat::numeric, 6), round(lng::numeric, 6)), ',' order by lat, lng, label)) as digest
    from hotspots where status = 'active'`) as unknown as [{ digest: string }];
  await database.close();
  console.log(`  ${hotspots} hotspots (digest ${digest})`);
  return { digest, start: startMs, migrate, import: importMs, cluster: clusterMs, nearby: nearbyMs / NEARBY_QUERIES };
}

const fauxqs = await startEmbeddedSqsS3();
const results: Record<'postgres' | 'pglite', Timings> = {} as never;
try {
  console.log(`Postgres at ${new URL(adminUrl).host}:`);
  const name = `photospots_bench_${randomBytes(3).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
  const [, createMs] = await timed(() => admin.unsafe(`create database ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  try {
    results.postgres = await measure(url.toString(), fauxqs.endpoint, createMs);
  } finally {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  }

  console.log('PGlite (embedded, over pglite-socket):');
  const dir = mkdtempSync(path.join(tmpdir(), 'photospots-bench-pglite-'));
  try {
    const [pg, startMs] = await timed(() => startEmbeddedPostgis(dir));
    try {
      results.pglite = await measure(pg.url, fauxqs.endpoint, startMs);
    } finally {
      await pg.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
} finally {
  await fauxqs.stop();
}

const rows: [string, Exclude<keyof Timings, 'digest'>, string][] = [
  ['create the database / start PGlite', 'start', 'ms'],
  ['apply the migrations', 'migrate', 'ms'],
  ['import the sample (ingest CLI)', 'import', 'ms'],
  ['re-cluster every tile (processing CLI)', 'cluster', 'ms'],
  [`nearby query, mean of ${NEARBY_QUERIES}`, 'nearby', 'ms'],
];
console.log(`\n${'step'.padEnd(40)} ${'Postgres'.padStart(10)} ${'PGlite'.padStart(10)}  ratio`);
for (const [label, key, unit] of rows) {
  const a = results.postgres[key];
  const b = results.pglite[key];
  const fmt = (v: number) => `${v < 10 ? v.toFixed(2) : Math.round(v)} ${unit}`.padStart(10);
  console.log(`${label.padEnd(40)} ${fmt(a)} ${fmt(b)}  ${(b / a).toFixed(1)}×`);
}
console.log('(CLI times include starting the Node process, about 0.5 s each.)');
console.log(`same hotspots on both: ${results.postgres.digest === results.pglite.digest ? 'yes' : 'NO'}`);
