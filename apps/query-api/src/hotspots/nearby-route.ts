import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ApiContext } from '../api-context.ts';
import { responseFormat, toFeatureCollection } from '../http/content-negotiation.ts';
import { sendCacheable, serialize, snapshotEtag } from '../http/send-cacheable.ts';
import { HotspotListItem, listResponses } from './schemas.ts';

export const NEARBY_MAX_RADIUS_M = 50_000;
export const NEARBY_MAX_LIMIT = 100;
/** Browsers and CDNs may reuse a list this long: short, so a deleted hotspot does not linger in their caches either. */
export const LIST_MAX_AGE_SECONDS = 10;

const NearbyQuery = Type.Object(
  {
    lat: Type.Number({ minimum: -90, maximum: 90, description: 'Latitude (WGS84).' }),
    lng: Type.Number({ minimum: -180, maximum: 180, description: 'Longitude (WGS84).' }),
    radius: Type.Number({
      minimum: 1,
      maximum: NEARBY_MAX_RADIUS_M,
      default: 1000,
      description: 'Search radius in metres.',
    }),
    limit: Type.Integer({ minimum: 1, maximum: NEARBY_MAX_LIMIT, default: 20, description: 'Maximum items.' }),
  },
  { additionalProperties: false },
);

const NearbyItem = Type.Intersect([
  HotspotListItem,
  Type.Object({ distanceM: Type.Number({ description: 'Metres from the query point.' }) }),
]);

/** GET /v1/hotspots/nearby: hotspots within a radius, nearest first. */
export const nearbyRoute: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get(
    '/v1/hotspots/nearby',
    {
      schema: {
        operationId: 'getNearbyHotspots',
        tags: ['hotspots'],
        summary: 'Hotspots near a point, nearest first',
        description:
          'Active hotspots whose centre is within radius metres of lat/lng, nearest first, each with its distance. ' +
          'Send Accept: application/geo+json for a GeoJSON FeatureCollection.',
        querystring: NearbyQuery,
        response: listResponses(Type.Object({ items: Type.Array(NearbyItem) })),
      },
    },
    // Not async: answered from the in-process snapshot, the reply is sent before the handler returns, with
    // no promise to settle; only the fallback to Redis or PostGIS returns one.
    (request, reply) => {
      const format = responseFormat(request);
      const { lat, lng, radius, limit } = request.query;
      const snapshot = format === 'json' ? ctx.memory?.snapshot : undefined;
      if (snapshot) {
        const etag = snapshotEtag(`nearby:${lat}:${lng}:${radius}:${limit}`, ctx.answers.generation);
        const body = () => snapshot.nearbyBody(lat, lng, radius, limit);
        sendCacheable(
          request,
          reply,
          { etag, source: 'memory', body },
          { format, maxAgeSeconds: LIST_MAX_AGE_SECONDS },
        );
        return;
      }
      return ctx.finder.nearby(lat, lng, radius, limit).then(({ items, source }) => {
        const body = format === 'geojson' ? toFeatureCollection(items) : { items };
        return sendCacheable(request, reply, serialize(body, source), { format, maxAgeSeconds: LIST_MAX_AGE_SECONDS });
      });
    },
  );
};
