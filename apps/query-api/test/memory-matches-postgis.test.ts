import { createTestEnv, seededRandom, type TestEnv } from '@photospots/test-harness';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from './fixtures.ts';

let env: TestEnv;
let memory: FastifyInstance;
let postgis: FastifyInstance;

beforeAll(async () => {
  env = await createTestEnv();
  // 800 hotspots over greater Dresden: enough for the KD-tree to split into many nodes.
  const rnd = seededRandom(7);
  const rows = Array.from({ length: 800 }, (_, i) => ({
    lat: 50.95 + rnd() * 0.2,
    lng: 13.6 + rnd() * 0.3,
    score: Math.round(rnd() * 1000) / 10,
    label: `Spot ${i}`,
  }));
  await env.database.sql`
    insert into hotspots (lat, lng, tile, radius_m, photo_count, user_count, user_days, label, score)
    select lat, lng, 1, 40, 10, 5, 5, label, score
    from unnest(${rows.map((r) => r.lat)}::float8[], ${rows.map((r) => r.lng)}::float8[], ${rows.map((r) => r.label)}::text[], ${rows.map((r) => r.score)}::float8[])
      as v(lat, lng, label, score)`;
  memory = await buildTestApp(env);
  postgis = await buildTestApp(env, { MEMORY_INDEX: 'false', CACHE_TTL_SECONDS: '0' });
});
afterAll(async () => {
  await memory?.close();
  await postgis?.close();
  await env.close();
});

async function both(url: string): Promise<[unknown, unknown]> {
  const [a, b] = await Promise.all([memory.inject({ method: 'GET', url }), postgis.inject({ method: 'GET', url })]);
  expect(a.statusCode, a.body).toBe(200);
  expect(b.statusCode, b.body).toBe(200);
  expect(a.headers['x-data-source']).toBe('memory');
  expect(b.headers['x-data-source']).toBe('postgis');
  return [a.json(), b.json()];
}

describe('the in-process index answers exactly like PostGIS', () => {
  it('nearby: the same hotspots, distances within 0.1% of the spheroid distance', async () => {
    const rnd = seededRandom(11);
    for (let i = 0; i < 25; i++) {
      const lat = (50.95 + rnd() * 0.2).toFixed(5);
      const lng = (13.6 + rnd() * 0.3).toFixed(5);
      const radius = [100, 500, 1500, 5000][i % 4];
      const [m, p] = (await both(`/v1/hotspots/nearby?lat=${lat}&lng=${lng}&radius=${radius}&limit=30`)) as {
        items: { id: number; distanceM: number }[];
      }[];
      // Near-ties may swap between the two distance computations; compare as sets plus distances.
      expect(new Set(m!.items.map((x) => x.id))).toEqual(new Set(p!.items.map((x) => x.id)));
      for (const x of m!.items) {
        const y = p!.items.find((q) => q.id === x.id)!;
        expect(Math.abs(x.distanceM - y.distanceM)).toBeLessThanOrEqual(Math.max(0.2, y.distanceM * 0.001));
      }
    }
  });

  it('bbox pages and top are identical', async () => {
    const rnd = seededRandom(13);
    for (let i = 0; i < 15; i++) {
      const minLng = 13.6 + rnd() * 0.2;
      const minLat = 50.95 + rnd() * 0.15;
      const box = `${minLng.toFixed(4)},${minLat.toFixed(4)},${(minLng + 0.01 + rnd() * 0.1).toFixed(4)},${(minLat + 0.01 + rnd() * 0.05).toFixed(4)}`;
      const [m, p] = (await both(`/v1/hotspots?bbox=${box}&limit=20`)) as {
        items: unknown[];
        nextCursor: string | null;
      }[];
      expect(m!.items).toEqual(p!.items);
      expect(m!.nextCursor === null).toBe(p!.nextCursor === null);
    }
    const [m, p] = await both('/v1/hotspots/top?limit=100');
    expect(m).toEqual(p);
  });

  it('nearby finds a hotspot a few metres away among hundreds', async () => {
    const [row] = await env.database.sql<
      { id: number; lat: number; lng: number }[]
    >`select id, lat, lng from hotspots order by id desc limit 1`;
    const [m] = (await both(`/v1/hotspots/nearby?lat=${row!.lat + 0.00002}&lng=${row!.lng}&radius=50&limit=1`)) as {
      items: { id: number }[];
    }[];
    expect(m!.items.map((x) => x.id)).toEqual([row!.id]);
  });

  it('clusters count every hotspot in the box once', async () => {
    const [m, p] = (await both('/v1/hotspots?bbox=13.5,50.9,14.0,51.2&zoom=11&limit=1000')) as {
      items: { kind: string; count?: number }[];
    }[];
    const total = (r: { items: { kind: string; count?: number }[] }) =>
      r.items.reduce((n, c) => n + (c.kind === 'cluster' ? c.count! : 1), 0);
    expect(total(m!)).toBe(800);
    expect(total(p!)).toBe(800);
  });
});
