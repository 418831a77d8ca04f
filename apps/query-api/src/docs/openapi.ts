import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

/**
 * The OpenAPI 3 document (GET /docs/json), generated from the route schemas
 * that validate requests, so the two cannot drift. Register before any route:
 * it sees the routes as they are declared. Routes with `hide: true` stay out
 * of it. It is also exported to libs/client/openapi.json, which the typed
 * client is generated from and the lint target checks with Spectral.
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Photospots query API',
        version: '1.0.0',
        description:
          'Hotspots — places many people photograph — near a point, in a map box, by keyword, by popularity; their details and photos; ' +
          'and the signed-in user\'s favorites. Errors are { "error": { "code", "message", "details" } }.',
        contact: { name: 'Photospots maintainers' },
        license: { name: 'MIT', url: 'https://opensource.org/licenses/MIT' },
      },
      // Relative first: the docs page tries requests against the server that serves it, wherever it is deployed.
      servers: [
        { url: '/', description: 'The server serving this document' },
        { url: 'http://127.0.0.1:3000', description: 'Local (npm start)' },
      ],
      tags: [
        { name: 'hotspots', description: 'Finding and describing hotspots (no sign-in needed)' },
        { name: 'favorites', description: "The signed-in user's favorites (Bearer token)" },
        { name: 'tiles', description: 'Hotspots as vector tiles (MVT) for maps, and their TileJSON' },
        { name: 'operations', description: 'Health, readiness and metrics' },
      ],
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description: 'A Supabase Auth access token.',
          },
        },
      },
    },
    transformObject: (document) =>
      'openapiObject' in document ? optionalDefaults(document.openapiObject) : document.swaggerObject,
    refResolver: {
      // Components are named by the schemas' $id (ErrorResponse, HotspotListItem, …).
      buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
    },
  });
}

interface ParameterLike {
  in?: string;
  required?: boolean;
  schema?: { default?: unknown };
}

/**
 * Marks parameters that have a default as optional. Their schemas list them as required, so that handlers see a
 * value, but a caller may leave them out: validation fills in the default (Ajv's useDefaults).
 */
function optionalDefaults<T extends object>(document: T): T {
  const paths = (document as { paths?: Record<string, Record<string, { parameters?: ParameterLike[] }>> }).paths;
  for (const operations of Object.values(paths ?? {})) {
    for (const { parameters = [] } of Object.values(operations)) {
      for (const p of parameters) if (p.in !== 'path' && p.schema?.default !== undefined) p.required = false;
    }
  }
  return document;
}

/** The docs page (GET /docs); @fastify/swagger-ui hides its own routes from the document. */
export async function registerDocsPage(app: FastifyInstance): Promise<void> {
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
}
