import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestEnv, waitFor, type TestEnv } from '@photospots/test-harness';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from './fixtures.ts';

const ISSUER = 'https://project.supabase.co/auth/v1';
let env: TestEnv;
let jwks: Server;
let authEnv: Record<string, string>;
let key: CryptoKey;

beforeAll(async () => {
  env = await createTestEnv();
  const pair = await generateKeyPair('ES256', { extractable: true });
  key = pair.privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k', alg: 'ES256' };
  jwks = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })),
  );
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  authEnv = {
    AUTH_JWKS_URL: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`,
    AUTH_JWT_ISSUER: ISSUER,
  };
});
afterAll(async () => {
  jwks?.close();
  await env.close();
});

const tokenFor = (sub: string) =>
  new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: 'k' })
    .setSubject(sub)
    .setIssuer(ISSUER)
    .setAudience('authenticated')
    .setExpirationTime('1h')
    .sign(key);

describe('rate limits', () => {
  it('never limits the operational routes (health, readiness, metrics, docs)', async () => {
    const app = await buildTestApp(env, { RATE_LIMIT_MAX: '1', RATE_LIMIT_WINDOW_SECONDS: '60' });
    try {
      const get = (url: string) => app.inject({ method: 'GET', url, remoteAddress: '10.7.7.7' });
      expect((await get('/v1/hotspots/top')).statusCode).toBe(200);
      expect((await get('/v1/hotspots/top')).statusCode).toBe(429);
      for (const url of ['/healthz', '/readyz', '/metrics', '/docs/json']) {
        for (let i = 0; i < 3; i++) {
          const res = await get(url);
          expect(res.statusCode, url).toBe(200);
          expect(res.headers['x-ratelimit-limit'], url).toBeUndefined();
        }
      }
    } finally {
      await app.close();
    }
  });

  it('without Redis, counts in process: still 429 after the limit', async () => {
    const app = await buildTestApp(
      env,
      { REDIS_URL: '', RATE_LIMIT_MAX: '2', RATE_LIMIT_WINDOW_SECONDS: '60' },
      { redis: undefined },
    );
    try {
      const call = () => app.inject({ method: 'GET', url: '/v1/hotspots/top', remoteAddress: '10.9.9.9' });
      expect((await call()).statusCode).toBe(200);
      expect((await call()).headers['x-ratelimit-remaining']).toBe('0');
      const limited = await call();
      expect(limited.statusCode).toBe(429);
      expect(limited.json().error.code).toBe('RATE_LIMITED');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await app.close();
    }
  });

  it('answers 429 with Retry-After and rate-limit headers after the limit, per IP for anonymous calls and per user when signed in', async () => {
    await env.truncate();
    const app = await buildTestApp(env, {
      ...authEnv,
      RATE_LIMIT_MAX: '3',
      RATE_LIMIT_USER_MAX: '5',
      RATE_LIMIT_WINDOW_SECONDS: '60',
    });
    try {
      const anon = (ip: string) => app.inject({ method: 'GET', url: '/v1/hotspots/top', remoteAddress: ip });
      for (let i = 1; i <= 3; i++) {
        const ok = await anon('10.0.0.1');
        expect(ok.statusCode).toBe(200);
        expect(ok.headers['x-ratelimit-limit']).toBe('3');
        expect(ok.headers['x-ratelimit-remaining']).toBe(String(3 - i));
      }
      const limited = await anon('10.0.0.1');
      expect(limited.statusCode).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
      expect(limited.headers['x-ratelimit-remaining']).toBe('0');
      expect(limited.json()).toEqual({
        error: {
          code: 'RATE_LIMITED',
          message: 'Too many requests; retry after the number of seconds in Retry-After.',
          details: null,
        },
      });
      // Another IP has its own budget; health and metrics are never limited.
      expect((await anon('10.0.0.2')).statusCode).toBe(200);
      expect((await app.inject({ method: 'GET', url: '/healthz', remoteAddress: '10.0.0.1' })).statusCode).toBe(200);
      expect((await app.inject({ method: 'GET', url: '/metrics', remoteAddress: '10.0.0.1' })).statusCode).toBe(200);

      // Signed-in calls are counted per user, with the user limit, whatever the IP.
      const headers = { authorization: `Bearer ${await tokenFor('user-r')}` };
      for (let i = 0; i < 5; i++) {
        const res = await app.inject({
          method: 'GET',
          url: '/v1/hotspots/top',
          remoteAddress: i % 2 ? '10.0.0.1' : '10.0.0.9',
          headers,
        });
        expect(res.statusCode).toBe(200);
        expect(res.headers['x-ratelimit-limit']).toBe('5');
      }
      expect(
        (await app.inject({ method: 'GET', url: '/v1/hotspots/top', remoteAddress: '10.0.0.7', headers })).statusCode,
      ).toBe(429);
    } finally {
      await app.close();
    }
  });

  it('shares the counts between instances through Redis', async () => {
    await env.truncate();
    const a = await buildTestApp(env, { RATE_LIMIT_MAX: '4' });
    const b = await buildTestApp(env, { RATE_LIMIT_MAX: '4' });
    try {
      for (let i = 0; i < 4; i++)
        expect((await a.inject({ method: 'GET', url: '/v1/hotspots/top', remoteAddress: '10.1.1.1' })).statusCode).toBe(
          200,
        );
      // Instance b learns a's count within a flush interval (100 ms) and limits the same client.
      await waitFor(
        async () =>
          (await b.inject({ method: 'GET', url: '/v1/hotspots/top', remoteAddress: '10.1.1.1' })).statusCode === 429,
        {
          timeoutMs: 3000,
          message: 'instance b to see the shared count',
        },
      );
      // One counter per client and clock-aligned window (two if the test straddled a window boundary).
      const keys = await env.redis.keys(`${env.redisPrefix}ratelimit:ip:10.1.1.1:*`);
      expect(keys.length).toBeGreaterThanOrEqual(1);
      expect(keys.length).toBeLessThanOrEqual(2);
      const total = (await Promise.all(keys.map((k) => env.redis.get(k)))).reduce((n, v) => n + Number(v), 0);
      expect(total).toBeGreaterThanOrEqual(5);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
