import { spawn, type ChildProcess } from 'node:child_process';
import { connectRedis, HotspotIndexWriter, redisReady, type HotspotSummary } from '@photospots/hotspot-index';
import { createTestEnv, freePort, waitFor, type TestEnv } from '@photospots/test-harness';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HotspotMemoryIndex } from '../src/hotspots/hotspot-memory-index.ts';
import { activeIndexLoad } from '../src/hotspots/hotspot-read-repository.ts';
import { buildTestApp, DRESDEN, insertHotspot } from './fixtures.ts';

let env: TestEnv;

beforeAll(async () => {
  env = await createTestEnv();
});
beforeEach(() => env.truncate());
afterAll(() => env.close());

async function summary(id: number): Promise<HotspotSummary> {
  const [row] = await env.database.sql<HotspotSummary[]>`
    select id, label, lat, lng, score, photo_count as "photoCount", user_count as "userCount", top_tags as tags from hotspots where id = ${id}`;
  return row!;
}

async function nearbyIds(app: FastifyInstance): Promise<number[]> {
  const res = await app.inject({ method: 'GET', url: '/v1/hotspots/nearby?lat=51.0525&lng=13.74&radius=2000' });
  expect(res.statusCode).toBe(200);
  return (res.json() as { items: { id: number }[] }).items.map((i) => i.id);
}

/** A small square hull around a point, as WKT. */
function squareWkt(lat: number, lng: number): string {
  const r = 0.0003;
  const ring = [
    [lng - r, lat - r],
    [lng + r, lat - r],
    [lng + r, lat + r],
    [lng - r, lat + r],
    [lng - r, lat - r],
  ];
  return `POLYGON((${ring.map((p) => p.join(' ')).join(', ')}))`;
}

async function retire(id: number): Promise<void> {
  await env.database.sql`update hotspots set status = 'retired', retired_at = now() where id = ${id}`;
}

describe('the in-process index never serves a deleted hotspot for more than a few seconds', () => {
  it("follows scoring's Redis change feed: removals, new hotspots and the search cache", async () => {
    const fk = await insertHotspot(env, DRESDEN.frauenkirche);
    const sem = await insertHotspot(env, DRESDEN.semperoper);
    const app = await buildTestApp(env);
    const writer = new HotspotIndexWriter(env.redis, env.redisPrefix);
    try {
      expect(await nearbyIds(app)).toEqual([fk, sem]);
      const ready = await app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.json().checks.index).toEqual({ status: 'serving', feed: 'redis', hotspots: 2 });

      const topIds = async () =>
        (await app.inject({ method: 'GET', url: '/v1/hotspots/top' })).json().items.map((i: { id: number }) => i.id);
      const boxIds = async () =>
        (await app.inject({ method: 'GET', url: '/v1/hotspots?bbox=13.7,51.0,13.8,51.1' }))
          .json()
          .items.map((i: { id: number }) => i.id);
      // Asked twice: the second answer comes from the memo, which a change must clear.
      expect(await topIds()).toEqual([fk, sem]);
      expect(await topIds()).toEqual([fk, sem]);
      expect(await boxIds()).toEqual([fk, sem]);
      const search = () => app.inject({ method: 'GET', url: '/v1/hotspots/search?q=semperoper' });
      expect((await search()).headers['x-cache']).toBe('miss');
      const cached = await search();
      expect(cached.headers['x-cache']).toBe('hit-memory');
      expect(cached.json().items.map((i: { id: number }) => i.id)).toEqual([sem]);

      // Processing retires the Semperoper and adds the Zwinger; scoring announces both.
      await retire(sem);
      const zw = await insertHotspot(env, DRESDEN.zwinger);
      await writer.apply([await summary(zw)], [sem]);
      await waitFor(async () => JSON.stringify(await nearbyIds(app)) === JSON.stringify([fk, zw]), {
        timeoutMs: 3000,
        message: 'the change to reach the index',
      });
      const after = await search();
      expect(after.headers['x-cache']).toBe('miss');
      expect(after.json()).toEqual({ items: [] });
      expect(await topIds()).toEqual([fk, zw]);
      expect(await boxIds()).toEqual([fk, zw]);
    } finally {
      await app.close();
    }
  });

  it('follows Postgres notifications when there is no Redis', async () => {
    const fk = await insertHotspot(env, DRESDEN.frauenkirche);
    const sem = await insertHotspot(env, DRESDEN.semperoper);
    const app = await buildTestApp(env, { REDIS_URL: '' }, { redis: undefined });
    try {
      expect(await nearbyIds(app)).toEqual([fk, sem]);
      const ready = await app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.json()).toEqual({
        status: 'ready',
        checks: {
          database: { status: 'up' },
          redis: { status: 'absent' },
          index: { status: 'serving', feed: 'postgres', hotspots: 2 },
        },
      });
      await retire(sem);
      await waitFor(async () => JSON.stringify(await nearbyIds(app)) === JSON.stringify([fk]), {
        timeoutMs: 3000,
        message: 'the retirement to reach the index',
      });
      const zw = await insertHotspot(env, DRESDEN.zwinger);
      await waitFor(async () => (await nearbyIds(app)).includes(zw), {
        timeoutMs: 3000,
        message: 'the new hotspot to reach the index',
      });
    } finally {
      await app.close();
    }
  });
});

describe('Redis stopped mid-test', () => {
  let redisServer: ChildProcess | undefined;
  let port: number;

  async function startRedis(): Promise<void> {
    redisServer = spawn(
      'redis-server',
      ['--port', String(port), '--save', '', '--appendonly', 'no', '--bind', '127.0.0.1'],
      { stdio: 'ignore' },
    );
    const probe = connectRedis(`redis://127.0.0.1:${port}`, pino({ level: 'silent' }), 'probe');
    try {
      await waitFor(async () => (await probe.ping().catch(() => '')) === 'PONG', {
        timeoutMs: 10_000,
        message: 'redis-server to start',
      });
    } finally {
      probe.disconnect();
    }
  }

  async function stopRedis(): Promise<void> {
    const server = redisServer;
    redisServer = undefined;
    if (!server || server.exitCode !== null) return;
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGKILL');
    await exited;
  }

  afterAll(stopRedis);

  it('keeps answering every endpoint (never a 500), reports Redis down, stays fresh through Postgres, and recovers', async () => {
    port = await freePort();
    await startRedis();
    const fk = await insertHotspot(env, DRESDEN.frauenkirche);
    const sem = await insertHotspot(env, DRESDEN.semperoper);
    const bruehl = await insertHotspot(env, DRESDEN.bruehl);
    const url = `redis://127.0.0.1:${port}`;
    // The API's log (and its Redis connection's, as in connect.ts), to count the WARN lines of the outage.
    const lines: { level: number; msg: string }[] = [];
    const log = pino(
      { level: 'info' },
      { write: (line: string) => lines.push(JSON.parse(line) as { level: number; msg: string }) },
    );
    const redis = connectRedis(url, log, 'query-api-test');
    await waitFor(() => redis.status === 'ready', { timeoutMs: 5000, message: 'the Redis client to connect' });
    const writer = new HotspotIndexWriter(redis, env.redisPrefix);
    await writer.replaceAll(
      (async function* () {
        yield [await summary(fk), await summary(sem), await summary(bruehl)];
      })(),
    );
    const app = await buildTestApp(env, { REDIS_URL: url }, { redis, log });
    const direct = await buildTestApp(
      env,
      { REDIS_URL: url, MEMORY_INDEX: 'false', CACHE_TTL_SECONDS: '0' },
      { redis },
    );
    try {
      const before = await direct.inject({ method: 'GET', url: '/v1/hotspots/top' });
      expect(before.headers['x-data-source']).toBe('redis');
      expect((await app.inject({ method: 'GET', url: '/readyz' })).json().checks).toMatchObject({
        redis: { status: 'up' },
        index: { feed: 'redis' },
      });

      await stopRedis();

      await waitFor(
        async () => (await app.inject({ method: 'GET', url: '/readyz' })).json().checks.redis.status === 'down',
        {
          timeoutMs: 5000,
          message: '/readyz to report Redis down',
        },
      );
      const ready = await app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(200);
      expect(ready.json()).toEqual({
        status: 'ready',
        checks: {
          database: { status: 'up' },
          redis: { status: 'down' },
          index: { status: 'serving', feed: 'postgres', hotspots: 3 },
        },
      });
      for (const path of [
        '/v1/hotspots/nearby?lat=51.0519&lng=13.7416&radius=500',
        '/v1/hotspots/top',
        '/v1/hotspots?bbox=13.7,51.0,13.8,51.1',
        '/v1/hotspots?bbox=13.7,51.0,13.8,51.1&zoom=12',
        '/v1/hotspots/search?q=frauenkirche',
        `/v1/hotspots/${fk}`,
        `/v1/hotspots/${fk}/photos`,
      ]) {
        for (const a of [app, direct]) {
          const res = await a.inject({ method: 'GET', url: path });
          expect(res.statusCode, `${path}: ${res.body}`).toBe(200);
        }
      }
      // One WARN for the whole outage (when reconnecting first fails), however many parts of the API noticed it.
      await waitFor(() => lines.some((l) => l.level === 40), { timeoutMs: 5000, message: 'the outage to be logged' });
      expect(lines.filter((l) => l.level === 40).map((l) => l.msg)).toEqual([
        'Redis unavailable; retrying in the background',
      ]);
      const fallback = await direct.inject({ method: 'GET', url: '/v1/hotspots/top' });
      expect(fallback.headers['x-data-source']).toBe('postgis');
      expect(fallback.json().items.map((i: { id: number }) => i.id)).toEqual([fk, sem, bruehl]);
      expect(
        (await direct.inject({ method: 'GET', url: '/v1/hotspots/nearby?lat=51.0519&lng=13.7416&radius=500' })).headers[
          'x-data-source'
        ],
      ).toBe('postgis');

      // Scoring cannot announce anything now; Postgres notifications still reach the index.
      await retire(sem);
      await waitFor(async () => !(await nearbyIds(app)).includes(sem), {
        timeoutMs: 3000,
        message: 'the retirement to reach the index without Redis',
      });

      await startRedis();
      await waitFor(
        async () => (await app.inject({ method: 'GET', url: '/readyz' })).json().checks.index.feed === 'redis',
        {
          timeoutMs: 15_000,
          message: 'the Redis change feed to come back',
        },
      );
      expect((await app.inject({ method: 'GET', url: '/readyz' })).json().checks.redis).toEqual({ status: 'up' });
    } finally {
      await app.close();
      await direct.close();
      redis.disconnect();
    }
  });
});

describe('where Postgres notifications do not arrive (PGlite behind its socket server)', () => {
  it('the version poll alone keeps the in-process index fresh', async () => {
    const fk = await insertHotspot(env, DRESDEN.frauenkirche);
    const index = new HotspotMemoryIndex({
      database: env.database,
      subscriber: undefined,
      redisKeyPrefix: env.redisPrefix,
      log: pino({ level: 'silent' }),
      reloadSeconds: 3600,
      onChange: () => undefined,
      notifications: false,
    });
    try {
      await index.start();
      expect(index.feed).toBe('postgres');
      expect(index.snapshot?.top(100).map((h) => h.id)).toEqual([fk]);
      const sem = await insertHotspot(env, DRESDEN.semperoper);
      await retire(fk);
      await waitFor(() => JSON.stringify(index.snapshot?.top(100).map((h) => h.id)) === JSON.stringify([sem]), {
        timeoutMs: 5000,
        message: 'the poll to pick up the changes',
      });
    } finally {
      await index.stop();
    }
  });
});

describe('the full load', () => {
  it('reads every active hotspot once, in pages, whatever their scores tie on', async () => {
    const ids: number[] = [];
    for (let k = 0; k < 23; k++) {
      const at = { lat: 51.05 + k * 0.001, lng: 13.74, label: `Spot ${k}`, score: [5, 5, 5, 2.5, 1][k % 5]! };
      ids.push(await insertHotspot(env, { ...at, hull: k % 2 ? squareWkt(at.lat, at.lng) : undefined }));
    }
    await retire(ids[4]!);
    const active = ids.filter((id) => id !== ids[4]);
    const whole = (await activeIndexLoad(env.database.sql)).build();
    // Pages of 3 end on tied scores: the next page goes on after (score, id), not after the score.
    const paged = (await activeIndexLoad(env.database.sql, 3)).build();
    expect(paged.size).toBe(active.length);
    expect(paged.top(100)).toEqual(whole.top(100));
    expect(
      paged
        .top(100)
        .map((h) => h.id)
        .sort((a, b) => a - b),
    ).toEqual(active);
    expect(paged.reconciled(whole)).toBe(paged);
    expect(paged.reconciled(await activeIndexLoad(env.database.sql, 5))).toBe(paged);
    const box = { minLat: 51, maxLat: 51.1, minLng: 13.7, maxLng: 13.8 };
    expect(paged.hullsInBox(box).map((h) => h.id)).toEqual(whole.hullsInBox(box).map((h) => h.id));
    expect(paged.hullsInBox(box)).toHaveLength(11);
  });
});

describe('starting', () => {
  it('loads once with both feeds coming up, and follows Redis from then on', async () => {
    const fk = await insertHotspot(env, DRESDEN.frauenkirche);
    const subscriber = env.redis.duplicate();
    subscriber.on('error', () => undefined);
    let swaps = 0;
    const index = new HotspotMemoryIndex({
      database: env.database,
      subscriber,
      redisKeyPrefix: env.redisPrefix,
      log: pino({ level: 'silent' }),
      reloadSeconds: 3600,
      onChange: () => swaps++,
    });
    try {
      expect(await redisReady(subscriber)).toBe(true);
      await index.start();
      expect(index.feed).toBe('redis');
      expect(index.refreshes).toEqual({ full: 1, patch: 0 });
      expect(swaps).toBe(1);
      expect(index.snapshot?.top(100).map((h) => h.id)).toEqual([fk]);
      const sem = await insertHotspot(env, DRESDEN.semperoper);
      await new HotspotIndexWriter(env.redis, env.redisPrefix).apply([await summary(sem)], []);
      await waitFor(() => index.snapshot?.get(sem) !== undefined, {
        timeoutMs: 5000,
        message: 'the announced hotspot',
      });
      expect(swaps).toBe(2);
      expect(index.refreshes).toEqual({ full: 1, patch: 1 });
    } finally {
      await index.stop();
      subscriber.disconnect();
    }
  });
});

describe('the safety-net reload', () => {
  it('is spaced to ten times the last full load when that is longer than INDEX_RELOAD_SECONDS, and back after a quick one', async () => {
    const fk = await insertHotspot(env, DRESDEN.frauenkirche);
    /** The period after each swap. */
    const periods: number[] = [];
    const index: HotspotMemoryIndex = new HotspotMemoryIndex({
      database: env.database,
      subscriber: undefined,
      redisKeyPrefix: env.redisPrefix,
      log: pino({ level: 'silent' }),
      reloadSeconds: 1,
      onChange: () => periods.push(index.reloadPeriodMs),
      notifications: false,
    });
    try {
      await index.start();
      expect(index.reloadPeriodMs).toBe(1000);
      // A change the version poll sees, in a transaction that holds the table: the reload it causes waits for it.
      await env.database.sql.begin(async (tx) => {
        await tx`lock table hotspots in access exclusive mode`;
        await tx`update hotspots set score = score + 1 where id = ${fk}`;
        await waitFor(
          async () => {
            const [row] = await env.database.sql<{ n: number }[]>`
              select count(*)::int as n from pg_stat_activity
              where datname = current_database() and wait_event_type = 'Lock' and query ilike '%hotspots%'`;
            return row!.n > 0;
          },
          { timeoutMs: 5000, message: 'a full reload to wait for the lock' },
        );
        await new Promise((resolve) => setTimeout(resolve, 800));
      });
      await waitFor(() => periods.some((p) => p >= 8000), { timeoutMs: 5000, message: 'the period to stretch' });
      // The poll reloads once more (the sequence moves before the commit): a quick load, which finds nothing new
      // (no swap), brings the period back (to 1 s, or ten times that load if it took over 100 ms).
      await waitFor(() => index.reloadPeriodMs < 5000, { timeoutMs: 5000, message: 'the period to come back' });
    } finally {
      await index.stop();
    }
  });
});

describe('behind a transaction pooler (DATABASE_POOL_MODE=transaction)', () => {
  it('follows changes by the version poll, without LISTEN, and without Redis', async () => {
    const fk = await insertHotspot(env, DRESDEN.frauenkirche);
    const app = await buildTestApp(env, { DATABASE_POOL_MODE: 'transaction' }, { redis: undefined });
    try {
      expect(await nearbyIds(app)).toEqual([fk]);
      const sem = await insertHotspot(env, DRESDEN.semperoper);
      await retire(fk);
      await waitFor(async () => JSON.stringify(await nearbyIds(app)) === JSON.stringify([sem]), {
        timeoutMs: 5000,
        message: 'the changes to reach the index by the version poll',
      });
      // No connection of this database listens: a pooler would have handed the LISTEN to a server connection
      // that other clients' transactions then use, and its notifications to no one.
      const listening = await env.database.sql<{ n: number }[]>`
        select count(*)::int as n from pg_stat_activity
        where datname = current_database() and query ilike 'listen%'`;
      expect(listening[0]!.n).toBe(0);
    } finally {
      await app.close();
    }
  });
});
