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

const awkward = ['', ' ', '"', '""', '\\', '\\"', ',', '{', '}', '{a,b}', 'NULL', 'null', '\n', '\r\n', 'a"b,c\nd', 'Brücke 🌉', 'tab\there', '\\N'];
const photo = (i: number, over: Partial<NormalisedPhoto>): NormalisedPhoto => ({
  source: 'flickr', sourceId: `p${i}`, ownerId: `u${i}`, ownerName: null, lat: 51.05, lng: 13.74, tile: 1,
  takenAt: null, uploadedAt: null, tags: [], title: null, views: 0, license: null, imageUrl: null, ...over,
});

async function stored() {
  return env.database.sql`
    select source, source_id, owner_id, owner_name, lat, lng, tile, taken_at, uploaded_at, tags, title, views, license, image_url
    from photos order by source_id`;
}

describe('staging a batch', () => {
  it('stores the same rows by COPY (Postgres) as by one JSON parameter (the embedded database), whatever the text holds', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            ownerName: fc.option(fc.oneof(fc.constantFrom(...awkward), fc.string())),
            title: fc.option(fc.oneof(fc.constantFrom(...awkward), fc.string({ unit: 'grapheme' }))),
            tags: fc.uniqueArray(fc.oneof(fc.constantFrom(...awkward.filter((t) => t !== '')), fc.string({ minLength: 1 })), { maxLength: 6 }),
            lat: fc.double({ min: -90, max: 90, noNaN: true }),
            lng: fc.double({ min: -180, max: 180, noNaN: true }),
            takenAt: fc.option(fc.date({ min: new Date('1900-01-01'), max: new Date('2030-01-01'), noInvalidDate: true })),
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
          expect(await env.database.sql.begin((tx) => upsertPhotos(tx, batch, 'json'))).toMatchObject({ inserted: 0, updated: 0, unchanged: batch.length });
        },
      ),
      { numRuns: 40 },
    );
  });
});
