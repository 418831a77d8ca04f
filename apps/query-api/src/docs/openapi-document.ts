import { openDatabase } from '@photospots/db';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.ts';
import { loadQueryApiConfig } from '../config.ts';

export type OpenApiDocument = ReturnType<FastifyInstance['swagger']>;

/**
 * The OpenAPI document of every route, from the app as the server builds it, without listening or connecting:
 * postgres.js opens a connection on the first query, which no route registration makes, and without Redis or the
 * in-process index nothing is read at start. So it runs where no database is (the lint target, `npm run client:generate`).
 */
export async function buildOpenApiDocument(): Promise<OpenApiDocument> {
  const config = loadQueryApiConfig({ LOG_LEVEL: 'silent', MEMORY_INDEX: 'false' });
  const database = openDatabase(config, 'query-api-openapi');
  const app = await buildApp(config, { database, redis: undefined });
  try {
    await app.ready();
    return app.swagger();
  } finally {
    await app.close();
    await database.close(0);
  }
}
