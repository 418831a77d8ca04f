import { HotspotIndexWriter } from '@photospots/hotspot-index';
import { createTestEnv, type TestEnv } from '@photospots/test-harness';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadQueryApiConfig } from '../src/config.ts';

let env: TestEnv;
let app: FastifyInstance;

async function insertHotspot(label: string, lat: number, lng: number, score: number, users: number): Promise<number> {
  const [{ id }] = await env.database.sql<{ id: number }[]>`
    insert into hotspots (lat, lng, tile, radius_m, photo_count, user_count, user_days, label, top_tags, score)
    values (${lat}, ${lng}, 1, 40, ${users * 2}, ${users}, ${users}, ${label}, ${[label.toLowerCase(), 'church']}, ${score})
    returning id`;
  return id;
}

beforeAll(async () => {
  env = await createTestEnv();
  // These tests pin the Redis and PostGIS paths; the in-process index has its own tests.
  app = await buildApp(loadQueryApiConfig(env.serviceEnv({ LOG_LEVEL: 'silent', MEMORY_INDEX: 'false' })), {
    database: env.database,
    redis: env.redis,
  });
});
beforeEach(() => env.truncate());
afterAll(async () => {
  await app.close();
  await env.close();
});

describe('GET /v1/hotspots/nearby', () => {
  it('returns hotspots nearest first with the documented fields, from PostGIS when Redis has no index', async () => {
    const fk = await insertHotspot('Frauenkirche', 51.05193, 13.74138, 640, 300);
    const sem = await insertHotspot('Semperoper', 51.05382, 13.73584, 620, 250);
    await insertHotspot('Far away', 51.1, 13.9, 100, 5);
    const res = await app.inject({
      method: 'GET',
      url: '/v1/hotspots/nearby?lat=51.0519&lng=13.7416&radius=600&limit=5',
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['x-data-source']).toBe('postgis');
    const body = res.json();
    expect(body).toEqual({
      items: [
        {
          id: fk,
          label: 'Frauenkirche',
          lat: 51.05193,
          lng: 13.74138,
          score: 640,
          photoCount: 600,
          userCount: 300,
          tags: ['frauenkirche', 'church'],
          distanceM: expect.any(Number),
        },
        {
          id: sem,
          label: 'Semperoper',
          lat: 51.05382,
          lng: 13.73584,
          score: 620,
          photoCount: 500,
          userCount: 250,
          tags: ['semperoper', 'church'],
          distanceM: expect.any(Number),
        },
      ],
    });
    expect(body.items[0].distanceM).toBeLessThan(20);
    expect(body.items[1].distanceM).toBeGreaterThan(400);
  });

  it('answers from the Redis index when it is synced, with the same shape', async () => {
    const fk = await insertHotspot('Frauenkirche', 51.05193, 13.74138, 640, 300);
    const writer = new HotspotIndexWriter(env.redis, env.redisPrefix);
    await writer.replaceAll(
      (async function* () {
        yield [
          {
            id: fk,
            label: 'Frauenkirche',
            lat: 51.05193,
            lng: 13.74138,
            score: 640,
            photoCount: 600,
            userCount: 300,
            tags: ['frauenkirche', 'church'],
          },
        ];
      })(),
    );
    const res = await app.inject({ method: 'GET', url: '/v1/hotspots/nearby?lat=51.0519&lng=13.7416&radius=300' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-data-source']).toBe('redis');
    expect(res.json().items).toEqual([
      {
        id: fk,
        label: 'Frauenkirche',
        lat: expect.closeTo(51.05193, 5),
        lng: expect.closeTo(13.74138, 5),
        score: 640,
        photoCount: 600,
        userCount: 300,
        tags: ['frauenkirche', 'church'],
        distanceM: expect.any(Number),
      },
    ]);
  });

  it('falls back to PostGIS when Redis is unreachable, never a 500', async () => {
    const fk = await insertHotspot('Frauenkirche', 51.05193, 13.74138, 640, 300);
    const dead = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    dead.on('error', () => undefined);
    const isolated = await buildApp(
      loadQueryApiConfig(env.serviceEnv({ LOG_LEVEL: 'silent', MEMORY_INDEX: 'false' })),
      { database: env.database, redis: dead },
    );
    try {
      const res = await isolated.inject({
        method: 'GET',
        url: '/v1/hotspots/nearby?lat=51.0519&lng=13.7416&radius=300',
      });
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-data-source']).toBe('postgis');
      expect(res.json().items.map((i: { id: number }) => i.id)).toEqual([fk]);
      const ready = await isolated.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(200);
      expect(ready.json()).toEqual({
        status: 'ready',
        checks: { database: { status: 'up' }, redis: { status: 'down' }, index: { status: 'disabled' } },
      });
    } finally {
      await isolated.close();
      dead.disconnect();
    }
  });

  it.each([
    ['lat=abc&lng=13.7', 'lat'],
    ['lat=91&lng=13.7', 'lat'],
    ['lng=13.7', 'lat'],
    ['lat=51&lng=200', 'lng'],
    ['lat=51&lng=13&radius=0', 'radius'],
    ['lat=51&lng=13&radius=500000', 'radius'],
    ['lat=51&lng=13&limit=1000', 'limit'],
    ['lat=51&lng=13&limit=2.5', 'limit'],
  ])('rejects %s with 400 INVALID_PARAMETER naming %s', async (query, parameter) => {
    const res = await app.inject({ method: 'GET', url: `/v1/hotspots/nearby?${query}` });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error.code).toBe('INVALID_PARAMETER');
    expect(body.error.message).toContain(parameter);
    expect(body.error.details[0]).toMatchObject({ parameter, in: 'querystring' });
  });

  it('answers unknown routes with 404 NOT_FOUND in the same error shape', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'No route GET /v1/nope', details: null } });
  });
});
