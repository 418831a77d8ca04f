import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ApiContext } from '../api-context.ts';
import { ApiError } from '../errors/error-catalog.ts';
import { sendCacheable, serialize } from '../http/send-cacheable.ts';
import { hotspotPhotos } from '../photos/photo-repository.ts';
import { toPhotoItem } from '../photos/photo-view.ts';
import { rejectRetired } from './hotspot-lookup.ts';
import { hotspotById, type HotspotRow } from './hotspot-read-repository.ts';
import { COMMON_ERRORS, errorResponses } from './schemas.ts';

export const SAMPLE_PHOTOS = 6;
const DETAIL_MAX_AGE_SECONDS = 60;

export const HotspotIdParams = Type.Object({
  id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Hotspot id.' }),
});

const Histogram = (n: number, what: string) =>
  Type.Object({
    counts: Type.Array(Type.Integer(), { minItems: n, maxItems: n, description: `Photos per ${what}.` }),
    busiest: Type.Array(Type.Integer(), {
      description: `The busiest ${what}s, busiest first (${what === 'month' ? '1 = January' : '0..23, local time of the photos'}).`,
    }),
  });

const HotspotDetail = Type.Object(
  {
    id: Type.Integer(),
    status: Type.Literal('active'),
    label: Type.Union([Type.String(), Type.Null()]),
    lat: Type.Number({ description: 'Where the hotspot is: the densest point of photographer positions.' }),
    lng: Type.Number(),
    radiusM: Type.Number(),
    hull: Type.Union(
      [
        Type.Object({ type: Type.Literal('Polygon'), coordinates: Type.Array(Type.Array(Type.Array(Type.Number()))) }),
        Type.Null(),
      ],
      {
        description: 'Convex hull of the member photos (GeoJSON Polygon).',
      },
    ),
    counts: Type.Object({
      photos: Type.Integer(),
      users: Type.Integer({ description: 'Distinct photographers.' }),
      userDays: Type.Integer({ description: 'Distinct (photographer, day) pairs.' }),
      views: Type.Integer(),
      favorites: Type.Integer(),
    }),
    score: Type.Number(),
    scoreComponents: Type.Union([Type.Record(Type.String(), Type.Number()), Type.Null()], {
      description:
        'What the score is made of (users, userDays, views, favorites, recency, their terms, recencyFactor, score); null before the first scoring.',
    }),
    scoredAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    tags: Type.Array(Type.String()),
    months: Type.Union([Histogram(12, 'month'), Type.Null()]),
    hours: Type.Union([Histogram(24, 'hour'), Type.Null()], { description: 'Null when the photos carry dates only.' }),
    firstPhotoAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    lastPhotoAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    samplePhotos: Type.Array(Type.Ref('PhotoItem'), {
      description: `Up to ${SAMPLE_PHOTOS} most viewed member photos.`,
    }),
    links: Type.Object({ photos: Type.String() }),
  },
  { description: 'The hotspot.' },
);

/** Indexes of the largest counts (at most 3, only non-zero ones), largest first; base is 1 for months, 0 for hours. */
function busiest(counts: readonly number[], base: number): number[] {
  return counts
    .map((c, i) => ({ c, i }))
    .filter(({ c }) => c > 0)
    .sort((a, b) => b.c - a.c || a.i - b.i)
    .slice(0, 3)
    .map(({ i }) => i + base);
}

function histogram(counts: number[] | null, n: number, base: number) {
  if (!counts || counts.length !== n || counts.every((c) => c === 0)) return null;
  return { counts, busiest: busiest(counts, base) };
}

async function detailBody(ctx: ApiContext, h: HotspotRow) {
  const photos = await hotspotPhotos(ctx.database.sql, h.id, 'views', SAMPLE_PHOTOS);
  return {
    id: h.id,
    status: 'active' as const,
    label: h.label,
    lat: h.lat,
    lng: h.lng,
    radiusM: Math.round(h.radiusM * 10) / 10,
    hull: h.hull,
    counts: {
      photos: h.photoCount,
      users: h.userCount,
      userDays: h.userDays,
      views: h.viewCount,
      favorites: h.favoriteCount,
    },
    score: h.score,
    scoreComponents: h.scoreComponents,
    scoredAt: h.scoredAt,
    tags: h.tags,
    months: histogram(h.monthHistogram, 12, 1),
    hours: histogram(h.hourHistogram, 24, 0),
    firstPhotoAt: h.firstPhotoAt,
    lastPhotoAt: h.lastPhotoAt,
    samplePhotos: await Promise.all(photos.map((p) => toPhotoItem(p, ctx.thumbnails))),
    links: { photos: `/v1/hotspots/${h.id}/photos` },
  };
}

/** GET /v1/hotspots/:id: everything about one hotspot. */
export const detailRoute: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get(
    '/v1/hotspots/:id',
    {
      schema: {
        operationId: 'getHotspot',
        tags: ['hotspots'],
        summary: 'One hotspot: shape, counts, score and its components, tags, busiest months/hours, sample photos',
        description:
          'A hotspot merged into another answers 301 with Location of the successor; one that disappeared answers 410.',
        params: HotspotIdParams,
        response: {
          200: HotspotDetail,
          304: { description: 'Not modified (If-None-Match matched the ETag)', type: 'null' },
          ...errorResponses([...COMMON_ERRORS, 301, 404, 410]),
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const key = `detail:${id}`;
      let entry = await ctx.cache.get('detail', key);
      if (!entry) {
        const row = await hotspotById(ctx.database.sql, id);
        if (!row) throw new ApiError('HOTSPOT_NOT_FOUND', undefined, { hotspotId: id });
        if (row.status !== 'active') await rejectRetired(ctx.database.sql, id, (s) => `/v1/hotspots/${s}`);
        entry = { ...serialize(await detailBody(ctx, row), 'postgis'), cache: 'miss' };
        await ctx.cache.set(key, entry, Math.min(ctx.config.CACHE_TTL_SECONDS, ctx.thumbnails.maxCacheSeconds));
      }
      return sendCacheable(request, reply, entry, {
        format: 'json',
        maxAgeSeconds: Math.min(DETAIL_MAX_AGE_SECONDS, ctx.thumbnails.maxCacheSeconds),
      });
    },
  );
};
