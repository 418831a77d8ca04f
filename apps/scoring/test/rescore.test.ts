import { HotspotIndexReader } from '@photospots/hotspot-index';
import { createTestEnv, seedPhotos, waitFor, type TestEnv } from '@photospots/test-harness';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildScoring, type Scoring } from '../src/app.ts';
import { loadScoringConfig } from '../src/config.ts';

let env: TestEnv;
let scoring: Scoring;
let reader: HotspotIndexReader;

/** Inserts a hotspot and its member photos directly (processing's job, bypassed here). */
async function hotspot(
  label: string,
  lat: number,
  lng: number,
  photos: { owner: string; views?: number; taken?: string; uploaded?: string }[],
): Promise<number> {
  const ids = photos.map((_, i) => `${label}-${i}`);
  await seedPhotos(
    env.database.sql,
    photos.map((p, i) => ({
      sourceId: ids[i]!,
      ownerId: p.owner,
      lat,
      lng,
      views: p.views ?? 0,
      takenAt: new Date(p.taken ?? '2024-05-01T00:00:00Z'),
      ...(p.uploaded ? { uploadedAt: new Date(p.uploaded) } : {}),
    })),
  );
  const owners = new Set(photos.map((p) => p.owner)).size;
  const [{ id }] = await env.database.sql<{ id: number }[]>`
    insert into hotspots (lat, lng, tile, radius_m, photo_count, user_count, user_days, label, top_tags)
    values (${lat}, ${lng}, 1, 50, ${photos.length}, ${owners}, ${owners}, ${label}, ${[label.toLowerCase()]})
    returning id`;
  await env.database.sql`
    insert into hotspot_photos (hotspot_id, photo_id) select ${id}, id from photos where source_id = any(${ids})`;
  return id;
}

beforeAll(async () => {
  env = await createTestEnv();
  scoring = buildScoring(loadScoringConfig(env.serviceEnv({ RESCORE_INTERVAL_MINUTES: '0' })), {
    database: env.database,
    sqs: env.sqs,
    queues: env.queues,
    redis: env.redis,
    log: pino({ level: 'silent' }),
  });
  reader = new HotspotIndexReader(env.redis, env.redisPrefix);
});
beforeEach(() => env.truncate());
afterAll(async () => {
  await scoring.stop();
  await env.close();
});

describe('scoring', () => {
  it('ranks a place many people visit above one a prolific uploader fills with photos', async () => {
    const crowd = await hotspot(
      'Crowd',
      51.05,
      13.74,
      Array.from({ length: 25 }, (_, i) => ({ owner: `c${i}`, views: 100 })),
    );
    const prolific = await hotspot('Pond', 51.0377, 13.7708, [
      ...Array.from({ length: 400 }, (_, i) => ({
        owner: 'prolific',
        views: 5_000,
        taken: `2024-0${1 + (i % 9)}-1${i % 9}T00:00:00Z`,
      })),
      { owner: 'a' },
      { owner: 'b' },
    ]);
    await scoring.rescore([crowd, prolific]);
    const rows = await env.database.sql<{ id: number; score: number; score_components: Record<string, number> }[]>`
      select id, score, score_components from hotspots order by score desc`;
    expect(rows.map((r) => r.id)).toEqual([crowd, prolific]);
    expect(rows[1]!.score_components).toMatchObject({ users: 3, userDays: 7, views: 5000, favorites: 0 });
    expect(rows[0]!.score_components.score).toBe(rows[0]!.score);
  });

  it('ignores placeholder taken dates in recency and user-days: the upload time stands in', async () => {
    const recent = '2024-05-01T12:00:00Z';
    const dated = await hotspot(
      'Dated',
      51.05,
      13.74,
      Array.from({ length: 3 }, (_, i) => ({ owner: `d${i}`, taken: recent })),
    );
    const placeholders = ['1901-01-01T00:00:00Z', '1970-01-01T00:00:00Z', '2999-01-01T00:00:00Z'];
    const undated = await hotspot(
      'Placeholder',
      51.06,
      13.75,
      placeholders.map((taken, i) => ({ owner: `p${i}`, taken, uploaded: recent })),
    );
    await scoring.rescore([dated, undated]);
    const rows = await env.database.sql<{ id: number; score_components: Record<string, number> }[]>`
      select id, score_components from hotspots order by id`;
    expect(rows[1]!.score_components).toEqual(rows[0]!.score_components);
    expect(rows[1]!.score_components).toMatchObject({ users: 3, userDays: 3 });
    expect(rows[1]!.score_components.recency).toBeGreaterThan(0);
  });

  it('keeps the Redis index in step: upserts scored hotspots, removes retired ones', async () => {
    const a = await hotspot(
      'Alpha',
      51.05,
      13.74,
      Array.from({ length: 5 }, (_, i) => ({ owner: `a${i}` })),
    );
    const b = await hotspot(
      'Beta',
      51.0505,
      13.7405,
      Array.from({ length: 9 }, (_, i) => ({ owner: `b${i}` })),
    );
    expect(await reader.nearby(51.05, 13.74, 500, 10)).toBeNull(); // not synced yet: readers fall back
    await scoring.syncIndex();
    await scoring.rescore([a, b]);
    const near = await reader.nearby(51.05, 13.74, 500, 10);
    expect(near?.map((h) => h.id)).toEqual([a, b]);
    expect(near?.[1]).toMatchObject({ id: b, label: 'Beta', userCount: 9, photoCount: 9, tags: ['beta'] });
    expect((await reader.top(10))?.map((h) => h.id)).toEqual([b, a]);

    await env.database.sql`update hotspots set status = 'retired' where id = ${a}`;
    await scoring.rescore([], [a]);
    expect((await reader.nearby(51.05, 13.74, 500, 10))?.map((h) => h.id)).toEqual([b]);
  });

  it('rebuilds a lost index from Postgres', async () => {
    const a = await hotspot(
      'Gamma',
      51.06,
      13.75,
      Array.from({ length: 4 }, (_, i) => ({ owner: `g${i}` })),
    );
    await scoring.rescore([a]);
    // Redis lost its data (a restart without persistence): only this file's keys, others share the server.
    await env.redis.del(...(await env.redis.keys(`${env.redisPrefix}*`)));
    expect(await reader.top(5)).toBeNull();
    expect(await scoring.syncIndex()).toBe(1);
    expect((await reader.top(5))?.map((h) => h.id)).toEqual([a]);
  });
});

describe('scheduled rescore', () => {
  it('sends hotspots.rescore-requested on its schedule and rescores every hotspot when it arrives', async () => {
    const a = await hotspot(
      'Delta',
      51.07,
      13.76,
      Array.from({ length: 4 }, (_, i) => ({ owner: `d${i}` })),
    );
    const scheduled = buildScoring(
      loadScoringConfig(env.serviceEnv({ RESCORE_INTERVAL_MINUTES: '0.01', SQS_WAIT_TIME_SECONDS: '1' })),
      {
        database: env.database,
        sqs: env.sqs,
        queues: env.queues,
        redis: undefined,
        log: pino({ level: 'silent' }),
      },
    );
    scheduled.start();
    try {
      // Nothing told scoring about this hotspot: only the schedule can score it.
      const row = await waitFor(
        async () => {
          const [r] = await env.database.sql<
            { score: number; scored_at: Date | null }[]
          >`select score, scored_at from hotspots where id = ${a}`;
          return r?.scored_at ? r : undefined;
        },
        { timeoutMs: 20_000, message: 'the scheduled rescore' },
      );
      expect(row.score).toBeGreaterThan(0);
    } finally {
      await scheduled.stop();
    }
  });
});
