import { Type, type TSchema } from 'typebox';

/** A hotspot in list responses. */
export const HotspotListItem = Type.Object(
  {
    id: Type.Integer({ minimum: 1 }),
    label: Type.Union([Type.String(), Type.Null()], {
      description: 'Display name (from tags and place names); null when none is distinctive.',
    }),
    lat: Type.Number(),
    lng: Type.Number(),
    score: Type.Number({ description: 'Popularity: people first (see GET /v1/hotspots/{id} scoreComponents).' }),
    photoCount: Type.Integer(),
    userCount: Type.Integer({ description: 'Distinct photographers.' }),
    tags: Type.Array(Type.String(), { description: 'Most distinctive tags, best first.' }),
  },
  { description: 'A hotspot in a list.' },
);

export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable code from the error catalog (docs/query-api.md, Errors).' }),
      message: Type.String(),
      details: Type.Unknown(),
    }),
  },
  { $id: 'ErrorResponse', description: 'Every error has this shape.' },
);

/** `{ items, nextCursor }` for paginated lists. */
export function Page<T extends TSchema>(item: T, extra: Record<string, TSchema> = {}) {
  return Type.Object({
    items: Type.Array(item),
    nextCursor: Type.Union([Type.String(), Type.Null()], {
      description: 'Pass as cursor= for the next page; null on the last page.',
    }),
    ...extra,
  });
}

/** GeoJSON FeatureCollection of points (the `Accept: application/geo+json` answer of every list endpoint). */
export const PointFeatureCollection = Type.Object(
  {
    type: Type.Literal('FeatureCollection'),
    features: Type.Array(
      Type.Object({
        type: Type.Literal('Feature'),
        id: Type.Optional(Type.Integer()),
        geometry: Type.Object({
          type: Type.Literal('Point'),
          coordinates: Type.Array(Type.Number(), { minItems: 2, maxItems: 2 }),
        }),
        properties: Type.Record(Type.String(), Type.Unknown()),
      }),
    ),
    nextCursor: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  },
  { $id: 'PointFeatureCollection' },
);

/**
 * What each error status of a route means, as its OpenAPI response says; the codes are the catalog's
 * (errors/error-catalog.ts), and every body is an ErrorResponse.
 */
const ERROR_STATUSES = {
  301: {
    description:
      'HOTSPOT_MERGED: the hotspot was merged into another; Location is the same resource of the successor (details.successorId).',
    headers: { location: Type.String({ description: 'The same resource of the hotspot this one was merged into.' }) },
  },
  400: { description: 'INVALID_PARAMETER, INVALID_CURSOR or BBOX_TOO_LARGE: a parameter is missing or out of range.' },
  401: {
    description:
      'TOKEN_MISSING, TOKEN_INVALID, TOKEN_EXPIRED or AUTH_NOT_CONFIGURED: sign in, or refresh the token. A token sent ' +
      'where none is needed is checked too.',
    headers: {
      'www-authenticate': Type.String({ description: 'Bearer, with error="invalid_token" for a bad token.' }),
    },
  },
  404: { description: 'HOTSPOT_NOT_FOUND: no hotspot has this id.' },
  406: { description: 'NOT_ACCEPTABLE: Accept allows neither application/json nor application/geo+json.' },
  410: { description: 'HOTSPOT_RETIRED: the hotspot no longer exists.' },
  429: {
    description: 'RATE_LIMITED: too many requests from this user or address; retry after Retry-After seconds.',
    headers: { 'retry-after': Type.Integer({ description: 'Seconds until the window resets.' }) },
  },
  503: { description: "SERVICE_UNAVAILABLE: the token issuer's signing keys could not be fetched; retry shortly." },
} as const;

export type ErrorStatus = keyof typeof ERROR_STATUSES;

/** Errors every /v1 route can answer: a bad parameter, a bad token (checked whenever one is sent), the rate limit. */
export const COMMON_ERRORS: readonly ErrorStatus[] = [400, 401, 429, 503];

/**
 * Response map of a list endpoint: JSON and GeoJSON bodies for 200, 304, the common errors, 406 (content
 * negotiation) and `errors`.
 */
export function listResponses<T extends TSchema>(json: T, errors: ErrorStatus[] = []) {
  return {
    200: {
      description: 'OK (GeoJSON with Accept: application/geo+json)',
      content: {
        'application/json': { schema: json },
        'application/geo+json': { schema: Type.Ref('PointFeatureCollection') },
      },
    },
    304: { description: 'Not modified (If-None-Match matched the ETag)', type: 'null' },
    ...errorResponses([...COMMON_ERRORS, 406, ...errors]),
  };
}

/** Error responses by status, each an ErrorResponse with what the status means on this API. */
export function errorResponses(statuses: readonly ErrorStatus[]) {
  return Object.fromEntries(
    [...new Set(statuses)].map((s) => [
      s,
      { ...ERROR_STATUSES[s], content: { 'application/json': { schema: Type.Ref('ErrorResponse') } } },
    ]),
  );
}
