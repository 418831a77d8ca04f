import rateLimit from '@fastify/rate-limit';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Database } from '@photospots/db';
import { HotspotIndexReader } from '@photospots/hotspot-index';
import { registerHealthRoutes, REDACT_PATHS, type Logger } from '@photospots/service';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { QueryApiConfig } from './config.ts';
import { registerErrorHandler } from './errors/error-handler.ts';
import { HotspotFinder } from './hotspots/hotspot-finder.ts';
import { nearbyRoute } from './hotspots/nearby-route.ts';

export interface QueryApiDeps {
  database: Database;
  /** Absent: serve from PostGIS and keep rate limits in memory. */
  redis: Redis | undefined;
  log?: Logger;
}

/** Builds the HTTP app without listening, so tests drive it through app.inject(). */
export async function buildApp(config: QueryApiConfig, deps: QueryApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    ...(deps.log ? { loggerInstance: deps.log as FastifyBaseLogger } : { logger: { level: config.LOG_LEVEL, redact: REDACT_PATHS } }),
    trustProxy: config.TRUST_PROXY,
    ajv: { customOptions: { coerceTypes: true, removeAdditional: true, useDefaults: true, allErrors: false } },
    requestIdHeader: 'x-request-id',
  }).withTypeProvider<TypeBoxTypeProvider>();

  registerErrorHandler(app);

  const finder = new HotspotFinder(
    deps.database,
    deps.redis ? new HotspotIndexReader(deps.redis, config.REDIS_KEY_PREFIX) : undefined,
    app.log,
  );

  await app.register(rateLimit, {
    global: true,
    max: config.RATE_LIMIT_MAX,
    timeWindow: config.RATE_LIMIT_WINDOW_SECONDS * 1000,
    ...(deps.redis ? { redis: deps.redis, nameSpace: `${config.REDIS_KEY_PREFIX}ratelimit:`, skipOnError: true } : {}),
    allowList: (request) => request.url === '/healthz' || request.url === '/readyz',
  });

  registerHealthRoutes(app, {
    database: () => deps.database.ping(),
  });
  // Redis is reported, but its absence only slows answers down, so it does not fail readiness.
  app.addHook('onSend', async (request, _reply, payload) => {
    if (request.url === '/readyz' && typeof payload === 'string') {
      const body = JSON.parse(payload) as { checks?: Record<string, unknown> };
      body.checks = { ...body.checks, redis: { status: finder.redisState } };
      return JSON.stringify(body);
    }
    return payload;
  });

  await app.register(nearbyRoute, { finder });
  return app;
}
