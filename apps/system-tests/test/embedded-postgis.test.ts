import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createDatabase, drainOutbox, enqueueOutbox, lockTiles, runMigrations, type Database } from '@photospots/db';
import { startEmbeddedPostgis, type EmbeddedPostgis } from '@photospots/embedded-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The embedded database of `npm start` (PGlite over pglite-socket, with the
 * launcher's ExchangeQueue) runs the services' SQL: the migrations, the
 * features the services rely on, and many clients at once without their
 * answers getting crossed.
 */

let dir: string;
let pg: EmbeddedPostgis;
const opened: Database[] = [];

function connect(max = 5): Database {
  const db = createDatabase(pg.url, { max, applicationName: 'test' });
  opened.push(db);
  return db;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'photospots-pglite-'));
  pg = await startEmbeddedPostgis(dir);
  await runMigrations(pg.url);
}, 180_000);

afterAll(async () => {
  for (const db of opened) await db.close().catch(() => undefined);
  await pg?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the embedded PostGIS', () => {
  it('takes the migrations: PostGIS and pg_trgm, generated geography columns, GIST indexes', async () => {
    const { sql } = connect(1);
    const [hotspot] = await sql<{ id: number; meters: number }[]>`
      insert into hotspots (lat, lng, tile, radius_m, photo_count, user_count, user_days) values (51.0519, 13.7416, 1, 40, 10, 5, 5)
      returning id, st_distance(centroid, st_setsrid(st_makepoint(13.7426, 51.0519), 4326)::geography)::float8 as meters`;
    expect(hotspot!.meters).toBeGreaterThan(60);
    expect(hotspot!.meters).toBeLessThan(80);
    const [near] = await sql<{ id: number }[]>`
      select id from hotspots where st_dwithin(centroid, st_setsrid(st_makepoint(13.7426, 51.0519), 4326)::geography, 100)`;
    expect(near?.id).toBe(hotspot!.id);
    const indexes = await sql<{ indexname: string }[]>`
      select indexname from pg_indexes where tablename in ('photos', 'hotspots') and indexdef like '%USING gist%' order by 1`;
    expect(indexes.map((i) => i.indexname)).toEqual(['hotspots_centroid_gist']);
    const [{ similarity }] =
      (await sql`select similarity('frauenkirche', 'frauenkirch')::float8 as similarity`) as unknown as [
        { similarity: number },
      ];
    expect(similarity).toBeGreaterThan(0.7);
    await sql`delete from hotspots`;
  });

  it('runs what the services use: transactions with advisory locks, jsonb_to_recordset, and for update skip locked across connections', async () => {
    const a = connect();
    const b = connect();
    await a.sql.begin(async (tx) => {
      await lockTiles(tx, [3, 1, 2]);
      await tx`
        insert into dirty_tiles (tile)
        select tile from jsonb_to_recordset(${JSON.stringify([{ tile: 1 }, { tile: 2 }, { tile: 3 }])}::jsonb) as v(tile int)`;
    });
    expect((await b.sql<{ tile: number }[]>`select tile from dirty_tiles order by tile`).map((r) => r.tile)).toEqual([
      1, 2, 3,
    ]);

    for (let i = 0; i < 50; i++) await enqueueOutbox(a.sql, 'photosIngested', { n: i });
    const sent: number[] = [];
    const relay = (db: Database) =>
      drainOutbox(
        db.sql,
        ['photosIngested'],
        7,
        async (rows) => void sent.push(...rows.map((r) => (r.body as { n: number }).n)),
      );
    // Two relays drain at once; every row is sent exactly once.
    for (;;) {
      const [x, y] = await Promise.all([relay(a), relay(b)]);
      if (x + y === 0) break;
    }
    expect(sent.sort((p, q) => p - q)).toEqual([...Array(50).keys()]);
    await a.sql`delete from dirty_tiles`;
  });

  it('gives many concurrent clients their own answers, while other clients run transactions', async () => {
    const clients = [connect(), connect(), connect(), connect()];
    const writer = connect(2);
    let transactions = 0;
    let stop = false;
    const writing = (async () => {
      while (!stop) {
        await writer.sql.begin(async (tx) => {
          await tx`insert into users (id) values (${`u${transactions}`})`;
          await tx`select pg_advisory_xact_lock(1, ${transactions})`;
        });
        transactions++;
      }
    })();
    const wrong: string[] = [];
    await Promise.all(
      Array.from({ length: 600 }, async (_, i) => {
        const db = clients[i % clients.length]!;
        const [row] = await db.sql<{ n: number; s: string }[]>`select ${i}::int as n, ${`q${i}`}::text as s`;
        if (row?.n !== i || row.s !== `q${i}`) wrong.push(`${i} → ${JSON.stringify(row)}`);
      }),
    );
    stop = true;
    await writing;
    expect(wrong).toEqual([]);
    expect(transactions).toBeGreaterThan(0);
    expect((await clients[0]!.sql<{ n: number }[]>`select count(*)::int as n from users`)[0]!.n).toBe(transactions);
  });

  it('rolls back the transaction of a client that goes away, and lets the others go on', async () => {
    const quitter = connect(1);
    const other = connect(1);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const abandoned = quitter.sql
      .begin(async (tx) => {
        await tx`insert into users (id) values ('abandoned')`;
        release();
        await new Promise(() => undefined); // never commits
      })
      .catch(() => 'closed');
    await held;
    await quitter.close(0);
    expect(await abandoned).toBe('closed');
    const rows = await other.sql<{ id: string }[]>`select id from users where id = 'abandoned'`;
    expect(rows).toEqual([]);
  });
});
