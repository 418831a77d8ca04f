import { gunzipSync } from 'node:zlib';
import { VectorTile } from '@mapbox/vector-tile';
import { indexKeys } from '@photospots/hotspot-index';
import { createTestEnv, waitFor, type TestEnv } from '@photospots/test-harness';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { PbfReader } from 'pbf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tileBox } from '../src/tiles/tile-geometry.ts';
import { buildTestApp, DRESDEN, insertHotspot, type HotspotSeed } from './fixtures.ts';

let env: TestEnv;
const apps: Record<'memory' | 'postgis', FastifyInstance> = {} as never;
const ids: Record<keyof typeof DRESDEN, number> = {} as never;
const seeds: HotspotSeed[] = [];
let unnamed: number;

/** A convex hexagon around a point, dLat/dLng degrees from it (WKT, as processing writes hulls). */
function hexagon(lat: number, lng: number, dLat = 0.0004, dLng = 0.0006): string {
  const ring = Array.from({ length: 6 }, (_, k) => {
    const a = (k * Math.PI) / 3;
    return `${(lng + dLng * Math.cos(a)).toFixed(7)} ${(lat + dLat * Math.sin(a)).toFixed(7)}`;
  });
  return `POLYGON((${[...ring, ring[0]].join(',')}))`;
}

async function seed(h: HotspotSeed): Promise<number> {
  seeds.push(h);
  return insertHotspot(env, h);
}

beforeAll(async () => {
  env = await createTestEnv();
  for (const [key, h] of Object.entries(DRESDEN)) {
    // The Äußere Neustadt has no hull: it is listed as a point only.
    const hull = key === 'neustadt' ? null : hexagon(h.lat, h.lng);
    ids[key as keyof typeof DRESDEN] = await seed({ ...h, hull });
  }
  // 30 small hotspots south of the old town: clusters at low zooms, many hulls in one tile at high ones.
  for (let i = 0; i < 30; i++) {
    const lat = 51.02 + (i % 6) * 0.001;
    const lng = 13.72 + Math.floor(i / 6) * 0.001;
    await seed({ label: `Spot ${i}`, lat, lng, score: 100 + ((i * 7) % 30), hull: hexagon(lat, lng, 0.0002, 0.0003) });
  }
  unnamed = await seed({ label: null, lat: 51.04, lng: 13.7, score: 50 });
  await insertHotspot(env, { label: 'Gone', lat: 51.0519, lng: 13.7414, score: 9999, status: 'retired' });
  apps.memory = await buildTestApp(env);
  apps.postgis = await buildTestApp(env, { MEMORY_INDEX: 'false', CACHE_TTL_SECONDS: '0' });
});
afterAll(async () => {
  await apps.memory?.close();
  await apps.postgis?.close();
  await env.close();
});

/** The tile holding a point at a zoom, and the point's position in it (0..4096), by the slippy-map formulas. */
function locate(z: number, lat: number, lng: number) {
  const n = 2 ** z;
  const fx = ((lng + 180) / 360) * n;
  const r = (lat * Math.PI) / 180;
  const fy = ((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n;
  const x = Math.floor(fx);
  const y = Math.floor(fy);
  return { z, x, y, px: (fx - x) * 4096, py: (fy - y) * 4096 };
}

interface DecodedFeature {
  id: number | undefined;
  type: number;
  properties: Record<string, unknown>;
  geometry: { x: number; y: number }[][];
}

function decode(body: Buffer): Record<string, { version: number; extent: number; features: DecodedFeature[] }> {
  const tile = new VectorTile(new PbfReader(body));
  return Object.fromEntries(
    Object.entries(tile.layers).map(([name, layer]) => [
      name,
      {
        version: layer.version,
        extent: layer.extent,
        features: Array.from({ length: layer.length }, (_, i) => {
          const f = layer.feature(i);
          return {
            id: f.id,
            type: f.type,
            properties: f.properties,
            geometry: f.loadGeometry().map((ring) => ring.map((p) => ({ x: p.x, y: p.y }))),
          };
        }),
      },
    ]),
  );
}

const get = (app: FastifyInstance, url: string, headers: Record<string, string> = {}) =>
  app.inject({ method: 'GET', url, headers });
const tileUrl = (t: { z: number; x: number; y: number }) => `/v1/tiles/${t.z}/${t.x}/${t.y}.mvt`;

/** Twice the signed area of a closed ring in tile coordinates: positive for an MVT exterior ring. */
function surveyorArea(ring: { x: number; y: number }[]): number {
  let sum = 0;
  for (let i = 0; i + 1 < ring.length; i++) sum += ring[i]!.x * ring[i + 1]!.y - ring[i + 1]!.x * ring[i]!.y;
  return sum;
}

describe.each(['memory', 'postgis'] as const)('vector tiles answered from %s', (source) => {
  const app = () => apps[source];

  it('puts a hotspot in its tile at its position, with its properties and the cache headers', async () => {
    const fk = DRESDEN.frauenkirche;
    const at = locate(18, fk.lat, fk.lng);
    const res = await get(app(), tileUrl(at));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.mapbox-vector-tile');
    expect(res.headers['cache-control']).toBe('public, max-age=10');
    expect(res.headers['x-data-source']).toBe(source);
    expect(res.headers.etag).toMatch(
      source === 'memory' ? new RegExp(`^W/"[\\w-]+\\.\\d+\\.tile:18:${at.x}:${at.y}"$`) : /^"[\w-]{22}"$/,
    );
    const layers = decode(res.rawPayload);
    // Zoom 18 is past the last clustering zoom (17): hotspots only, and no other hotspot is this close.
    expect(Object.keys(layers).sort()).toEqual(['hotspots', 'hulls']);
    expect(layers.hotspots!.version).toBe(2);
    expect(layers.hotspots!.extent).toBe(4096);
    const [feature, ...others] = layers.hotspots!.features;
    expect(others).toEqual([]);
    expect(feature).toMatchObject({
      id: ids.frauenkirche,
      type: 1,
      properties: {
        kind: 'hotspot',
        id: ids.frauenkirche,
        label: 'Frauenkirche',
        score: 640,
        userCount: 10,
        photoCount: 20,
      },
    });
    const [[point]] = feature!.geometry as [[{ x: number; y: number }]];
    expect(Math.abs(point.x - at.px)).toBeLessThanOrEqual(0.5 + 1e-6);
    expect(Math.abs(point.y - at.py)).toBeLessThanOrEqual(0.5 + 1e-6);
  });

  it('clusters at low zooms exactly like the zoom endpoint does for the tile and its buffer', async () => {
    for (const z of [10, 12, 14]) {
      const at = locate(z, DRESDEN.frauenkirche.lat, DRESDEN.frauenkirche.lng);
      const b = tileBox(at);
      const zoomed = await get(
        app(),
        `/v1/hotspots?bbox=${b.minLng},${b.minLat},${b.maxLng},${b.maxLat}&zoom=${z}&limit=1000`,
      );
      expect(zoomed.statusCode, zoomed.body).toBe(200);
      type Item = {
        kind: 'cluster' | 'hotspot';
        lat: number;
        lng: number;
        count?: number;
        expansionZoom?: number;
        best?: { id: number; label: string | null; score: number };
        id?: number;
        label?: string | null;
        score?: number;
        userCount?: number;
        photoCount?: number;
      };
      const items = (zoomed.json() as { truncated: boolean; items: Item[] }).items;
      const best = (i: Item) => (i.kind === 'cluster' ? i.best! : (i as Required<Item>));
      const expected = [...items]
        .sort((a, b) => best(b).score - best(a).score || best(a).id - best(b).id)
        .map((i) => ({
          properties:
            i.kind === 'cluster'
              ? {
                  kind: 'cluster',
                  id: i.best!.id,
                  label: i.best!.label,
                  score: i.best!.score,
                  count: i.count,
                  expansionZoom: i.expansionZoom,
                }
              : {
                  kind: 'hotspot',
                  id: i.id,
                  ...(i.label === null ? {} : { label: i.label }),
                  score: i.score,
                  userCount: i.userCount,
                  photoCount: i.photoCount,
                },
          position: locate(z, i.lat, i.lng),
        }));
      if (z === 10) expect(expected.some((e) => e.properties.kind === 'cluster')).toBe(true);
      const tile = await get(app(), tileUrl(at));
      expect(tile.statusCode).toBe(200);
      const layers = decode(tile.rawPayload);
      expect(Object.keys(layers)).toEqual(['hotspots']);
      const features = layers.hotspots!.features;
      expect(features.map((f) => f.properties)).toEqual(expected.map((e) => e.properties));
      features.forEach((f, k) => {
        const e = expected[k]!.position;
        // In the tile's coordinates (points in the buffer lie beyond 0..4096).
        expect(Math.abs(f.geometry[0]![0]!.x - (e.px + (e.x - at.x) * 4096))).toBeLessThanOrEqual(0.5 + 1e-6);
        expect(Math.abs(f.geometry[0]![0]!.y - (e.py + (e.y - at.y) * 4096))).toBeLessThanOrEqual(0.5 + 1e-6);
      });
    }
    // Every hotspot is counted once at zoom 10: the sample lies in one tile and its buffer.
    const at10 = locate(10, 51.05, 13.74);
    const features = decode((await get(app(), tileUrl(at10))).rawPayload).hotspots!.features;
    expect(features.reduce((n, f) => n + Number(f.properties.count ?? 1), 0)).toBe(seeds.length);
  });

  it('adds the hulls layer from zoom 15: each hull a clockwise ring at its vertices', async () => {
    const fk = DRESDEN.frauenkirche;
    const z14 = await get(app(), tileUrl(locate(14, fk.lat, fk.lng)));
    expect(Object.keys(decode(z14.rawPayload))).toEqual(['hotspots']);

    const at = locate(15, fk.lat, fk.lng);
    const layers = decode((await get(app(), tileUrl(at))).rawPayload);
    expect(layers.hulls!.version).toBe(2);
    const hulls = layers.hulls!.features;
    // Best score first; the Äußere Neustadt has no hull and the grid lies in another tile.
    expect(hulls.map((f) => f.properties)).toEqual(
      (['frauenkirche', 'semperoper', 'zwinger', 'bruehl'] as const).map((k) => ({
        id: ids[k],
        label: DRESDEN[k].label,
        score: DRESDEN[k].score,
      })),
    );
    const hull = hulls[0]!;
    expect(hull).toMatchObject({ id: ids.frauenkirche, type: 3 });
    expect(hull.geometry).toHaveLength(1);
    const ring = hull.geometry[0]!;
    expect(ring).toHaveLength(7);
    expect(ring[6]).toEqual(ring[0]);
    expect(surveyorArea(ring)).toBeGreaterThan(0);
    const vertices = Array.from({ length: 6 }, (_, k) => {
      const a = (k * Math.PI) / 3;
      return locate(15, fk.lat + 0.0004 * Math.sin(a), fk.lng + 0.0006 * Math.cos(a));
    });
    for (const p of ring.slice(0, 6)) {
      // Hulls are read at 1e-6° (0.3 units here) and rounded to whole units.
      expect(vertices.some((v) => Math.abs(v.px - p.x) <= 1 && Math.abs(v.py - p.y) <= 1)).toBe(true);
    }
  });

  it('clips a hull larger than the tile to the tile and its buffer', async () => {
    const fk = DRESDEN.frauenkirche;
    // At zoom 20 a tile is ~24 m wide: the Frauenkirche's ~90 m hull covers it and its neighbours.
    const layers = decode((await get(app(), tileUrl(locate(20, fk.lat, fk.lng)))).rawPayload);
    const ring = layers.hulls!.features.find((f) => f.id === ids.frauenkirche)!.geometry[0]!;
    for (const p of ring) {
      expect(p.x).toBeGreaterThanOrEqual(-256);
      expect(p.x).toBeLessThanOrEqual(4096 + 256);
      expect(p.y).toBeGreaterThanOrEqual(-256);
      expect(p.y).toBeLessThanOrEqual(4096 + 256);
    }
    expect(ring.some((p) => [-256, 4352].includes(p.x) || [-256, 4352].includes(p.y))).toBe(true);
    expect(surveyorArea(ring)).toBeGreaterThan(0);
  });

  it('leaves out the label of a hotspot that has none', async () => {
    const features = decode((await get(app(), tileUrl(locate(18, 51.04, 13.7)))).rawPayload).hotspots!.features;
    expect(features.map((f) => f.properties)).toEqual([
      { kind: 'hotspot', id: unnamed, score: 50, userCount: 10, photoCount: 20 },
    ]);
  });

  it('answers 204 with no body for an empty tile, still cacheable', async () => {
    const res = await get(app(), '/v1/tiles/10/0/0.mvt');
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect(res.headers['content-type']).toBeUndefined();
    expect(res.headers['cache-control']).toBe('public, max-age=10');
    expect(res.headers.etag).toEqual(expect.any(String));
  });

  it('answers 304 when If-None-Match names the ETag', async () => {
    const url = tileUrl(locate(15, DRESDEN.zwinger.lat, DRESDEN.zwinger.lng));
    const first = await get(app(), url);
    expect(first.statusCode).toBe(200);
    const etag = first.headers.etag as string;
    const again = await get(app(), url, { 'if-none-match': `"other", ${etag}` });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers.etag).toBe(etag);
    expect((await get(app(), url, { 'if-none-match': '"other"' })).statusCode).toBe(200);
  });

  it('compresses tiles over 1 KB when asked', async () => {
    // The grid's 30 hulls and points make this tile well over 1 KB.
    const url = tileUrl(locate(15, 51.0225, 13.722));
    const plain = await get(app(), url);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.rawPayload.length).toBeGreaterThan(1024);
    const gzipped = await get(app(), url, { 'accept-encoding': 'gzip' });
    expect(gzipped.statusCode).toBe(200);
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gzipped.headers['content-type']).toBe('application/vnd.mapbox-vector-tile');
    expect(gzipped.rawPayload.length).toBeLessThan(plain.rawPayload.length);
    expect(gunzipSync(gzipped.rawPayload).equals(plain.rawPayload)).toBe(true);
  });

  it('rejects a zoom, column or row out of range, or not a whole number, with INVALID_PARAMETER', async () => {
    const cases: [string, string, string][] = [
      ['/v1/tiles/23/0/0.mvt', 'z', 'must be <= 22'],
      ['/v1/tiles/1/2/0.mvt', 'x', 'must be <= 1 at zoom 1'],
      ['/v1/tiles/1/0/2.mvt', 'y', 'must be <= 1 at zoom 1'],
      ['/v1/tiles/0/0/-1.mvt', 'y', 'must be >= 0'],
      ['/v1/tiles/1.5/0/0.mvt', 'z', 'must be integer'],
      ['/v1/tiles/1/a/0.mvt', 'x', 'must be integer'],
      ['/v1/tiles/1/0/.mvt', 'y', 'must be integer'],
    ];
    for (const [url, parameter, problem] of cases) {
      const res = await get(app(), url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json(), url).toEqual({
        error: {
          code: 'INVALID_PARAMETER',
          message: `params parameter '${parameter}' ${problem}`,
          details: [{ parameter, in: 'params', problem }],
        },
      });
    }
  });

  it('serves TileJSON whose tile URL template resolves to working tiles', async () => {
    const res = await get(app(), '/v1/tiles.json', { host: 'tiles.example.org:8080' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['x-data-source']).toBe(source);
    const lats = seeds.map((s) => s.lat);
    const lngs = seeds.map((s) => s.lng);
    const tilejson = res.json() as { tiles: string[] };
    expect(tilejson).toEqual({
      tilejson: '3.0.0',
      name: 'Photospots',
      description: 'Places many people photograph.',
      attribution: 'Hotspots from photos shared on <a href="https://www.flickr.com/">Flickr</a>',
      scheme: 'xyz',
      tiles: ['http://tiles.example.org:8080/v1/tiles/{z}/{x}/{y}.mvt'],
      minzoom: 0,
      maxzoom: 22,
      bounds: [Math.min(...lngs), Math.min(...lats), Math.max(...lngs), Math.max(...lats)],
      center: [
        Math.round(((Math.min(...lngs) + Math.max(...lngs)) / 2) * 1e6) / 1e6,
        Math.round(((Math.min(...lats) + Math.max(...lats)) / 2) * 1e6) / 1e6,
        // The hotspots span 0.109° of longitude: 512 pixels at zoom 11 hold 0.176°.
        11,
      ],
      vector_layers: [
        {
          id: 'hotspots',
          description: expect.any(String),
          fields: {
            kind: expect.any(String),
            id: expect.any(String),
            label: expect.any(String),
            score: expect.any(String),
            userCount: expect.any(String),
            photoCount: expect.any(String),
            count: expect.any(String),
            expansionZoom: expect.any(String),
          },
          minzoom: 0,
          maxzoom: 22,
        },
        {
          id: 'hulls',
          description: expect.any(String),
          fields: { id: 'Number', label: 'String', score: 'Number' },
          minzoom: 15,
          maxzoom: 22,
        },
      ],
    });
    const at = locate(15, DRESDEN.semperoper.lat, DRESDEN.semperoper.lng);
    const url = new URL(
      tilejson.tiles[0]!.replace('{z}', String(at.z)).replace('{x}', String(at.x)).replace('{y}', String(at.y)),
    );
    const tile = await get(app(), url.pathname, { host: url.host });
    expect(tile.statusCode).toBe(200);
    expect(decode(tile.rawPayload).hotspots!.features.map((f) => f.id)).toContain(ids.semperoper);
    // Behind a trusted proxy the template would name the proxy's protocol; here the header is not trusted.
    const proxied = await get(app(), '/v1/tiles.json', { host: 'tiles.example.org', 'x-forwarded-proto': 'https' });
    expect(proxied.json().tiles).toEqual(['http://tiles.example.org/v1/tiles/{z}/{x}/{y}.mvt']);
  });
});

describe('the in-process index and PostGIS', () => {
  it('cut the same tiles', async () => {
    const fk = DRESDEN.frauenkirche;
    const tiles: LightMyRequestResponse[][] = [];
    for (let z = 8; z <= 20; z++) {
      const at = locate(z, fk.lat, fk.lng);
      for (const [dx, dy] of [
        [0, 0],
        [1, 0],
        [0, 1],
        [-1, -1],
      ] as const) {
        const url = tileUrl({ z, x: at.x + dx, y: at.y + dy });
        tiles.push([await get(apps.memory, url), await get(apps.postgis, url)]);
      }
    }
    let nonEmpty = 0;
    for (const [m, p] of tiles) {
      expect(m.statusCode).toBe(p.statusCode);
      if (m.statusCode === 204) continue;
      nonEmpty++;
      expect(decode(m.rawPayload)).toEqual(decode(p.rawPayload));
    }
    expect(nonEmpty).toBeGreaterThan(20);
  });
});

describe('the in-process index follows hull changes', () => {
  it('patches a hull in, replaces it, and drops it with its hotspot', async () => {
    const app = apps.memory;
    const leipzig = { label: 'Völkerschlachtdenkmal', lat: 51.3124, lng: 12.4133, score: 400 };
    const at = locate(16, leipzig.lat, leipzig.lng);
    const hullIds = async () => {
      const res = await get(app, tileUrl(at));
      if (res.statusCode === 204) return 'empty';
      const layers = decode(res.rawPayload);
      return JSON.stringify({
        points: layers.hotspots?.features.map((f) => f.id),
        hull: layers.hulls?.features.map((f) => f.geometry[0]!.length),
      });
    };
    const announce = (upserted: number[], removed: number[]) =>
      env.redis.publish(indexKeys(env.redisPrefix).changes, JSON.stringify({ upserted, removed }));
    expect(await hullIds()).toBe('empty');

    const id = await insertHotspot(env, { ...leipzig, hull: hexagon(leipzig.lat, leipzig.lng) });
    await announce([id], []);
    await waitFor(async () => (await hullIds()) === JSON.stringify({ points: [id], hull: [7] }), {
      timeoutMs: 5000,
      message: 'the new hotspot and its hull in the tile',
    });

    // A square hull instead of the hexagon: four corners and the closing point.
    await env.database.sql`
      update hotspots set hull = st_geogfromtext(${`POLYGON((12.4128 51.3121,12.4138 51.3121,12.4138 51.3127,12.4128 51.3127,12.4128 51.3121))`})
      where id = ${id}`;
    await announce([id], []);
    await waitFor(async () => (await hullIds()) === JSON.stringify({ points: [id], hull: [5] }), {
      timeoutMs: 5000,
      message: 'the replaced hull',
    });

    await env.database.sql`update hotspots set hull = null where id = ${id}`;
    await announce([id], []);
    await waitFor(async () => (await hullIds()) === JSON.stringify({ points: [id] }), {
      timeoutMs: 5000,
      message: 'the hull to be dropped',
    });

    await env.database
      .sql`update hotspots set hull = st_geogfromtext(${hexagon(leipzig.lat, leipzig.lng)}), status = 'retired' where id = ${id}`;
    await announce([], [id]);
    await waitFor(async () => (await hullIds()) === 'empty', { timeoutMs: 5000, message: 'the retired hotspot to go' });
  });
});
