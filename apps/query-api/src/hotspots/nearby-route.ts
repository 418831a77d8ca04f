import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { HotspotFinder } from './hotspot-finder.ts';
import { ErrorResponse, HotspotListItem } from './schemas.ts';

export const NEARBY_MAX_RADIUS_M = 50_000;
export const NEARBY_MAX_LIMIT = 100;

const NearbyQuery = Type.Object(
  {
    lat: Type.Number({ minimum: -90, maximum: 90, description: 'Latitude (WGS84).' }),
    lng: Type.Number({ minimum: -180, maximum: 180, description: 'Longitude (WGS84).' }),
    radius: Type.Number({ minimum: 1, maximum: NEARBY_MAX_RADIUS_M, default: 1000, description: 'Search radius in metres.' }),
    limit: Type.Integer({ minimum: 1, maximum: NEARBY_MAX_LIMIT, default: 20, description: 'Maximum items.' }),
  },
  { additionalProperties: false },
);

const NearbyItem = Type.Intersect([HotspotListItem, Type.Object({ distanceM: Type.Number({ description: 'Metres from the query point.' }) })]);

/** GET /v1/hotspots/nearby: hotspots within a radius, nearest first. */
export const nearbyRoute: FastifyPluginAsyncTypebox<{ finder: HotspotFinder }> = async (app, { finder }) => {
  app.get(
    '/v1/hotspots/nearby',
    {
      schema: {
        summary: 'Hotspots near a point, nearest first',
        querystring: NearbyQuery,
        response: { 200: Type.Object({ items: Type.Array(NearbyItem) }), 400: ErrorResponse },
      },
    },
    async (request, reply) => {
      const { lat, lng, radius, limit } = request.query;
      const { items, source } = await finder.nearby(lat, lng, radius, limit);
      reply.header('x-data-source', source);
      reply.header('cache-control', 'public, max-age=30');
      return { items };
    },
  );
};
