import { createTestEnv, type TestEnv } from '@photospots/test-harness';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, DRESDEN, insertHotspot } from './fixtures.ts';

let env: TestEnv;
let app: FastifyInstance;
const ids: Record<keyof typeof DRESDEN, number> = {} as never;
let oldChurch: number;

beforeAll(async () => {
  env = await createTestEnv();
  for (const [key, h] of Object.entries(DRESDEN)) ids[key as keyof typeof DRESDEN] = await insertHotspot(env, h);
  oldChurch = await insertHotspot(env, {
    label: 'Dreikönigskirche',
    lat: 51.0578,
    lng: 13.7456,
    score: 200,
    tags: ['kirche', 'church'],
  });
  await insertHotspot(env, { label: 'Frauenkirche (old)', lat: 51.0519, lng: 13.7414, score: 9999, status: 'retired' });
  app = await buildTestApp(env);
});
afterAll(async () => {
  await app?.close();
  await env.close();
});

async function search(query: string): Promise<{ id: number; relevance: number; distanceM: number | null }[]> {
  const res = await app.inject({ method: 'GET', url: `/v1/hotspots/search?${query}` });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items;
}

describe('GET /v1/hotspots/search', () => {
  it('folds accents and umlauts both ways: bruhl finds Brühlsche Terrasse, außere and aussere find Äußere Neustadt', async () => {
    expect((await search('q=bruhl')).map((h) => h.id)).toEqual([ids.bruehl]);
    expect((await search('q=BRÜHL')).map((h) => h.id)).toEqual([ids.bruehl]);
    expect((await search('q=aussere')).map((h) => h.id)).toEqual([ids.neustadt]);
    expect((await search(`q=${encodeURIComponent('äußere neustadt')}`)).map((h) => h.id)).toEqual([ids.neustadt]);
  });

  it('matches word starts and typos (trigram), never retired hotspots', async () => {
    const partial = await search('q=frauenk');
    expect(partial).toEqual([expect.objectContaining({ id: ids.frauenkirche, relevance: 1, distanceM: null })]);
    const typo = await search('q=frauenkirke');
    expect(typo.map((h) => h.id)).toEqual([ids.frauenkirche]);
    expect(typo[0]!.relevance).toBeGreaterThan(0.6);
    expect(typo[0]!.relevance).toBeLessThan(1);
    expect((await search('q=semperopr')).map((h) => h.id)).toEqual([ids.semperoper]);
    expect(await search('q=xylophon')).toEqual([]);
  });

  it('ranks by relevance, then score; searches tags; filters by distance when lat/lng are given', async () => {
    // "church" is a tag of two hotspots: the better scored first.
    expect((await search('q=church')).map((h) => h.id)).toEqual([ids.frauenkirche, oldChurch]);
    // "elbe": two hotspots by tag; near the Blue Wonder only it remains.
    expect((await search('q=elbe')).map((h) => h.id)).toEqual([ids.bruehl, ids.blueWonder]);
    const near = await search('q=elbe&lat=51.0530&lng=13.8090&radius=1000');
    expect(near).toEqual([
      expect.objectContaining({ id: ids.blueWonder, relevance: 1, distanceM: expect.any(Number) }),
    ]);
    expect(near[0]!.distanceM).toBeLessThan(100);
  });

  it('returns whole items and caches the answer (in process, then Redis) under normalised parameters', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/hotspots/search?q=Zwinger&limit=5' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-data-source']).toBe('postgis');
    expect(res.headers['cache-control']).toBe('public, max-age=10');
    expect(res.json()).toEqual({
      items: [
        {
          id: ids.zwinger,
          label: 'Zwinger',
          lat: 51.05295,
          lng: 13.73395,
          score: 600,
          photoCount: 20,
          userCount: 10,
          tags: ['zwinger', 'palace'],
          relevance: 1,
          distanceM: null,
        },
      ],
    });
    const again = await app.inject({ method: 'GET', url: '/v1/hotspots/search?q=%20zwinger%20&limit=5' });
    expect(again.headers['x-cache']).toBe('hit-memory');
    expect(again.body).toBe(res.body);
    // Another instance shares the Redis level.
    const other = await buildTestApp(env);
    try {
      const shared = await other.inject({ method: 'GET', url: '/v1/hotspots/search?q=zwinger&limit=5' });
      expect(shared.headers['x-cache']).toBe('hit-redis');
      expect(shared.body).toBe(res.body);
    } finally {
      await other.close();
    }
  });

  it.each([
    ['', 'q'],
    ['q=a', 'q'],
    [`q=${'x'.repeat(101)}`, 'q'],
    ['q=%20%20%20', 'q'],
    ['q=kirche&lat=51', 'lng'],
    ['q=kirche&lng=13', 'lat'],
    ['q=kirche&lat=51&lng=13&radius=60000', 'radius'],
    ['q=kirche&limit=51', 'limit'],
  ])('rejects %s with 400 INVALID_PARAMETER naming %s', async (query, parameter) => {
    const res = await app.inject({ method: 'GET', url: `/v1/hotspots/search?${query}` });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      code: 'INVALID_PARAMETER',
      details: [expect.objectContaining({ parameter, in: 'querystring' })],
    });
  });

  it('treats tsquery syntax in q as plain words, never a 500', async () => {
    for (const q of ["kirche' & !", '(:*|<->)', 'frauen:kirche', '\\x00']) {
      const res = await app.inject({ method: 'GET', url: `/v1/hotspots/search?q=${encodeURIComponent(q)}` });
      expect(res.statusCode, q).toBe(200);
    }
  });
});
