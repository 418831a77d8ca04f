import { createTestEnv, type TestEnv } from '@photospots/test-harness';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, DRESDEN, insertHotspot } from './fixtures.ts';

let env: TestEnv;
const apps: Record<'memory' | 'postgis', FastifyInstance> = {} as never;
const ids: Record<keyof typeof DRESDEN, number> = {} as never;
/** Grid of 30 small hotspots south of the old town, scores 100..129, for pagination. */
const grid: { id: number; score: number }[] = [];

beforeAll(async () => {
  env = await createTestEnv();
  for (const [key, h] of Object.entries(DRESDEN)) ids[key as keyof typeof DRESDEN] = await insertHotspot(env, h);
  for (let i = 0; i < 30; i++) {
    const score = 100 + ((i * 7) % 30);
    grid.push({
      id: await insertHotspot(env, {
        label: `Spot ${i}`,
        lat: 51.02 + (i % 6) * 0.001,
        lng: 13.72 + Math.floor(i / 6) * 0.001,
        score,
      }),
      score,
    });
  }
  // A retired hotspot is never listed.
  await insertHotspot(env, { label: 'Gone', lat: 51.0519, lng: 13.7414, score: 9999, status: 'retired' });
  apps.memory = await buildTestApp(env);
  apps.postgis = await buildTestApp(env, { MEMORY_INDEX: 'false', CACHE_TTL_SECONDS: '0' });
});
afterAll(async () => {
  await apps.memory?.close();
  await apps.postgis?.close();
  await env.close();
});

const item = (key: keyof typeof DRESDEN) => {
  const h = DRESDEN[key];
  return {
    id: ids[key],
    label: h.label,
    lat: h.lat,
    lng: h.lng,
    score: h.score,
    photoCount: 20,
    userCount: 10,
    tags: [...h.tags],
  };
};

describe.each(['memory', 'postgis'] as const)('lists answered from %s', (source) => {
  const app = () => apps[source];

  it('GET /v1/hotspots/top lists active hotspots best first, with cache headers', async () => {
    const res = await app().inject({ method: 'GET', url: '/v1/hotspots/top?limit=3' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    // Without the in-process index, and with no Redis index synced by scoring here, PostGIS answers.
    expect(res.headers['x-data-source']).toBe(source);
    expect(res.headers['cache-control']).toBe('public, max-age=10');
    // Answers from the in-process index carry a weak ETag derived from the question and the data version.
    expect(res.headers.etag).toMatch(source === 'memory' ? /^W\/"[\w-]+\.\d+\.top:json:3"$/ : /^"[\w-]{22}"$/);
    expect(res.json()).toEqual({ items: [item('frauenkirche'), item('semperoper'), item('zwinger')] });
  });

  it('GET /v1/hotspots/nearby measures distances and honours the radius', async () => {
    const res = await app().inject({
      method: 'GET',
      url: '/v1/hotspots/nearby?lat=51.0519&lng=13.7416&radius=250&limit=5',
    });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { items: { id: number; distanceM: number }[] };
    expect(body.items.map((i) => i.id)).toEqual([ids.frauenkirche, ids.bruehl]);
    // The in-process ruler and the PostGIS spheroid agree to well under a metre here.
    expect(body.items[0]).toEqual({ ...item('frauenkirche'), distanceM: expect.any(Number) });
    expect(body.items[0]!.distanceM).toBeGreaterThan(14);
    expect(body.items[0]!.distanceM).toBeLessThan(19);
    expect(body.items[1]!.distanceM).toBeGreaterThan(100);
    expect(body.items[1]!.distanceM).toBeLessThan(250);
  });

  it('GET /v1/hotspots?bbox= pages through a box best score first, without gaps or repeats', async () => {
    const seen: number[] = [];
    let url = '/v1/hotspots?bbox=13.715,51.015,13.73,51.03&limit=7';
    let pages = 0;
    for (;;) {
      const res = await app().inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      const body = res.json() as { items: { id: number; score: number }[]; nextCursor: string | null };
      expect(res.headers['x-data-source']).toBe(source);
      seen.push(...body.items.map((i) => i.id));
      pages++;
      if (!body.nextCursor) break;
      expect(body.items).toHaveLength(7);
      url = `/v1/hotspots?bbox=13.715,51.015,13.73,51.03&limit=7&cursor=${encodeURIComponent(body.nextCursor)}`;
    }
    expect(pages).toBe(5);
    const expected = [...grid].sort((a, b) => b.score - a.score || a.id - b.id).map((g) => g.id);
    expect(seen).toEqual(expected);
  });

  it('GET /v1/hotspots?bbox=&zoom= returns clusters at a low zoom and single hotspots at a high one', async () => {
    const low = await app().inject({ method: 'GET', url: '/v1/hotspots?bbox=13.6,50.95,13.9,51.1&zoom=10' });
    expect(low.statusCode).toBe(200);
    const lowBody = low.json() as {
      zoom: number;
      truncated: boolean;
      items: { kind: string; count?: number; best?: { id: number } }[];
    };
    expect(lowBody.zoom).toBe(10);
    expect(lowBody.truncated).toBe(false);
    const counted = lowBody.items.reduce((n, c) => n + (c.kind === 'cluster' ? c.count! : 1), 0);
    expect(counted).toBe(36);
    expect(lowBody.items[0]).toMatchObject({ kind: 'cluster', best: { id: ids.frauenkirche } });
    const high = await app().inject({ method: 'GET', url: '/v1/hotspots?bbox=13.74,51.05,13.745,51.055&zoom=20' });
    expect(high.json()).toEqual({
      zoom: 20,
      truncated: false,
      items: [
        { kind: 'hotspot', ...item('frauenkirche') },
        { kind: 'hotspot', ...item('bruehl') },
      ],
    });
  });

  it('answers Accept: application/geo+json with a FeatureCollection', async () => {
    const res = await app().inject({
      method: 'GET',
      url: '/v1/hotspots/top?limit=1',
      headers: { accept: 'application/geo+json' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/geo+json; charset=utf-8');
    expect(res.headers.vary).toBe('Accept');
    const { lat, lng, ...properties } = item('frauenkirche');
    expect(res.json()).toEqual({
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', id: ids.frauenkirche, geometry: { type: 'Point', coordinates: [lng, lat] }, properties },
      ],
    });
    const page = await app().inject({
      method: 'GET',
      url: '/v1/hotspots?bbox=13.715,51.015,13.73,51.03&limit=2',
      headers: { accept: 'application/geo+json' },
    });
    expect(page.json()).toMatchObject({ type: 'FeatureCollection', nextCursor: expect.any(String) });
    expect(page.json().features).toHaveLength(2);
  });

  it('answers every other list in GeoJSON too: nearby (with distances), clusters, search', async () => {
    const geo = { accept: 'application/geo+json' };
    const near = await app().inject({
      method: 'GET',
      url: '/v1/hotspots/nearby?lat=51.05193&lng=13.74138&radius=300&limit=2',
      headers: geo,
    });
    expect(near.headers['content-type']).toBe('application/geo+json; charset=utf-8');
    expect(near.json()).toMatchObject({ type: 'FeatureCollection' });
    const first = near.json().features[0];
    expect(first).toMatchObject({
      type: 'Feature',
      id: ids.frauenkirche,
      geometry: { type: 'Point', coordinates: [DRESDEN.frauenkirche.lng, DRESDEN.frauenkirche.lat] },
    });
    expect(first.properties.distanceM).toBeLessThan(1);
    expect(first.properties.label).toBe('Frauenkirche');

    const clusters = await app().inject({
      method: 'GET',
      url: '/v1/hotspots?bbox=13.6,50.95,13.9,51.1&zoom=10',
      headers: geo,
    });
    expect(clusters.statusCode).toBe(200);
    expect(clusters.json()).toMatchObject({ type: 'FeatureCollection', zoom: 10, truncated: false });
    const features = clusters.json().features as {
      geometry: { type: string };
      properties: { kind: string; count?: number };
    }[];
    expect(features.length).toBeGreaterThan(0);
    for (const f of features) expect(f.geometry.type).toBe('Point');
    // Every active hotspot is in exactly one feature (a cluster counts its members).
    expect(features.reduce((n, f) => n + (f.properties.kind === 'cluster' ? f.properties.count! : 1), 0)).toBe(
      Object.keys(DRESDEN).length + grid.length,
    );

    const search = await app().inject({ method: 'GET', url: '/v1/hotspots/search?q=zwinger', headers: geo });
    expect(search.headers['content-type']).toBe('application/geo+json; charset=utf-8');
    expect(search.json().features[0]).toMatchObject({
      type: 'Feature',
      id: ids.zwinger,
      geometry: { type: 'Point', coordinates: [DRESDEN.zwinger.lng, DRESDEN.zwinger.lat] },
    });
  });

  it('answers 304 when If-None-Match names the current ETag', async () => {
    const first = await app().inject({ method: 'GET', url: '/v1/hotspots/top?limit=2' });
    const again = await app().inject({
      method: 'GET',
      url: '/v1/hotspots/top?limit=2',
      headers: { 'if-none-match': first.headers.etag as string },
    });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers.etag).toBe(first.headers.etag);
  });
});

describe('bbox validation', () => {
  it.each([
    [
      'bbox=1,2,3',
      'INVALID_PARAMETER',
      "querystring parameter 'bbox' must be four numbers: minLng,minLat,maxLng,maxLat",
    ],
    [
      'bbox=a,b,c,d',
      'INVALID_PARAMETER',
      "querystring parameter 'bbox' must be four numbers: minLng,minLat,maxLng,maxLat",
    ],
    [
      'bbox=13,51,200,52',
      'INVALID_PARAMETER',
      "querystring parameter 'bbox' has a coordinate out of range (lng -180..180, lat -90..90)",
    ],
    ['bbox=13.8,51,13.7,52', 'INVALID_PARAMETER', "querystring parameter 'bbox' must have min below max on both axes"],
  ])('%s is a 400 %s', async (query, code, message) => {
    const res = await apps.memory.inject({ method: 'GET', url: `/v1/hotspots?${query}` });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: { code, message, details: [{ parameter: 'bbox', in: 'querystring', problem: expect.any(String) }] },
    });
  });

  it('a box over the area limit is 400 BBOX_TOO_LARGE unless zoom= asks for clusters', async () => {
    const res = await apps.memory.inject({ method: 'GET', url: '/v1/hotspots?bbox=10,50,15,53' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: {
        code: 'BBOX_TOO_LARGE',
        message: 'The map box is larger than allowed; zoom in, or pass zoom= to get clusters.',
        details: { parameter: 'bbox', areaKm2: expect.any(Number), maxAreaKm2: 10_000 },
      },
    });
    const clustered = await apps.memory.inject({ method: 'GET', url: '/v1/hotspots?bbox=10,50,15,53&zoom=6' });
    expect(clustered.statusCode).toBe(200);
  });

  it('a missing bbox, a limit over 200 without zoom and a zoom over 20 are 400s', async () => {
    for (const [query, parameter] of [
      ['', 'bbox'],
      ['bbox=13.7,51.0,13.8,51.1&limit=201', 'limit'],
      ['bbox=13.7,51.0,13.8,51.1&zoom=21', 'zoom'],
    ] as const) {
      const res = await apps.memory.inject({ method: 'GET', url: `/v1/hotspots?${query}` });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({
        code: 'INVALID_PARAMETER',
        details: [expect.objectContaining({ parameter })],
      });
    }
  });

  it('a tampered cursor, or one from another box, is 400 INVALID_CURSOR, never a 500', async () => {
    const first = await apps.memory.inject({
      method: 'GET',
      url: '/v1/hotspots?bbox=13.715,51.015,13.73,51.03&limit=5',
    });
    const cursor = first.json().nextCursor as string;
    const [body, mac] = cursor.split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify({ k: 1e9, i: 1 })).toString('base64url');
    const flipped = `${body.slice(0, -1)}${body.endsWith('A') ? 'B' : 'A'}.${mac}`;
    for (const bad of [flipped, `${forged}.${mac}`, 'garbage', `${body}.`, '.', `${body}.${mac}x`]) {
      for (const app of [apps.memory, apps.postgis]) {
        const res = await app.inject({
          method: 'GET',
          url: `/v1/hotspots?bbox=13.715,51.015,13.73,51.03&limit=5&cursor=${encodeURIComponent(bad)}`,
        });
        expect(res.statusCode).toBe(400);
        expect(res.json()).toEqual({
          error: {
            code: 'INVALID_CURSOR',
            message: 'The cursor is not one this endpoint issued for this query; start again without it.',
            details: { parameter: 'cursor', in: 'querystring' },
          },
        });
      }
    }
    const otherBox = await apps.memory.inject({
      method: 'GET',
      url: `/v1/hotspots?bbox=13.7,51.0,13.8,51.1&limit=5&cursor=${encodeURIComponent(cursor)}`,
    });
    expect(otherBox.statusCode).toBe(400);
    expect(otherBox.json().error.code).toBe('INVALID_CURSOR');
  });

  it('an unsupported Accept is 406 NOT_ACCEPTABLE', async () => {
    const res = await apps.memory.inject({ method: 'GET', url: '/v1/hotspots/top', headers: { accept: 'text/csv' } });
    expect(res.statusCode).toBe(406);
    expect(res.json()).toEqual({
      error: { code: 'NOT_ACCEPTABLE', message: 'Ask for application/json or application/geo+json.', details: null },
    });
  });
});

describe('conditional requests on map boxes', () => {
  it('answers 304 for a repeated box and page, whatever characters the question has', async () => {
    const url = '/v1/hotspots?bbox=13.715,51.015,13.73,51.03&limit=7';
    const first = await apps.memory.inject({ method: 'GET', url });
    const page2 = `${url}&cursor=${encodeURIComponent(first.json().nextCursor)}`;
    const second = await apps.memory.inject({ method: 'GET', url: page2 });
    for (const [path, res] of [
      [url, first],
      [page2, second],
    ] as const) {
      const again = await apps.memory.inject({
        method: 'GET',
        url: path,
        headers: { 'if-none-match': `"other", ${res.headers.etag as string}` },
      });
      expect(again.statusCode).toBe(304);
    }
  });
});

describe('cursors across instances', () => {
  it('a cursor issued by one instance works on another of the same deployment', async () => {
    const url = '/v1/hotspots?bbox=13.715,51.015,13.73,51.03&limit=4';
    const first = await apps.memory.inject({ method: 'GET', url });
    const cursor = encodeURIComponent(first.json().nextCursor);
    const here = await apps.memory.inject({ method: 'GET', url: `${url}&cursor=${cursor}` });
    const there = await apps.postgis.inject({ method: 'GET', url: `${url}&cursor=${cursor}` });
    expect(there.statusCode).toBe(200);
    expect(there.json()).toEqual(here.json());
  });
});

describe('without the in-process index (loading, or MEMORY_INDEX=false)', () => {
  it('map boxes, clusters and top go into the response cache (in process, then Redis, shared by instances)', async () => {
    const first = await buildTestApp(env, { MEMORY_INDEX: 'false' });
    const second = await buildTestApp(env, { MEMORY_INDEX: 'false' });
    try {
      for (const url of [
        '/v1/hotspots?bbox=13.7,51.0,13.8,51.1&limit=5',
        '/v1/hotspots?bbox=13.7,51.0,13.8,51.1&zoom=12',
        '/v1/hotspots/top?limit=4',
      ]) {
        const miss = await first.inject({ method: 'GET', url });
        expect(miss.statusCode, url).toBe(200);
        expect(miss.headers['x-cache'], url).toBe('miss');
        expect(miss.headers['x-data-source'], url).toBe('postgis');
        const again = await first.inject({ method: 'GET', url });
        expect(again.headers['x-cache'], url).toBe('hit-memory');
        expect(again.body, url).toBe(miss.body);
        const shared = await second.inject({ method: 'GET', url });
        expect(shared.headers['x-cache'], url).toBe('hit-redis');
        expect(shared.body, url).toBe(miss.body);
      }
    } finally {
      await first.close();
      await second.close();
    }
  });
});
