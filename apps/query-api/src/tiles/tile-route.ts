import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ApiContext } from '../api-context.ts';
import { ApiError } from '../errors/error-catalog.ts';
import { COMPRESS_ENCODINGS } from '../http/compression.ts';
import { bytesEtag, sendCacheableBytes, snapshotEtag } from '../http/send-cacheable.ts';
import { LIST_MAX_AGE_SECONDS } from '../hotspots/nearby-route.ts';
import { COMMON_ERRORS, errorResponses } from '../hotspots/schemas.ts';
import { encodeTile } from './tile-encoder.ts';
import { tileBox, type TileAddress } from './tile-geometry.ts';

export const MVT_TYPE = 'application/vnd.mapbox-vector-tile';
export const MAX_TILE_ZOOM = 22;
/** From this zoom on a tile also carries the hulls layer: below it a hull is a few pixels wide. */
export const HULLS_MIN_ZOOM = 15;

/**
 * Vector tiles compress to about a third. A route's compress options replace
 * the global ones whole, so the API's encodings are given again with the tile type.
 */
const TILE_COMPRESSION = {
  encodings: [...COMPRESS_ENCODINGS],
  customTypes: /^application\/vnd\.mapbox-vector-tile(?:;|$)/,
};

const TileParams = Type.Object({
  z: Type.Integer({ minimum: 0, maximum: MAX_TILE_ZOOM, description: `Zoom, 0–${MAX_TILE_ZOOM}.` }),
  x: Type.Integer({ minimum: 0, maximum: 2 ** MAX_TILE_ZOOM - 1, description: 'Column from the west, 0..2^z−1.' }),
  y: Type.Integer({
    minimum: 0,
    maximum: 2 ** MAX_TILE_ZOOM - 1,
    description: 'Row from the north (XYZ scheme), 0..2^z−1.',
  }),
});

function checkTile({ z, x, y }: TileAddress): void {
  const last = 2 ** z - 1;
  for (const [name, value] of [
    ['x', x],
    ['y', y],
  ] as const) {
    if (value > last) {
      const problem = `must be <= ${last} at zoom ${z}`;
      throw new ApiError('INVALID_PARAMETER', `params parameter '${name}' ${problem}`, [
        { parameter: name, in: 'params', problem },
      ]);
    }
  }
}

/**
 * GET /v1/tiles/{z}/{x}/{y}.mvt: hotspots as Mapbox Vector Tiles, clustered
 * exactly like the zoom endpoint (GET /v1/hotspots?bbox=&zoom=), with hulls
 * from HULLS_MIN_ZOOM. From the in-process index without I/O; from PostGIS
 * while it is not serving.
 */
export const tileRoute: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get(
    '/v1/tiles/:z/:x/:y.mvt',
    {
      compress: TILE_COMPRESSION,
      schema: {
        operationId: 'getHotspotTile',
        tags: ['tiles'],
        summary: 'A vector tile (MVT) of hotspots, clusters and hulls',
        description:
          'A Mapbox Vector Tile 2.1 (extent 4096, 256 units of buffer). Layer `hotspots`: points, ' +
          "`kind` 'hotspot' (id, label, score, userCount, photoCount) or, where GET /v1/hotspots?bbox=&zoom= clusters " +
          "at this zoom, 'cluster' (count, expansionZoom, and the id, label and score of its best hotspot); best first. " +
          `Layer \`hulls\` from zoom ${HULLS_MIN_ZOOM}: the hotspots' outlines as polygons (id, label, score). ` +
          'A hotspot without a label has no `label`. 204 when the tile is empty. Use GET /v1/tiles.json as the source.',
        params: TileParams,
        response: {
          200: {
            description: 'The tile (compressed with br, gzip or deflate when asked and over 1 KB).',
            content: { [MVT_TYPE]: { schema: Type.String({ format: 'binary' }) } },
          },
          204: { description: 'The tile is empty (no hotspot in it or its buffer).', type: 'null' },
          304: { description: 'Not modified (If-None-Match matched the ETag).', type: 'null' },
          ...errorResponses(COMMON_ERRORS),
        },
      },
    },
    async (request, reply) => {
      const t = request.params;
      checkTile(t);
      const box = tileBox(t);
      const options = { type: MVT_TYPE, maxAgeSeconds: LIST_MAX_AGE_SECONDS };
      // Read together, with no await between: the ETag names the snapshot the tile is cut from.
      const snapshot = ctx.memory?.snapshot;
      const generation = ctx.answers.generation;
      if (snapshot) {
        return sendCacheableBytes(
          request,
          reply,
          {
            etag: snapshotEtag(`tile:${t.z}:${t.x}:${t.y}`, generation),
            source: 'memory',
            body: () =>
              encodeTile(t, snapshot.clusters(box, t.z), t.z >= HULLS_MIN_ZOOM ? snapshot.hullsInBox(box) : []),
          },
          options,
        );
      }
      const [points, hulls] = await Promise.all([
        ctx.finder.clusters(box, t.z),
        t.z >= HULLS_MIN_ZOOM ? ctx.finder.hulls(box) : { items: [], source: 'postgis' as const },
      ]);
      const body = encodeTile(t, points.items, hulls.items) ?? new Uint8Array(0);
      return sendCacheableBytes(
        request,
        reply,
        { etag: bytesEtag(body), source: points.source, body: () => body },
        options,
      );
    },
  );
};
