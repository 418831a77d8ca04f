import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { TransactionSql } from '@photospots/db';
import type { NormalisedPhoto } from './normalised-photo.ts';

export interface UpsertResult {
  inserted: number;
  updated: number;
  unchanged: number;
  /** Work tiles whose photos changed (including tiles a moved photo left). */
  tiles: number[];
}

const STAGING_COLUMNS = [
  'source', 'source_id', 'owner_id', 'owner_name', 'lat', 'lng', 'tile', 'taken_at',
  'uploaded_at', 'tags', 'title', 'views', 'license', 'image_url',
] as const;

/** The staging table's columns as jsonb_to_recordset reads them. */
const STAGING_RECORD = `source text, source_id text, owner_id text, owner_name text, lat float8, lng float8, tile int,
  taken_at timestamptz, uploaded_at timestamptz, tags text[], title text, views int, license text, image_url text`;

/** Postgres text cannot hold NUL: free text from any source loses them (ids with one were rejected before). */
const withoutNul = (s: string) => (s.includes('\0') ? s.replaceAll('\0', '') : s);
const textOrNull = (s: string | null) => (s === null ? null : withoutNul(s));

function toStagingRow(p: NormalisedPhoto) {
  return {
    source: p.source,
    source_id: p.sourceId,
    owner_id: p.ownerId,
    owner_name: textOrNull(p.ownerName),
    lat: p.lat,
    lng: p.lng,
    tile: p.tile,
    taken_at: p.takenAt?.toISOString() ?? null,
    uploaded_at: p.uploadedAt?.toISOString() ?? null,
    tags: p.tags.some((t) => t.includes('\0')) ? [...new Set(p.tags.map(withoutNul).filter((t) => t !== ''))] : p.tags,
    title: textOrNull(p.title),
    views: p.views,
    license: p.license,
    image_url: p.imageUrl,
  };
}

/** A CSV field for COPY: NULL is an empty unquoted field, text is always quoted. */
const csvText = (v: string | null) => (v === null ? '' : `"${v.replaceAll('"', '""')}"`);
/** A text[] literal: each element quoted, with backslash and quote escaped. */
const arrayLiteral = (tags: readonly string[]) => `{${tags.map((t) => `"${t.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`).join(',')}}`;

function toCsvLine(r: ReturnType<typeof toStagingRow>): string {
  return `${csvText(r.source)},${csvText(r.source_id)},${csvText(r.owner_id)},${csvText(r.owner_name)},${r.lat},${r.lng},${r.tile},${r.taken_at ?? ''},${r.uploaded_at ?? ''},${csvText(arrayLiteral(r.tags))},${csvText(r.title)},${r.views},${csvText(r.license)},${csvText(r.image_url)}\n`;
}

export type StagingMethod = 'copy' | 'json';

/**
 * How a batch reaches the staging table: COPY FROM STDIN where the server takes it (Postgres: a third of
 * jsonb_to_recordset's server time for 5,000 rows, 13.5 vs 45 ms; 2.08× faster end to end in
 * `npm run bench:photo-staging`); one JSON parameter on the embedded database of `npm start` (PGlite over
 * pglite-socket), which cannot take COPY data over the wire.
 */
async function stagingMethodOf(tx: TransactionSql): Promise<StagingMethod> {
  const [row] = await tx<{ embedded: boolean }[]>`select strpos(version(), 'PGlite') > 0 as embedded`;
  return row?.embedded ? 'json' : 'copy';
}

async function stage(tx: TransactionSql, rows: ReturnType<typeof toStagingRow>[], method: StagingMethod): Promise<void> {
  if (method === 'copy') {
    const text = rows.map(toCsvLine).join(''); // before the COPY starts: the server waits for every byte of it
    const copy = await tx`copy photo_staging (${tx.unsafe(STAGING_COLUMNS.join(', '))}) from stdin with (format csv)`.writable();
    await pipeline(Readable.from([text]), copy);
    return;
  }
  await tx`
    insert into photo_staging (${tx.unsafe(STAGING_COLUMNS.join(', '))})
    select ${tx.unsafe(STAGING_COLUMNS.join(', '))}
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as v(${tx.unsafe(STAGING_RECORD)})`;
}

/**
 * Upserts a batch idempotently on (source, source_id) inside the caller's
 * transaction: the batch goes into a temporary staging table (see
 * stagingMethodOf), then new photos are inserted, and, if some were there
 * already, one INSERT … ON CONFLICT touches only rows whose content differs.
 * Re-importing the same data changes nothing and reports every row unchanged.
 */
export async function upsertPhotos(tx: TransactionSql, batch: readonly NormalisedPhoto[], method?: StagingMethod): Promise<UpsertResult> {
  if (batch.length === 0) return { inserted: 0, updated: 0, unchanged: 0, tiles: [] };
  // Within one statement a key may appear once: the last occurrence in the batch wins.
  const unique = [...new Map(batch.map((p) => [`${p.source}\u0000${p.sourceId}`, p])).values()];

  await tx`
    create temp table if not exists photo_staging (
      source text, source_id text, owner_id text, owner_name text, lat float8, lng float8, tile int,
      taken_at timestamptz, uploaded_at timestamptz, tags text[], title text, views int, license text, image_url text
    ) on commit delete rows`;
  await stage(tx, unique.map(toStagingRow), method ?? (await stagingMethodOf(tx)));

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
  if (freshInserted === unique.length) return { inserted: freshInserted, updated: 0, unchanged: 0, tiles: fresh?.tiles ?? [] };

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
