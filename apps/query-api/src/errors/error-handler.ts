import type { FastifyError, FastifyInstance } from 'fastify';
import { ApiError, ERRORS } from './error-catalog.ts';

interface ValidationIssue {
  instancePath?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** Renders every error as { error: { code, message, details } } with the catalog's status. */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | ApiError, request, reply) => {
    if (err instanceof ApiError) {
      for (const [name, value] of Object.entries(err.headers)) reply.header(name, value);
      return reply
        .code(err.statusCode)
        .send({ error: { code: err.code, message: err.message, details: err.details ?? null } });
    }
    const fe = err as FastifyError & { validation?: ValidationIssue[]; validationContext?: string };
    if (fe.validation) {
      const details = fe.validation.map((v) => ({
        parameter:
          (v.instancePath || '').replace(/^\//, '') ||
          String(v.params?.missingProperty ?? v.params?.additionalProperty ?? ''),
        in: fe.validationContext ?? 'request',
        problem: v.message ?? 'invalid',
      }));
      const first = details[0];
      return reply.code(400).send({
        error: {
          code: 'INVALID_PARAMETER',
          message: first
            ? `${first.in} parameter '${first.parameter}' ${first.problem}`
            : ERRORS.INVALID_PARAMETER.message,
          details,
        },
      });
    }
    if (fe.statusCode === 429) {
      return reply
        .code(429)
        .send({ error: { code: 'RATE_LIMITED', message: ERRORS.RATE_LIMITED.message, details: null } });
    }
    if (fe.statusCode === 406) {
      return reply
        .code(406)
        .send({ error: { code: 'NOT_ACCEPTABLE', message: ERRORS.NOT_ACCEPTABLE.message, details: null } });
    }
    if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
      // Fastify's own client errors (malformed JSON body, unsupported media type, body too large).
      return reply
        .code(fe.statusCode)
        .send({ error: { code: 'INVALID_PARAMETER', message: fe.message, details: null } });
    }
    request.log.error({ err }, 'unhandled error');
    return reply.code(500).send({ error: { code: 'INTERNAL', message: ERRORS.INTERNAL.message, details: null } });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      error: { code: 'NOT_FOUND', message: `No route ${request.method} ${request.url.split('?')[0]}`, details: null },
    }),
  );
}
