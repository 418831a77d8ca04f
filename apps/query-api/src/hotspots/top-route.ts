import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ApiContext } from '../api-context.ts';
import { responseFormat, toFeatureCollection } from '../http/content-negotiation.ts';
import { memoized, sendCacheable } from '../http/send-cacheable.ts';
import { LIST_MAX_AGE_SECONDS } from './nearby-route.ts';
import { HotspotListItem, listResponses } from './schemas.ts';

export const TOP_MAX_LIMIT = 100;

const TopQuery = Type.Object(
  { limit: Type.Integer({ minimum: 1, maximum: TOP_MAX_LIMIT, default: 20, description: 'Maximum items.' }) },
  { additionalProperties: false },
);

/** GET /v1/hotspots/top: the most popular hotspots overall. */
export const topRoute: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get(
    '/v1/hotspots/top',
    {
      schema: {
        operationId: 'getTopHotspots',
        tags: ['hotspots'],
        summary: 'The most popular hotspots, best score first',
        description:
          'The highest-scored active hotspots anywhere (the score counts people first; see scoreComponents of a hotspot).',
        querystring: TopQuery,
        response: listResponses(Type.Object({ items: Type.Array(HotspotListItem) })),
      },
    },
    async (request, reply) => {
      const format = responseFormat(request);
      const { limit } = request.query;
      const entry = await memoized(ctx, 'top', `top:${format}:${limit}`, async () => {
        const { items, source } = await ctx.finder.top(limit);
        return { body: format === 'geojson' ? toFeatureCollection(items) : { items }, source };
      });
      return sendCacheable(request, reply, entry, { format, maxAgeSeconds: LIST_MAX_AGE_SECONDS });
    },
  );
};
