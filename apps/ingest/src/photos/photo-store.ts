import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Queryable, TransactionSql } from '@photospots/db';
import { photosToCopyBinary, storedTags, withoutNul } from './copy-binary.ts';
import type { NormalisedPhoto } from './normalised-photo.ts';

export interface UpsertResult {
  inserted: number;
  updated: number;
  unchanged: number;
  /** Work tiles whose photos changed (including tiles a moved photo left). */
  tiles: number[];
}

/** The columns a batch is copied or staged with, in the order of its COPY data (copy-binary.ts). */
export const STAGING_COLUMNS = [
  'source',
  'source_id',
  'owner_id',
  'owner_name',
  'lat',
  'lng',
  'tile',
  'taken_at',
  'uploaded_at',
  'tags',
  'title',
  'views',
  'license',
  'image_url',
] as const;

/** The staging table's columns as jsonb_to_recordset reads them. */
const STAGING_RECORD = `source text, source_id text, owner_id text, owner_name text, lat float8, lng float8, tile int,
  taken_at timestamptz, uploaded_at timestamptz, tags text[], title text, views int, license text, image_url text`;

/**
 * Text as binary COPY stores it, for the JSON path: UTF-8 there turns a lone surrogate (possible in a JSON API's
 * escapes) into U+FFFD, and jsonb would reject the batch for it.
 */
const wellFormed = (s: string) => (s.isWellFormed() ? s : s.toWellFormed());
const textOrNull = (s: string | null) => (s === null ? null : wellFormed(withoutNul(s)));

function toStagingRow(p: NormalisedPhoto) {
  return {
    source: wellFormed(p.source),
    source_id: wellFormed(p.sourceId),
    owner_id: wellFormed(p.ownerId),
    owner_name: textOrNull(p.ownerName),
    lat: p.lat,
    lng: p.lng,
    tile: p.tile,
    taken_at: p.takenAt?.toISOString() ?? null,
    uploaded_at: p.uploadedAt?.toISOString() ?? null,
    tags: storedTags(p.tags).map(wellFormed),
    title: textOrNull(p.title),
    views: p.views,
    license: textOrNull(p.license),
    image_url: textOrNull(p.imageUrl),
  };
}

export type StagingMethod = 'copy' | 'json';

/**
 * How a batch reaches the staging table: COPY FROM STDIN where the server takes it (Postgres; faster than
 * jsonb_to_recordset, see `npm run bench:photo-staging`); one JSON parameter on the embedded database of
 * `npm start` (PGlite over pglite-socket), which cannot take COPY data over the wire.
 */
export async function stagingMethodOf(sql: Queryable): Promise<StagingMethod> {
  const [row] = await sql<{ embedded: boolean }[]>`select strpos(version(), 'PGlite') > 0 as embedded`;
  return row?.embedded ? 'json' : 'copy';
}

/** A batch ready to store: one photo per key (the last occurrence wins) and, for COPY, its binary COPY data. */
export interface PreparedBatch {
  photos: readonly NormalisedPhoto[];
  copy: Buffer | undefined;
}

/** The batch without earlier occurrences of a key (within one statement a key may appear once); usually the batch itself. */
function lastOfEachKey(batch: readonly NormalisedPhoto[]): readonly NormalisedPhoto[] {
  const lastBySource = new Map<string, Map<string, number>>();
  let repeated = false;
  for (let i = 0; i < batch.length; i++) {
    const { source, sourceId } = batch[i]!;
    let last = lastBySource.get(source);
    if (!last) lastBySource.set(source, (last = new Map()));
    if (last.has(sourceId)) repeated = true;
    last.set(sourceId, i);
  }
  return repeated ? batch.filter((p, i) => lastBySource.get(p.source)!.get(p.sourceId) === i) : batch;
}

/**
 * Prepares a batch outside its transaction: an import builds the next batch's data while the database
 * writes the one before. The photos go in tile order (each key once, the last of the batch): a tile's photos
 * then share heap pages and index pages, which processing reads a tile at a time.
 */
export function prepareBatch(batch: readonly NormalisedPhoto[], method: StagingMethod): PreparedBatch {
  const photos = [...lastOfEachKey(batch)].sort((a, b) => a.tile - b.tile);
  return { photos, copy: method === 'copy' ? photosToCopyBinary(photos) : undefined };
}

const isPrepared = (batch: readonly NormalisedPhoto[] | PreparedBatch): batch is PreparedBatch => !Array.isArray(batch);

/**
 * COPY of binary COPY data into a table, in STAGING_COLUMNS order. An aborted `signal` (the batch's deadline)
 * destroys the stream: the server gets CopyFail and the transaction fails, instead of waiting on a dead link.
 */
async function copyInto(
  tx: TransactionSql,
  table: 'photos' | 'photo_staging',
  data: Buffer,
  signal?: AbortSignal,
): Promise<void> {
  const copy =
    await tx`copy ${tx(table)} (${tx.unsafe(STAGING_COLUMNS.join(', '))}) from stdin with (format binary)`.writable();
  // The whole batch at once: the server waits for every byte of it.
  await pipeline(Readable.from([data]), copy, ...(signal ? [{ signal }] : []));
}

const UNIQUE_VIOLATION = '23505';

/**
 * A batch of photos none of which is stored yet, copied straight into `photos` (on Postgres). If any one is
 * there already, or is being written by another transaction that then commits, the unique index stops the
 * COPY; it is rolled back to its savepoint and the batch takes the staging path instead. A first import of a
 * file is all new rows: this halves the database's work for it (no staging copy, no ON CONFLICT per row).
 */
async function copyAllNew(
  tx: TransactionSql,
  batch: readonly NormalisedPhoto[],
  data: Buffer,
  signal?: AbortSignal,
): Promise<UpsertResult | undefined> {
  try {
    await tx.savepoint((sp) => copyInto(sp, 'photos', data, signal));
  } catch (err) {
    if ((err as { code?: string }).code === UNIQUE_VIOLATION) return undefined;
    throw err;
  }
  const tiles = [...new Set(batch.map((p) => p.tile))].sort((a, b) => a - b);
  return { inserted: batch.length, updated: 0, unchanged: 0, tiles };
}

/**
 * Upserts a batch idempotently on (source, source_id) inside the caller's
 * transaction. On Postgres a batch of new photos is copied straight in (see
 * copyAllNew). Otherwise it goes into a temporary staging table (see
 * stagingMethodOf), then new photos are inserted, and, if some were there
 * already, one INSERT … ON CONFLICT touches only rows whose content differs.
 * Re-importing the same data changes nothing and reports every row unchanged.
 */
export async function upsertPhotos(
  tx: TransactionSql,
  batch: readonly NormalisedPhoto[] | PreparedBatch,
  method?: StagingMethod,
  /** Ends the COPY (see copyInto). */
  signal?: AbortSignal,
): Promise<UpsertResult> {
  const { photos: unique, copy } = isPrepared(batch)
    ? batch
    : prepareBatch(batch, method ?? (await stagingMethodOf(tx)));
  if (unique.length === 0) return { inserted: 0, updated: 0, unchanged: 0, tiles: [] };
  if (copy !== undefined) {
    const allNew = await copyAllNew(tx, unique, copy, signal);
    if (allNew) return allNew;
  }

  await tx`
    create temp table if not exists photo_staging (
      source text, source_id text, owner_id text, owner_name text, lat float8, lng float8, tile int,
      taken_at timestamptz, uploaded_at timestamptz, tags text[], title text, views int, license text, image_url text
    ) on commit delete rows`;
  if (copy !== undefined) await copyInto(tx, 'photo_staging', copy, signal);
  else {
    await tx`
      insert into photo_staging (${tx.unsafe(STAGING_COLUMNS.join(', '))})
      select ${tx.unsafe(STAGING_COLUMNS.join(', '))}
      from jsonb_to_recordset(${JSON.stringify(unique.map(toStagingRow))}::jsonb) as v(${tx.unsafe(STAGING_RECORD)})`;
  }

  // New photos first, with nothing to compare: a first import of a file is all new rows, and skips the rest.
  const [fresh] = await tx<{ inserted: number; tiles: number[] }[]>`
    with ins as (
      insert into photos (${tx.unsafe(STAGING_COLUMNS.join(', '))})
      select ${tx.unsafe(STAGING_COLUMNS.join(', '))} from photo_staging
      on conflict (source, source_id) do nothing
      returning tile
    )
    select (select count(*) from ins)::int as inserted, array(select distinct tile from ins order by 1) as tiles`;
  const freshInserted = fresh?.inserted ?? 0;
  if (freshInserted === unique.length)
    return { inserted: freshInserted, updated: 0, unchanged: 0, tiles: fresh?.tiles ?? [] };

  // Some photos were there already: update those whose content differs (the rows just inserted are equal
  // to their staged rows, so they are left alone), and announce the tiles a moved photo left.
  const [row] = await tx<{ inserted: number; updated: number; tiles: number[] }[]>`
    with moved as (
      -- One index lookup per staged row: a join lets the planner hash the whole photos table for every batch
      -- (the temp table has no statistics), which made a 1M-row import quadratic.
      select old_tile as tile
      from (select s.tile, (select p.tile from photos p where p.source = s.source and p.source_id = s.source_id) as old_tile
            from photo_staging s) as staged
      where old_tile <> tile
    ), up as (
      insert into photos (${tx.unsafe(STAGING_COLUMNS.join(', '))})
      select ${tx.unsafe(STAGING_COLUMNS.join(', '))} from photo_staging
      on conflict (source, source_id) do update set
        owner_id = excluded.owner_id, owner_name = excluded.owner_name, lat = excluded.lat, lng = excluded.lng,
        tile = excluded.tile, taken_at = excluded.taken_at, uploaded_at = excluded.uploaded_at, tags = excluded.tags,
        title = excluded.title, views = excluded.views, license = excluded.license,
        image_url = coalesce(excluded.image_url, photos.image_url), updated_at = now()
      where (photos.owner_id, photos.owner_name, photos.lat, photos.lng, photos.taken_at, photos.uploaded_at,
             photos.tags, photos.title, photos.views, photos.license)
        is distinct from (excluded.owner_id, excluded.owner_name, excluded.lat, excluded.lng, excluded.taken_at,
             excluded.uploaded_at, excluded.tags, excluded.title, excluded.views, excluded.license)
         or (excluded.image_url is not null and excluded.image_url is distinct from photos.image_url)
      returning tile, (xmax = 0) as inserted
    )
    select
      (select count(*) from up where inserted)::int as inserted,
      (select count(*) from up where not inserted)::int as updated,
      array(select tile from up union select tile from moved order by 1) as tiles`;
  const inserted = freshInserted + (row?.inserted ?? 0);
  const updated = row?.updated ?? 0;
  const tiles = [...new Set([...(fresh?.tiles ?? []), ...(row?.tiles ?? [])])].sort((a, b) => a - b);
  return { inserted, updated, unchanged: unique.length - inserted - updated, tiles };
}
