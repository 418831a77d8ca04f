import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createDatabase, markTilesDirty, MIGRATIONS_FOLDER } from '@photospots/db';
import { haversineMeters, offsetMeters } from '@photospots/geo';
import { createTestEnv, readSamplePhotos, seedPhotos, type SeedPhoto, type TestEnv } from '@photospots/test-harness';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildProcessing, type Processing } from '../src/app.ts';
import { loadProcessingConfig } from '../src/config.ts';

let env: TestEnv;
let processing: Processing;
const sample = readSamplePhotos();

interface Snapshot {
  id: number;
  lat: number;
  lng: number;
  label: string | null;
  user_count: number;
  members: number[];
}

async function snapshot(): Promise<Snapshot[]> {
  return env.database.sql<Snapshot[]>`
    select h.id, h.lat, h.lng, h.label, h.user_count,
           array(select p.source_id::text from hotspot_photos hp join photos p on p.id = hp.photo_id where hp.hotspot_id = h.id order by 1) as members
    from hotspots h where h.status = 'active' order by h.id`;
}

/** Hotspots as places, without ids: for comparing two computations. */
const places = (s: Snapshot[]) => s.map((h) => `${h.lat.toFixed(9)},${h.lng.toFixed(9)}|${h.members.join(',')}`).sort();

beforeAll(async () => {
  env = await createTestEnv();
  processing = buildProcessing(loadProcessingConfig(env.serviceEnv()), {
    database: env.database,
    sqs: env.sqs,
    queues: env.queues,
    log: pino({ level: 'silent' }),
  });
});
beforeEach(() => env.truncate());
afterAll(async () => {
  await processing.stop();
  await env.close();
});

describe('re-clustering the Dresden sample', () => {
  it('finds the Frauenkirche, needs several photographers per hotspot, and is stable when run again', async () => {
    await seedPhotos(env.database.sql, sample);
    // One result per pass (PROCESSING_MAX_TILES_PER_RUN tiles each).
    const results = await processing.rebuildAll();
    expect(results.reduce((s, r) => s + r.created, 0)).toBeGreaterThan(100);
    const hotspots = await snapshot();
    const frauenkirche = hotspots.filter((h) => haversineMeters(h.lat, h.lng, 51.0519, 13.7416) < 100);
    expect(frauenkirche).toHaveLength(1);
    expect(frauenkirche[0]!.label).toMatch(/^Frauenkirche/);
    expect(Math.min(...hotspots.map((h) => h.user_count))).toBeGreaterThanOrEqual(3);
    // Every photo belongs to at most one hotspot.
    const members = hotspots.flatMap((h) => h.members);
    expect(new Set(members).size).toBe(members.length);

    const again = await processing.rebuildAll();
    expect(again.reduce((s, r) => s + r.created + r.changed + r.retired, 0)).toBe(0);
    expect(await snapshot()).toEqual(hotspots);
  });

  it('gives the same hotspots incrementally as a full rebuild, keeping ids of places that stayed', async () => {
    // 80% of the photos first (every fifth photo held back), then the rest as an incremental batch.
    const first = sample.filter((_, i) => i % 5 !== 0);
    const later = sample.filter((_, i) => i % 5 === 0);
    await seedPhotos(env.database.sql, first);
    await processing.rebuildAll();
    const before = await snapshot();

    const tiles = await seedPhotos(env.database.sql, later);
    await markTilesDirty(env.database.sql, tiles);
    const results = await processing.rebuildDirty();
    expect(results.length).toBeGreaterThan(0);
    const incremental = await snapshot();

    // Ids survive for places that are substantially the same.
    const beforeFk = before.find((h) => haversineMeters(h.lat, h.lng, 51.0519, 13.7416) < 100)!;
    const afterFk = incremental.find((h) => haversineMeters(h.lat, h.lng, 51.0519, 13.7416) < 100)!;
    expect(afterFk.id).toBe(beforeFk.id);
    const keptIds = incremental.filter((h) => before.some((b) => b.id === h.id)).length;
    expect(keptIds / before.length).toBeGreaterThan(0.8);

    // A full rebuild from scratch on the same data finds exactly the same places.
    await env.database.sql`truncate hotspot_photos, hotspots restart identity cascade`;
    await processing.rebuildAll();
    expect(places(await snapshot())).toEqual(places(incremental));
  });

  it('re-clusters only the area a new batch touched', async () => {
    await seedPhotos(env.database.sql, sample);
    await processing.rebuildAll();
    const total = (await snapshot()).length;
    const pillnitz = sample.filter((p) => haversineMeters(p.lat, p.lng, 51.0088, 13.8697) < 300).slice(0, 5);
    const tiles = await seedPhotos(
      env.database.sql,
      pillnitz.map((p, i) => ({ ...p, sourceId: `extra-${i}`, ownerId: `visitor-${i}` })),
    );
    await markTilesDirty(env.database.sql, tiles);
    const [result] = await processing.rebuildDirty();
    expect(result!.tilesClaimed).toBe(tiles.length);
    // The tiles within reach of the new photos (clustering margin, naming radius), not the city.
    expect(result!.areaTiles).toBeLessThanOrEqual(25 * tiles.length);
    expect(result!.created + result!.changed).toBeGreaterThanOrEqual(1);
    expect(result!.unchanged + result!.changed + result!.created).toBeLessThan(total / 4);
  });
});

describe('two workers at once', () => {
  it('serialise overlapping areas and end with the hotspots one worker would build', async () => {
    const [photosA, photosB] = [sample.filter((_, i) => i % 2 === 0), sample.filter((_, i) => i % 2 === 1)];
    await seedPhotos(env.database.sql, photosA);
    await processing.rebuildAll();
    const otherDatabase = createDatabase(env.databaseUrl, { max: 4, poolMode: env.poolMode });
    const other = buildProcessing(loadProcessingConfig(env.serviceEnv({ PROCESSING_MAX_TILES_PER_RUN: '5' })), {
      database: otherDatabase,
      sqs: env.sqs,
      queues: env.queues,
      log: pino({ level: 'silent' }),
    });
    const tiles = await seedPhotos(env.database.sql, photosB);
    await markTilesDirty(env.database.sql, tiles);
    // Small claims on both sides, so their areas interleave and overlap.
    const mine = buildProcessing(loadProcessingConfig(env.serviceEnv({ PROCESSING_MAX_TILES_PER_RUN: '5' })), {
      database: env.database,
      sqs: env.sqs,
      queues: env.queues,
      log: pino({ level: 'silent' }),
    });
    const [a, b] = await Promise.all([mine.rebuildDirty(), other.rebuildDirty()]);
    expect(a.length).toBeGreaterThan(0);
    expect(b.length).toBeGreaterThan(0);
    const concurrent = await snapshot();
    const members = concurrent.flatMap((h) => h.members);
    expect(new Set(members).size).toBe(members.length);

    await env.database.sql`truncate hotspot_photos, hotspots restart identity cascade`;
    await processing.rebuildAll();
    expect(places(await snapshot())).toEqual(places(concurrent));
    await mine.stop();
    await other.stop();
    await otherDatabase.close();
  });
});

interface ScoreBasis {
  id: number;
  user_days: number;
  capped_user_days: number;
  view_count: number;
  best_views: number;
  user_last_photo_at: string[];
}

async function scoreBases(): Promise<ScoreBasis[]> {
  return env.database.sql<ScoreBasis[]>`
    select id, user_days, capped_user_days, view_count, best_views,
           array(select t::text from unnest(user_last_photo_at) t) as user_last_photo_at
    from hotspots where status = 'active' order by id`;
}

describe('what scoring weighs', () => {
  it('is stored with each hotspot as its members say, and as migration 0007 computes it from them', async () => {
    await seedPhotos(env.database.sql, sample);
    await processing.rebuildAll();
    const stored = await scoreBases();
    // The sample's prolific photographers: the cap and the best photo per photographer both bite.
    expect(stored.some((h) => h.capped_user_days < h.user_days)).toBe(true);
    expect(stored.some((h) => h.best_views < h.view_count)).toBe(true);

    // The migration's backfill, run over the same members, finds the same for every hotspot.
    const backfill = readFileSync(path.join(MIGRATIONS_FOLDER, '0007_member_score_basis.sql'), 'utf8')
      .split('--> statement-breakpoint')
      .at(-1)!;
    await env.database.sql`update hotspots set capped_user_days = 0, best_views = 0, user_last_photo_at = '{}'`;
    await env.database.sql.unsafe(backfill);
    expect(await scoreBases()).toEqual(stored);
  });

  it("changes with a member's time alone, and the hotspot counts as changed", async () => {
    await seedPhotos(env.database.sql, sample);
    await processing.rebuildAll();
    // A member that is its photographer's latest photo here, an hour later on the same day: no count changes.
    const [member] = await env.database.sql<{ id: number; hotspot_id: number; tile: number }[]>`
      select p.id, hp.hotspot_id, p.tile
      from hotspot_photos hp join photos p on p.id = hp.photo_id
      where p.taken_at = (select max(q.taken_at) from hotspot_photos hq join photos q on q.id = hq.photo_id
                          where hq.hotspot_id = hp.hotspot_id and q.owner_id = p.owner_id)
      order by p.id limit 1`;
    const before = (await scoreBases()).find((h) => h.id === member!.hotspot_id)!;
    await env.database.sql`update photos set taken_at = taken_at + interval '1 hour' where id = ${member!.id}`;
    await markTilesDirty(env.database.sql, [member!.tile]);
    const results = await processing.rebuildDirty();
    // Changed, so its change goes out and scoring rescores it; nothing else in the area changed.
    expect(results.reduce((n, r) => n + r.changed, 0)).toBe(1);
    const after = (await scoreBases()).find((h) => h.id === member!.hotspot_id)!;
    expect({ ...after, user_last_photo_at: before.user_last_photo_at }).toEqual(before);
    expect(after.user_last_photo_at).not.toEqual(before.user_last_photo_at);
  });
});

describe('placeholder taken dates already stored', () => {
  it('count as unknown: the upload time stands in, so they reach no histogram, first or last date', async () => {
    const at = (i: number) => offsetMeters(51.04, 13.8, (i % 5) - 2, ((i * 3) % 5) - 2);
    const photos: SeedPhoto[] = [];
    for (let u = 0; u < 6; u++) {
      for (let k = 0; k < 2; k++) {
        const taken = new Date(Date.UTC(2016, 5, 10 + u, 10, 15 + k));
        photos.push({ sourceId: `june-${u}-${k}`, ownerId: `june-${u}`, ...at(u * 2 + k), takenAt: taken });
      }
    }
    const placeholders = ['1901-01-01T00:00:00Z', '1970-01-01T00:00:00Z', '2999-01-01T00:00:00Z'];
    placeholders.forEach((taken, u) =>
      photos.push({
        sourceId: `placeholder-${u}`,
        ownerId: `placeholder-${u}`,
        ...at(u),
        takenAt: new Date(taken),
        uploadedAt: new Date(Date.UTC(2016, 7, 20, 15)),
      }),
    );
    await seedPhotos(env.database.sql, photos);
    await processing.rebuildAll();
    const rows = await env.database.sql<
      {
        user_count: number;
        capped_user_days: number;
        user_last_photo_at: string[];
        month_histogram: number[];
        hour_histogram: number[];
        first: string;
        last: string;
      }[]
    >`
      select user_count, capped_user_days, array(select t::text from unnest(user_last_photo_at) t) as user_last_photo_at,
             month_histogram, hour_histogram, first_photo_at::text as first, last_photo_at::text as last
      from hotspots where status = 'active'`;
    const months = new Array<number>(12).fill(0);
    months[5] = 6; // June: six photographers
    months[7] = 3; // August: the three uploads standing in for placeholder dates
    const hours = new Array<number>(24).fill(0);
    hours[10] = 12;
    hours[15] = 3;
    expect(rows).toEqual([
      {
        user_count: 9,
        capped_user_days: 9,
        user_last_photo_at: [
          ...Array.from({ length: 6 }, (_, u) => `2016-06-${10 + u} 10:16:00+00`),
          ...Array.from({ length: 3 }, () => '2016-08-20 15:00:00+00'),
        ],
        month_histogram: months,
        hour_histogram: hours,
        first: '2016-06-10 10:15:00+00',
        last: '2016-08-20 15:00:00+00',
      },
    ]);
  });
});

describe('names as the photographers write them', () => {
  it("shows a joined tag in the words and casing of its photos' titles, and keeps the tag for search", async () => {
    const at = (i: number) => offsetMeters(51.04, 13.8, (i % 5) - 2, ((i * 3) % 5) - 2);
    const photos: SeedPhoto[] = [];
    for (let u = 0; u < 8; u++) {
      for (let k = 0; k < 2; k++) {
        photos.push({
          sourceId: `cafe-${u}-${k}`,
          ownerId: `cafe-${u}`,
          ...at(u * 2 + k),
          takenAt: new Date(Date.UTC(2019, 4, 1 + u, 12)),
          // Flickr's tags join the words; three photographers' titles write them apart.
          tags: ['cafeprag'],
          title: k === 0 && u < 3 ? `Kaffee im Café Prag (${u})` : null,
        });
      }
    }
    await seedPhotos(env.database.sql, photos);
    await processing.rebuildAll();
    const rows = await env.database.sql<{ label: string | null; top_tags: string[] }[]>`
      select label, top_tags from hotspots where status = 'active'`;
    expect(rows).toHaveLength(1);
    expect(rows[0]!.label).toBe('Café Prag');
    expect(rows[0]!.top_tags).toContain('cafeprag');
  });
});
