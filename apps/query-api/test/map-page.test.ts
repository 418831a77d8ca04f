import { createTestEnv, type TestEnv } from '@photospots/test-harness';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadQueryApiConfig } from '../src/config.ts';
import type { MapPageConfig } from '../src/map/map-page.ts';
import { buildTestApp } from './fixtures.ts';

let env: TestEnv;
const apps: FastifyInstance[] = [];

beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(async () => {
  for (const app of apps) await app.close();
  await env.close();
});

async function appWith(config: Record<string, string> = {}): Promise<FastifyInstance> {
  const app = await buildTestApp(env, config);
  apps.push(app);
  return app;
}

/** The configuration the page reads, as embedded in its HTML. */
function embeddedConfig(html: string): MapPageConfig {
  const json = /<script id="photospots-config" type="application\/json">([\s\S]*?)<\/script>/.exec(html)?.[1];
  if (!json) throw new Error('no embedded config');
  return JSON.parse(json) as MapPageConfig;
}

describe('the map page at /', () => {
  it('serves the page with OpenStreetMap as the default basemap', async () => {
    const app = await appWith();
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.body).toContain('<script type="module" src="/map/map.js"></script>');
    expect(res.body).toContain('href="/map/vendor/maplibre-gl/maplibre-gl.css"');
    expect(embeddedConfig(res.body)).toEqual({ basemap: { kind: 'osm' }, tileJsonUrl: '/v1/tiles.json', apiBase: '' });
  });

  it('takes its basemap from MAP_STYLE_URL, embedded so that it cannot close the script element', async () => {
    const none = await appWith({ MAP_STYLE_URL: 'none' });
    expect(embeddedConfig((await none.inject({ method: 'GET', url: '/' })).body).basemap).toEqual({ kind: 'none' });
    const url = 'https://tiles.example.com/style.json?name=</script><script>alert(1)</script>';
    const styled = await appWith({ MAP_STYLE_URL: url });
    const html = (await styled.inject({ method: 'GET', url: '/' })).body;
    expect(html).not.toContain('<script>alert(1)');
    expect(embeddedConfig(html).basemap).toEqual({ kind: 'style', url });
  });

  it('rejects a MAP_STYLE_URL that is neither empty, none nor an http(s) URL', () => {
    for (const bad of ['javascript:alert(1)', 'file:///etc/passwd', 'osm']) {
      expect(() => loadQueryApiConfig(env.serviceEnv({ MAP_STYLE_URL: bad })), bad).toThrow(/MAP_STYLE_URL/);
    }
  });

  it("serves the page's scripts and MapLibre GL JS from npm, and nothing else from those folders", async () => {
    const app = await appWith();
    const script = await app.inject({ method: 'GET', url: '/map/map.js' });
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toMatch(/^(text|application)\/javascript/);
    expect(script.body).toContain("from '/map/vendor/maplibre-gl/maplibre-gl.mjs'");
    for (const file of ['maplibre-gl.mjs', 'maplibre-gl-worker.mjs', 'maplibre-gl.css']) {
      const res = await app.inject({ method: 'GET', url: `/map/vendor/maplibre-gl/${file}` });
      expect(res.statusCode, file).toBe(200);
      expect(res.headers['cache-control'], file).toBe('public, max-age=86400');
      expect(res.headers['content-type'], file).toMatch(file.endsWith('.css') ? /^text\/css/ : /javascript/);
    }
    for (const url of [
      '/map/vendor/maplibre-gl/maplibre-gl.d.ts',
      '/map/vendor/maplibre-gl/../package.json',
      '/map/vendor/maplibre-gl/%2e%2e/package.json',
      '/map/../src/app.ts',
      '/map/',
    ]) {
      const res = await app.inject({ method: 'GET', url });
      expect([403, 404], url).toContain(res.statusCode);
    }
  });

  it('is not part of the OpenAPI document, and does not count against the rate limit', async () => {
    const app = await appWith({ RATE_LIMIT_MAX: '2' });
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json<{ paths: Record<string, unknown> }>();
    expect(Object.keys(doc.paths).filter((p) => p === '/' || p.startsWith('/map'))).toEqual([]);
    for (let i = 0; i < 5; i++) {
      expect((await app.inject({ method: 'GET', url: '/' })).statusCode).toBe(200);
      expect((await app.inject({ method: 'GET', url: '/map/map.css' })).statusCode).toBe(200);
    }
  });
});
