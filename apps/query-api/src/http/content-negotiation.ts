import type { FastifyRequest } from 'fastify';
import { ApiError } from '../errors/error-catalog.ts';

export type ResponseFormat = 'json' | 'geojson';

export const GEOJSON_TYPE = 'application/geo+json';

/**
 * Chooses JSON or GeoJSON from the Accept header (q-values honoured; JSON
 * when absent or on a tie with a wildcard); 406 when neither is acceptable.
 */
export function responseFormat(request: FastifyRequest): ResponseFormat {
  const accept = request.headers.accept;
  if (!accept) return 'json';
  let geo = 0;
  let json = 0;
  let wild = 0;
  for (const part of accept.split(',')) {
    const [type = '', ...params] = part.trim().toLowerCase().split(';');
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    const weight = Number.isFinite(q) ? q : 0;
    const t = type.trim();
    if (t === GEOJSON_TYPE) geo = Math.max(geo, weight);
    else if (t === 'application/json') json = Math.max(json, weight);
    else if (t === '*/*' || t === 'application/*') wild = Math.max(wild, weight);
  }
  if (geo > 0 && geo > Math.max(json, wild)) return 'geojson';
  if (json > 0 || wild > 0) return 'json';
  if (geo > 0) return 'geojson';
  throw new ApiError('NOT_ACCEPTABLE');
}

/** A FeatureCollection of points: each item's lat/lng become the geometry, everything else its properties. */
export function toFeatureCollection<T extends { lat: number; lng: number }>(
  items: readonly T[],
  extra: Record<string, unknown> = {},
) {
  return {
    type: 'FeatureCollection' as const,
    features: items.map(({ lat, lng, ...properties }) => ({
      type: 'Feature' as const,
      id: (properties as { id?: number }).id,
      geometry: { type: 'Point' as const, coordinates: [lng, lat] },
      properties,
    })),
    ...extra,
  };
}
