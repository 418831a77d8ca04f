/**
 * A continent of synthetic hotspots written straight into the tables (no
 * pipeline), server-side in SQL, as processing and scoring leave them: N
 * active hotspots over Europe (lat 36–70, lng −10–40), 90% in thousands of
 * cities of Zipf sizes (rank r holds ∝ 1/r of them, a 2-D Gaussian around its
 * centre of 0.4–3.4 km), 10% rural noise. Each has a hull (the convex hull of
 * its member photos, 15–150 m across), long-tailed photo, user and view
 * counts, a label made of a word of a seeded vocabulary and a kind of place
 * ("Molvin Kirche", "Piazza Dorlu", some with a qualifier, some unnamed), top
 * tags, month and hour histograms, and a score with its components as
 * scoring's formula computes them from those counts; 3–8 member photos each,
 * real `photos` and `hotspot_photos` rows with the columns ingest writes.
 *
 * Every value is a hash of (seed, row, field), so the same seed writes the
 * same rows. Secondary indexes and foreign keys are dropped while the rows go
 * in and rebuilt from their own definitions afterwards (one bulk build each
 * instead of millions of inserts into each).
 */
import type { Sql } from '@photospots/db';
import { tileKeyOf } from '@photospots/geo';
import { computeScore, type ScoreComponents } from '../apps/scoring/src/scoring/score-formula.ts';

/** Syllables of the vocabulary: two or three make a word (≈ 30,000 distinct words). */
// prettier-ignore
const SYLLABLES = [
  'ka', 'ro', 'mel', 'vin', 'sta', 'dor', 'lu', 'ber', 'gen', 'al', 'tor', 'ri', 'san', 'mo', 've', 'la', 'nor',
  'bru', 'hei', 'ost', 'wald', 'fel', 'mar', 'tin', 'co', 'sel', 'ar', 'ven', 'lin', 'gar', 'to', 'ne', 'bel',
  'dra', 'zo', 'mi', 'kor', 'pa', 'sil', 'ha',
];
/** Kinds of place: the label's pattern (% = the word) and the tag photographers use for it. */
// prettier-ignore
const KINDS: readonly [string, string][] = [
  ['% Kirche', 'kirche'], ['% Bridge', 'bridge'], ['Schloss %', 'schloss'], ['Piazza %', 'piazza'],
  ['% Tower', 'tower'], ['Parc %', 'parc'], ['% Brunnen', 'brunnen'], ['Plaza %', 'plaza'],
  ['% Cathedral', 'cathedral'], ['Museo %', 'museo'], ['% Castle', 'castle'], ['Porta %', 'porta'],
  ['% Abbey', 'abbey'], ['Place %', 'place'], ['% Park', 'park'], ['% Hafen', 'hafen'], ['Rynek %', 'rynek'],
  ['% Viewpoint', 'viewpoint'], ['Mercado %', 'mercado'], ['% Station', 'station'], ['Pont %', 'pont'],
  ['% Markt', 'markt'], ['% Beach', 'beach'], ['Lago %', 'lago'], ['% Lighthouse', 'lighthouse'],
];
// prettier-ignore
const GENERIC_TAGS = [
  'architecture', 'sunset', 'streetart', 'night', 'panorama', 'travel', 'europe', 'oldtown', 'river', 'skyline',
  'church', 'bw', 'summer', 'winter', 'reflection', 'nikon', 'canon', 'urban', 'landscape', 'history',
];
/** Flickr licence codes as ingest stores them, and whether the owner's name is kept (attribution). */
// prettier-ignore
const LICENCES: readonly [string, boolean][] = [
  ['all-rights-reserved', true], ['all-rights-reserved', true], ['all-rights-reserved', true],
  ['CC-BY-NC-SA-2.0', true], ['CC-BY-2.0', true], ['CC-BY-SA-2.0', true], ['CC-BY-NC-2.0', true],
  ['CC-BY-4.0', true], ['CC0-1.0', false], ['PDM-1.0', false],
];
const VOCABULARY = 30_000;

export interface HotspotFill {
  hotspots: number;
  cities: number;
  photos: number;
}

/** Where one filled database came from: a bench with the same figures may reuse it. */
const FILL_RECORD = 'bench_api_scale_fill';

/** The fill a database holds (hotspots and seed), or undefined when it holds none. */
export async function recordedFill(sql: Sql): Promise<{ hotspots: number; seed: number } | undefined> {
  const [table] = await sql`select 1 from pg_tables where schemaname = 'public' and tablename = ${FILL_RECORD}`;
  if (!table) return undefined;
  const [row] = await sql<{ hotspots: number; seed: number }[]>`select hotspots, seed from ${sql(FILL_RECORD)}`;
  return row;
}

/**
 * Fills an empty, migrated database with `hotspots` hotspots from `seed`. `sql`
 * must hold a single connection (its session keeps the generator functions).
 */
export async function fillHotspots(
  sql: Sql,
  hotspots: number,
  seed: number,
  log: (msg: string) => void = () => undefined,
): Promise<HotspotFill> {
  let last = performance.now();
  const step = (done: string) => {
    const now = performance.now();
    log(`  ${done} (${((now - last) / 1000).toFixed(1)} s)`);
    last = now;
  };
  const cities = Math.max(20, Math.round(hotspots / 330));
  const inCities = Math.round(hotspots * 0.9);
  await sql`set temp_buffers = '1GB'`;
  await sql`set maintenance_work_mem = '1GB'`;
  await sql`set work_mem = '256MB'`;
  await sql`set synchronous_commit = off`;
  // Compiling these one-off statements costs more than it saves.
  await sql`set jit = off`;
  await createGenerators(sql, seed);
  await createVocabulary(sql);
  await sql.unsafe(`
    create temp table cities as
    with c as (
      select g as rank, least(69.5, greatest(36.5, 47 + 6.5 * pg_temp.n(g, 1))) as lat,
             least(39.5, greatest(-9.5, 12 + 10 * pg_temp.n(g, 3))) as lng, 1.0 / g as w
      from generate_series(1, ${cities}) g
    ), sized as (select rank, lat, lng, floor(${inCities} * w / sum(w) over ())::int as n from c)
    select rank, lat, lng, n, (sum(n) over (order by rank) - n)::bigint as before,
           0.4 + 3.0 * sqrt(n::float8 / max(n) over ()) as scale_km,
           (select word from words where i = (rank * 7919) % ${VOCABULARY}) as word
    from sized`);
  const [{ placed }] = await sql<{ placed: number }[]>`select sum(n)::int as placed from cities`;
  step(`${cities} cities`);
  await sql.unsafe(hotspotRowsSql(placed, hotspots - placed));
  await sql`analyze h`;
  const [{ photos }] = await sql<{ photos: number }[]>`select sum(k)::int as photos from h`;
  step('hotspot attributes');
  await withoutIndexesAndForeignKeys(
    sql,
    ['hotspots', 'photos', 'hotspot_photos'],
    async () => {
      await sql.unsafe(INSERT_HOTSPOTS);
      step('hotspots rows');
      await sql.unsafe(insertPhotosSql(Math.max(1000, Math.round(hotspots * 0.6))));
      step('photos rows');
      await sql.unsafe(`insert into hotspot_photos (hotspot_id, photo_id)
        select h.id, h.first_photo + j from h cross join generate_series(1, h.k) j`);
      step('hotspot_photos rows');
    },
    step,
  );
  await sql`select setval('hotspots_id_seq', ${hotspots}), setval('photos_id_seq', ${photos})`;
  await sql`analyze hotspots`;
  await sql`analyze photos`;
  await sql`analyze hotspot_photos`;
  step('analyze');
  await sql`create table ${sql(FILL_RECORD)} (hotspots int not null, seed int not null, filled_at timestamptz not null default now())`;
  await sql`insert into ${sql(FILL_RECORD)} (hotspots, seed) values (${hotspots}, ${seed})`;
  return { hotspots, cities, photos };
}

/**
 * Checks a sample of the fill against the code it mirrors in SQL: every score component as scoring's
 * computeScore gives it from the stored inputs, every hotspot's and photo's work tile as tileKeyOf.
 */
export async function checkFill(sql: Sql): Promise<void> {
  const rows = await sql<{ id: number; lat: number; lng: number; tile: number; score: number; c: ScoreComponents }[]>`
    select id, lat, lng, tile, score, score_components as c from hotspots tablesample system (1) repeatable (1) limit 500`;
  const photos = await sql<{ id: number; lat: number; lng: number; tile: number }[]>`
    select id, lat, lng, tile from photos tablesample system (1) repeatable (1) limit 500`;
  const wrong: string[] = [];
  for (const r of rows) {
    const s = computeScore(r.c);
    const off = (Object.keys(s) as (keyof ScoreComponents)[]).filter((k) => s[k] !== r.c[k]);
    if (off.length > 0 || s.score !== r.score) wrong.push(`hotspot ${r.id} score components ${off.join(', ')}`);
    if (tileKeyOf(r.lat, r.lng) !== r.tile) wrong.push(`hotspot ${r.id} tile`);
  }
  for (const p of photos) if (tileKeyOf(p.lat, p.lng) !== p.tile) wrong.push(`photo ${p.id} tile`);
  if (wrong.length > 0)
    throw new Error(`the fill disagrees with the code it mirrors: ${wrong.slice(0, 10).join('; ')}`);
}

/** Session functions: u = uniform [0, 1) and n = standard normal, each a hash of (row, field, seed); the work tile. */
async function createGenerators(sql: Sql, seed: number): Promise<void> {
  if (!Number.isSafeInteger(seed)) throw new Error(`seed must be an integer, not ${seed}`);
  await sql.unsafe(`create function pg_temp.u(k bigint, s int) returns float8 language sql immutable parallel safe
    as $$ select (hashint8(k * 1000003 + s * 7919 + ${seed})::float8 + 2147483648) / 4294967296 $$`);
  await sql.unsafe(`create function pg_temp.n(k bigint, s int) returns float8 language sql immutable parallel safe
    as $$ select sqrt(-2 * ln(greatest(pg_temp.u(k, s), 1e-12))) * cos(2 * pi() * pg_temp.u(k, s + 1)) $$`);
  // libs/geo tileKeyOf: the Web Mercator tile at zoom 14, y * 2^14 + x.
  await sql.unsafe(`create function pg_temp.tile(lat float8, lng float8) returns int language sql immutable parallel safe
    as $$ select floor(((1 - ln(tan(lat * pi() / 180) + 1 / cos(lat * pi() / 180)) / pi()) / 2) * 16384)::int * 16384
                 + floor(((lng + 180) / 360) * 16384)::int $$`);
  // Member photo j of a hotspot: uniform over the disc of radius r metres around it, to 1e-6° as Flickr gives it.
  await sql.unsafe(`create function pg_temp.mlat(id bigint, lat float8, r float8, j int) returns float8
    language sql immutable parallel safe as $$ select round((lat + r * sqrt(pg_temp.u(id, 100 + j))
      * cos(2 * pi() * pg_temp.u(id, 200 + j)) / 111320) * 1e6) / 1e6 $$`);
  await sql.unsafe(`create function pg_temp.mlng(id bigint, lat float8, lng float8, r float8, j int) returns float8
    language sql immutable parallel safe as $$ select round((lng + r * sqrt(pg_temp.u(id, 100 + j))
      * sin(2 * pi() * pg_temp.u(id, 200 + j)) / (111320 * cos(lat * pi() / 180))) * 1e6) / 1e6 $$`);
}

/** The vocabulary (words) and the kinds of place as session tables. */
async function createVocabulary(sql: Sql): Promise<void> {
  await sql`create temp table syl (i int primary key, s text not null)`;
  await sql`insert into syl select (o - 1)::int, s from unnest(${SYLLABLES}::text[]) with ordinality as t(s, o)`;
  await sql.unsafe(`create temp table words as
    select v.i, initcap(a.s || b.s || case when pg_temp.u(v.i, 63) < 0.45 then c.s else '' end) as word
    from generate_series(0, ${VOCABULARY - 1}) v(i)
    join syl a on a.i = floor(pg_temp.u(v.i, 61) * ${SYLLABLES.length})::int
    join syl b on b.i = floor(pg_temp.u(v.i, 62) * ${SYLLABLES.length})::int
    join syl c on c.i = floor(pg_temp.u(v.i, 64) * ${SYLLABLES.length})::int`);
  await sql`alter table words add primary key (i)`;
  await sql`create temp table kinds (i int primary key, template text not null, tag text not null)`;
  await sql`insert into kinds select (o - 1)::int, t, g from unnest(${KINDS.map((k) => k[0])}::text[], ${KINDS.map((k) => k[1])}::text[]) with ordinality as x(t, g, o)`;
}

/** A constant text[] in SQL (the lists above are ours: plain words). */
function textArray(values: readonly string[]): string {
  return `array[${values.map((v) => `'${v.replaceAll("'", "''")}'`).join(', ')}]::text[]`;
}

/** `count` expressions made by `item(i)` for i = 0 … count − 1, as one SQL array (no subquery per row). */
function arrayOf(count: number, item: (i: number) => string): string {
  return `array[${Array.from({ length: count }, (_, i) => item(i)).join(', ')}]`;
}

/**
 * The session table h: one row per hotspot with everything processing computes for it (position, radius,
 * counts, label, tags, times), its member count k and the id before its first member photo.
 */
function hotspotRowsSql(placed: number, rural: number): string {
  return `
    create temp table h as
    with p as (
      select c.before + g as id, c.word as place,
             c.lat + c.scale_km * pg_temp.n(c.before + g, 5) / 111.32 as lat0,
             c.lng + c.scale_km * pg_temp.n(c.before + g, 7) / (111.32 * cos(c.lat * pi() / 180)) as lng0
      from cities c cross join generate_series(1, c.n) g
      union all
      select ${placed} + g, (select word from words where i = (${placed} + g) % ${VOCABULARY}),
             36 + 34 * pg_temp.u(${placed} + g, 9), -10 + 50 * pg_temp.u(${placed} + g, 10)
      from generate_series(1, ${rural}) g
    ), a as (
      select p.id, p.place,
             round(least(69.9, greatest(36, p.lat0)) * 1e7) / 1e7 as lat,
             round(least(39.9, greatest(-10, p.lng0)) * 1e7) / 1e7 as lng,
             round(15 + 135 * power(pg_temp.u(p.id, 11), 2.5))::real as radius_m,
             3 + floor(6 * pg_temp.u(p.id, 12))::int as k,
             least(50000, floor(5 * power(greatest(pg_temp.u(p.id, 13), 1e-9), -0.8)))::int as pc,
             timestamptz '2006-01-01' + pg_temp.u(p.id, 18) * interval '6575 days' as first_at,
             w.word, kinds.template, kinds.tag as kind_tag, pg_temp.u(p.id, 24) as style
      from p
      join words w on w.i = floor(${VOCABULARY} * power(pg_temp.u(p.id, 23), 2))::int
      join kinds on kinds.i = floor(pg_temp.u(p.id, 22) * ${KINDS.length})::int
    ), b as (
      select a.*, greatest(a.k, a.pc) as photo_count,
             least(greatest(a.k, a.pc), greatest(2, round(greatest(a.k, a.pc) * (0.15 + 0.5 * pg_temp.u(a.id, 14)))))::int as user_count,
             a.first_at + sqrt(pg_temp.u(a.id, 19)) * (now() - interval '1 day' - a.first_at) as last_at
      from a
    )
    select b.id, b.lat, b.lng, pg_temp.tile(b.lat, b.lng) as tile, b.radius_m, b.k,
           (sum(b.k) over (order by b.id) - b.k)::bigint as first_photo,
           b.photo_count, b.user_count,
           least(5 * b.user_count, round(b.user_count * (1 + 1.5 * pg_temp.u(b.id, 15))))::int as user_days,
           round(b.photo_count * 30 * power(greatest(pg_temp.u(b.id, 16), 1e-9), -0.6))::bigint as view_count,
           pg_temp.u(b.id, 17) as best_views_share,
           round((b.user_count / (pi() * b.radius_m * b.radius_m) * 1e4)::numeric, 3)::real as peak_density,
           case when b.style < 0.12 then null
                when b.style < 0.3 then replace(b.template, '%', b.word) || ' · ' || b.place
                else replace(b.template, '%', b.word) end as label,
           array[lower(b.word), b.kind_tag, lower(b.place)] || (${arrayOf(
             3,
             (t) => `(${textArray(GENERIC_TAGS)})[1 + floor(pg_temp.u(b.id, ${26 + t}) * ${GENERIC_TAGS.length})::int]`,
           )})[1:1 + floor(3 * pg_temp.u(b.id, 25))::int] as top_tags,
           b.first_at as first_photo_at, b.last_at as last_photo_at,
           now() - pg_temp.u(b.id, 20) * interval '400 days' as created_at,
           pg_temp.u(b.id, 21) < 0.3 as no_hours,
           floor(power(2, -extract(epoch from now() - b.last_at) / (5 * 31557600))
                 * (0.55 + 0.45 * pg_temp.u(b.id, 29)) * 1e4 + 0.5) / 1e4 as recency
    from b`;
}

/**
 * Hotspots from h, with the hull of their member photos and their score: scoring's formula (apps/scoring
 * score-formula.ts) over users, user-days, the best views per photographer (a share of all views), no
 * favorites and recency (2^(−years since the last photo / 5) times a photographer spread); every component
 * rounded to 1e-4 as computeScore does.
 */
const memberPoint = (j: number) =>
  `st_makepoint(pg_temp.mlng(h.id, h.lat, h.lng, h.radius_m, ${j}), pg_temp.mlat(h.id, h.lat, h.radius_m, ${j}))`;
const INSERT_HOTSPOTS = `
  insert into hotspots (id, status, lat, lng, tile, hull, radius_m, photo_count, user_count, user_days, view_count,
                        peak_density, label, top_tags, month_histogram, hour_histogram, first_photo_at, last_photo_at,
                        score, score_components, scored_at, created_at, updated_at)
  select h.id, 'active', h.lat, h.lng, h.tile, case when geometrytype(hull.g) = 'POLYGON' then hull.g::geography end,
         h.radius_m, h.photo_count, h.user_count, h.user_days,
         h.view_count, h.peak_density, h.label, h.top_tags,
         ${arrayOf(12, (m) => `round(h.user_days * ${(1.2 + Math.cos((2 * Math.PI * (m - 6)) / 12)) / 14} * (0.5 + pg_temp.u(h.id, ${30 + m})))::int`)},
         case when not h.no_hours then ${arrayOf(24, (hr) => `round(h.photo_count * ${Math.exp(-((hr - 14) ** 2) / 18) / 8} * (0.5 + pg_temp.u(h.id, ${50 + hr})))::int`)} end,
         h.first_photo_at, h.last_photo_at,
         s.score, jsonb_build_object('users', s.users, 'userDays', s.user_days, 'views', s.views, 'favorites', 0,
           'recency', s.recency, 'usersTerm', s.users_term, 'userDaysTerm', s.user_days_term,
           'viewsTerm', s.views_term, 'favoritesTerm', 0, 'recencyFactor', s.recency_factor, 'score', s.score),
         now(), h.created_at, h.created_at
  from h
  cross join lateral (select st_convexhull(st_collect((${arrayOf(8, (j) => memberPoint(j + 1))})[1:h.k])) as g) hull
  cross join lateral (
    select v.*, floor(ln(1 + v.users) * 1e4 + 0.5) / 1e4 as users_term,
           floor(0.5 * ln(1 + v.user_days) * 1e4 + 0.5) / 1e4 as user_days_term,
           floor(0.1 * ln(1 + v.views) * 1e4 + 0.5) / 1e4 as views_term,
           floor((0.6 + 0.4 * v.recency) * 1e4 + 0.5) / 1e4 as recency_factor,
           floor(100 * (ln(1 + v.users) + 0.5 * ln(1 + v.user_days) + 0.1 * ln(1 + v.views)) * (0.6 + 0.4 * v.recency)
                 * 1e4 + 0.5) / 1e4 as score
    from (select h.user_count as users, h.user_days, h.recency,
                 round(h.view_count * (0.2 + 0.5 * h.best_views_share))::float8 as views) v) s`;

/** Each hotspot's member photos as ingest stores Flickr photos (ids after the hotspot's first_photo), by `owners` photographers. */
const insertPhotosSql = (owners: number) => `
  insert into photos (id, source, source_id, owner_id, owner_name, lat, lng, tile, taken_at, uploaded_at, tags, title,
                      views, license, image_url)
  select m.pid, 'flickr', (52000000000 + m.pid)::text, 'fo_' || md5('owner:' || m.owner),
         case when (${arrayOf(LICENCES.length, (i) => String(LICENCES[i]![1]))})[m.licence] then 'Photographer ' || m.owner end,
         m.lat, m.lng, pg_temp.tile(m.lat, m.lng),
         m.taken_at, least(now(), m.taken_at + pg_temp.u(m.pid, 403) * interval '20 days'),
         m.top_tags[1:1 + floor(3 * pg_temp.u(m.pid, 404))::int],
         case when pg_temp.u(m.pid, 405) < 0.35 then null
              when pg_temp.u(m.pid, 405) < 0.55 then 'IMG_' || (1000 + m.pid % 9000)
              else initcap(m.top_tags[1]) || ' ' || m.top_tags[2] end,
         round(30 * power(greatest(pg_temp.u(m.pid, 406), 1e-9), -0.7))::int,
         (${textArray(LICENCES.map((l) => l[0]))})[m.licence],
         'https://live.staticflickr.com/65535/' || (52000000000 + m.pid) || '_' || substr(md5(m.pid::text), 1, 10) || '_q.jpg'
  from (
    select h.first_photo + j as pid, floor(pg_temp.u(h.first_photo + j, 401) * ${owners})::bigint as owner,
           pg_temp.mlat(h.id, h.lat, h.radius_m, j) as lat, pg_temp.mlng(h.id, h.lat, h.lng, h.radius_m, j) as lng,
           h.first_photo_at + pg_temp.u(h.first_photo + j, 402) * (h.last_photo_at - h.first_photo_at) as taken_at,
           1 + floor(pg_temp.u(h.first_photo + j, 407) * ${LICENCES.length})::int as licence, h.top_tags
    from h cross join generate_series(1, h.k) j) m`;

/**
 * Runs `fill` with the tables' secondary indexes (every index not backing a constraint) and foreign keys
 * dropped, then rebuilds each from its own definition (pg_get_indexdef, pg_get_constraintdef) as the
 * migrations left it: one bulk build or check each instead of one per row.
 */
async function withoutIndexesAndForeignKeys(
  sql: Sql,
  tables: string[],
  fill: () => Promise<void>,
  step: (done: string) => void,
): Promise<void> {
  const indexes = await sql<{ name: string; definition: string }[]>`
    select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as definition
    from pg_index i join pg_class t on t.oid = i.indrelid
    where t.relname = any(${tables}) and t.relnamespace = 'public'::regnamespace
      and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)`;
  const foreignKeys = await sql<{ name: string; tableName: string; definition: string }[]>`
    select c.conname as name, c.conrelid::regclass::text as "tableName", pg_get_constraintdef(c.oid) as definition
    from pg_constraint c join pg_class t on t.oid = c.conrelid
    where c.contype = 'f' and t.relname = any(${tables}) and t.relnamespace = 'public'::regnamespace`;
  for (const i of indexes) await sql`drop index ${sql(i.name)}`;
  for (const f of foreignKeys) await sql`alter table ${sql(f.tableName)} drop constraint ${sql(f.name)}`;
  await fill();
  for (const i of indexes) {
    await sql.unsafe(i.definition);
    step(`index ${i.name}`);
  }
  for (const f of foreignKeys) {
    await sql.unsafe(`alter table ${f.tableName} add constraint ${f.name} ${f.definition}`);
    step(`foreign key ${f.name}`);
  }
}
