import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { mercatorY, type BBox } from '@photospots/geo';
import { Type } from 'typebox';
import type { ApiContext } from '../api-context.ts';
import { memoized, sendCacheable } from '../http/send-cacheable.ts';
import { activeBoundsFromDb } from '../hotspots/hotspot-read-repository.ts';
import { LIST_MAX_AGE_SECONDS } from '../hotspots/nearby-route.ts';
import { COMMON_ERRORS, errorResponses } from '../hotspots/schemas.ts';
import { HOTSPOTS_LAYER, HULLS_LAYER } from './tile-encoder.ts';
import { HULLS_MIN_ZOOM, MAX_TILE_ZOOM } from './tile-route.ts';

/** The Web Mercator world, for a server with no hotspot yet. */
const WORLD: BBox = { minLng: -180, minLat: -85.051129, maxLng: 180, maxLat: 85.051129 };
/** The initial view zooms in no further than this, however small the hotspots' area. */
const MAX_CENTER_ZOOM = 14;

const VectorLayer = Type.Object({
  id: Type.String(),
  description: Type.String(),
  fields: Type.Record(Type.String(), Type.String(), { description: 'Attribute names and their types.' }),
  minzoom: Type.Integer(),
  maxzoom: Type.Integer(),
});

const TileJson = Type.Object(
  {
    tilejson: Type.Literal('3.0.0'),
    name: Type.String(),
    description: Type.String(),
    attribution: Type.String(),
    scheme: Type.Literal('xyz'),
    tiles: Type.Array(Type.String(), { description: 'Absolute URL template of the tiles, on the host asked.' }),
    minzoom: Type.Integer(),
    maxzoom: Type.Integer(),
    bounds: Type.Array(Type.Number(), {
      minItems: 4,
      maxItems: 4,
      description: 'West, south, east, north of the active hotspots (the world when there is none).',
    }),
    center: Type.Array(Type.Number(), { minItems: 3, maxItems: 3, description: 'Longitude, latitude, zoom.' }),
    vector_layers: Type.Array(VectorLayer),
  },
  { description: 'TileJSON 3.0.0 of the hotspot vector tiles.' },
);

const LAYERS = [
  {
    id: HOTSPOTS_LAYER,
    description:
      "Hotspots (kind 'hotspot') and, where the map clusters them, clusters (kind 'cluster', named by their best hotspot).",
    fields: {
      kind: "String: 'hotspot' or 'cluster'",
      id: "Number: the hotspot's id (a cluster's: its best hotspot's)",
      label: 'String: display name (absent when none is distinctive)',
      score: 'Number: popularity',
      userCount: 'Number: distinct photographers (hotspots)',
      photoCount: 'Number: photos (hotspots)',
      count: 'Number: hotspots in the cluster (clusters)',
      expansionZoom: 'Number: zoom at which the cluster splits (clusters)',
    },
    minzoom: 0,
    maxzoom: MAX_TILE_ZOOM,
  },
  {
    id: HULLS_LAYER,
    description: "The hotspots' outlines (convex hulls of their photos).",
    fields: { id: 'Number', label: 'String', score: 'Number' },
    minzoom: HULLS_MIN_ZOOM,
    maxzoom: MAX_TILE_ZOOM,
  },
];

/** The zoom whose 512-pixel-wide view just holds the box. */
function zoomToFit(b: BBox): number {
  const width = (b.maxLng - b.minLng) / 360;
  const height = (mercatorY(b.maxLat) - mercatorY(b.minLat)) / (2 * mercatorY(WORLD.maxLat));
  const span = Math.max(width, height);
  return span <= 0 ? MAX_CENTER_ZOOM : Math.max(0, Math.min(MAX_CENTER_ZOOM, Math.floor(-Math.log2(span))));
}

/** GET /v1/tiles.json: the TileJSON a map library reads to use the hotspot tiles as a vector source. */
export const tileJsonRoute: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get(
    '/v1/tiles.json',
    {
      schema: {
        operationId: 'getTileJson',
        tags: ['tiles'],
        summary: 'TileJSON of the hotspot vector tiles',
        description:
          'TileJSON 3.0.0 for GET /v1/tiles/{z}/{x}/{y}.mvt: the absolute tile URL on the host and protocol asked ' +
          '(X-Forwarded-* behind a trusted proxy), zooms, the bounds of the active hotspots, and the layers with ' +
          "their fields. MapLibre: map.addSource('photospots', { type: 'vector', url: '/v1/tiles.json' }).",
        response: {
          200: { description: 'OK', content: { 'application/json': { schema: TileJson } } },
          304: { description: 'Not modified (If-None-Match matched the ETag).', type: 'null' },
          ...errorResponses(COMMON_ERRORS),
        },
      },
    },
    async (request, reply) => {
      const origin = `${request.protocol}://${request.host}`;
      const entry = await memoized(ctx, 'tilejson', `tilejson:${origin}`, async () => {
        const snapshot = ctx.memory?.snapshot;
        const found = snapshot ? snapshot.bounds() : await activeBoundsFromDb(ctx.database.sql);
        const b = found ?? WORLD;
        const round = (v: number) => Math.round(v * 1e6) / 1e6;
        const body = {
          tilejson: '3.0.0',
          name: 'Photospots',
          description: 'Places many people photograph.',
          attribution: 'Hotspots from photos shared on <a href="https://www.flickr.com/">Flickr</a>',
          scheme: 'xyz',
          tiles: [`${origin}/v1/tiles/{z}/{x}/{y}.mvt`],
          minzoom: 0,
          maxzoom: MAX_TILE_ZOOM,
          bounds: [b.minLng, b.minLat, b.maxLng, b.maxLat].map(round),
          center: [round((b.minLng + b.maxLng) / 2), round((b.minLat + b.maxLat) / 2), found ? zoomToFit(b) : 0],
          vector_layers: LAYERS,
        };
        return { body, source: snapshot ? 'memory' : 'postgis' };
      });
      return sendCacheable(request, reply, entry, { format: 'json', maxAgeSeconds: LIST_MAX_AGE_SECONDS });
    },
  );
};
