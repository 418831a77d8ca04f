import type { FastifyInstance, onResponseHookHandler } from 'fastify';
import type { ApiMetrics, RouteStats } from './api-metrics.ts';

/**
 * GET /metrics (Prometheus text format) and the hooks that count and time
 * every request by route pattern: one bound to each route as it is declared
 * (it knows its pattern, so no per-request route lookup or label key), and one
 * for requests no route matched.
 */
export function registerMetrics(app: FastifyInstance, metrics: ApiMetrics): void {
  app.addHook('onRoute', (route) => {
    const url = route.url;
    const byMethod = new Map<string, RouteStats>();
    const count: onResponseHookHandler = (request, reply, done) => {
      let stats = byMethod.get(request.method);
      if (!stats) {
        stats = metrics.route(request.method, url);
        byMethod.set(request.method, stats);
      }
      stats.record(reply.statusCode, reply.elapsedTime / 1000);
      done();
    };
    const existing = route.onResponse;
    route.onResponse = existing === undefined ? [count] : [...(Array.isArray(existing) ? existing : [existing]), count];
  });
  app.addHook('onResponse', (request, reply, done) => {
    if (request.is404) metrics.request(request.method, 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  app.get(
    '/metrics',
    {
      logLevel: 'warn',
      schema: {
        operationId: 'getMetrics',
        tags: ['operations'],
        summary: 'Prometheus metrics',
        description:
          'Requests and latency by route, cache hits, the database pool, the in-process index and Redis, in the ' +
          'Prometheus text format. Not rate limited.',
        response: {
          200: {
            description: 'The metrics (text/plain; version=0.0.4).',
            content: { 'text/plain': { schema: { type: 'string' } } },
          },
        },
      },
    },
    async (_request, reply) => {
      reply.type(metrics.registry.contentType);
      return metrics.text();
    },
  );
}
