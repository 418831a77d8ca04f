import type { FastifyInstance } from 'fastify';
import type { ApiMetrics } from './api-metrics.ts';

/** GET /metrics (Prometheus text format) and the hook that counts and times every request by route pattern. */
export function registerMetrics(app: FastifyInstance, metrics: ApiMetrics): void {
  app.addHook('onResponse', (request, reply, done) => {
    metrics.request(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  app.get('/metrics', { logLevel: 'warn', schema: { tags: ['operations'], summary: 'Prometheus metrics', hide: true } }, async (_request, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.text();
  });
}
