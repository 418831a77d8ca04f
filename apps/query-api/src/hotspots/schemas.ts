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

/** Response map of a list endpoint: JSON and GeoJSON bodies for 200, plus the error shapes. */
export function listResponses<T extends TSchema>(json: T, errors: number[] = [400]) {
  return {
    200: {
      description: 'OK (GeoJSON with Accept: application/geo+json)',
      content: {
        'application/json': { schema: json },
        'application/geo+json': { schema: Type.Ref('PointFeatureCollection') },
      },
    },
    304: { description: 'Not modified (If-None-Match matched the ETag)', type: 'null' },
    ...errorResponses(errors),
  };
}

export function errorResponses(statuses: number[]) {
  return Object.fromEntries(statuses.map((s) => [s, Type.Ref('ErrorResponse')]));
}
