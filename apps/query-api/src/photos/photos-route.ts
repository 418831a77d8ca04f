import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ApiContext } from '../api-context.ts';
import { HotspotIdParams } from '../hotspots/detail-route.ts';
import { requireActiveHotspot } from '../hotspots/hotspot-lookup.ts';
import { listResponses, Page } from '../hotspots/schemas.ts';
import { responseFormat, toFeatureCollection } from '../http/content-negotiation.ts';
import { sendCacheable, serialize } from '../http/send-cacheable.ts';
import { isKeyset } from '../pagination/cursor-codec.ts';
import { hotspotPhotos } from './photo-repository.ts';
import { toPhotoItem } from './photo-view.ts';

export const PHOTOS_MAX_LIMIT = 100;

const PhotosQuery = Type.Object(
  {
    order: Type.Enum(['newest', 'views'], {
      default: 'newest',
      description: 'newest (taken date; undated last) or views (most viewed first).',
    }),
    limit: Type.Integer({ minimum: 1, maximum: PHOTOS_MAX_LIMIT, default: 30, description: 'Photos per page.' }),
    cursor: Type.Optional(
      Type.String({ maxLength: 500, description: 'nextCursor of the previous page (same order).' }),
    ),
  },
  { additionalProperties: false },
);

/** GET /v1/hotspots/:id/photos: member photos with thumbnails and attribution, paginated. */
export const photosRoute: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get(
    '/v1/hotspots/:id/photos',
    {
      schema: {
        operationId: 'getHotspotPhotos',
        tags: ['hotspots'],
        summary: 'Member photos of a hotspot, newest or most viewed first, with thumbnail URLs and attribution',
        description:
          'The photos that make up an active hotspot, a page at a time, each with a thumbnail URL and the credit ' +
          'line to show with it. A merged hotspot answers 301 to the same list of its successor; one that disappeared 410.',
        params: HotspotIdParams,
        querystring: PhotosQuery,
        response: listResponses(Page(Type.Ref('PhotoItem')), [301, 400, 404, 410]),
      },
    },
    async (request, reply) => {
      const format = responseFormat(request);
      const { id } = request.params;
      const { order, limit, cursor } = request.query;
      const scope = `photos:${id}:${order}`;
      const after = cursor === undefined ? undefined : ctx.cursors.decode(scope, cursor, isKeyset);
      const key = `photos:${id}:${order}:${limit}:${format}:${cursor ?? ''}`;
      let entry = await ctx.cache.get('photos', key);
      if (!entry) {
        await requireActiveHotspot(ctx, id, (s) => `/v1/hotspots/${s}/photos?order=${order}&limit=${limit}`);
        const rows = await hotspotPhotos(
          ctx.database.sql,
          id,
          order,
          limit + 1,
          after && { key: after.k, id: after.i },
        );
        const page = rows.slice(0, limit);
        const last = page.at(-1);
        const nextCursor =
          rows.length > limit && last ? ctx.cursors.encode(scope, { k: last.cursorKey, i: last.id }) : null;
        const items = await Promise.all(page.map((p) => toPhotoItem(p, ctx.thumbnails)));
        entry = {
          ...serialize(
            format === 'geojson' ? toFeatureCollection(items, { nextCursor }) : { items, nextCursor },
            'postgis',
          ),
          cache: 'miss',
        };
        await ctx.cache.set(key, entry, Math.min(ctx.config.CACHE_TTL_SECONDS, ctx.thumbnails.maxCacheSeconds));
      }
      return sendCacheable(request, reply, entry, {
        format,
        maxAgeSeconds: Math.min(60, ctx.thumbnails.maxCacheSeconds),
      });
    },
  );
};
