import { gunzipSync } from 'node:zlib';
import SwaggerParser from '@apidevtools/swagger-parser';
import { createTestEnv, type TestEnv } from '@photospots/test-harness';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, DRESDEN, insertHotspot } from './fixtures.ts';

interface OpenApiOperation {
  operationId: string;
  summary: string;
  description: string;
  tags: string[];
  parameters?: { name: string; required: boolean }[];
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
}
interface OpenApiDocument {
  tags: { name: string }[];
  paths: Record<string, Record<string, OpenApiOperation>>;
}

let env: TestEnv;
let app: FastifyInstance;

beforeAll(async () => {
  env = await createTestEnv();
  for (const h of Object.values(DRESDEN)) await insertHotspot(env, h);
  app = await buildTestApp(env, { CORS_ORIGINS: 'https://app.example.org,https://admin.example.org' });
});
afterAll(async () => {
  await app?.close();
  await env.close();
});

describe('OpenAPI document and docs page', () => {
  it('GET /docs/json is a valid OpenAPI 3 document covering every endpoint, generated from the route schemas', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe('3.0.3');
    // Throws with every problem when the document is invalid (schema and $refs).
    await SwaggerParser.validate(structuredClone(doc));
    const paths = Object.keys(doc.paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/healthz',
        '/metrics',
        '/readyz',
        '/v1/hotspots',
        '/v1/hotspots/nearby',
        '/v1/hotspots/search',
        '/v1/hotspots/top',
        '/v1/hotspots/{id}',
        '/v1/hotspots/{id}/photos',
        '/v1/me/favorites',
        '/v1/me/favorites/{hotspotId}',
      ]),
    );
    // Nothing but the API and the operational routes: the docs page and the map page with its files stay out.
    for (const path of paths) expect(path).toMatch(/^\/(v1\/.+|healthz|readyz|metrics)$/);
    expect(Object.keys(doc.paths['/v1/me/favorites/{hotspotId}']).sort()).toEqual(['delete', 'put']);
    expect(doc.paths['/v1/me/favorites'].get.security).toEqual([{ bearerAuth: [] }]);
    const nearby = doc.paths['/v1/hotspots/nearby'].get;
    expect(nearby.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['lat', 'limit', 'lng', 'radius']);
    expect(nearby.parameters.find((p: { name: string }) => p.name === 'radius').schema).toMatchObject({
      minimum: 1,
      maximum: 50_000,
      default: 1000,
    });
    expect(Object.keys(nearby.responses['200'].content).sort()).toEqual(['application/geo+json', 'application/json']);
    expect(doc.components.schemas.ErrorResponse).toBeDefined();
  });

  it('names, describes and tags every operation, and documents each error status it answers as an ErrorResponse', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json() as OpenApiDocument;
    const tags = new Set(doc.tags.map((t) => t.name));
    const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => ({ at: `${method.toUpperCase()} ${path}`, ...operation })),
    );
    for (const { at, operationId, summary, description, tags: operationTags } of operations) {
      expect(operationId, at).toMatch(/^[a-z]+(?:[A-Z][a-z]*)+$/);
      expect(summary, at).toMatch(/\S/);
      expect(description, at).toMatch(/\S/);
      expect(operationTags, at).not.toHaveLength(0);
      for (const tag of operationTags) expect(tags, `${at}: tag ${tag}`).toContain(tag);
    }
    const ids = operations.map((o) => o.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(Object.fromEntries(operations.map((o) => [o.at, o.operationId]))).toMatchObject({
      'GET /healthz': 'getHealth',
      'GET /readyz': 'getReadiness',
      'GET /metrics': 'getMetrics',
      'GET /v1/hotspots/nearby': 'getNearbyHotspots',
      'GET /v1/hotspots/search': 'searchHotspots',
      'GET /v1/hotspots/top': 'getTopHotspots',
      'GET /v1/hotspots': 'getHotspotsInBox',
      'GET /v1/hotspots/{id}': 'getHotspot',
      'GET /v1/hotspots/{id}/photos': 'getHotspotPhotos',
      'GET /v1/me/favorites': 'listFavorites',
      'PUT /v1/me/favorites/{hotspotId}': 'addFavorite',
      'DELETE /v1/me/favorites/{hotspotId}': 'removeFavorite',
    });
    const errorRef = { $ref: '#/components/schemas/ErrorResponse' };
    for (const { at, responses } of operations.filter((o) => o.at.includes(' /v1/'))) {
      // A bad parameter, a bad token (checked wherever one is sent) and the rate limit can stop any API call.
      expect(Object.keys(responses), at).toEqual(expect.arrayContaining(['400', '401', '429', '503']));
      for (const [status, response] of Object.entries(responses)) {
        if (status === '301' || Number(status) >= 400)
          expect(response.content?.['application/json']?.schema, `${at} ${status}`).toEqual(errorRef);
      }
    }
    // Parameters with a default may be left out (validation fills them in).
    const nearby = doc.paths['/v1/hotspots/nearby']!.get!;
    expect(Object.fromEntries(nearby.parameters!.map((p) => [p.name, p.required]))).toEqual({
      lat: true,
      lng: true,
      radius: false,
      limit: false,
    });
  });

  it('GET /docs serves an HTML docs page', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs' });
    const page =
      res.statusCode === 302 ? await app.inject({ method: 'GET', url: res.headers.location as string }) : res;
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('swagger-ui');
  });
});

describe('operations', () => {
  it('GET /healthz is always ok; GET /metrics has request counts and latency by route, cache and pool figures', async () => {
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    await app.inject({ method: 'GET', url: '/v1/hotspots/top' });
    await app.inject({ method: 'GET', url: '/v1/hotspots/search?q=zwinger' });
    await app.inject({ method: 'GET', url: '/v1/hotspots/search?q=zwinger' });
    await app.inject({ method: 'GET', url: '/v1/hotspots/search?q=' }); // 400: counted under its route
    await app.inject({ method: 'HEAD', url: '/v1/hotspots/top' });
    await app.inject({ method: 'GET', url: '/v1/no-such-route' });
    await app.inject({ method: 'GET', url: '/v1/no-such-route/either' });
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = res.body;
    expect(text).toMatch(
      /photospots_api_http_requests_total\{method="GET",route="\/v1\/hotspots\/top",status="200"\} 1\n/,
    );
    expect(text).toMatch(
      /photospots_api_http_requests_total\{method="HEAD",route="\/v1\/hotspots\/top",status="200"\} 1\n/,
    );
    expect(text).toMatch(
      /photospots_api_http_requests_total\{method="GET",route="\/v1\/hotspots\/search",status="400"\} 1\n/,
    );
    expect(text).toMatch(/photospots_api_http_requests_total\{method="GET",route="unmatched",status="404"\} 2\n/);
    expect(text).toMatch(
      /photospots_api_http_request_duration_seconds_bucket\{le="[\d.]+",method="GET",route="\/v1\/hotspots\/search"\} \d+/,
    );
    // A histogram as Prometheus reads it: cumulative buckets ending in +Inf, which equals _count.
    const count =
      /photospots_api_http_request_duration_seconds_count\{method="GET",route="\/v1\/hotspots\/search"\} (\d+)/.exec(
        text,
      )?.[1];
    expect(Number(count)).toBeGreaterThanOrEqual(2);
    expect(text).toContain(
      `photospots_api_http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/v1/hotspots/search"} ${count}`,
    );
    expect(text).toMatch(
      /photospots_api_http_request_duration_seconds_sum\{method="GET",route="\/v1\/hotspots\/search"\} [\d.e-]+/,
    );
    expect(text).toContain('# TYPE photospots_api_http_request_duration_seconds histogram');
    expect(text).toMatch(/photospots_api_cache_requests_total\{route="search",result="miss"\} 1/);
    expect(text).toMatch(/photospots_api_cache_requests_total\{route="search",result="hit_memory"\} 1/);
    expect(text).toMatch(/photospots_api_db_pool_max 5/);
    expect(text).toMatch(/photospots_api_index_hotspots 6/);
    expect(text).toMatch(/photospots_api_index_feed\{feed="redis"\} 1/);
    expect(text).toMatch(/photospots_api_index_refreshes_total\{kind="full"\} [1-9]/);
    expect(text).toMatch(/photospots_api_redis_up 1/);
    expect(text).toMatch(/photospots_api_process_cpu_seconds_total/);
  });
});

describe('HTTP behaviour', () => {
  it('CORS: allows the configured origins only, and answers preflights', async () => {
    const ok = await app.inject({
      method: 'GET',
      url: '/v1/hotspots/top',
      headers: { origin: 'https://app.example.org' },
    });
    expect(ok.headers['access-control-allow-origin']).toBe('https://app.example.org');
    expect(ok.headers.vary).toBe('Origin, Accept');
    expect(ok.headers['access-control-expose-headers']).toContain('ETag');
    const other = await app.inject({
      method: 'GET',
      url: '/v1/hotspots/top',
      headers: { origin: 'https://evil.example' },
    });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await app.inject({
      method: 'OPTIONS',
      url: '/v1/me/favorites/1',
      headers: {
        origin: 'https://admin.example.org',
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-methods']).toContain('PUT');
    expect(preflight.headers['access-control-allow-headers']).toContain('Authorization');
  });

  it('compresses large answers when the client accepts it', async () => {
    const url = '/v1/hotspots?bbox=13.6,50.9,13.9,51.2&limit=200';
    const plain = await app.inject({ method: 'GET', url, headers: { accept: 'application/geo+json' } });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.rawPayload.length).toBeGreaterThan(1024);
    const res = await app.inject({
      method: 'GET',
      url,
      headers: { accept: 'application/geo+json', 'accept-encoding': 'gzip' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.rawPayload.length).toBeLessThan(plain.rawPayload.length);
    expect(gunzipSync(res.rawPayload).toString()).toBe(plain.body);
    // Small answers are not worth compressing.
    expect(
      (await app.inject({ method: 'GET', url: '/v1/hotspots/top?limit=1', headers: { 'accept-encoding': 'gzip' } }))
        .headers['content-encoding'],
    ).toBeUndefined();
  });

  it('echoes x-request-id and never leaks internals in errors', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/v1/hotspots/nearby?lat=x&lng=1',
      headers: { 'x-request-id': 'req-abc' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['x-request-id']).toBe('req-abc');
    expect(Object.keys(res.json())).toEqual(['error']);
    const own = await app.inject({ method: 'GET', url: '/v1/hotspots/top' });
    expect(own.headers['x-request-id']).toMatch(/^req-/);
  });
});
