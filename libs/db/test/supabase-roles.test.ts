import { randomBytes } from 'node:crypto';
import { HARNESS_ENV } from '@photospots/test-harness';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMigrations } from '../src/index.ts';

/**
 * The migrations on a database shaped like a Supabase project's: postgis, pg_trgm and unaccent installed by the
 * platform in a schema named extensions, the migrations run by a role that is not a superuser and has Supabase's
 * search_path, and the API roles anon and authenticated granted everything made in public by default
 * privileges. The API roles must neither read nor change anything the project keeps there.
 */

/** Postgres NOTICEs ("extension already exists") are not worth a log line. */
const ignoreNotice = (): void => undefined;

const API_ROLES = ['anon', 'authenticated'] as const;

/** The tables the migrations create; each gets a row from the owner before the API roles look. */
const SEEDED_TABLES = [
  'dirty_tiles',
  'favorites',
  'hotspot_photos',
  'hotspots',
  'ingest_checkpoints',
  'outbox',
  'photos',
  'users',
];

const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Creates a cluster-wide role unless it exists, also when a concurrent test run creates it at the same time. */
async function createRoleIfMissing(sql: postgres.Sql, role: string): Promise<void> {
  const [existing] = await sql`select 1 from pg_roles where rolname = ${role}`;
  if (existing) return;
  await sql.unsafe(`create role ${quoted(role)} nologin`).catch((err: { code?: string }) => {
    if (!['42710', '23505'].includes(err.code ?? '')) throw err;
  });
}

interface SupabaseShapedDatabase {
  /** Superuser on the database; takes on the API roles with SET ROLE. */
  superuser: postgres.Sql;
  /** As the role that owns the database and the public schema: what the migrations and the services use. */
  ownerUrl: string;
  drop(): Promise<void>;
}

/**
 * A fresh database shaped like a Supabase project's, the extensions in `preinstalled` installed by the platform
 * (a superuser) in the schema extensions, and its owner a role that is not a superuser.
 */
async function createSupabaseShapedDatabase(preinstalled: string[]): Promise<SupabaseShapedDatabase> {
  const adminUrl = process.env[HARNESS_ENV.adminDatabaseUrl];
  if (!adminUrl)
    throw new Error(`${HARNESS_ENV.adminDatabaseUrl} is not set: run tests through the root vitest config`);
  const id = randomBytes(4).toString('hex');
  // The run id in the name: the harness's teardown drops what a crashed run left behind.
  const database = `photospots_supabase_${id}_${process.env[HARNESS_ENV.runId] ?? 'adhoc'}`;
  const ownerRole = `photospots_owner_${id}`;
  const password = randomBytes(12).toString('hex');
  const admin = postgres(adminUrl, { max: 1, onnotice: ignoreNotice });
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  let superuser: postgres.Sql | undefined;
  const drop = async () => {
    await superuser?.end({ timeout: 5 });
    await admin.unsafe(`drop database if exists ${database} with (force)`);
    await admin.unsafe(`drop role if exists ${ownerRole}`);
    await admin.end({ timeout: 5 });
  };
  try {
    // anon and authenticated are created once and kept: roles belong to the cluster, and other databases (a
    // concurrent run's) may hold grants to them, which would stop a DROP ROLE.
    for (const role of API_ROLES) await createRoleIfMissing(admin, role);
    await admin.unsafe(`create role ${ownerRole} login nosuperuser nocreatedb nocreaterole password '${password}'`);
    await admin.unsafe(`alter role ${ownerRole} set search_path = "$user", public, extensions`);
    // From template0: an image's template1 may hold PostGIS already (postgis/postgis installs it there).
    await admin.unsafe(`create database ${database} owner ${ownerRole} template template0`);

    superuser = postgres(url.toString(), { max: 1, onnotice: ignoreNotice });
    for (const statement of [
      'create schema extensions',
      `grant usage, create on schema extensions to ${ownerRole}`,
      'grant usage on schema extensions to anon, authenticated',
      ...preinstalled.map((extension) => `create extension ${extension} schema extensions`),
      `alter schema public owner to ${ownerRole}`,
      'grant usage on schema public to anon, authenticated',
      ...['tables', 'sequences', 'functions'].map(
        (kind) =>
          `alter default privileges for role ${ownerRole} in schema public grant all on ${kind} to anon, authenticated`,
      ),
    ]) {
      await superuser.unsafe(statement);
    }
  } catch (err) {
    await drop();
    throw err;
  }
  url.username = ownerRole;
  url.password = password;
  return { superuser, ownerUrl: url.toString(), drop };
}

async function extensionSchemas(sql: postgres.Sql) {
  return sql`
    select extname as name, extnamespace::regnamespace::text as schema from pg_extension
    where extname in ('postgis', 'pg_trgm', 'unaccent') order by 1`;
}

const ALL_IN_EXTENSIONS = [
  { name: 'pg_trgm', schema: 'extensions' },
  { name: 'postgis', schema: 'extensions' },
  { name: 'unaccent', schema: 'extensions' },
];

let database: SupabaseShapedDatabase;
let superuser: postgres.Sql;
/** The role that ran the migrations, as the services connect. */
let owner: postgres.Sql;

beforeAll(async () => {
  database = await createSupabaseShapedDatabase(['postgis', 'pg_trgm', 'unaccent']);
  superuser = database.superuser;
  await runMigrations(database.ownerUrl);

  owner = postgres(database.ownerUrl, { max: 1, onnotice: ignoreNotice });
  const [hotspot] = await owner<{ id: number }[]>`
    insert into hotspots (lat, lng, tile, radius_m, photo_count, user_count, user_days, label)
    values (51.0527, 13.7425, 1, 40, 10, 5, 5, 'Brühlsche Terrasse') returning id`;
  const [photo] = await owner<{ id: number }[]>`
    insert into photos (source, source_id, owner_id, lat, lng, tile) values ('test', '1', 'o1', 51.0527, 13.7425, 1)
    returning id`;
  await owner`insert into hotspot_photos (hotspot_id, photo_id) values (${hotspot!.id}, ${photo!.id})`;
  await owner`insert into users (id) values ('user-1')`;
  await owner`insert into favorites (user_id, hotspot_id) values ('user-1', ${hotspot!.id})`;
  await owner`insert into ingest_checkpoints (job, key) values ('test', 'leaf-1')`;
  await owner`insert into dirty_tiles (tile) values (1)`;
  await owner`insert into outbox (queue, body) values ('hotspotsChanged', '{}')`;
});

afterAll(async () => {
  await owner?.end({ timeout: 5 });
  await database?.drop();
});

/**
 * Runs `statement` as `role` in a transaction that is rolled back, so no attempt changes what the next one
 * sees: the rows it returned or changed, 'refused' (insufficient privilege, which a row level security
 * violation also is), or the SQLSTATE of another error.
 */
async function attempt(role: string, statement: string): Promise<number | string> {
  const connection = await superuser.reserve();
  try {
    await connection`begin`;
    await connection.unsafe(`set local role ${quoted(role)}`);
    const result = await connection.unsafe(statement);
    return result.count;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (!code) throw err;
    return code === '42501' ? 'refused' : code;
  } finally {
    await connection`rollback`;
    connection.release();
  }
}

/**
 * What a write did: 'nothing' when it was refused or touched no row (a write to hotspots is refused outright: its
 * statement trigger bumps a sequence the API roles may not use).
 */
const written = (outcome: number | string) => (outcome === 0 || outcome === 'refused' ? 'nothing' : outcome);

async function publicTables(): Promise<string[]> {
  const rows = await superuser<{ name: string }[]>`
    select tablename as name from pg_tables where schemaname = 'public' order by 1`;
  return rows.map((r) => r.name);
}

describe('migrations on a Supabase-shaped database', () => {
  it('run as a role that is not a superuser, with the extensions left in the extensions schema', async () => {
    expect(await owner`select rolsuper from pg_roles where rolname = current_user`).toEqual([{ rolsuper: false }]);
    expect(await extensionSchemas(superuser)).toEqual(ALL_IN_EXTENSIONS);
    // The folded search text, and what the search and nearby queries use, unqualified through the search_path.
    const found = await owner`
      select public.photospots_fold('Brühl Straße') as folded, search_text as "searchText",
             round(word_similarity('bruhlsche', search_text)::numeric, 2)::float8 as similarity,
             st_dwithin(centroid, st_setsrid(st_makepoint(13.7426, 51.0527), 4326)::geography, 100) as near
      from hotspots`;
    expect(found).toEqual([{ folded: 'bruhl strasse', searchText: 'bruhlsche terrasse ', similarity: 1, near: true }]);
  });

  it('enable row level security on every table in public', async () => {
    const tables = await superuser<{ name: string; rls: boolean }[]>`
      select relname as name, relrowsecurity as rls from pg_class
      where relnamespace = 'public'::regnamespace and relkind in ('r', 'p') order by 1`;
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(SEEDED_TABLES));
    expect(tables.filter((t) => !t.rls).map((t) => t.name)).toEqual([]);
  });

  it('keep every row visible and writable to the owner the services connect as', async () => {
    for (const table of SEEDED_TABLES) {
      const [{ count }] = (await owner.unsafe(`select count(*)::int as count from public.${quoted(table)}`)) as [
        { count: number },
      ];
      expect({ table, count }).toEqual({ table, count: 1 });
    }
    expect(await owner`update users set last_seen_at = now() where id = 'user-1' returning id`).toEqual([
      { id: 'user-1' },
    ]);
  });

  describe.each(API_ROLES)('as %s', (role) => {
    it('sees no row of any table in public and inserts, updates or deletes none', async () => {
      const tables = await publicTables();
      expect(tables).toEqual(expect.arrayContaining(SEEDED_TABLES));
      const outcomes: Record<string, unknown> = {};
      for (const table of tables) {
        const [{ column }] = (await superuser`
          select attname as column from pg_attribute
          where attrelid = ${`public.${quoted(table)}`}::regclass and attnum > 0 and not attisdropped
            and attgenerated = ''
          order by attnum limit 1`) as unknown as [{ column: string }];
        const target = `public.${quoted(table)}`;
        outcomes[table] = {
          select: await attempt(role, `select * from ${target}`),
          insert: written(await attempt(role, `insert into ${target} default values`)),
          update: written(await attempt(role, `update ${target} set ${quoted(column)} = ${quoted(column)}`)),
          delete: written(await attempt(role, `delete from ${target}`)),
        };
      }
      expect(outcomes).toEqual(
        Object.fromEntries(
          tables.map((t) => [t, { select: 0, insert: 'nothing', update: 'nothing', delete: 'nothing' }]),
        ),
      );
    });

    it('truncates no table, which row level security would not stop', async () => {
      const outcomes: Record<string, unknown> = {};
      for (const table of SEEDED_TABLES) outcomes[table] = await attempt(role, `truncate public.${quoted(table)}`);
      expect(outcomes).toEqual(Object.fromEntries(SEEDED_TABLES.map((t) => [t, 'refused'])));
    });

    it('uses no sequence and calls no function of the project', async () => {
      const sequences = await superuser<{ name: string }[]>`
        select sequencename as name from pg_sequences where schemaname = 'public' order by 1`;
      expect(sequences.map((s) => s.name)).toEqual(expect.arrayContaining(['photospots_hotspots_version']));
      const nextvals: Record<string, unknown> = {};
      for (const { name } of sequences) {
        nextvals[name] = await attempt(role, `select nextval('public.${quoted(name)}')`);
      }
      expect(nextvals).toEqual(Object.fromEntries(sequences.map((s) => [s.name, 'refused'])));

      const functions = await superuser<{ signature: string; executable: boolean }[]>`
        select p.oid::regprocedure::text as signature, has_function_privilege(${role}, p.oid, 'execute') as executable
        from pg_proc p where p.pronamespace = 'public'::regnamespace order by 1`;
      expect(functions.map((f) => f.signature)).toEqual(
        expect.arrayContaining(['photospots_fold(text)', 'photospots_search_text(text,text[])']),
      );
      expect(functions.filter((f) => f.executable)).toEqual([]);
      expect(await attempt(role, `select public.photospots_fold('x')`)).toBe('refused');
    });
  });
});

describe('migrations on a Supabase project with only PostGIS enabled', () => {
  it('enable pg_trgm and unaccent in the extensions schema, where the API does not reach them', async () => {
    const fresh = await createSupabaseShapedDatabase(['postgis']);
    try {
      await runMigrations(fresh.ownerUrl);
      expect(await extensionSchemas(fresh.superuser)).toEqual(ALL_IN_EXTENSIONS);
      const [{ folded }] = (await fresh.superuser`select public.photospots_fold('Äußere Neustadt') as folded`) as [
        { folded: string },
      ];
      expect(folded).toBe('aussere neustadt');
    } finally {
      await fresh.drop();
    }
  });
});
