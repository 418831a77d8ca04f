import { HotspotIndexReader } from '@photospots/hotspot-index';
import { createTestEnv, waitFor, type TestEnv } from '@photospots/test-harness';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildScoring, type Scoring } from '../src/app.ts';
import { loadScoringConfig } from '../src/config.ts';

let env: TestEnv;
let scoring: Scoring;
let reader: HotspotIndexReader;

/**
 * Inserts a hotspot with what processing stores for scoring (processing's job, bypassed here): `users`
 * photographers, `userDays` capped user-days, `views` summed over each photographer's best photo, and the latest
 * photo of each photographer whose photos have a time (default: each on 2024-05-01).
 */
async function hotspot(
  label: string,
  lat: number,
  lng: number,
  basis: { users: number; userDays?: number; views?: number; lastPhotoAt?: string[] },
): Promise<number> {
  const lastPhotoAt = basis.lastPhotoAt ?? Array.from({ length: basis.users }, () => '2024-05-01T00:00:00Z');
  const [{ id }] = await env.database.sql<{ id: number }[]>`
    insert into hotspots (lat, lng, tile, radius_m, photo_count, user_count, user_days, capped_user_days, best_views,
                          user_last_photo_at, label, top_tags)
    values (${lat}, ${lng}, 1, 50, ${basis.users}, ${basis.users}, ${basis.userDays ?? basis.users},
            ${basis.userDays ?? basis.users}, ${basis.views ?? 0}, ${env.database.sql.array(lastPhotoAt)}::timestamptz[], ${label},
            ${[label.toLowerCase()]})
    returning id`;
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
    // 25 people, 100 views each; against one uploader's 400 photos on 9 days (5 counted) with 5,000 views and two
    // passers-by: what processing stores for each (apps/processing/test/rebuild.test.ts checks that it does).
    const crowd = await hotspot('Crowd', 51.05, 13.74, { users: 25, views: 2_500 });
    const prolific = await hotspot('Pond', 51.0377, 13.7708, { users: 3, userDays: 7, views: 5_000 });
    await scoring.rescore([crowd, prolific]);
    const rows = await env.database.sql<{ id: number; score: number; score_components: Record<string, number> }[]>`
      select id, score, score_components from hotspots order by score desc`;
    expect(rows.map((r) => r.id)).toEqual([crowd, prolific]);
    expect(rows[1]!.score_components).toMatchObject({ users: 3, userDays: 7, views: 5000, favorites: 0 });
    expect(rows[0]!.score_components.score).toBe(rows[0]!.score);
  });

  it("takes recency from each photographer's latest photo here; one without a known time counts zero", async () => {
    const halfLife = loadScoringConfig(env.serviceEnv()).SCORE_RECENCY_HALF_LIFE_YEARS;
    const yearsAgo = (years: number) => new Date(Date.now() - years * 31_557_600_000).toISOString();
    const recent = await hotspot('Recent', 51.05, 13.74, { users: 2, lastPhotoAt: [yearsAgo(0), yearsAgo(0)] });
    const old = await hotspot('Old', 51.06, 13.75, { users: 2, lastPhotoAt: [yearsAgo(halfLife), yearsAgo(halfLife)] });
    const undated = await hotspot('Undated', 51.07, 13.76, { users: 2, lastPhotoAt: [yearsAgo(0)] });
    // A camera clock ahead of the server counts as now, not as more than recent.
    const ahead = await hotspot('Ahead', 51.08, 13.77, {
      users: 1,
      lastPhotoAt: [new Date(Date.now() + 3_600_000).toISOString()],
    });
    await scoring.rescore([recent, old, undated, ahead]);
    const recency = new Map(
      (
        await env.database.sql<{ id: number; recency: number }[]>`
          select id, (score_components ->> 'recency')::float8 as recency from hotspots`
      ).map((r) => [r.id, r.recency]),
    );
    expect(recency.get(recent)).toBeCloseTo(1, 3);
    expect(recency.get(old)).toBeCloseTo(0.5, 3);
    expect(recency.get(undated)).toBeCloseTo(0.5, 3);
    expect(recency.get(ahead)).toBe(1);
  });

  it('keeps the Redis index in step: upserts scored hotspots, removes retired ones', async () => {
    const a = await hotspot('Alpha', 51.05, 13.74, { users: 5 });
    const b = await hotspot('Beta', 51.0505, 13.7405, { users: 9 });
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
    const a = await hotspot('Gamma', 51.06, 13.75, { users: 4 });
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
    const a = await hotspot('Delta', 51.07, 13.76, { users: 4 });
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
