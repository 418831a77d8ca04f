import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

/**
 * The OpenAPI 3 document (GET /docs/json) and a docs page (GET /docs), both
 * generated from the route schemas that validate requests, so the two cannot
 * drift. Register before the routes.
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
      },
      tags: [
        { name: 'hotspots', description: 'Finding and describing hotspots (no sign-in needed)' },
        { name: 'favorites', description: "The signed-in user's favorites (Bearer token)" },
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
    refResolver: {
      // Components are named by the schemas' $id (ErrorResponse, HotspotListItem, …).
      buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
}
