import { createTestEnv, type TestEnv } from '@photospots/test-harness';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERRORS } from '../src/errors/error-catalog.ts';
import { buildTestApp, DRESDEN, insertHotspot } from './fixtures.ts';

let env: TestEnv;
let app: FastifyInstance;
let someId: number;

/** The catalog's client-error codes (docs/query-api.md lists the catalog); anything else, or a 5xx, is a bug. */
const DOCUMENTED_4XX = new Set(
  Object.entries(ERRORS)
    .filter(([, e]) => e.status >= 400 && e.status < 500)
    .map(([code]) => code),
);

/** Values a hostile client sends on purpose: injection strings, odd numbers, unicode, control characters. */
const NASTY = [
  "'; drop table hotspots; --",
  '1 or 1=1',
  "1' or '1'='1",
  '1;select pg_sleep(5)',
  '%00',
  '\u0000',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  '${7*7}',
  '{{7*7}}',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e309',
  '-0',
  '0x10',
  '١٢٣',
  '',
  ' ',
  '13.7,51.0,13.8',
  '13.7,51.0,13.8,51.1,0',
  'frauenkirche:* | !dresden',
  "frau' & !kirche",
  '\\',
  '"',
  '%',
  '_',
  '*',
  'ä'.repeat(500),
  // Letters and digits that accent folding turns into punctuation or nothing (⑴ → "(1)", ½ → "1/2"); found by the fuzz.
  '⑴!',
  '½',
  '㈱',
  'ǅ',
  'xʼy',
  'Ⅻ ⒜ ⓐ',
];

/** …and random ones of every kind. */
const hostile = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.double().map(String),
  fc.integer().map(String),
  fc.bigInt().map(String),
  fc.constantFrom(...NASTY),
);

async function expectDocumentedAnswer(url: string) {
  const started = Date.now();
  const res = await app.inject({ method: 'GET', url });
  expect(Date.now() - started, url).toBeLessThan(5_000);
  if (res.statusCode >= 300) {
    expect(res.statusCode, `${url} → ${res.body}`).toBeGreaterThanOrEqual(400);
    expect(res.statusCode, `${url} → ${res.body}`).toBeLessThan(500);
    const body = res.json() as { error: { code: string; message: string } };
    expect(DOCUMENTED_4XX.has(body.error.code), `${url} → ${body.error.code}`).toBe(true);
    expect(body.error.message.length).toBeGreaterThan(0);
  }
}

beforeAll(async () => {
  env = await createTestEnv();
  for (const h of Object.values(DRESDEN)) someId = await insertHotspot(env, h);
  app = await buildTestApp(env, { RATE_LIMIT_MAX: '1000000' });
});
afterAll(async () => {
  await app?.close();
  await env.close();
});

describe('hostile input', () => {
  const enc = encodeURIComponent;
  const routes: ((v: string) => string)[] = [
    (v) => `/v1/hotspots/nearby?lat=${enc(v)}&lng=13.74`,
    (v) => `/v1/hotspots/nearby?lat=51.05&lng=13.74&radius=${enc(v)}&limit=${enc(v)}`,
    (v) => `/v1/hotspots?bbox=${enc(v)}`,
    (v) => `/v1/hotspots?bbox=13.7,51.0,13.8,51.1&zoom=${enc(v)}&limit=${enc(v)}`,
    (v) => `/v1/hotspots?bbox=13.7,51.0,13.8,51.1&cursor=${enc(v)}`,
    (v) => `/v1/hotspots/search?q=${enc(v)}`,
    (v) => `/v1/hotspots/search?q=kirche&lat=${enc(v)}&lng=13.74&radius=${enc(v)}`,
    (v) => `/v1/hotspots/top?limit=${enc(v)}`,
    (v) => `/v1/hotspots/${enc(v)}`,
    (v) => `/v1/hotspots/${someId}/photos?cursor=${enc(v)}&order=${enc(v)}&limit=${enc(v)}`,
  ];

  it('answers every known-nasty value in every parameter of every endpoint with 2xx or a documented 4xx', async () => {
    for (const route of routes) for (const value of NASTY) await expectDocumentedAnswer(route(value));
  });

  it('answers every parameter of every endpoint with 2xx or a documented 4xx, never a 5xx or a hang', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: routes.length - 1 }), hostile, async (r, value) => {
        await expectDocumentedAnswer(routes[r]!(value));
      }),
      { numRuns: 600 },
    );
  });

  it('treats SQL in search terms, ids and cursors as data: nothing breaks, nothing is dropped', async () => {
    const injections = [
      "'; drop table hotspots; --",
      "x' or '1'='1",
      '1; delete from favorites',
      "frauenkirche') or true --",
      '1 union select * from users',
    ];
    for (const sqlText of injections) {
      for (const url of routes.map((r) => r(sqlText))) await expectDocumentedAnswer(url);
      const res = await app.inject({ method: 'GET', url: `/v1/hotspots/search?q=${enc(sqlText)}` });
      expect(res.statusCode).toBe(200);
    }
    const [{ count }] = await env.database.sql<{ count: number }[]>`select count(*)::int as count from hotspots`;
    expect(count).toBe(Object.keys(DRESDEN).length);
  });

  it('rejects methods and bodies it does not take with 4xx, not 5xx', async () => {
    for (const [method, url] of [
      ['POST', '/v1/hotspots/nearby'],
      ['DELETE', '/v1/hotspots/1'],
      ['PUT', '/v1/hotspots/top'],
    ] as const) {
      const res = await app.inject({ method, url, payload: '{"x":' });
      expect(res.statusCode, `${method} ${url}`).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, `${method} ${url}`).toBeLessThan(500);
    }
  });
});
