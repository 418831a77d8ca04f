import type { AddressInfo } from 'node:net';
import {
  createPhotospotsClient,
  type Favorite,
  type FavoriteHotspot,
  type HotspotDetail,
  type NearbyHotspot,
  type PhotospotsClient,
  type SearchHit,
} from '@photospots/client';
import { createTestEnv, type TestEnv } from '@photospots/test-harness';
import type { FastifyInstance } from 'fastify';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { buildTestApp, DRESDEN, insertHotspot } from './fixtures.ts';

const ISSUER = 'https://project.supabase.co/auth/v1';
const SECRET = 'a-test-only-shared-secret-of-at-least-32-chars';

let env: TestEnv;
let app: FastifyInstance;
let baseUrl: string;
let api: PhotospotsClient;
const ids: Record<string, number> = {};

function token(sub: string): Promise<string> {
  return new SignJWT({ role: 'authenticated' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuer(ISSUER)
    .setAudience('authenticated')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(SECRET));
}

beforeAll(async () => {
  env = await createTestEnv();
  for (const [name, h] of Object.entries(DRESDEN)) ids[name] = await insertHotspot(env, h);
  app = await buildTestApp(env, { AUTH_JWT_ISSUER: ISSUER, AUTH_JWT_SECRET: SECRET });
  // Over real HTTP, as an app calls it: the client's URLs, query strings and headers are what is under test.
  await app.listen({ port: 0, host: '127.0.0.1' });
  baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/`;
  api = createPhotospotsClient({ baseUrl });
});
afterAll(async () => {
  await app?.close();
  await env.close();
});

describe('the typed client (@photospots/client) against the running API', () => {
  it('nearby: hotspots within the radius, nearest first, the defaults filled in by the server', async () => {
    const { data, error, response } = await api.GET('/v1/hotspots/nearby', {
      params: { query: { lat: 51.0519, lng: 13.7416, radius: 300 } },
    });
    expect(response.status).toBe(200);
    expect(error).toBeUndefined();
    expectTypeOf(data!.items).toEqualTypeOf<NearbyHotspot[]>();
    expect(data!.items.map((h) => h.label)).toEqual(['Frauenkirche', 'Brühlsche Terrasse']);
    const [first, second] = data!.items;
    expect(first).toEqual({
      id: ids.frauenkirche,
      label: 'Frauenkirche',
      lat: DRESDEN.frauenkirche.lat,
      lng: DRESDEN.frauenkirche.lng,
      score: 640,
      photoCount: 20,
      userCount: 10,
      tags: ['frauenkirche', 'church', 'neumarkt'],
      distanceM: expect.any(Number),
    });
    expect(first!.distanceM).toBeLessThan(second!.distanceM);
    expect(second!.distanceM).toBeLessThanOrEqual(300);
  });

  it('search: the typed query reaches the server, hits come back ranked with their relevance', async () => {
    const { data, response } = await api.GET('/v1/hotspots/search', { params: { query: { q: 'zwinger', limit: 5 } } });
    expect(response.status).toBe(200);
    expectTypeOf(data!.items).toEqualTypeOf<SearchHit[]>();
    expect(data!.items).toEqual([
      expect.objectContaining({ id: ids.zwinger, label: 'Zwinger', relevance: 1, distanceM: null }),
    ]);
  });

  it('detail: one hotspot by path parameter; an unknown id is a typed ErrorResponse', async () => {
    const { data, response } = await api.GET('/v1/hotspots/{id}', { params: { path: { id: ids.semperoper! } } });
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toMatch(/^W?\/?"/);
    expectTypeOf(data!).toEqualTypeOf<HotspotDetail>();
    expect(data).toMatchObject({
      id: ids.semperoper,
      status: 'active',
      label: 'Semperoper',
      counts: { photos: 20, users: 10, userDays: 11, views: 1000, favorites: 0 },
      tags: ['semperoper', 'opera'],
      samplePhotos: [],
      links: { photos: `/v1/hotspots/${ids.semperoper}/photos` },
    });

    const missing = await api.GET('/v1/hotspots/{id}', { params: { path: { id: 424242 } } });
    expect(missing.response.status).toBe(404);
    expect(missing.data).toBeUndefined();
    expect(missing.error).toEqual({
      error: { code: 'HOTSPOT_NOT_FOUND', message: 'No hotspot has this id.', details: { hotspotId: 424242 } },
    });
  });

  it('favorites: the bearer token is sent, so a signed-in user adds, lists and removes a favorite', async () => {
    const me = createPhotospotsClient({ baseUrl, token: await token('client-user') });
    const path = { hotspotId: ids.zwinger! };

    const added = await me.PUT('/v1/me/favorites/{hotspotId}', { params: { path } });
    expect(added.response.status).toBe(200);
    expectTypeOf(added.data!).toEqualTypeOf<Favorite>();
    expect(added.data).toEqual({ hotspotId: ids.zwinger, favoritedAt: expect.any(String) });
    expect(Number.isNaN(Date.parse(added.data!.favoritedAt))).toBe(false);

    const listed = await me.GET('/v1/me/favorites');
    expect(listed.response.status).toBe(200);
    expectTypeOf(listed.data!.items).toEqualTypeOf<FavoriteHotspot[]>();
    expect(listed.data).toEqual({
      items: [expect.objectContaining({ id: ids.zwinger, label: 'Zwinger', status: 'active' })],
      nextCursor: null,
    });
    expect(listed.data!.items[0]!.favoritedAt).toBe(added.data!.favoritedAt);

    const removed = await me.DELETE('/v1/me/favorites/{hotspotId}', { params: { path } });
    expect(removed.response.status).toBe(204);
    expect((await me.GET('/v1/me/favorites')).data).toEqual({ items: [], nextCursor: null });
  });

  it('favorites: without a token the error is typed; a token function is asked before every request', async () => {
    const anonymous = await api.GET('/v1/me/favorites');
    expect(anonymous.response.status).toBe(401);
    expect(anonymous.error?.error.code).toBe('TOKEN_MISSING');

    const session: { accessToken?: string } = {};
    const refreshing = createPhotospotsClient({ baseUrl, token: () => session.accessToken });
    expect((await refreshing.GET('/v1/me/favorites')).response.status).toBe(401);
    session.accessToken = await token('refreshed-user');
    const signedIn = await refreshing.GET('/v1/me/favorites', { params: { query: { limit: 10 } } });
    expect(signedIn.response.status).toBe(200);
    expect(signedIn.data).toEqual({ items: [], nextCursor: null });
  });
});
