import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { hotspotsRescoreRequested } from '@photospots/contracts';
import { enqueueOutbox } from '@photospots/db';
import type { MessagePublisher } from '@photospots/queue';
import { Type } from 'typebox';
import type { ApiContext } from '../api-context.ts';
import { requireUser } from '../auth/auth-plugin.ts';
import { ApiError } from '../errors/error-catalog.ts';
import { HotspotIdParams } from '../hotspots/detail-route.ts';
import { rejectRetired } from '../hotspots/hotspot-lookup.ts';
import { COMMON_ERRORS, errorResponses, HotspotListItem, listResponses, Page } from '../hotspots/schemas.ts';
import { responseFormat, toFeatureCollection } from '../http/content-negotiation.ts';
import { sendCacheable, serialize } from '../http/send-cacheable.ts';
import { isKeyset } from '../pagination/cursor-codec.ts';
import { addFavorite, listFavorites, removeFavorite } from './favorite-repository.ts';

export const FAVORITES_MAX_LIMIT = 100;

const Favorite = Type.Object(
  { hotspotId: Type.Integer(), favoritedAt: Type.String({ format: 'date-time' }) },
  { description: 'The hotspot is a favorite, since favoritedAt.' },
);
const FavoriteItem = Type.Intersect([
  HotspotListItem,
  Type.Object({
    status: Type.Union([Type.Literal('active'), Type.Literal('retired')], {
      description: 'retired: the place no longer qualifies as a hotspot.',
    }),
    favoritedAt: Type.String({ format: 'date-time' }),
  }),
]);
const ListQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: FAVORITES_MAX_LIMIT, default: 50, description: 'Favorites per page.' }),
    cursor: Type.Optional(Type.String({ maxLength: 500, description: 'nextCursor of the previous page.' })),
  },
  { additionalProperties: false },
);
const security = [{ bearerAuth: [] }];

/**
 * Favorites of the signed-in user. PUT and DELETE are idempotent; a change
 * writes a hotspots.rescore-requested message to the outbox in the same
 * transaction (favorites are a score component), so scoring rescores that
 * hotspot even if this process dies right after the commit.
 */
export const favoritesRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext; messages: MessagePublisher }> = async (
  app,
  { ctx, messages },
) => {
  const rescore = (hotspotId: number, correlationId: string) =>
    messages.build(hotspotsRescoreRequested, { scope: 'ids', hotspotIds: [hotspotId] }, { correlationId });

  app.put(
    '/v1/me/favorites/:hotspotId',
    {
      schema: {
        operationId: 'addFavorite',
        tags: ['favorites'],
        summary: 'Add a hotspot to my favorites (idempotent)',
        description:
          "Adding a favorite again keeps its first date. A merged hotspot answers 301 to its successor's favorite " +
          'URL; one that disappeared answers 410.',
        security,
        params: Type.Object({ hotspotId: HotspotIdParams.properties.id }),
        response: { 200: Favorite, ...errorResponses([...COMMON_ERRORS, 301, 404, 410]) },
      },
    },
    async (request) => {
      const userId = requireUser(request);
      const { hotspotId } = request.params;
      const result = await ctx.database.sql.begin(async (tx) => {
        await tx`insert into users (id) values (${userId}) on conflict (id) do update set last_seen_at = now()`;
        const r = await addFavorite(tx, userId, hotspotId);
        if (r?.added) await enqueueOutbox(tx, hotspotsRescoreRequested.queue, rescore(hotspotId, request.id));
        return r;
      });
      if (!result) {
        const [row] = await ctx.database.sql`select 1 from hotspots where id = ${hotspotId}`;
        if (!row) throw new ApiError('HOTSPOT_NOT_FOUND', undefined, { hotspotId });
        return rejectRetired(ctx.database.sql, hotspotId, (s) => `/v1/me/favorites/${s}`);
      }
      if (result.added) ctx.flushOutbox();
      return { hotspotId, favoritedAt: result.favoritedAt };
    },
  );

  app.delete(
    '/v1/me/favorites/:hotspotId',
    {
      schema: {
        operationId: 'removeFavorite',
        tags: ['favorites'],
        summary: 'Remove a hotspot from my favorites (idempotent: 204 whether or not it was there)',
        description: 'Removes the favorite if there is one; the hotspot need not exist any more.',
        security,
        params: Type.Object({ hotspotId: HotspotIdParams.properties.id }),
        response: {
          204: { description: 'Not (or no longer) a favorite', type: 'null' },
          ...errorResponses(COMMON_ERRORS),
        },
      },
    },
    async (request, reply) => {
      const userId = requireUser(request);
      const { hotspotId } = request.params;
      const removed = await ctx.database.sql.begin(async (tx) => {
        const r = await removeFavorite(tx, userId, hotspotId);
        if (r) await enqueueOutbox(tx, hotspotsRescoreRequested.queue, rescore(hotspotId, request.id));
        return r;
      });
      if (removed) ctx.flushOutbox();
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/v1/me/favorites',
    {
      schema: {
        operationId: 'listFavorites',
        tags: ['favorites'],
        summary: 'My favorites, most recently added first',
        description:
          "The signed-in user's favorites a page at a time, retired hotspots included (status says so), so none " +
          'silently disappears from the list.',
        security,
        querystring: ListQuery,
        response: listResponses(Page(FavoriteItem)),
      },
    },
    async (request, reply) => {
      const userId = requireUser(request);
      const format = responseFormat(request);
      const { limit, cursor } = request.query;
      const scope = `favorites:${userId}`;
      const after = cursor === undefined ? undefined : ctx.cursors.decode(scope, cursor, isKeyset);
      const rows = await listFavorites(
        ctx.database.sql,
        userId,
        limit + 1,
        after && { atMicros: after.k, hotspotId: after.i },
      );
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      const nextCursor =
        rows.length > limit && last ? ctx.cursors.encode(scope, { k: last.atMicros, i: last.id }) : null;
      const items = page.map(({ atMicros: _, ...h }) => h);
      const body = format === 'geojson' ? toFeatureCollection(items, { nextCursor }) : { items, nextCursor };
      return sendCacheable(request, reply, serialize(body, 'postgis'), { format, maxAgeSeconds: 0, private: true });
    },
  );
};
