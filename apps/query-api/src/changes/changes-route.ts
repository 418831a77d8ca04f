import type { OutgoingHttpHeaders } from 'node:http';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ApiError } from '../errors/error-catalog.ts';
import { parseBoxParameter } from '../hotspots/bbox-parameter.ts';
import { COMMON_ERRORS, errorResponses } from '../hotspots/schemas.ts';
import { HEARTBEAT_MS, type ChangeHub } from './change-hub.ts';

/** A stream whose client reads slower than this much is pending is ended; it reconnects with Last-Event-ID. */
const MAX_BUFFERED_BYTES = 1 << 20;
const WORLD = '-180,-90,180,90';

const ChangesQuery = Type.Object(
  {
    bbox: Type.Optional(
      Type.String({
        description: `minLng,minLat,maxLng,maxLat (WGS84; must not cross the antimeridian). Default: the world (${WORLD}).`,
        examples: ['13.70,51.03,13.78,51.07'],
        maxLength: 120,
      }),
    ),
  },
  { additionalProperties: false },
);

const ChangesHeaders = Type.Object({
  'last-event-id': Type.Optional(
    Type.String({
      description:
        'The id of the last event received (EventSource sends it when it reconnects): the changes since are sent first.',
    }),
  ),
});

const DESCRIPTION = [
  'Server-Sent Events: the changes to the active hotspots in bbox, as they reach this server.',
  'Events: `hotspot.created` and `hotspot.updated` (data: the hotspot as the lists show it; an update is sent when the hotspot ' +
    'is in the box before or after it, so one that leaves the box arrives with its new position), `hotspot.retired` ' +
    '(data: the hotspot as last shown, plus `successorId`: the hotspot it was merged into, or null), and `reset` ' +
    '(reload the hotspots, then keep reading).',
  'Every event id is the hotspots version the change belongs to, the same on every server; events without data move the id ' +
    'along. Reconnecting with Last-Event-ID replays the changes since that version (including its own: delivery is at least ' +
    'once, and every event carries the whole state) from a log of at least the last 10 minutes or 10,000 changes; an id ' +
    'older than the log, or not a version, gets `reset` instead.',
  `A comment (\`: keep-alive\`) every ${HEARTBEAT_MS / 1000} s keeps idle streams open. Each client may hold ` +
    'STREAM_MAX_PER_CLIENT streams at once (429 RATE_LIMITED beyond); a stream counts once against the rate limit. ' +
    '503 SERVICE_UNAVAILABLE when the server runs without its in-process index (MEMORY_INDEX=false).',
].join('\n\n');

/**
 * GET /v1/hotspots/changes: the change stream (text/event-stream), fed by the
 * hub; `hub` is undefined when the in-process index is off.
 */
export const changesRoute: FastifyPluginAsyncTypebox<{ hub: ChangeHub | undefined; maxPerClient: number }> = async (
  app,
  { hub, maxPerClient },
) => {
  const openByClient = new Map<string, number>();
  const errors = errorResponses(COMMON_ERRORS);
  app.get(
    '/v1/hotspots/changes',
    {
      // Compression would hold events back until its buffer fills (the raw writes skip its hook anyway).
      compress: false,
      schema: {
        operationId: 'streamHotspotChanges',
        tags: ['hotspots'],
        summary: 'A live stream of hotspot changes in a map box (Server-Sent Events)',
        description: DESCRIPTION,
        querystring: ChangesQuery,
        headers: ChangesHeaders,
        response: {
          200: {
            description: 'An event stream that stays open: `event:`, `id:` and `data:` (JSON) lines per event.',
            content: {
              'text/event-stream': {
                schema: Type.String({
                  // OpenAPI 3.0 takes one `example` on a schema.
                  example:
                    'event: hotspot.created\nid: 1042\ndata: {"id":77,"label":"Frauenkirche","lat":51.05193,"lng":13.74138,' +
                    '"score":640,"photoCount":20,"userCount":10,"tags":["frauenkirche"]}\n\n',
                }),
              },
            },
          },
          ...errors,
          429: {
            ...errors[429],
            description:
              'RATE_LIMITED: too many requests, or more than STREAM_MAX_PER_CLIENT open change streams from this address.',
          },
          503: {
            ...errors[503],
            description:
              "SERVICE_UNAVAILABLE: this server runs without its in-process index (MEMORY_INDEX=false), or the token issuer's signing keys could not be fetched.",
          },
        },
      },
    },
    async (request, reply) => {
      const box = parseBoxParameter(request.query.bbox ?? WORLD);
      if (!hub) {
        throw new ApiError(
          'SERVICE_UNAVAILABLE',
          'The change stream follows the in-process index, which this server runs without (MEMORY_INDEX=false).',
        );
      }
      const client = request.ip;
      const open = openByClient.get(client) ?? 0;
      if (open >= maxPerClient) {
        throw new ApiError(
          'RATE_LIMITED',
          `At most ${maxPerClient} change streams per client may be open at once; close one first.`,
          { maxStreams: maxPerClient },
        );
      }
      openByClient.set(client, open + 1);
      reply.headers({
        'content-type': 'text/event-stream; charset=utf-8',
        // no-transform: proxies must not compress or buffer it either.
        'cache-control': 'no-cache, no-transform',
        'x-accel-buffering': 'no',
        // Ended by the server (shutdown), the connection must go too: an idle keep-alive connection left behind
        // would hold the server's close until it times out.
        connection: 'close',
      });
      reply.hijack();
      const res = reply.raw;
      // With the headers the hooks set (x-request-id, CORS, rate limit), which hijacking leaves unsent.
      res.writeHead(200, reply.getHeaders() as OutgoingHttpHeaders);
      // The headers go now, so the client sees the stream open even before anything is written.
      res.flushHeaders();
      const close = hub.open(
        {
          box,
          write: (text) => {
            if (res.writableLength > MAX_BUFFERED_BYTES) res.destroy();
            else res.write(text);
          },
          end: () => res.end(),
        },
        request.headers['last-event-id'],
      );
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        close();
        const left = (openByClient.get(client) ?? 1) - 1;
        if (left > 0) openByClient.set(client, left);
        else openByClient.delete(client);
      };
      res.on('close', release);
      // A client gone before the stream opened has already had its close.
      if (res.destroyed) release();
    },
  );
};
