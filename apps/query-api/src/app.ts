import { hostname } from 'node:os';
import type { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import compress from '@fastify/compress';
import cors from '@fastify/cors';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Database } from '@photospots/db';
import { HotspotIndexReader, indexKeys } from '@photospots/hotspot-index';
import { MessagePublisher } from '@photospots/queue';
import { registerHealthRoutes, REDACT_PATHS, type Logger } from '@photospots/service';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { ApiContext } from './api-context.ts';
import { registerAuth } from './auth/auth-plugin.ts';
import { TokenVerifier } from './auth/token-verifier.ts';
import { AnswerMemo } from './cache/answer-memo.ts';
import { ResponseCache } from './cache/response-cache.ts';
import { ChangeHub } from './changes/change-hub.ts';
import { changesRoute } from './changes/changes-route.ts';
import type { QueryApiConfig } from './config.ts';
import { registerDocsPage, registerOpenApi } from './docs/openapi.ts';
import { ApiError, ERRORS } from './errors/error-catalog.ts';
import { registerErrorHandler } from './errors/error-handler.ts';
import { favoritesRoutes } from './favorites/favorites-routes.ts';
import { bboxRoute } from './hotspots/bbox-route.ts';
import { detailRoute } from './hotspots/detail-route.ts';
import { HotspotFinder } from './hotspots/hotspot-finder.ts';
import { HotspotMemoryIndex } from './hotspots/hotspot-memory-index.ts';
import { nearbyRoute } from './hotspots/nearby-route.ts';
import { ErrorResponse, PointFeatureCollection } from './hotspots/schemas.ts';
import { topRoute } from './hotspots/top-route.ts';
import { ApiMetrics } from './metrics/api-metrics.ts';
import { COMPRESS_ENCODINGS } from './http/compression.ts';
import { LazyRequestLogger } from './http/lazy-request-logger.ts';
import { registerMapPage } from './map/map-page.ts';
import { registerMetrics } from './metrics/metrics-route.ts';
import { startRescoreRelay } from './favorites/rescore-relay.ts';
import { CursorCodec } from './pagination/cursor-codec.ts';
import { PhotoItem } from './photos/photo-view.ts';
import { photosRoute } from './photos/photos-route.ts';
import { ThumbnailUrls } from './photos/thumbnail-urls.ts';
import { registerRateLimit } from './rate-limit/rate-limit.ts';
import { searchRoute } from './search/search-route.ts';
import { tileJsonRoute } from './tiles/tilejson-route.ts';
import { tileRoute } from './tiles/tile-route.ts';

export interface QueryApiDeps {
  database: Database;
  /** Absent: serve from the in-process index and PostGIS, keep rate limits in memory. */
  redis: Redis | undefined;
  /** Sends rescore requests after favorites change (outbox relay); absent: the rows wait for another relay. */
  sqs?: SQSClient;
  /** Presigns thumbnail URLs; absent (or with THUMBNAIL_PUBLIC_BASE_URL set) nothing is signed. */
  s3?: S3Client;
  log?: Logger;
  /** Heartbeat interval of change streams (default 15 s). */
  streamHeartbeatMs?: number;
}

const UNLIMITED = new Set(['/healthz', '/readyz', '/metrics']);

/** Builds the HTTP app without listening, so tests drive it through app.inject(). */
export async function buildApp(config: QueryApiConfig, deps: QueryApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    ...(deps.log
      ? { loggerInstance: deps.log as FastifyBaseLogger }
      : { logger: { level: config.LOG_LEVEL, redact: REDACT_PATHS } }),
    trustProxy: config.TRUST_PROXY,
    ajv: { customOptions: { coerceTypes: true, removeAdditional: true, useDefaults: true, allErrors: false } },
    requestIdHeader: 'x-request-id',
    // Fastify makes a child logger per request; this one is made only when the request logs something.
    childLoggerFactory: (logger, bindings, options) =>
      new LazyRequestLogger(logger as unknown as Logger, bindings, options) as unknown as FastifyBaseLogger,
    // Errors the router raises before any handler (an over-long path segment, a malformed URL) get
    // the same { error: { code, message, details } } shape as every other error.
    frameworkErrors: (err, _request, reply) => {
      const tooLong = err.code === 'FST_ERR_MAX_PARAM_LENGTH';
      const code = tooLong ? 'URI_TOO_LONG' : 'INVALID_PARAMETER';
      const raw = reply as unknown as { code(status: number): { send(body: unknown): unknown } };
      void raw
        .code(ERRORS[code].status)
        .send({ error: { code, message: tooLong ? ERRORS.URI_TOO_LONG.message : err.message, details: null } });
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  registerErrorHandler(app);
  // Before any route, so that the OpenAPI document sees every one.
  await registerOpenApi(app);
  // Ajv's coercion lets "Infinity", "-Infinity" and "1e309" through as numbers, past `minimum` and
  // `maximum` alike: every number a request carries must be finite, and a path id a safe integer,
  // before it reaches an index or SQL.
  app.addHook('preHandler', (request, _reply, done) => {
    for (const [where, values] of [
      ['params', request.params],
      ['querystring', request.query],
    ] as const) {
      for (const name in values as Record<string, unknown>) {
        const value = (values as Record<string, unknown>)[name];
        if (typeof value !== 'number') continue;
        if (!Number.isFinite(value) || (where === 'params' && !Number.isSafeInteger(value))) {
          const problem = where === 'params' ? 'must be a safe integer' : 'must be a finite number';
          done(
            new ApiError('INVALID_PARAMETER', `${where} parameter '${name}' ${problem}`, [
              { parameter: name, in: where, problem },
            ]),
          );
          return;
        }
      }
    }
    done();
  });
  // Every answer names its request id (the caller's x-request-id, or ours), so a report can be matched to the logs.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  const metrics = new ApiMetrics();
  registerMetrics(app, metrics);
  // Before any route: compression attaches itself to routes as they are declared. Responses only: no route
  // takes a request body, so nothing inflates a compressed one (no decompression bomb to defend against).
  app.addHook('onRoute', (route) => {
    (route as { decompress?: boolean }).decompress = false;
  });
  await app.register(compress, { global: true, threshold: 1024, encodings: [...COMPRESS_ENCODINGS] });
  await registerDocsPage(app);
  for (const schema of [ErrorResponse, PointFeatureCollection, PhotoItem]) app.addSchema(schema);

  if (config.CORS_ORIGINS.trim() !== '') {
    const origins = config.CORS_ORIGINS.split(',').map((o) => o.trim());
    await app.register(cors, {
      origin: origins.includes('*') ? '*' : origins,
      methods: ['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'],
      allowedHeaders: ['Authorization', 'Content-Type', 'If-None-Match', 'X-Request-Id'],
      exposedHeaders: [
        'ETag',
        'X-Request-Id',
        'Retry-After',
        'X-RateLimit-Limit',
        'X-RateLimit-Remaining',
        'X-RateLimit-Reset',
        'X-Data-Source',
        'X-Cache',
        'Location',
      ],
      maxAge: 600,
    });
  }

  const verifier = new TokenVerifier({
    jwksUrl: config.AUTH_JWKS_URL,
    issuer: config.AUTH_JWT_ISSUER,
    audience: config.AUTH_JWT_AUDIENCE,
    secret: config.AUTH_JWT_SECRET,
    jwksCacheSeconds: config.AUTH_JWKS_CACHE_SECONDS,
  });
  await app.register(registerAuth, { verifier, database: deps.database });
  // The docs and the map page's static files are not API calls: they do not count against a client's limit.
  await registerRateLimit(
    app,
    config,
    deps.redis,
    (path) => UNLIMITED.has(path) || path === '/' || path.startsWith('/docs') || path.startsWith('/map/'),
  );

  const cache = new ResponseCache({
    redis: deps.redis,
    keyPrefix: config.REDIS_KEY_PREFIX,
    ttlSeconds: config.CACHE_TTL_SECONDS,
    maxEntries: config.CACHE_MAX_ENTRIES,
    metrics,
    log: app.log,
  });
  if (deps.redis) {
    const version = await deps.redis.get(indexKeys(config.REDIS_KEY_PREFIX).version).catch(() => null);
    cache.setVersion(Number(version ?? 0));
  }

  const answers = new AnswerMemo(config.CACHE_MAX_ENTRIES);
  const subscriber =
    config.MEMORY_INDEX && deps.redis ? deps.redis.duplicate({ connectionName: 'query-api-changes' }) : undefined;
  subscriber?.on('error', () => undefined);
  const memory = config.MEMORY_INDEX
    ? new HotspotMemoryIndex({
        database: deps.database,
        subscriber,
        redisKeyPrefix: config.REDIS_KEY_PREFIX,
        log: app.log,
        reloadSeconds: config.INDEX_RELOAD_SECONDS,
        // A transaction pooler delivers no notifications: the version poll alone follows the changes.
        notifications: config.DATABASE_POOL_MODE !== 'transaction',
        onChange: (version) => {
          answers.invalidate();
          cache.invalidate(version);
        },
      })
    : undefined;
  // Built before the first load, which is the version its change log starts at.
  const changes = memory
    ? new ChangeHub({ memory, database: deps.database, log: app.log, heartbeatMs: deps.streamHeartbeatMs })
    : undefined;
  await memory?.start();

  const finder = new HotspotFinder(
    deps.database,
    memory,
    deps.redis ? new HotspotIndexReader(deps.redis, config.REDIS_KEY_PREFIX) : undefined,
    app.log,
  );
  if (deps.redis) {
    deps.redis.on('close', () => finder.noteRedis(false));
    deps.redis.on('ready', () => finder.noteRedis(true));
  }

  // Messages are built (and validated) here even without SQS; only the relay needs a client.
  const messages = new MessagePublisher({
    sqs: deps.sqs ?? new SQSClient({ region: config.AWS_REGION }),
    queueUrls: {},
    producer: 'query-api',
    log: app.log as Logger,
  });
  const relay = deps.sqs
    ? startRescoreRelay({ config, sqs: deps.sqs, database: deps.database, log: app.log as Logger })
    : undefined;

  const ctx: ApiContext = {
    config,
    database: deps.database,
    finder,
    memory,
    cache,
    answers,
    cursors: new CursorCodec(config.CURSOR_SECRET, config.DATABASE_URL),
    thumbnails: new ThumbnailUrls({
      bucket: config.THUMBNAIL_BUCKET,
      publicBaseUrl: config.THUMBNAIL_PUBLIC_BASE_URL,
      s3: deps.s3,
      ttlSeconds: config.THUMBNAIL_URL_TTL_SECONDS,
    }),
    flushOutbox: () => relay?.flush(),
  };

  const applicationName = `query-api/${hostname()}/${process.pid}`.slice(0, 63);
  metrics.observe({
    dbConnections: () =>
      deps.database.sql<{ state: string; count: number }[]>`
        select coalesce(state, 'unknown') as state, count(*)::int as count from pg_stat_activity
        where datname = current_database() and application_name = ${applicationName}
        group by 1`,
    dbPoolMax: config.DATABASE_POOL_MAX,
    indexedHotspots: () => memory?.snapshot?.size,
    indexRefreshes: () => memory?.refreshes ?? { full: 0, patch: 0 },
    changeFeed: () => memory?.feed ?? 'none',
    redisState: () => finder.redisState,
  });

  // Redis and the in-process index are reported, but they only make answers slower, so they never fail readiness.
  // Registered in a child context so the onSend hook runs for these two routes only.
  await app.register(async (health) => {
    health.addHook('onSend', async (request, _reply, payload) => {
      if (request.url !== '/readyz' || typeof payload !== 'string') return payload;
      const body = JSON.parse(payload) as { checks?: Record<string, unknown> };
      body.checks = {
        ...body.checks,
        redis: { status: finder.redisState },
        index: memory
          ? {
              status: memory.snapshot ? 'serving' : 'not-serving',
              feed: memory.feed,
              hotspots: memory.snapshot?.size ?? null,
            }
          : { status: 'disabled' },
      };
      return JSON.stringify(body);
    });
    registerHealthRoutes(health, { database: () => deps.database.ping() }, { tags: ['operations'] });
  });

  await registerMapPage(app, { styleUrl: config.MAP_STYLE_URL });
  await app.register(nearbyRoute, { ctx });
  await app.register(topRoute, { ctx });
  await app.register(searchRoute, { ctx });
  await app.register(bboxRoute, { ctx });
  await app.register(detailRoute, { ctx });
  await app.register(photosRoute, { ctx });
  await app.register(favoritesRoutes, { ctx, messages });
  await app.register(changesRoute, { hub: changes, maxPerClient: config.STREAM_MAX_PER_CLIENT });
  await app.register(tileRoute, { ctx });
  await app.register(tileJsonRoute, { ctx });

  // Open change streams would hold the server's close until their clients leave: end them first.
  app.addHook('preClose', async () => changes?.stop());

  app.addHook('onClose', async () => {
    await memory?.stop();
    subscriber?.disconnect();
    await relay?.stop();
  });
  return app;
}
