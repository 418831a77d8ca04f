import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { createTestEnv, REPO_ROOT, waitFor, type TestEnv } from '@photospots/test-harness';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, DRESDEN, insertHotspot, insertPhotos } from './fixtures.ts';

/** Debian's chromium (`.ci/run` installs it); PHOTOSPOTS_CHROMIUM names another. */
const CHROMIUM = process.env.PHOTOSPOTS_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = path.join(REPO_ROOT, 'test-results');

const FRAUENKIRCHE_HULL =
  'POLYGON((13.7408 51.0516, 13.7420 51.0516, 13.7420 51.0523, 13.7408 51.0523, 13.7408 51.0516))';

/** What map.js puts on the page's window. */
interface PageGlobals {
  photospotsMap: import('maplibre-gl').Map;
}

let env: TestEnv;
let app: FastifyInstance;
let browser: Browser;
let page: Page;
let baseUrl: string;
/** Every console error, uncaught exception, failed request and HTTP error the page meets. */
const problems: string[] = [];

describe.skipIf(!existsSync(CHROMIUM))(`the map page in a real browser (${CHROMIUM})`, () => {
  beforeAll(async () => {
    env = await createTestEnv();
    for (const [key, h] of Object.entries(DRESDEN)) {
      const id = await insertHotspot(env, {
        ...h,
        users: 40,
        hull: key === 'frauenkirche' ? FRAUENKIRCHE_HULL : null,
        months: [1, 2, 3, 5, 8, 13, 21, 34, 21, 13, 5, 2],
        components: { users: 40, userDays: 52, recencyFactor: 0.9, score: h.score },
      });
      if (key === 'frauenkirche') {
        await insertPhotos(env, id, [
          { sourceId: '101', ownerName: 'Ada', license: 'CC BY 2.0', title: 'Dome at dusk', views: 90 },
          { sourceId: '102', ownerName: 'Grace', license: 'CC BY-SA 2.0', title: 'Neumarkt', views: 40 },
        ]);
      }
    }
    // No basemap: nothing leaves the machine, so any failed request is ours.
    app = await buildTestApp(env, { MAP_STYLE_URL: 'none' });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      // WebGL in software: no GPU in CI.
      args: ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
    });
    page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('requestfailed', (req) => {
      // MapLibre cancels the tiles it no longer needs when the view moves (jumpTo, flyTo): requests the page
      // aborted itself are not failures. A slow answer makes them likely; any other failure is one.
      const error = req.failure()?.errorText;
      if (error !== 'net::ERR_ABORTED') problems.push(`failed: ${req.url()} (${error})`);
    });
    page.on('response', (res) => {
      if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
    });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await env?.close();
  });

  /** Hotspot features MapLibre has drawn within `radiusPx` of a place. */
  async function renderedAt(lng: number, lat: number, radiusPx = 12) {
    return page.evaluate(
      ([lng, lat, r]) => {
        const map = (globalThis as unknown as PageGlobals).photospotsMap;
        const p = map.project([lng!, lat!]);
        return map
          .queryRenderedFeatures(
            [
              [p.x - r!, p.y - r!],
              [p.x + r!, p.y + r!],
            ],
            { layers: ['hotspots'] },
          )
          .map((f) => ({ id: f.properties.id as number, label: f.properties.label as string, x: p.x, y: p.y }));
      },
      [lng, lat, radiusPx],
    );
  }

  it('draws the hotspots from vector tiles, opens a hotspot on click, and flies to a search result', async () => {
    const { frauenkirche, zwinger } = DRESDEN;
    const res = await page.goto(`${baseUrl}/`);
    expect(res?.status()).toBe(200);
    // map.js marks the page ready once the map has loaded and its layers are added.
    await page.waitForFunction("document.body.dataset.ready === 'true'", undefined, { timeout: 30_000 });
    await page.evaluate(
      ([lng, lat]) =>
        (globalThis as unknown as PageGlobals).photospotsMap.jumpTo({
          center: [lng!, lat!],
          zoom: 16,
        }),
      [frauenkirche.lng, frauenkirche.lat],
    );
    const hits = await waitFor(
      async () => {
        const found = await renderedAt(frauenkirche.lng, frauenkirche.lat);
        return found.length > 0 ? found : undefined;
      },
      { timeoutMs: 30_000, message: 'hotspot features rendered at the Frauenkirche' },
    );
    expect(hits.map((h) => h.label)).toContain('Frauenkirche');

    const target = hits.find((h) => h.label === 'Frauenkirche')!;
    await page.mouse.click(target.x, target.y);
    await expect.poll(() => page.textContent('#panel-label'), { timeout: 15_000 }).toBe('Frauenkirche');
    const panel = (await page.textContent('#panel'))!;
    expect(panel).toContain('Photographers');
    expect(panel).toContain('Score components');
    expect(panel).toContain('Busiest months');
    expect(panel).toContain('Photo: Ada (CC BY 2.0), via Flickr');
    expect(await page.locator('.months div').count()).toBe(12);

    const before = await page.evaluate(() =>
      (globalThis as unknown as PageGlobals).photospotsMap.getCenter().toArray(),
    );
    await page.fill('#search-input', 'zwinger');
    await page.press('#search-input', 'Enter');
    await expect.poll(() => page.textContent('#panel-label'), { timeout: 15_000 }).toBe('Zwinger');
    const after = await waitFor(
      async () => {
        const center = await page.evaluate(() => {
          const map = (globalThis as unknown as PageGlobals).photospotsMap;
          return map.isMoving() ? undefined : map.getCenter().toArray();
        });
        return center ?? undefined;
      },
      { timeoutMs: 15_000, message: 'the map to settle after the search' },
    );
    expect(after).not.toEqual(before);
    expect(after[0]).toBeCloseTo(zwinger.lng, 4);
    expect(after[1]).toBeCloseTo(zwinger.lat, 4);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'map-page.png') });
    expect(problems).toEqual([]);
  });
});
