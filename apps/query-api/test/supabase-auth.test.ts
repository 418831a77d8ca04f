import { randomUUID } from 'node:crypto';
import { createTestEnv, type TestEnv } from '@photospots/test-harness';
import type { FastifyInstance } from 'fastify';
import { generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, DRESDEN, insertHotspot } from './fixtures.ts';
import { JWKS_PATH, startTokenIssuer, type IssuerAlg, type TokenIssuer } from './token-issuer.ts';

/**
 * SUPABASE_URL pointed at a stand-in of a project's Supabase Auth, which serves its keys only where Supabase
 * does (/auth/v1/.well-known/jwks.json), and tokens with every claim Supabase Auth writes.
 */

const LEGACY_JWT_SECRET = 'a-test-only-legacy-jwt-secret-of-32-chars-or-more';
const USER_ID = '6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b';

let env: TestEnv;
let app: FastifyInstance;
let issuer: TokenIssuer;
/** The stand-in project's URL and `iss`. */
let project: string;
let projectIssuer: string;

const now = () => Math.floor(Date.now() / 1000);

/** An access token's claims as Supabase Auth issues them to a user who signed in with a password. */
function userClaims(sub: string, overrides: JWTPayload = {}): JWTPayload {
  const iat = now();
  return {
    iss: projectIssuer,
    sub,
    aud: 'authenticated',
    exp: iat + 3600,
    iat,
    email: 'ada@example.com',
    phone: '',
    app_metadata: { provider: 'email', providers: ['email'] },
    user_metadata: { email: 'ada@example.com', email_verified: true, phone_verified: false, sub },
    role: 'authenticated',
    aal: 'aal1',
    amr: [{ method: 'password', timestamp: iat - 60 }],
    session_id: randomUUID(),
    is_anonymous: false,
    ...overrides,
  };
}

/** The claims of an anonymous sign-in (supabase.auth.signInAnonymously()): a real user without email or phone. */
function anonymousUserClaims(sub: string): JWTPayload {
  return userClaims(sub, {
    email: '',
    phone: '',
    app_metadata: {},
    user_metadata: {},
    amr: [{ method: 'anonymous', timestamp: now() - 60 }],
    is_anonymous: true,
  });
}

/** A legacy API key of the project (HS256 with the JWT secret): `iss` "supabase", no `sub`, no `aud`. */
function legacyApiKey(role: 'anon' | 'service_role'): Promise<string> {
  const iat = now();
  return new SignJWT({ iss: 'supabase', ref: 'abcdefghijklmnop', role, iat, exp: iat + 10 * 365 * 86_400 })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(new TextEncoder().encode(LEGACY_JWT_SECRET));
}

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const signIn = async (claims: JWTPayload, alg: IssuerAlg = 'ES256') => bearer(await issuer.sign(claims, { alg }));
const favoriteIds = async (headers: Record<string, string>) => {
  const res = await app.inject({ method: 'GET', url: '/v1/me/favorites', headers });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items.map((i: { id: number }) => i.id) as number[];
};

beforeAll(async () => {
  env = await createTestEnv();
  issuer = await startTokenIssuer();
  project = issuer.origin;
  projectIssuer = `${project}/auth/v1`;
  // A trailing slash, as copied from the dashboard, changes nothing. The legacy secret is set too, as in a
  // project that moved to asymmetric keys, so that its legacy API keys pass the signature check.
  app = await buildTestApp(env, { SUPABASE_URL: `${project}/`, AUTH_JWT_SECRET: LEGACY_JWT_SECRET }, { sqs: env.sqs });
});
beforeEach(() => env.truncate());
afterAll(async () => {
  await app?.close();
  await issuer?.close();
  await env.close();
});

describe('sign-in with Supabase Auth (SUPABASE_URL)', () => {
  it.each(['ES256', 'RS256'] as const)(
    "accepts a user's access token signed with %s, with the keys from <url>/auth/v1/.well-known/jwks.json",
    async (alg) => {
      const fk = await insertHotspot(env, DRESDEN.frauenkirche);
      const user = await signIn(userClaims(USER_ID), alg);
      const put = await app.inject({ method: 'PUT', url: `/v1/me/favorites/${fk}`, headers: user });
      expect(put.statusCode, put.body).toBe(200);
      expect(put.json()).toEqual({ hotspotId: fk, favoritedAt: expect.any(String) });
      expect(await favoriteIds(user)).toEqual([fk]);
      expect(await env.database.sql`select id from users`).toEqual([{ id: USER_ID }]);
      expect(new Set(issuer.requests)).toEqual(new Set([JWKS_PATH]));
    },
  );

  it('lets an anonymous sign-in add, list and remove its own favorites, and keeps them when it links an email', async () => {
    const fk = await insertHotspot(env, DRESDEN.frauenkirche);
    const sem = await insertHotspot(env, DRESDEN.semperoper);
    const anonymousId = randomUUID();
    const anonymous = await signIn(anonymousUserClaims(anonymousId));
    const otherAnonymous = await signIn(anonymousUserClaims(randomUUID()));

    for (const id of [fk, sem]) {
      const res = await app.inject({ method: 'PUT', url: `/v1/me/favorites/${id}`, headers: anonymous });
      expect(res.statusCode, res.body).toBe(200);
    }
    expect(await favoriteIds(anonymous)).toEqual([sem, fk]);
    expect(await favoriteIds(otherAnonymous)).toEqual([]);
    const del = await app.inject({ method: 'DELETE', url: `/v1/me/favorites/${sem}`, headers: anonymous });
    expect(del.statusCode).toBe(204);
    expect(await favoriteIds(anonymous)).toEqual([fk]);

    // Linking an email keeps the user's id; the next token says is_anonymous: false.
    const linked = await signIn(userClaims(anonymousId, { session_id: randomUUID() }));
    expect(await favoriteIds(linked)).toEqual([fk]);
  });

  it.each([
    ["the project's legacy anon key", 'anon', () => legacyApiKey('anon')],
    ["the project's legacy service_role key", 'service_role', () => legacyApiKey('service_role')],
    [
      "an anon token signed with the project's key (no sub)",
      'anon',
      () => issuer.sign({ iss: projectIssuer, aud: 'authenticated', role: 'anon', iat: now(), exp: now() + 3600 }),
    ],
    [
      "a service_role token signed with the project's key, even with a sub",
      'service_role',
      () => issuer.sign({ ...userClaims(USER_ID), role: 'service_role' }),
    ],
  ])('refuses %s on favorites with 401 TOKEN_INVALID', async (_what, role, apiKey) => {
    const fk = await insertHotspot(env, DRESDEN.frauenkirche);
    const headers = bearer(await apiKey());
    for (const [method, url] of [
      ['GET', '/v1/me/favorites'],
      ['PUT', `/v1/me/favorites/${fk}`],
      ['DELETE', `/v1/me/favorites/${fk}`],
    ] as const) {
      const res = await app.inject({ method, url, headers });
      expect(res.statusCode, `${method} ${url}`).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
      expect(res.json()).toEqual({
        error: {
          code: 'TOKEN_INVALID',
          message: `A token with role ${role} is a Supabase API key, not a user's access token; sign the user in (an anonymous sign-in will do) and send their access token.`,
          details: { reason: `role ${role} is an API key, not a user` },
        },
      });
    }
    expect(await env.database.sql`select id from users`).toEqual([]);
    expect(await env.database.sql`select count(*)::int as n from favorites`).toEqual([{ n: 0 }]);
  });

  it.each([
    [
      'a new-style publishable key (not a JWT)',
      async () => 'sb_publishable_AbCdEfGhIjKlMnOpQrStUv_0123456',
      'not a JWS compact token',
    ],
    [
      'a token of another project (its iss), even signed with a key this JWKS serves',
      async () => issuer.sign(userClaims(USER_ID, { iss: 'https://otherproject.supabase.co/auth/v1' })),
      'claim iss check_failed',
    ],
    [
      "a token of another project, signed with that project's key",
      async () =>
        issuer.sign(userClaims(USER_ID, { iss: 'https://otherproject.supabase.co/auth/v1' }), {
          kid: randomUUID(),
          key: (await generateKeyPair('ES256')).privateKey,
        }),
      'ERR_JWKS_NO_MATCHING_KEY',
    ],
    ['another audience', async () => issuer.sign(userClaims(USER_ID, { aud: 'anon' })), 'claim aud check_failed'],
    [
      "an HS256 token signed with the project's legacy secret but with another iss",
      async () =>
        new SignJWT(userClaims(USER_ID, { iss: 'supabase' }))
          .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
          .sign(new TextEncoder().encode(LEGACY_JWT_SECRET)),
      'claim iss check_failed',
    ],
  ])('refuses %s with 401 TOKEN_INVALID', async (_what, token, reason) => {
    const res = await app.inject({ method: 'GET', url: '/v1/me/favorites', headers: bearer(await token()) });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({
      error: {
        code: 'TOKEN_INVALID',
        message: 'The access token is malformed, wrongly signed, or for another issuer or audience; sign in again.',
        details: { reason },
      },
    });
    expect(await env.database.sql`select id from users`).toEqual([]);
  });

  it("refuses an expired user's token with 401 TOKEN_EXPIRED", async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/v1/me/favorites',
      headers: await signIn(userClaims(USER_ID, { iat: now() - 7200, exp: now() - 60 })),
    });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token", error_description="expired"');
    expect(res.json()).toEqual({
      error: { code: 'TOKEN_EXPIRED', message: 'The access token has expired; refresh it and retry.', details: null },
    });
  });

  it('accepts a legacy HS256 user token while AUTH_JWT_SECRET is set (a project migrating to signing keys)', async () => {
    const legacy = await new SignJWT(userClaims(USER_ID))
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .sign(new TextEncoder().encode(LEGACY_JWT_SECRET));
    expect(await favoriteIds(bearer(legacy))).toEqual([]);
  });
});
