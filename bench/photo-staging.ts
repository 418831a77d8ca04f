/**
 * `npm run bench:photo-staging`: the ways to fill the ingest service's
 * staging table with a batch of photos, on a real Postgres (DATABASE_URL,
 * default the local server): one jsonb_to_recordset parameter (photo-store.ts
 * on the embedded PGlite, which cannot take COPY data), COPY FROM STDIN of the
 * batch as CSV text (what photo-store.ts sent before), and COPY FROM STDIN in
 * the binary format (photo-store.ts on Postgres, its own encoder), each timed
 * with its encoding.
 * The Dresden sample in batches of 5,000, every batch in its own transaction,
 * several rounds; prints the median per round and the ratio.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';
import { createDatabase } from '@photospots/db';
import { photosToCopyBinary } from '../apps/ingest/src/photos/copy-binary.ts';
import { STAGING_COLUMNS } from '../apps/ingest/src/photos/photo-store.ts';
import type { NormalisedPhoto } from '../apps/ingest/src/photos/normalised-photo.ts';
import { readSamplePhotos, type SeedPhoto } from '@photospots/test-harness';
import postgres from 'postgres';

const ROUNDS = 7;
const BATCH = 5_000;
const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const STAGING = `create temp table if not exists photo_staging (
  source text, source_id text, owner_id text, owner_name text, lat float8, lng float8, tile int,
  taken_at timestamptz, uploaded_at timestamptz, tags text[], title text, views int, license text, image_url text
) on commit delete rows`;
const COLUMNS = STAGING_COLUMNS.join(', ');
const RECORD = `source text, source_id text, owner_id text, owner_name text, lat float8, lng float8, tile int,
  taken_at timestamptz, uploaded_at timestamptz, tags text[], title text, views int, license text, image_url text`;

const row = (p: SeedPhoto) => ({
  source: 'flickr',
  source_id: p.sourceId,
  owner_id: p.ownerId,
  owner_name: null,
  lat: p.lat,
  lng: p.lng,
  tile: 0,
  taken_at: p.takenAt?.toISOString() ?? null,
  uploaded_at: p.takenAt?.toISOString() ?? null,
  tags: p.tags ?? [],
  title: null,
  views: p.views ?? 0,
  license: null,
  image_url: null,
});
const csv = (v: string | null) => (v === null ? '' : `"${v.replace(/"/g, '""')}"`);
const csvLine = (p: SeedPhoto) => {
  const r = row(p);
  const tags = `{${r.tags.map((t) => `"${t.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;
  return (
    [
      csv(r.source),
      csv(r.source_id),
      csv(r.owner_id),
      '',
      r.lat,
      r.lng,
      r.tile,
      r.taken_at ?? '',
      r.uploaded_at ?? '',
      csv(tags),
      '',
      r.views,
      '',
      '',
    ].join(',') + '\n'
  );
};

const normalised = (p: SeedPhoto): NormalisedPhoto => ({
  source: 'flickr',
  sourceId: p.sourceId,
  ownerId: p.ownerId,
  ownerName: null,
  lat: p.lat,
  lng: p.lng,
  tile: 0,
  takenAt: p.takenAt ?? null,
  uploadedAt: p.takenAt ?? null,
  tags: p.tags ?? [],
  title: null,
  views: p.views ?? 0,
  license: null,
  imageUrl: null,
});

type Method = (tx: postgres.TransactionSql, batch: SeedPhoto[]) => Promise<void>;
const methods: Record<string, Method> = {
  'jsonb_to_recordset (PGlite)': async (tx, batch) => {
    await tx`insert into photo_staging (${tx.unsafe(COLUMNS)}) select ${tx.unsafe(COLUMNS)}
             from jsonb_to_recordset(${JSON.stringify(batch.map(row))}::jsonb) as v(${tx.unsafe(RECORD)})`;
  },
  'COPY CSV text': async (tx, batch) => {
    const text = batch.map(csvLine).join('');
    const copy = await tx`copy photo_staging (${tx.unsafe(COLUMNS)}) from stdin with (format csv)`.writable();
    await pipeline(Readable.from([text]), copy);
  },
  'COPY binary (Postgres)': async (tx, batch) => {
    const data = photosToCopyBinary(batch.map(normalised));
    const copy = await tx`copy photo_staging (${tx.unsafe(COLUMNS)}) from stdin with (format binary)`.writable();
    await pipeline(Readable.from([data]), copy);
  },
};

const photos = readSamplePhotos();
const name = `photospots_bench_${randomBytes(3).toString('hex')}`;
const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
await admin.unsafe(`create database ${name}`);
const url = new URL(adminUrl);
url.pathname = `/${name}`;
// The services' client (its type setup decides how a ::jsonb parameter is sent).
const database = createDatabase(url.toString(), { max: 1 });
const sql = database.sql;
try {
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const results: Record<string, number> = {};
  for (const [label, fill] of Object.entries(methods)) {
    const times: number[] = [];
    for (let round = 0; round <= ROUNDS; round++) {
      const started = performance.now();
      for (let i = 0; i < photos.length; i += BATCH) {
        await sql.begin(async (tx) => {
          await tx.unsafe(STAGING);
          await fill(tx, photos.slice(i, i + BATCH));
          const [{ n }] = (await tx`select count(*)::int as n from photo_staging`) as unknown as [{ n: number }];
          if (n !== Math.min(BATCH, photos.length - i)) throw new Error(`${label}: staged ${n} rows`);
        });
      }
      if (round > 0) times.push(performance.now() - started); // round 0 warms up
    }
    results[label] = median(times);
  }
  console.log(
    `staging the Dresden sample (${photos.length.toLocaleString('en')} photos, batches of ${BATCH.toLocaleString('en')}) on ${new URL(adminUrl).host}, median of ${ROUNDS} rounds:`,
  );
  for (const [label, ms] of Object.entries(results))
    console.log(`  ${label.padEnd(26)} ${ms.toFixed(1).padStart(7)} ms`);
  const [json, csv, binary] = Object.values(results) as [number, number, number];
  console.log(`  ratio jsonb / COPY binary   ${(json / binary).toFixed(2)}×`);
  console.log(`  ratio COPY CSV / binary     ${(csv / binary).toFixed(2)}×`);
} finally {
  await database.close();
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.end();
}
