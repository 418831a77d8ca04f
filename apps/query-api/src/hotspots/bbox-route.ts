import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { bboxAreaKm2 } from '@photospots/geo';
import { Type } from 'typebox';
import type { ApiContext } from '../api-context.ts';
import { ApiError } from '../errors/error-catalog.ts';
import { responseFormat, toFeatureCollection } from '../http/content-negotiation.ts';
import { memoized, sendCacheable } from '../http/send-cacheable.ts';
import { isKeyset } from '../pagination/cursor-codec.ts';
import { parseBoxParameter } from './bbox-parameter.ts';
import { rankClusters } from './hotspot-snapshot.ts';
import { LIST_MAX_AGE_SECONDS } from './nearby-route.ts';
import { HotspotListItem, listResponses, Page } from './schemas.ts';

/** Largest box listed hotspot by hotspot; larger boxes need zoom= (clusters). */
export const BBOX_MAX_AREA_KM2 = 10_000;
export const BBOX_MAX_LIMIT = 200;
export const CLUSTER_MAX_LIMIT = 1000;

const BBoxQuery = Type.Object(
  {
    bbox: Type.String({
      description: 'minLng,minLat,maxLng,maxLat (WGS84; must not cross the antimeridian).',
      examples: ['13.70,51.03,13.78,51.07'],
      maxLength: 120,
    }),
    limit: Type.Integer({
      minimum: 1,
      maximum: CLUSTER_MAX_LIMIT,
      default: 50,
      description: `Maximum items (hotspots: ${BBOX_MAX_LIMIT}; clusters: ${CLUSTER_MAX_LIMIT}).`,
    }),
    cursor: Type.Optional(
      Type.String({ maxLength: 500, description: 'nextCursor of the previous page (hotspot lists only).' }),
    ),
    zoom: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 20,
        description: 'Map zoom: return clusters of hotspots for this zoom instead of a hotspot list.',
      }),
    ),
  },
  { additionalProperties: false },
);

const ClusterItem = Type.Object({
  kind: Type.Literal('cluster'),
  clusterId: Type.Integer(),
  lat: Type.Number(),
  lng: Type.Number(),
  count: Type.Integer({ description: 'Hotspots in the cluster.' }),
  expansionZoom: Type.Integer({ description: 'Zoom at which the cluster splits.' }),
  best: HotspotListItem,
});
const LoneHotspot = Type.Intersect([Type.Object({ kind: Type.Literal('hotspot') }), HotspotListItem]);

/** GET /v1/hotspots?bbox=: hotspots in a map box, best score first, or map clusters with zoom=. */
export const bboxRoute: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get(
    '/v1/hotspots',
    {
      schema: {
        operationId: 'getHotspotsInBox',
        tags: ['hotspots'],
        summary: 'Hotspots in a map box (best score first, paginated), or map clusters with zoom=',
        description:
          `Without zoom: the active hotspots in bbox, best score first, a page at a time (the box at most ` +
          `${BBOX_MAX_AREA_KM2} km², else BBOX_TOO_LARGE). With zoom: the clusters and lone hotspots a map shows ` +
          'at that zoom, best first, not paginated (truncated says whether limit cut the list).',
        querystring: BBoxQuery,
        response: listResponses(
          Type.Union([
            Page(HotspotListItem),
            Type.Object({
              zoom: Type.Integer(),
              truncated: Type.Boolean(),
              items: Type.Array(Type.Union([ClusterItem, LoneHotspot])),
            }),
          ]),
        ),
      },
    },
    async (request, reply) => {
      const format = responseFormat(request);
      const { limit, cursor, zoom } = request.query;
      const box = parseBoxParameter(request.query.bbox);
      if (zoom !== undefined) {
        if (cursor !== undefined)
          throw new ApiError('INVALID_CURSOR', 'Cluster answers are not paginated; drop cursor=.', {
            parameter: 'cursor',
            in: 'querystring',
          });
        const key = `clusters:${format}:${zoom}:${limit}:${box.minLng},${box.minLat},${box.maxLng},${box.maxLat}`;
        const entry = await memoized(ctx, 'clusters', key, async () => {
          const { items, source } = await ctx.finder.clusters(box, zoom);
          const ranked = rankClusters(items);
          const shown = ranked.slice(0, limit);
          const body =
            format === 'geojson'
              ? toFeatureCollection(
                  shown.map((c) =>
                    'kind' in c
                      ? { ...c, best: undefined, bestId: c.best.id, bestLabel: c.best.label }
                      : { kind: 'hotspot', ...c },
                  ),
                  { zoom, truncated: ranked.length > limit },
                )
              : {
                  zoom,
                  truncated: ranked.length > limit,
                  items: shown.map((c) => ('kind' in c ? c : { kind: 'hotspot' as const, ...c })),
                };
          return { body, source };
        });
        return sendCacheable(request, reply, entry, { format, maxAgeSeconds: LIST_MAX_AGE_SECONDS });
      }
      if (limit > BBOX_MAX_LIMIT) {
        throw new ApiError(
          'INVALID_PARAMETER',
          `querystring parameter 'limit' must be <= ${BBOX_MAX_LIMIT} without zoom`,
          [{ parameter: 'limit', in: 'querystring', problem: `must be <= ${BBOX_MAX_LIMIT}` }],
        );
      }
      const area = bboxAreaKm2(box);
      if (area > BBOX_MAX_AREA_KM2) {
        throw new ApiError('BBOX_TOO_LARGE', undefined, {
          parameter: 'bbox',
          areaKm2: Math.round(area),
          maxAreaKm2: BBOX_MAX_AREA_KM2,
        });
      }
      const scope = `bbox:${box.minLng},${box.minLat},${box.maxLng},${box.maxLat}`;
      const after = cursor === undefined ? undefined : ctx.cursors.decode(scope, cursor, isKeyset);
      const entry = await memoized(ctx, 'bbox', `${scope}:${format}:${limit}:${cursor ?? ''}`, async () => {
        const snapshot = format === 'json' ? ctx.memory?.snapshot : undefined;
        if (snapshot) {
          const page = snapshot.inBoxJson(box, limit, after && { score: after.k, id: after.i });
          const nextCursor =
            page.more && page.last ? ctx.cursors.encode(scope, { k: page.last.score, i: page.last.id }) : null;
          return {
            json: `{"items":${page.itemsJson},"nextCursor":${JSON.stringify(nextCursor)}}`,
            source: 'memory' as const,
          };
        }
        const page = await ctx.finder.inBox(box, limit, after && { score: after.k, id: after.i });
        const last = page.items.at(-1);
        const nextCursor = page.more && last ? ctx.cursors.encode(scope, { k: last.score, i: last.id }) : null;
        return {
          body:
            format === 'geojson' ? toFeatureCollection(page.items, { nextCursor }) : { items: page.items, nextCursor },
          source: page.source,
        };
      });
      return sendCacheable(request, reply, entry, { format, maxAgeSeconds: LIST_MAX_AGE_SECONDS });
    },
  );
};
