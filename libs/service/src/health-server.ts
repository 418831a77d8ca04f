import { rename, writeFile } from 'node:fs/promises';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';

/** A dependency probe: resolves when reachable, throws (or times out) when not. */
export type ReadinessCheck = () => Promise<unknown>;

export interface CheckResult {
  status: 'up' | 'down';
  error?: string;
}

const CHECK_TIMEOUT_MS = 2_000;

/** Runs every check with a timeout; `ready` only when all are up. */
export async function runChecks(
  checks: Record<string, ReadinessCheck>,
): Promise<{ ready: boolean; checks: Record<string, CheckResult> }> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]): Promise<[string, CheckResult]> => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          check(),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`timed out after ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
          }),
        ]);
        return [name, { status: 'up' }];
      } catch (err) {
        return [name, { status: 'down', error: (err as Error).message }];
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const results = Object.fromEntries(entries);
  return { ready: entries.every(([, r]) => r.status === 'up'), checks: results };
}

const checkResult = {
  type: 'object',
  required: ['status'],
  properties: {
    status: { type: 'string', description: 'up or down; other states for a dependency the service can do without.' },
    error: { type: 'string', description: 'Why a check is down.' },
  },
  // A service may report more about a dependency than up or down (the query API: its Redis and its index).
  additionalProperties: true,
} as const;

const readiness = (description: string) =>
  ({
    description,
    type: 'object',
    required: ['status', 'checks'],
    properties: {
      status: { type: 'string', enum: ['ready', 'not-ready', 'stopping'] },
      checks: { type: 'object', additionalProperties: checkResult, description: 'One entry per dependency.' },
    },
  }) as const;

/**
 * Adds /healthz (the process is alive) and /readyz (its dependencies answer)
 * to a Fastify instance; workers serve only these two. `tags` group them in
 * the OpenAPI document of a service that publishes one.
 */
export function registerHealthRoutes(
  app: FastifyInstance,
  checks: Record<string, ReadinessCheck>,
  options: { isStopping?: () => boolean; tags?: string[] } = {},
): void {
  const { isStopping = () => false, tags } = options;
  app.get(
    '/healthz',
    {
      logLevel: 'warn',
      schema: {
        operationId: 'getHealth',
        summary: 'Liveness: the process is up',
        description: 'Always 200 while the process serves HTTP; it checks no dependency (see /readyz for that).',
        ...(tags ? { tags } : {}),
        response: {
          200: {
            description: 'The process is alive.',
            type: 'object',
            required: ['status'],
            properties: { status: { type: 'string', enum: ['ok'] } },
          },
        },
      },
    },
    async () => ({ status: 'ok' }),
  );
  app.get(
    '/readyz',
    {
      logLevel: 'warn',
      schema: {
        operationId: 'getReadiness',
        summary: 'Readiness: the dependencies answer',
        description:
          'Runs every dependency check (each with a timeout); 200 when all are up, 503 while one is down or the process is stopping.',
        ...(tags ? { tags } : {}),
        response: {
          200: readiness('Ready: every check is up.'),
          503: readiness('Not ready: a check is down, or the process is stopping (checks is then empty).'),
        },
      },
    },
    async (_req, reply) => {
      if (isStopping()) return reply.code(503).send({ status: 'stopping', checks: {} });
      const result = await runChecks(checks);
      return reply
        .code(result.ready ? 200 : 503)
        .send({ status: result.ready ? 'ready' : 'not-ready', checks: result.checks });
    },
  );
}

/** A small Fastify server with only the health routes, for worker services. */
export async function startHealthServer(options: {
  port: number;
  host: string;
  /** Where to write the port it listens on (port 0: the one the system gave), written whole or not at all. */
  portFile?: string | undefined;
  log: Logger;
  checks: Record<string, ReadinessCheck>;
  isStopping?: () => boolean;
}): Promise<{ close(): Promise<void>; port: number }> {
  const app = Fastify({ loggerInstance: options.log.child({ component: 'health' }) as FastifyBaseLogger });
  registerHealthRoutes(app, options.checks, { isStopping: options.isStopping });
  await app.listen({ port: options.port, host: options.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  if (options.portFile) {
    const partial = `${options.portFile}.${process.pid}.partial`;
    await writeFile(partial, `${port}\n`);
    await rename(partial, options.portFile);
  }
  return { close: () => app.close(), port };
}
