import { createTestEnv, type TestEnv } from '@photospots/test-harness';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { NormalisedPhoto } from '../src/photos/normalised-photo.ts';
import { upsertPhotos } from '../src/photos/photo-store.ts';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
beforeEach(() => env.truncate());
afterAll(() => env.close());

const awkward = [
  '',
  ' ',
  '"',
  '""',
  '\\',
  '\\"',
  ',',
  '{',
  '}',
  '{a,b}',
  'NULL',
  'null',
  '\n',
  '\r\n',
  'a"b,c\nd',
  'Brücke 🌉',
  'tab\there',
  '\\N',
  'a\0b',
  '\0',
  '\ud800',
  'a\udc00b',
];
const photo = (i: number, over: Partial<NormalisedPhoto>): NormalisedPhoto => ({
  source: 'flickr',
  sourceId: `p${i}`,
  ownerId: `u${i}`,
  ownerName: null,
  lat: 51.05,
  lng: 13.74,
  tile: 1,
  takenAt: null,
  uploadedAt: null,
  tags: [],
  title: null,
  views: 0,
  license: null,
  imageUrl: null,
  ...over,
});

async function stored() {
  return env.database.sql`
    select source, source_id, owner_id, owner_name, lat, lng, tile, taken_at, uploaded_at, tags, title, views, license, image_url
    from photos order by source_id`;
}

describe('staging a batch', () => {
  it('stores the same rows by binary COPY (Postgres) as by one JSON parameter (the embedded database), whatever the text, numbers and dates hold', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            ownerName: fc.option(fc.oneof(fc.constantFrom(...awkward), fc.string())),
            title: fc.option(fc.oneof(fc.constantFrom(...awkward), fc.string({ unit: 'grapheme' }))),
            tags: fc.uniqueArray(
              fc.oneof(fc.constantFrom(...awkward.filter((t) => t !== '')), fc.string({ minLength: 1 })),
              { maxLength: 6 },
            ),
            lat: fc.double({ min: -90, max: 90, noNaN: true }),
            lng: fc.double({ min: -180, max: 180, noNaN: true }),
            // Both sides of 2000 (Postgres' epoch), and past 2255, where microseconds outgrow a double.
            takenAt: fc.option(
              fc.date({ min: new Date('1826-01-01'), max: new Date('2400-01-01'), noInvalidDate: true }),
            ),
            uploadedAt: fc.option(
              fc.date({ min: new Date('1990-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }),
            ),
            license: fc.option(fc.constantFrom('CC BY 2.0', 'CC BY-SA 4.0', '')),
            views: fc.integer({ min: 0, max: 2_147_483_647 }),
            imageUrl: fc.option(fc.webUrl()),
          }),
          { minLength: 1, maxLength: 20 },
        ),
        async (photos) => {
          await env.truncate();
          const batch = photos.map((p, i) => photo(i, p));
          const json = await env.database.sql.begin((tx) => upsertPhotos(tx, batch, 'json'));
          const byJson = await stored();
          await env.truncate();
          const copy = await env.database.sql.begin((tx) => upsertPhotos(tx, batch, 'copy'));
          expect(copy).toEqual(json);
          expect(await stored()).toEqual(byJson);
          // And each method sees the other's rows as unchanged.
          expect(await env.database.sql.begin((tx) => upsertPhotos(tx, batch, 'json'))).toMatchObject({
            inserted: 0,
            updated: 0,
            unchanged: batch.length,
          });
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('a batch copied straight into photos (Postgres)', () => {
  const count = async () => (await env.database.sql<{ n: number }[]>`select count(*)::int as n from photos`)[0]!.n;

  it.each(['copy', 'json'] as const)(
    'keeps the last of a key repeated in one batch, and tells sources apart (%s)',
    async (method) => {
      const batch = [
        photo(1, { views: 1 }),
        photo(1, { source: 'lbsn-9', views: 2 }),
        photo(2, {}),
        photo(1, { views: 3 }),
      ];
      expect(await env.database.sql.begin((tx) => upsertPhotos(tx, batch, method))).toMatchObject({ inserted: 3 });
      expect(await env.database.sql`select source, source_id, views from photos order by source, source_id`).toEqual([
        { source: 'flickr', source_id: 'p1', views: 3 },
        { source: 'flickr', source_id: 'p2', views: 0 },
        { source: 'lbsn-9', source_id: 'p1', views: 2 },
      ]);
    },
  );

  it("stores a batch in tile order, so that a tile's photos share pages; a repeated key's last row counts", async () => {
    const batch = [7, 3, 9, 3, 1, 7, 9, 1].map((tile, i) => photo(i, { tile }));
    batch.push(photo(0, { tile: 5, views: 9 })); // later in the batch: p0 moved to tile 5
    await env.database.sql.begin((tx) => upsertPhotos(tx, batch, 'copy'));
    const rows = await env.database.sql<{ source_id: string; tile: number; views: number }[]>`
      select source_id, tile, views from photos order by id`;
    expect(rows.map((r) => r.tile)).toEqual([1, 1, 3, 3, 5, 7, 9, 9]);
    expect(rows.find((r) => r.source_id === 'p0')).toEqual({ source_id: 'p0', tile: 5, views: 9 });
  });

  it('falls back to the staging path when some photos are stored already, and counts each row once', async () => {
    const first = [photo(1, {}), photo(2, {})];
    expect(await env.database.sql.begin((tx) => upsertPhotos(tx, first, 'copy'))).toEqual({
      inserted: 2,
      updated: 0,
      unchanged: 0,
      tiles: [1],
    });
    const mixed = [photo(2, {}), photo(1, { views: 5 }), photo(3, { tile: 7 })];
    expect(await env.database.sql.begin((tx) => upsertPhotos(tx, mixed, 'copy'))).toEqual({
      inserted: 1,
      updated: 1,
      unchanged: 1,
      tiles: [1, 7],
    });
    expect(await count()).toBe(3);
    expect(await env.database.sql.begin((tx) => upsertPhotos(tx, mixed, 'copy'))).toEqual({
      inserted: 0,
      updated: 0,
      unchanged: 3,
      tiles: [],
    });
  });

  it('waits for a concurrent writer of the same photos and then stores only what it did not', async () => {
    let releaseFirst!: () => void;
    const firstHolds = new Promise<void>((resolve) => (releaseFirst = resolve));
    let firstWrote!: () => void;
    const wrote = new Promise<void>((resolve) => (firstWrote = resolve));
    const a = env.database.sql.begin(async (tx) => {
      const result = await upsertPhotos(tx, [photo(1, {}), photo(2, {})], 'copy');
      firstWrote();
      await firstHolds; // uncommitted while the second writer copies the same key
      return result;
    });
    await wrote;
    const b = env.database.sql.begin((tx) => upsertPhotos(tx, [photo(2, {}), photo(3, {})], 'copy'));
    await new Promise((r) => setTimeout(r, 200));
    releaseFirst();
    expect(await a).toMatchObject({ inserted: 2 });
    expect(await b).toMatchObject({ inserted: 1, unchanged: 1 });
    expect(await count()).toBe(3);
  });

  it('rejects a batch the table refuses with the server error, rolls it back, and leaves the connection usable', async () => {
    const bad = [photo(1, {}), photo(2, { lat: 91 })]; // past the check constraint: validation upstream never lets this through
    await expect(env.database.sql.begin((tx) => upsertPhotos(tx, bad, 'copy'))).rejects.toMatchObject({
      code: '23514',
    });
    expect(await count()).toBe(0);
    const idleAborted = await env.database
      .sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and state = 'idle in transaction (aborted)'`;
    expect(idleAborted[0]!.n).toBe(0);
    expect(await env.database.sql.begin((tx) => upsertPhotos(tx, [photo(1, {})], 'copy'))).toMatchObject({
      inserted: 1,
    });
  });
});
