import { photosIngested, photosIngestedV1 } from '@photospots/contracts';
import { MessagePublisher } from '@photospots/queue';
import { createTestEnv, readSamplePhotos, seedPhotos, type TestEnv } from '@photospots/test-harness';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildProcessing } from '../src/app.ts';
import { loadProcessingConfig } from '../src/config.ts';
import { markTilesDirty } from '@photospots/db';
import { tileKeyFromXY } from '@photospots/geo';
import { clearDirtyTiles, msUntilSettled, peekDirtyTiles } from '../src/dirty-tiles/dirty-tile-repository.ts';

let env: TestEnv;
const silent = pino({ level: 'silent' });

beforeAll(async () => {
  env = await createTestEnv();
});
beforeEach(() => env.truncate());
afterAll(() => env.close());

const ageBy = (tile: number, column: 'dirtied_at' | 'first_dirtied_at', seconds: number) =>
  env.database.sql.unsafe(
    `update dirty_tiles set ${column} = ${column} - interval '${seconds} seconds' where tile = ${tile}`,
  );

describe('dirty tiles wait for an import to settle', () => {
  const settling = { settleMs: 2_000, maxDelayMs: 60_000 };
  const REACH_M = 400; // one ring of tiles

  it('offers a tile once nothing has dirtied it for the settle time, or once it has waited the longest delay', async () => {
    const sql = env.database.sql;
    const [a, b, c] = [tileKeyFromXY(8800, 5470), tileKeyFromXY(8810, 5470), tileKeyFromXY(8820, 5470)]; // far apart
    await markTilesDirty(sql, [a, b, c]);
    await sql.begin(async (tx) =>
      expect(await peekDirtyTiles(tx, 10, settling, { areaM: REACH_M, writesM: 0 })).toEqual([]),
    );
    const wait = await msUntilSettled(sql, settling, REACH_M);
    expect(wait).toBeGreaterThan(1_000);
    expect(wait).toBeLessThanOrEqual(2_000);

    await ageBy(a, 'dirtied_at', 5); // settled
    await ageBy(b, 'first_dirtied_at', 70); // still written to, but waiting too long
    await markTilesDirty(sql, [b, c]); // dirtied again: its first dirtying is kept
    await sql.begin(async (tx) =>
      expect((await peekDirtyTiles(tx, 10, settling, { areaM: REACH_M, writesM: 0 })).sort()).toEqual([a, b]),
    );
    // Explicit rebuilds take every dirty tile at once.
    await sql.begin(async (tx) => expect((await peekDirtyTiles(tx, 10)).sort()).toEqual([a, b, c]));
    expect(await msUntilSettled(sql, settling, REACH_M)).toBe(0);
  });

  it('waits while a tile within reach is still being written: a quiet tile at the edge of a busy import is not settled', async () => {
    const sql = env.database.sql;
    const edge = tileKeyFromXY(8800, 5470);
    const busy = tileKeyFromXY(8801, 5470); // next to it: the edge tile's clusters read its photos
    const apart = tileKeyFromXY(8810, 5470);
    await markTilesDirty(sql, [edge, busy, apart]);
    await ageBy(edge, 'dirtied_at', 5);
    await ageBy(apart, 'dirtied_at', 5);
    await sql.begin(async (tx) =>
      expect(await peekDirtyTiles(tx, 10, settling, { areaM: REACH_M, writesM: 0 })).toEqual([apart]),
    );
    await ageBy(busy, 'dirtied_at', 5); // the import stopped writing next door
    await sql.begin(async (tx) =>
      expect((await peekDirtyTiles(tx, 10, settling, { areaM: REACH_M, writesM: 0 })).sort()).toEqual(
        [edge, busy, apart].sort(),
      ),
    );
    // However long the neighbour keeps being written, the edge tile waits at most the longest delay.
    await markTilesDirty(sql, [busy]);
    await ageBy(edge, 'first_dirtied_at', 70);
    await sql.begin(async (tx) =>
      expect((await peekDirtyTiles(tx, 10, settling, { areaM: REACH_M, writesM: 0 })).sort()).toEqual(
        [edge, apart].sort(),
      ),
    );
  });

  it('claims one compact area: the oldest dirty tile and the dirty tiles nearest to it, not the next oldest far away', async () => {
    const sql = env.database.sql;
    const at = (x: number, y: number) => tileKeyFromXY(8800 + x, 5470 + y);
    const near = [at(0, 0), at(1, 0), at(0, 1), at(1, 1), at(2, 2)];
    const far = [at(15, 0), at(0, 15), at(15, 15)];
    await markTilesDirty(sql, [...near, ...far]);
    await ageBy(at(1, 1), 'dirtied_at', 30); // the oldest: the claim grows around it
    for (const tile of far) await ageBy(tile, 'dirtied_at', 20); // older than the near ones, but far
    const claim = await sql.begin((tx) => peekDirtyTiles(tx, 5));
    expect([...claim].sort((a, b) => a - b)).toEqual([...near].sort((a, b) => a - b));
    expect(claim[0]).toBe(at(1, 1));
    // The next claim starts at the oldest tile left.
    await sql`delete from dirty_tiles where tile = any(${near}::int[])`;
    expect(await sql.begin((tx) => peekDirtyTiles(tx, 2))).toHaveLength(2);
  });

  it("a bulk import's writes postpone the longest delay of the tiles it keeps writing; other writes keep it", async () => {
    const sql = env.database.sql;
    const [bulk, harvest] = [tileKeyFromXY(8800, 5470), tileKeyFromXY(8820, 5470)];
    await markTilesDirty(sql, [bulk, harvest]);
    await ageBy(bulk, 'first_dirtied_at', 70);
    await ageBy(harvest, 'first_dirtied_at', 70);
    await markTilesDirty(sql, [bulk], { postpone: true });
    await markTilesDirty(sql, [harvest]);
    // Both were written just now; only the harvested one has waited past the 60 s delay and is offered.
    await sql.begin(async (tx) =>
      expect(await peekDirtyTiles(tx, 10, settling, { areaM: REACH_M, writesM: 0 })).toEqual([harvest]),
    );
  });

  it('holds every tile back while a file import runs, until the import is done, stops moving, or the longest delay passes', async () => {
    const sql = env.database.sql;
    const [quiet, waited] = [tileKeyFromXY(8800, 5470), tileKeyFromXY(8820, 5470)];
    await markTilesDirty(sql, [quiet, waited], { postpone: true });
    await ageBy(quiet, 'dirtied_at', 5); // settled, were no import running
    await ageBy(waited, 'dirtied_at', 5);
    await ageBy(waited, 'first_dirtied_at', 70);
    const offered = () => sql.begin((tx) => peekDirtyTiles(tx, 10, settling, { areaM: REACH_M, writesM: 0 }));
    const importing = (done: boolean, movedSecondsAgo: number) => sql`
      insert into ingest_checkpoints (job, key, done, state, updated_at)
      values ('file-import', 'countries.csv', ${done}, '{}'::jsonb, now() - make_interval(secs => ${movedSecondsAgo}))
      on conflict (job, key) do update set done = excluded.done, updated_at = excluded.updated_at`;

    await importing(false, 1);
    expect(await offered()).toEqual([waited]);
    // Looked at again within a few seconds, however far the longest delay: the import's end may go unannounced.
    const wait = await msUntilSettled(sql, settling, REACH_M);
    expect(wait).toBe(0);
    await sql`delete from dirty_tiles where tile = ${waited}`;
    const recheck = await msUntilSettled(sql, settling, REACH_M);
    expect(recheck).toBeGreaterThan(0);
    expect(recheck).toBeLessThanOrEqual(5_000);

    await importing(false, 61); // not moved for longer than the longest delay: stopped or died
    expect(await offered()).toEqual([quiet]);
    await importing(true, 0);
    expect(await offered()).toEqual([quiet]);
    expect(await msUntilSettled(sql, settling, REACH_M)).toBe(0);
    // Explicit rebuilds do not wait for imports.
    await importing(false, 0);
    expect(await sql.begin((tx) => peekDirtyTiles(tx, 10))).toEqual([quiet]);
  });

  it('counts the wait afresh for a tile dirtied again while it was being re-clustered', async () => {
    const sql = env.database.sql;
    await markTilesDirty(sql, [7, 8]);
    await ageBy(7, 'first_dirtied_at', 70);
    await ageBy(8, 'first_dirtied_at', 70);
    await markTilesDirty(sql, [7]); // version 2: written while the claim of version 1 ran
    await sql.begin((tx) =>
      clearDirtyTiles(tx, [
        { tile: 7, version: 1 },
        { tile: 8, version: 1 },
      ]),
    );
    const rows = await sql<{ tile: number; waited_s: number }[]>`
      select tile, extract(epoch from now() - first_dirtied_at)::float8 as waited_s from dirty_tiles order by tile`;
    expect(rows.map((r) => r.tile)).toEqual([7]);
    expect(rows[0]!.waited_s).toBeLessThan(10);
    expect(await msUntilSettled(sql, { settleMs: 0, maxDelayMs: 60_000 })).toBe(0);
    expect(await msUntilSettled(sql, { settleMs: 60_000, maxDelayMs: 60_000 })).toBeGreaterThan(50_000);
  });

  it('a version 2 message only wakes processing (its tiles were marked by ingest); a version 1 message marks them itself', async () => {
    const tiles = await seedPhotos(env.database.sql, readSamplePhotos().slice(0, 2_000)); // stored, not marked dirty
    const processing = buildProcessing(
      loadProcessingConfig(env.serviceEnv({ PROCESSING_SETTLE_MS: '0', SQS_WAIT_TIME_SECONDS: '1' })),
      {
        database: env.database,
        sqs: env.sqs,
        queues: env.queues,
        log: silent,
      },
    );
    const publisher = new MessagePublisher({ sqs: env.sqs, queueUrls: env.queues.url, producer: 'test', log: silent });
    const count = async (table: 'hotspots' | 'dirty_tiles') =>
      (await env.database.sql<{ n: number }[]>`select count(*)::int as n from ${env.database.sql(table)}`)[0]!.n;
    const queueEmpty = async () => {
      const { ReceiveMessageCommand } = await import('@aws-sdk/client-sqs');
      const got = await env.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: env.queues.url.photosIngested,
          WaitTimeSeconds: 0,
          VisibilityTimeout: 0,
        }),
      );
      return (got.Messages ?? []).length === 0;
    };
    processing.start();
    try {
      await publisher.publish(photosIngested, { batchId: 'v2', source: 'lbsn', photoCount: 2_000, tiles });
      for (let i = 0; i < 50 && !(await queueEmpty()); i++) await new Promise((r) => setTimeout(r, 100));
      await new Promise((r) => setTimeout(r, 500));
      expect([await count('dirty_tiles'), await count('hotspots')]).toEqual([0, 0]);

      await publisher.publish(photosIngestedV1, { batchId: 'v1', source: 'lbsn', photoCount: 2_000, tiles });
      const deadline = Date.now() + 15_000;
      while (((await count('hotspots')) === 0 || (await count('dirty_tiles')) > 0) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 200));
      expect(await count('hotspots')).toBeGreaterThan(0);
      expect(await count('dirty_tiles')).toBe(0);
    } finally {
      await processing.stop();
    }
  });

  it('the service re-clusters a dirtied area by itself once it settles, not while messages keep dirtying it', async () => {
    const tiles = await seedPhotos(env.database.sql, readSamplePhotos().slice(0, 4_000));
    const processing = buildProcessing(
      loadProcessingConfig(
        env.serviceEnv({ PROCESSING_SETTLE_MS: '1500', PROCESSING_MAX_DELAY_MS: '60000', SQS_WAIT_TIME_SECONDS: '1' }),
      ),
      { database: env.database, sqs: env.sqs, queues: env.queues, log: silent },
    );
    const publisher = new MessagePublisher({ sqs: env.sqs, queueUrls: env.queues.url, producer: 'test', log: silent });
    const hotspots = async () =>
      (await env.database.sql<{ n: number }[]>`select count(*)::int as n from hotspots`)[0]!.n;
    processing.start();
    try {
      // An import in progress: the same tiles announced every 400 ms for 3 s.
      const started = Date.now();
      for (let batch = 0; Date.now() - started < 3_000; batch++) {
        await markTilesDirty(env.database.sql, tiles); // what ingest does with each batch it stores
        await publisher.publish(photosIngested, { batchId: `b${batch}`, source: 'lbsn', photoCount: 4_000, tiles });
        await new Promise((r) => setTimeout(r, 400));
        expect(await hotspots()).toBe(0);
      }
      // The writes stop: without another message, the service comes back once they have settled.
      const dirty = async () => (await env.database.sql`select 1 from dirty_tiles`).length;
      const deadline = Date.now() + 6_000; // sooner than the 10 s sweep: the service came back by itself
      while (((await hotspots()) === 0 || (await dirty()) > 0) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 200));
      expect(await hotspots()).toBeGreaterThan(0);
      expect(await dirty()).toBe(0);
    } finally {
      await processing.stop();
    }
  });
});
