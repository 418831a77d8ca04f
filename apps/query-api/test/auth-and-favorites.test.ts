import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { createTestEnv, waitFor, type TestEnv } from '@photospots/test-harness';
import type { FastifyInstance } from 'fastify';
import { generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, DRESDEN, insertHotspot } from './fixtures.ts';
import { startTokenIssuer, type TokenIssuer } from './token-issuer.ts';

const ISSUER = 'https://project.supabase.co/auth/v1';
const HS_SECRET = 'a-test-only-shared-secret-of-at-least-32-chars';

let env: TestEnv;
let app: FastifyInstance;
let issuer: TokenIssuer;
let otherKey: CryptoKey;

async function token(
  sub: string,
  options: { exp?: number | string; aud?: string; iss?: string; key?: CryptoKey; kid?: string } = {},
): Promise<string> {
  return new SignJWT({ role: 'authenticated' })
    .setProtectedHeader({ alg: 'ES256', kid: options.kid ?? 'key-es256' })
    .setSubject(sub)
    .setIssuer(options.iss ?? ISSUER)
    .setAudience(options.aud ?? 'authenticated')
    .setIssuedAt()
    .setExpirationTime(options.exp ?? '1h')
    .sign(options.key ?? issuer.keys.ES256);
}

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An unsigned token (`alg: none`), otherwise valid: the classic forgery. */
function unsignedToken(sub: string): string {
  const now = Math.floor(Date.now() / 1000);
  return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub, iss: ISSUER, aud: 'authenticated', iat: now, exp: now + 3600 })}.`;
}

/** A genuine token whose payload was edited to another user, keeping the original signature. */
async function tamperedPayload(sub: string): Promise<string> {
  const [header, payload, signature] = (await token(sub)).split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
  return `${header}.${b64url({ ...claims, sub: 'someone-else' })}.${signature}`;
}

/** A genuine token with one character of its signature changed. */
async function tamperedSignature(sub: string): Promise<string> {
  const t = await token(sub);
  const flip = t.at(-2) === 'A' ? 'B' : 'A';
  return `${t.slice(0, -2)}${flip}${t.at(-1)}`;
}

beforeAll(async () => {
  env = await createTestEnv();
  issuer = await startTokenIssuer();
  otherKey = (await generateKeyPair('ES256')).privateKey;
  app = await buildTestApp(env, { AUTH_JWKS_URL: issuer.jwksUrl, AUTH_JWT_ISSUER: ISSUER }, { sqs: env.sqs });
});
beforeEach(() => env.truncate());
afterAll(async () => {
  await app?.close();
  await issuer?.close();
  await env.close();
});

describe('authentication (Supabase-style access tokens)', () => {
  it('accepts a token signed by a key of the JWKS and creates the user row on first sight', async () => {
    const fk = await insertHotspot(env, DRESDEN.frauenkirche);
    const res = await app.inject({ method: 'GET', url: '/v1/me/favorites', headers: bearer(await token('user-a')) });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('private, max-age=0');
    expect(res.json()).toEqual({ items: [], nextCursor: null });
    expect(await env.database.sql`select id from users`).toEqual([{ id: 'user-a' }]);
    // Public routes accept a valid token too (and count it against the user's limit).
    expect(
      (await app.inject({ method: 'GET', url: `/v1/hotspots/${fk}`, headers: bearer(await token('user-a')) }))
        .statusCode,
    ).toBe(200);
    // The key set is cached: not fetched per request.
    expect(issuer.requests).toHaveLength(1);
  });

  it.each([
    ['no token', async () => ({}), 'TOKEN_MISSING', 'Sign in: send Authorization: Bearer <access token>.'],
    [
      'an expired token',
      async () => bearer(await token('user-a', { exp: Math.floor(Date.now() / 1000) - 60 })),
      'TOKEN_EXPIRED',
      'The access token has expired; refresh it and retry.',
    ],
    [
      'another audience',
      async () => bearer(await token('user-a', { aud: 'anon' })),
      'TOKEN_INVALID',
      expect.any(String),
    ],
    [
      'another issuer',
      async () => bearer(await token('user-a', { iss: 'https://evil.example/auth/v1' })),
      'TOKEN_INVALID',
      expect.any(String),
    ],
    [
      'a key not in the JWKS',
      async () => bearer(await token('user-a', { key: otherKey })),
      'TOKEN_INVALID',
      expect.any(String),
    ],
    ['an unknown kid', async () => bearer(await token('user-a', { kid: 'nope' })), 'TOKEN_INVALID', expect.any(String)],
    ['an unsigned token (alg: none)', async () => bearer(unsignedToken('user-a')), 'TOKEN_INVALID', expect.any(String)],
    [
      'a token whose payload was edited',
      async () => bearer(await tamperedPayload('user-a')),
      'TOKEN_INVALID',
      expect.any(String),
    ],
    [
      'a token whose signature was altered',
      async () => bearer(await tamperedSignature('user-a')),
      'TOKEN_INVALID',
      expect.any(String),
    ],
    ['garbage', async () => bearer('not.a.jwt'), 'TOKEN_INVALID', expect.any(String)],
    [
      'a non-Bearer scheme',
      async () => ({ authorization: 'Basic dXNlcjpwYXNz' }),
      'TOKEN_INVALID',
      'Send Authorization: Bearer <access token>.',
    ],
    [
      'an HS256 token when no shared secret is configured',
      async () =>
        bearer(
          await new SignJWT({})
            .setProtectedHeader({ alg: 'HS256' })
            .setSubject('user-a')
            .setIssuer(ISSUER)
            .setAudience('authenticated')
            .setExpirationTime('1h')
            .sign(new TextEncoder().encode(HS_SECRET)),
        ),
      'TOKEN_INVALID',
      expect.any(String),
    ],
  ])('answers %s with 401 %s', async (_what, headers, code, message) => {
    const res = await app.inject({ method: 'GET', url: '/v1/me/favorites', headers: await headers() });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(res.json()).toEqual({
      error: {
        code,
        message,
        details: code === 'TOKEN_MISSING' || code === 'TOKEN_EXPIRED' ? null : expect.anything(),
      },
    });
    expect(await env.database.sql`select id from users`).toEqual([]);
  });

  it('an expired token is a 401 on public routes too, so the app knows to refresh', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/v1/hotspots/top',
      headers: bearer(await token('user-a', { exp: Math.floor(Date.now() / 1000) - 5 })),
    });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('TOKEN_EXPIRED');
  });

  it('accepts HS256 only with an explicitly configured shared secret', async () => {
    const hs = await buildTestApp(env, { AUTH_JWT_ISSUER: ISSUER, AUTH_JWT_SECRET: HS_SECRET });
    try {
      const t = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('user-h')
        .setIssuer(ISSUER)
        .setAudience('authenticated')
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode(HS_SECRET));
      expect((await hs.inject({ method: 'GET', url: '/v1/me/favorites', headers: bearer(t) })).statusCode).toBe(200);
      const wrong = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('user-h')
        .setIssuer(ISSUER)
        .setAudience('authenticated')
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode(`${HS_SECRET}-other`));
      expect(
        (await hs.inject({ method: 'GET', url: '/v1/me/favorites', headers: bearer(wrong) })).json().error.code,
      ).toBe('TOKEN_INVALID');
      // Without a JWKS configured, asymmetric tokens are rejected.
      expect(
        (await hs.inject({ method: 'GET', url: '/v1/me/favorites', headers: bearer(await token('user-a')) })).json()
          .error.code,
      ).toBe('TOKEN_INVALID');
    } finally {
      await hs.close();
    }
  });

  it('without sign-in configured, favorites answer 401 AUTH_NOT_CONFIGURED and tokens on public routes are ignored', async () => {
    const none = await buildTestApp(env);
    try {
      const res = await none.inject({ method: 'GET', url: '/v1/me/favorites', headers: bearer(await token('user-a')) });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('AUTH_NOT_CONFIGURED');
      expect(
        (await none.inject({ method: 'GET', url: '/v1/hotspots/top', headers: bearer(await token('user-a')) }))
          .statusCode,
      ).toBe(200);
    } finally {
      await none.close();
    }
  });

  it("answers 503 when the JWKS cannot be fetched (not the client's fault)", async () => {
    const broken = await buildTestApp(env, { AUTH_JWKS_URL: 'http://127.0.0.1:9/jwks.json', AUTH_JWT_ISSUER: ISSUER });
    try {
      const res = await broken.inject({
        method: 'GET',
        url: '/v1/me/favorites',
        headers: bearer(await token('user-a')),
      });
      expect(res.statusCode).toBe(503);
      expect(res.json().error.code).toBe('SERVICE_UNAVAILABLE');
    } finally {
      await broken.close();
    }
  });
});

describe('favorites', () => {
  it('PUT and DELETE are idempotent; a user sees only their own; each change asks scoring to rescore', async () => {
    const fk = await insertHotspot(env, DRESDEN.frauenkirche);
    const sem = await insertHotspot(env, DRESDEN.semperoper);
    const a = bearer(await token('user-a'));
    const b = bearer(await token('user-b'));

    const put1 = await app.inject({ method: 'PUT', url: `/v1/me/favorites/${fk}`, headers: a });
    expect(put1.statusCode).toBe(200);
    expect(put1.json()).toEqual({
      hotspotId: fk,
      favoritedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    const put2 = await app.inject({ method: 'PUT', url: `/v1/me/favorites/${fk}`, headers: a });
    expect(put2.statusCode).toBe(200);
    expect(put2.json()).toEqual(put1.json());
    expect((await app.inject({ method: 'PUT', url: `/v1/me/favorites/${sem}`, headers: a })).statusCode).toBe(200);
    expect((await app.inject({ method: 'PUT', url: `/v1/me/favorites/${sem}`, headers: b })).statusCode).toBe(200);

    const listA = await app.inject({ method: 'GET', url: '/v1/me/favorites', headers: a });
    expect(listA.json().items.map((i: { id: number }) => i.id)).toEqual([sem, fk]);
    expect(listA.json().items[1]).toEqual({
      id: fk,
      label: 'Frauenkirche',
      lat: 51.05193,
      lng: 13.74138,
      score: 640,
      photoCount: 20,
      userCount: 10,
      tags: ['frauenkirche', 'church', 'neumarkt'],
      status: 'active',
      favoritedAt: put1.json().favoritedAt,
    });
    const listB = await app.inject({ method: 'GET', url: '/v1/me/favorites', headers: b });
    expect(listB.json().items.map((i: { id: number }) => i.id)).toEqual([sem]);
    const geoA = await app.inject({
      method: 'GET',
      url: '/v1/me/favorites',
      headers: { ...a, accept: 'application/geo+json' },
    });
    expect(geoA.headers['content-type']).toBe('application/geo+json; charset=utf-8');
    expect(geoA.json()).toMatchObject({ type: 'FeatureCollection', nextCursor: null });
    expect(
      geoA
        .json()
        .features.map((f: { id: number; geometry: { coordinates: number[] } }) => [f.id, f.geometry.coordinates]),
    ).toEqual([
      [sem, [DRESDEN.semperoper.lng, DRESDEN.semperoper.lat]],
      [fk, [DRESDEN.frauenkirche.lng, DRESDEN.frauenkirche.lat]],
    ]);

    // B deleting A's favorite touches nothing of A's (204 either way: idempotent).
    expect((await app.inject({ method: 'DELETE', url: `/v1/me/favorites/${fk}`, headers: b })).statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: '/v1/me/favorites', headers: a })).json().items).toHaveLength(2);
    // B cannot page through A's list with A's cursor.
    const pageA = await app.inject({ method: 'GET', url: '/v1/me/favorites?limit=1', headers: a });
    const foreign = await app.inject({
      method: 'GET',
      url: `/v1/me/favorites?limit=1&cursor=${encodeURIComponent(pageA.json().nextCursor)}`,
      headers: b,
    });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json().error.code).toBe('INVALID_CURSOR');
    const pageA2 = await app.inject({
      method: 'GET',
      url: `/v1/me/favorites?limit=1&cursor=${encodeURIComponent(pageA.json().nextCursor)}`,
      headers: a,
    });
    expect(pageA2.json()).toEqual({ items: [expect.objectContaining({ id: fk })], nextCursor: null });

    const del1 = await app.inject({ method: 'DELETE', url: `/v1/me/favorites/${fk}`, headers: a });
    expect(del1.statusCode).toBe(204);
    expect(del1.body).toBe('');
    expect((await app.inject({ method: 'DELETE', url: `/v1/me/favorites/${fk}`, headers: a })).statusCode).toBe(204);
    expect(
      (await app.inject({ method: 'GET', url: '/v1/me/favorites', headers: a }))
        .json()
        .items.map((i: { id: number }) => i.id),
    ).toEqual([sem]);

    // Changes (not repeats) went through the outbox to scoring's queue as hotspots.rescore-requested.
    const received: { type: string; payload: unknown; metadata: { producedBy: string } }[] = [];
    await waitFor(
      async () => {
        const out = await env.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: env.queues.url.hotspotsChanged,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 1,
          }),
        );
        received.push(...(out.Messages ?? []).map((m) => JSON.parse(m.Body!)));
        return received.length >= 4;
      },
      { timeoutMs: 10_000, message: 'rescore requests on the queue' },
    );
    expect(received.map((m) => [m.type, m.payload, m.metadata.producedBy]).sort()).toEqual(
      [
        ['hotspots.rescore-requested', { scope: 'ids', hotspotIds: [fk] }, 'query-api'],
        ['hotspots.rescore-requested', { scope: 'ids', hotspotIds: [sem] }, 'query-api'],
        ['hotspots.rescore-requested', { scope: 'ids', hotspotIds: [sem] }, 'query-api'],
        ['hotspots.rescore-requested', { scope: 'ids', hotspotIds: [fk] }, 'query-api'],
      ].sort(),
    );
    // The relay deletes the rows in the transaction that sent them, just after SQS accepted the batch.
    await waitFor(
      async () => (await env.database.sql<{ n: number }[]>`select count(*)::int as n from outbox`)[0]!.n === 0,
      {
        timeoutMs: 5000,
        message: 'the outbox to empty',
      },
    );
  });

  it('favoriting a merged hotspot answers 301 to the successor, a vanished one 410, an unknown one 404', async () => {
    const fk = await insertHotspot(env, DRESDEN.frauenkirche);
    const merged = await insertHotspot(env, {
      label: 'Old',
      lat: 51.05,
      lng: 13.74,
      score: 1,
      status: 'retired',
      successorId: fk,
    });
    const gone = await insertHotspot(env, { label: 'Gone', lat: 51.05, lng: 13.74, score: 1, status: 'retired' });
    const a = bearer(await token('user-a'));
    const res = await app.inject({ method: 'PUT', url: `/v1/me/favorites/${merged}`, headers: a });
    expect(res.statusCode).toBe(301);
    expect(res.headers.location).toBe(`/v1/me/favorites/${fk}`);
    expect((await app.inject({ method: 'PUT', url: `/v1/me/favorites/${gone}`, headers: a })).statusCode).toBe(410);
    const unknown = await app.inject({ method: 'PUT', url: '/v1/me/favorites/424242', headers: a });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('HOTSPOT_NOT_FOUND');
    expect(await env.database.sql`select count(*)::int as n from favorites`).toEqual([{ n: 0 }]);
  });
});
