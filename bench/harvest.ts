/**
 * `npm run bench:harvest [-- --photos 50000 --rounds 3]`: photos/s of a complete Flickr
 * harvest from the fake Flickr server into PostGIS (rate limiter off, the
 * 4,000 cap in force), beside a plain COPY of the very same rows, measured in
 * the same run on a scratch database. Prints a table and the ratios.
 *
 * Uses DATABASE_URL's server (default: the local Postgres); creates and drops
 * its own database. The outbox is filled but not relayed (no SQS involved).
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createDatabase, runMigrations } from '@photospots/db';
import { MessagePublisher } from '@photospots/queue';
import { FAKE_FLICKR_BBOX, generateFlickrPopulation, startFakeFlickr } from '@photospots/test-harness';
import { pino } from 'pino';
import postgres from 'postgres';
import { FlickrClient } from '../apps/ingest/src/flickr/flickr-client.ts';
import { parseLicenceFilter } from '../apps/ingest/src/flickr/flickr-licences.ts';
import { harvestFlickr } from '../apps/ingest/src/flickr/harvest-flickr.ts';
import { FlickrRateLimiter } from '../apps/ingest/src/flickr/rate-limiter.ts';
import type { NormalisedPhoto } from '../apps/ingest/src/photos/normalised-photo.ts';
import { STAGING_COLUMNS, upsertPhotos } from '../apps/ingest/src/photos/photo-store.ts';

const { values } = parseArgs({
  options: {
    photos: { type: 'string', default: '50000' },
    concurrency: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '3' },
  },
});
const count = Number(values.photos);
const concurrency = Number(values.concurrency);
const rounds = Number(values.rounds);
const LICENCES = '1,2,3,4,5,6,9,11,12,13,14,15,16';

const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const dbName = `photospots_bench_${randomBytes(4).toString('hex')}`;
const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
await admin.unsafe(`create database ${dbName}`);
const url = new URL(adminUrl);
url.pathname = `/${dbName}`;
await runMigrations(url.toString());
const database = createDatabase(url.toString(), { max: 6, applicationName: 'bench-harvest' });
const sql = database.sql;

// The dense centre holds far more than 4,000 photos per year: the planner has to split.
const flickr = await startFakeFlickr({
  photos: generateFlickrPopulation({
    count,
    seed: 42,
    burst: { count: Math.round(count * 0.1), at: Date.UTC(2015, 5, 1) / 1000 },
  }),
});
const log = pino({ level: 'silent' });
const sqs = new SQSClient({
  region: 'us-east-1',
  endpoint: 'http://127.0.0.1:9',
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
});
const publisher = new MessagePublisher({ sqs, queueUrls: {}, producer: 'ingest', log });
const limiter = new FlickrRateLimiter({ ratePerHour: 0 });
const client = new FlickrClient({
  apiUrl: flickr.url,
  apiKey: flickr.apiKey,
  licences: LICENCES,
  extras: 'geo,tags,views,date_taken,date_upload,owner_name,license,url_q,url_m',
  limiter,
  log,
});
const since = Date.UTC(2008, 0, 1) / 1000;
const until = Date.UTC(2020, 11, 31, 23, 59, 59) / 1000;

/** One CSV line for COPY: quoted values, an unquoted empty field for NULL. */
function copyLine(p: NormalisedPhoto): string {
  const q = (v: string | number | null) => (v === null ? '' : `"${String(v).replace(/"/g, '""')}"`);
  const tags = `{${p.tags.map((t) => `"${t.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;
  return (
    [
      q(p.source),
      q(p.sourceId),
      q(p.ownerId),
      q(p.ownerName),
      q(p.lat),
      q(p.lng),
      q(p.tile),
      q(p.takenAt?.toISOString() ?? null),
      q(p.uploadedAt?.toISOString() ?? null),
      q(tags),
      q(p.title),
      q(p.views),
      q(p.license),
      q(p.imageUrl),
    ].join(',') + '\n'
  );
}

/** Median of each step's seconds over the rounds. */
const timings = new Map<string, { photos: number; seconds: number[] }>();
const time = async (label: string, photos: () => Promise<number>) => {
  const started = performance.now();
  const n = await photos();
  const entry = timings.get(label) ?? { photos: n, seconds: [] };
  entry.seconds.push((performance.now() - started) / 1000);
  timings.set(label, entry);
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const HARVEST = `harvest (fake Flickr → PostGIS), concurrency ${concurrency}, 5,000-photo batches`;
const COPY = 'plain COPY of the same rows into photos, one statement';

try {
  let calls = 0;
  let splits = 0;
  for (let round = 0; round < rounds; round++) {
    await sql`truncate photos, ingest_checkpoints, outbox restart identity cascade`;
    await time(HARVEST, async () => {
      const report = await harvestFlickr(
        { bbox: FAKE_FLICKR_BBOX, since, until },
        {
          sql,
          publisher,
          log,
          client,
          limiter,
          licences: parseLicenceFilter(LICENCES),
          licenceParam: LICENCES,
          concurrency,
          batchSize: 5_000,
        },
      );
      calls = report.calls;
      splits = report.splits;
      return report.inserted;
    });

    // The same rows, as the harvest stored them.
    const stored = await sql<NormalisedPhoto[]>`
      select source, source_id as "sourceId", owner_id as "ownerId", owner_name as "ownerName", lat, lng, tile,
             (extract(epoch from taken_at) * 1000)::float8 as "takenAt", (extract(epoch from uploaded_at) * 1000)::float8 as "uploadedAt",
             tags, title, views, license, image_url as "imageUrl"
      from photos order by id`;
    const photos = stored.map((p) => ({
      ...p,
      takenAt: p.takenAt ? new Date(p.takenAt) : null,
      uploadedAt: p.uploadedAt ? new Date(p.uploadedAt) : null,
    }));

    await sql`truncate photos restart identity cascade`;
    await time('upsertPhotos alone, 250-row batches (one page per transaction)', async () => {
      for (let i = 0; i < photos.length; i += 250) await sql.begin((tx) => upsertPhotos(tx, photos.slice(i, i + 250)));
      return photos.length;
    });

    await sql`truncate photos restart identity cascade`;
    await time('upsertPhotos alone, 5,000-row batches', async () => {
      for (let i = 0; i < photos.length; i += 5000)
        await sql.begin((tx) => upsertPhotos(tx, photos.slice(i, i + 5000)));
      return photos.length;
    });

    await sql`truncate photos restart identity cascade`;
    const lines = photos.map(copyLine);
    await time(COPY, async () => {
      await sql.begin(async (tx) => {
        const copy =
          await tx`copy photos (${tx.unsafe(STAGING_COLUMNS.join(', '))}) from stdin with (format csv)`.writable();
        await pipeline(Readable.from(lines), copy);
      });
      return photos.length;
    });
  }

  const rate = (label: string) => timings.get(label)!.photos / median(timings.get(label)!.seconds);
  const harvested = timings.get(HARVEST)!.photos;
  console.log(
    `\nFlickr harvest benchmark: ${count.toLocaleString('en')} photos generated, ${harvested.toLocaleString('en')} harvestable (CC licences), ` +
      `${calls} API calls, ${splits} queries split over the 4,000 cap; median of ${rounds} rounds`,
  );
  console.log(
    `rate limiter off; Postgres at ${new URL(adminUrl).host}; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}\n`,
  );
  console.log('| step | photos | seconds (median) | photos/s | vs plain COPY |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const [label, t] of timings) {
    console.log(
      `| ${label} | ${t.photos.toLocaleString('en')} | ${median(t.seconds).toFixed(2)} | ${Math.round(rate(label)).toLocaleString('en')} | ${(rate(label) / rate(COPY)).toFixed(2)}× |`,
    );
  }
  console.log(
    `\nAt Flickr's default 3,600 calls/hour a harvest reads at most 250 photos/s (one full page a second): ` +
      `${Math.round(rate(HARVEST) / 250)}× below what the harvest can store.`,
  );
} finally {
  await database.close();
  await flickr.stop();
  sqs.destroy();
  await admin.unsafe(`drop database if exists ${dbName} with (force)`);
  await admin.end({ timeout: 5 });
}
