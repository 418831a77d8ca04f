import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ApiContext } from '../api-context.ts';
import { ApiError } from '../errors/error-catalog.ts';
import { responseFormat, toFeatureCollection } from '../http/content-negotiation.ts';
import { sendCacheable, serialize } from '../http/send-cacheable.ts';
import { LIST_MAX_AGE_SECONDS, NEARBY_MAX_RADIUS_M } from '../hotspots/nearby-route.ts';
import { HotspotListItem, listResponses } from '../hotspots/schemas.ts';
import { searchHotspots } from './search-repository.ts';

export const SEARCH_MAX_LIMIT = 50;

const SearchQuery = Type.Object(
  {
    q: Type.String({
      minLength: 2,
      maxLength: 100,
      description: 'Words of a label or tag; typos, word starts and accents are forgiven.',
    }),
    lat: Type.Optional(
      Type.Number({ minimum: -90, maximum: 90, description: 'With lng: only hotspots within radius of this point.' }),
    ),
    lng: Type.Optional(Type.Number({ minimum: -180, maximum: 180, description: 'With lat: longitude of the point.' })),
    radius: Type.Number({
      minimum: 1,
      maximum: NEARBY_MAX_RADIUS_M,
      default: 5000,
      description: 'Metres around lat/lng.',
    }),
    limit: Type.Integer({ minimum: 1, maximum: SEARCH_MAX_LIMIT, default: 20, description: 'Maximum items.' }),
  },
  { additionalProperties: false },
);

const SearchItem = Type.Intersect([
  HotspotListItem,
  Type.Object({
    relevance: Type.Number({
      description: '1 for a whole-word or word-start match, else the trigram similarity (0.6..1).',
    }),
    distanceM: Type.Union([Type.Number(), Type.Null()], { description: 'Metres from lat/lng when given.' }),
  }),
]);

/** The cache key of a search: the parameters normalised (query trimmed, spaces collapsed, case folded). */
function searchKey(
  q: string,
  limit: number,
  format: string,
  near?: { lat: number; lng: number; radiusM: number },
): string {
  const text = q.trim().replace(/\s+/g, ' ').toLowerCase();
  const at = near ? `${near.lat.toFixed(5)},${near.lng.toFixed(5)},${near.radiusM}` : '-';
  return `search:${format}:${limit}:${at}:${text}`;
}

/** GET /v1/hotspots/search: keyword search over labels and tags, optionally near a point. */
export const searchRoute: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get(
    '/v1/hotspots/search',
    {
      schema: {
        operationId: 'searchHotspots',
        tags: ['hotspots'],
        summary: 'Keyword search over hotspot labels and tags, ranked by relevance then score',
        description:
          'Matches whole words, word starts and near spellings of q in labels and tags, accents ignored; with lat and ' +
          'lng (both or neither), only hotspots within radius metres of that point.',
        querystring: SearchQuery,
        response: listResponses(Type.Object({ items: Type.Array(SearchItem) })),
      },
    },
    async (request, reply) => {
      const format = responseFormat(request);
      const { q, lat, lng, radius, limit } = request.query;
      if ((lat === undefined) !== (lng === undefined)) {
        const missing = lat === undefined ? 'lat' : 'lng';
        throw new ApiError(
          'INVALID_PARAMETER',
          `querystring parameter '${missing}' is required with ${missing === 'lat' ? 'lng' : 'lat'}`,
          [{ parameter: missing, in: 'querystring', problem: 'lat and lng go together' }],
        );
      }
      if (q.trim().length < 2) {
        throw new ApiError('INVALID_PARAMETER', "querystring parameter 'q' must have at least 2 non-space characters", [
          { parameter: 'q', in: 'querystring', problem: 'too short' },
        ]);
      }
      const near = lat !== undefined && lng !== undefined ? { lat, lng, radiusM: radius } : undefined;
      const key = searchKey(q, limit, format, near);
      let entry = await ctx.cache.get('search', key);
      if (!entry) {
        const items = await searchHotspots(ctx.database.sql, q.trim(), limit, near);
        entry = {
          ...serialize(format === 'geojson' ? toFeatureCollection(items) : { items }, 'postgis'),
          cache: 'miss',
        };
        await ctx.cache.set(key, entry);
      }
      return sendCacheable(request, reply, entry, { format, maxAgeSeconds: LIST_MAX_AGE_SECONDS });
    },
  );
};
