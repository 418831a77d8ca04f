import { S3Client } from '@aws-sdk/client-s3';
import { createTestEnv, type TestEnv } from '@photospots/test-harness';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadQueryApiConfig } from '../src/config.ts';
import { connectQueryApiDeps } from '../src/connect.ts';
import { buildTestApp, DRESDEN, insertHotspot, insertPhotos } from './fixtures.ts';

let env: TestEnv;
let app: FastifyInstance;
let fk: number;
let merged: number;
let mergedTwice: number;
let gone: number;
let photoIds: number[];

const components = {
  users: 10,
  userDays: 11,
  views: 1000,
  favorites: 0,
  recency: 0.5,
  usersTerm: 2.3979,
  userDaysTerm: 1.2425,
  viewsTerm: 0.6909,
  favoritesTerm: 0,
  recencyFactor: 0.8,
  score: 345.05,
};
const months = [1, 2, 3, 9, 12, 8, 4, 4, 2, 1, 0, 0];

beforeAll(async () => {
  env = await createTestEnv();
  fk = await insertHotspot(env, {
    ...DRESDEN.frauenkirche,
    hull: 'POLYGON((13.741 51.0518, 13.7418 51.0518, 13.7418 51.0521, 13.741 51.0521, 13.741 51.0518))',
    months,
    hours: null,
    components,
  });
  merged = await insertHotspot(env, {
    label: 'Old Neumarkt',
    lat: 51.0516,
    lng: 13.7417,
    score: 10,
    status: 'retired',
    successorId: fk,
  });
  mergedTwice = await insertHotspot(env, {
    label: 'Older',
    lat: 51.0516,
    lng: 13.7417,
    score: 5,
    status: 'retired',
    successorId: merged,
  });
  gone = await insertHotspot(env, { label: 'Gone', lat: 51.0, lng: 13.7, score: 5, status: 'retired' });
  photoIds = await insertPhotos(env, fk, [
    {
      sourceId: '1001',
      ownerName: 'Anna',
      takenAt: '2019-06-01T10:00:00Z',
      views: 50,
      title: 'Dome',
      license: 'CC BY 2.0',
      thumbnailKey: 'thumbs/1001.jpg',
      imageUrl: 'https://live.staticflickr.com/1/1001_q.jpg',
    },
    {
      sourceId: '1002',
      takenAt: '2021-06-01T10:00:00Z',
      views: 500,
      imageUrl: 'https://live.staticflickr.com/1/1002_q.jpg',
    },
    { sourceId: '1003', takenAt: null, views: 5, source: 'lbsn', ownerId: 'f2487030bdaa29aa' },
    { sourceId: '1004', takenAt: '2021-06-01T10:00:00Z', views: 500 },
    { sourceId: '1005', takenAt: '2015-01-01T00:00:00Z', views: 70 },
  ]);
  app = await buildTestApp(env, { THUMBNAIL_PUBLIC_BASE_URL: 'https://cdn.example.org/t/' });
});
afterAll(async () => {
  await app?.close();
  await env.close();
});

describe('GET /v1/hotspots/:id', () => {
  it('returns the whole detail: hull as GeoJSON, counts, score components, months, sample photos', async () => {
    const res = await app.inject({ method: 'GET', url: `/v1/hotspots/${fk}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=60');
    expect(res.headers.etag).toMatch(/^"/);
    const body = res.json();
    expect(body).toEqual({
      id: fk,
      status: 'active',
      label: 'Frauenkirche',
      lat: 51.05193,
      lng: 13.74138,
      radiusM: 40,
      hull: {
        type: 'Polygon',
        coordinates: [
          [
            [13.741, 51.0518],
            [13.7418, 51.0518],
            [13.7418, 51.0521],
            [13.741, 51.0521],
            [13.741, 51.0518],
          ],
        ],
      },
      counts: { photos: 20, users: 10, userDays: 11, views: 1000, favorites: 0 },
      score: 640,
      scoreComponents: components,
      scoredAt: '2026-01-02T03:04:05.000Z',
      tags: ['frauenkirche', 'church', 'neumarkt'],
      months: { counts: months, busiest: [5, 4, 6] },
      hours: null,
      firstPhotoAt: '2012-05-01T10:00:00.000Z',
      lastPhotoAt: '2024-08-01T10:00:00.000Z',
      samplePhotos: expect.any(Array),
      links: { photos: `/v1/hotspots/${fk}/photos` },
    });
    expect(body.samplePhotos.map((p: { id: number }) => p.id)).toEqual([
      photoIds[1],
      photoIds[3],
      photoIds[4],
      photoIds[0],
      photoIds[2],
    ]);
    expect(body.samplePhotos[3]).toEqual({
      id: photoIds[0],
      source: 'flickr',
      title: 'Dome',
      lat: 51.05,
      lng: 13.74,
      takenAt: '2019-06-01T10:00:00.000Z',
      views: 50,
      thumbnailUrl: 'https://cdn.example.org/t/thumbs/1001.jpg',
      pageUrl: 'https://www.flickr.com/photos/12345678@N00/1001',
      attribution: { ownerName: 'Anna', license: 'CC BY 2.0', text: 'Photo: Anna (CC BY 2.0), via Flickr' },
    });
    // No copy of ours: the source's URL; neither: null.
    expect(body.samplePhotos[0].thumbnailUrl).toBe('https://live.staticflickr.com/1/1002_q.jpg');
    expect(body.samplePhotos[4]).toMatchObject({ source: 'lbsn', thumbnailUrl: null, pageUrl: null, takenAt: null });
  });

  it('answers a merged hotspot with 301 to its active successor (following chains), a vanished one with 410, an unknown id with 404', async () => {
    for (const id of [merged, mergedTwice]) {
      const res = await app.inject({ method: 'GET', url: `/v1/hotspots/${id}` });
      expect(res.statusCode).toBe(301);
      expect(res.headers.location).toBe(`/v1/hotspots/${fk}`);
      expect(res.json()).toEqual({
        error: {
          code: 'HOTSPOT_MERGED',
          message: 'This hotspot was merged into another; follow Location (details.successorId).',
          details: { hotspotId: id, successorId: fk },
        },
      });
    }
    const photos = await app.inject({ method: 'GET', url: `/v1/hotspots/${merged}/photos?order=views&limit=2` });
    expect(photos.statusCode).toBe(301);
    expect(photos.headers.location).toBe(`/v1/hotspots/${fk}/photos?order=views&limit=2`);
    const vanished = await app.inject({ method: 'GET', url: `/v1/hotspots/${gone}` });
    expect(vanished.statusCode).toBe(410);
    expect(vanished.json()).toEqual({
      error: {
        code: 'HOTSPOT_RETIRED',
        message: 'This hotspot no longer exists (too few people photograph there now).',
        details: { hotspotId: gone },
      },
    });
    const unknown = await app.inject({ method: 'GET', url: '/v1/hotspots/999999' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({
      error: { code: 'HOTSPOT_NOT_FOUND', message: 'No hotspot has this id.', details: { hotspotId: 999999 } },
    });
    for (const bad of ['abc', '0', '-1', '1.5']) {
      const res = await app.inject({ method: 'GET', url: `/v1/hotspots/${bad}` });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({
        code: 'INVALID_PARAMETER',
        details: [{ parameter: 'id', in: 'params', problem: expect.any(String) }],
      });
    }
  });

  it('presigns S3 thumbnail URLs when no public base URL is configured', async () => {
    const s3 = new S3Client({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9',
      forcePathStyle: true,
      credentials: { accessKeyId: 'k', secretAccessKey: 's' },
    });
    const signed = await buildTestApp(
      env,
      { THUMBNAIL_BUCKET: 'thumbs-bucket', THUMBNAIL_URL_TTL_SECONDS: '600' },
      { s3 },
    );
    try {
      const res = await signed.inject({ method: 'GET', url: `/v1/hotspots/${fk}/photos?order=views` });
      expect(res.statusCode).toBe(200);
      // Presigned URLs expire, so the answer may be cached for half their lifetime at most.
      expect(res.headers['cache-control']).toBe('public, max-age=60');
      const url = new URL(res.json().items.find((p: { id: number }) => p.id === photoIds[0]).thumbnailUrl);
      expect(`${url.origin}${url.pathname}`).toBe('http://127.0.0.1:9/thumbs-bucket/thumbs/1001.jpg');
      expect(url.searchParams.get('X-Amz-Expires')).toBe('600');
      expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      await signed.close();
      s3.destroy();
    }
  });
});

describe('thumbnails on an S3-compatible endpoint of their own (Supabase Storage)', () => {
  it('signs their URLs for that endpoint, its region and its keys', async () => {
    const config = loadQueryApiConfig(
      env.serviceEnv({
        LOG_LEVEL: 'silent',
        THUMBNAIL_BUCKET: 'thumbnails',
        THUMBNAIL_S3_ENDPOINT_URL: 'https://abcdefghijklmnop.supabase.co/storage/v1/s3',
        THUMBNAIL_S3_REGION: 'eu-central-1',
        THUMBNAIL_S3_ACCESS_KEY_ID: 'storage-key',
        THUMBNAIL_S3_SECRET_ACCESS_KEY: 'storage-secret',
      }),
    );
    const deps = connectQueryApiDeps(config, pino({ level: 'silent' }));
    // Without Redis: the answer cache would hand back URLs signed for the endpoint of the test before.
    const signed = await buildApp(config, { ...deps, database: env.database, redis: undefined });
    try {
      const res = await signed.inject({ method: 'GET', url: `/v1/hotspots/${fk}/photos?order=views&limit=50` });
      const url = new URL(res.json().items.find((p: { id: number }) => p.id === photoIds[0]).thumbnailUrl);
      expect(`${url.origin}${url.pathname}`).toBe(
        'https://abcdefghijklmnop.supabase.co/storage/v1/s3/thumbnails/thumbs/1001.jpg',
      );
      expect(url.searchParams.get('X-Amz-Credential')).toMatch(/^storage-key\/\d{8}\/eu-central-1\/s3\/aws4_request$/);
    } finally {
      await signed.close();
      await deps.close();
    }
  });
});

describe('GET /v1/hotspots/:id/photos', () => {
  async function allPages(order: string, limit: number): Promise<number[][]> {
    const pages: number[][] = [];
    let url = `/v1/hotspots/${fk}/photos?order=${order}&limit=${limit}`;
    for (;;) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      const body = res.json() as { items: { id: number }[]; nextCursor: string | null };
      pages.push(body.items.map((p) => p.id));
      if (!body.nextCursor) return pages;
      url = `/v1/hotspots/${fk}/photos?order=${order}&limit=${limit}&cursor=${encodeURIComponent(body.nextCursor)}`;
    }
  }

  it('pages newest first (undated last) and most viewed first, ties by id', async () => {
    expect(await allPages('newest', 2)).toEqual([
      [photoIds[1], photoIds[3]],
      [photoIds[0], photoIds[4]],
      [photoIds[2]],
    ]);
    expect(await allPages('views', 2)).toEqual([[photoIds[1], photoIds[3]], [photoIds[4], photoIds[0]], [photoIds[2]]]);
  });

  it('answers GeoJSON, rejects a cursor of the other order and a tampered one', async () => {
    const geo = await app.inject({
      method: 'GET',
      url: `/v1/hotspots/${fk}/photos?limit=1`,
      headers: { accept: 'application/geo+json' },
    });
    expect(geo.statusCode).toBe(200);
    expect(geo.json()).toMatchObject({
      type: 'FeatureCollection',
      features: [{ type: 'Feature', id: photoIds[1], geometry: { type: 'Point', coordinates: [13.74, 51.05] } }],
      nextCursor: expect.any(String),
    });
    const first = await app.inject({ method: 'GET', url: `/v1/hotspots/${fk}/photos?order=newest&limit=1` });
    const cursor = first.json().nextCursor as string;
    for (const url of [
      `/v1/hotspots/${fk}/photos?order=views&limit=1&cursor=${cursor}`,
      `/v1/hotspots/${fk}/photos?order=newest&limit=1&cursor=x${cursor}`,
    ]) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('INVALID_CURSOR');
    }
    const badOrder = await app.inject({ method: 'GET', url: `/v1/hotspots/${fk}/photos?order=oldest` });
    expect(badOrder.statusCode).toBe(400);
    expect(badOrder.json().error).toMatchObject({ code: 'INVALID_PARAMETER', details: [{ parameter: 'order' }] });
  });
});
