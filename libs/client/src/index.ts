import createClient, { type Client, type ClientPathsWithMethod, type MethodResponse } from 'openapi-fetch';
import type { components, operations, paths } from './generated/api.d.ts';

export type { components, operations, paths };

/** The typed client: `GET`, `PUT`, `DELETE`… by path, JSON answers (GeoJSON is asked for with an Accept header). */
export type PhotospotsClient = Client<paths, 'application/json'>;

/** The JSON body of a successful answer, exactly as the client's `data` types it. */
export type ResponseBody<
  Method extends 'get' | 'put' | 'delete',
  Path extends ClientPathsWithMethod<PhotospotsClient, Method>,
> = MethodResponse<PhotospotsClient, Method, Path>;

/** A hotspot in a list: what every list item has (GET /v1/hotspots/top). */
export type HotspotSummary = ResponseBody<'get', '/v1/hotspots/top'>['items'][number];
/** A hotspot near a point, with its distance (GET /v1/hotspots/nearby). */
export type NearbyHotspot = ResponseBody<'get', '/v1/hotspots/nearby'>['items'][number];
/** A keyword search hit, with its relevance (GET /v1/hotspots/search). */
export type SearchHit = ResponseBody<'get', '/v1/hotspots/search'>['items'][number];
/** A page of hotspots in a map box, or its clusters with zoom= (GET /v1/hotspots). */
export type HotspotsInBox = ResponseBody<'get', '/v1/hotspots'>;
/** Everything about one hotspot (GET /v1/hotspots/{id}). */
export type HotspotDetail = ResponseBody<'get', '/v1/hotspots/{id}'>;
/** A member photo with its thumbnail URL and attribution (GET /v1/hotspots/{id}/photos). */
export type Photo = ResponseBody<'get', '/v1/hotspots/{id}/photos'>['items'][number];
/** A favorite of the signed-in user, as listed (GET /v1/me/favorites). */
export type FavoriteHotspot = ResponseBody<'get', '/v1/me/favorites'>['items'][number];
/** The answer to adding a favorite (PUT /v1/me/favorites/{hotspotId}). */
export type Favorite = ResponseBody<'put', '/v1/me/favorites/{hotspotId}'>;
/** The body of every error answer: `{ error: { code, message, details } }`. */
export type ApiErrorBody = components['schemas']['ErrorResponse'];

/** Where the API is, and who calls it. */
export interface PhotospotsClientOptions {
  /** The API's origin, e.g. `https://api.example.com` (no `/v1`: the paths carry it). */
  baseUrl: string;
  /**
   * An access token, sent as `Authorization: Bearer`; or a function asked before every request, so a token can be
   * refreshed without a new client (nothing is sent while it returns undefined).
   */
  token?: string | (() => string | undefined | Promise<string | undefined>);
  /** A fetch to use instead of the global one (tests, instrumentation). */
  fetch?: (request: Request) => Promise<Response>;
}

/** A typed client of the Photospots query API, generated from its OpenAPI document (libs/client/openapi.json). */
export function createPhotospotsClient(options: PhotospotsClientOptions): PhotospotsClient {
  const client = createClient<paths, 'application/json'>({
    baseUrl: options.baseUrl,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const { token } = options;
  if (token !== undefined) {
    client.use({
      async onRequest({ request }) {
        const value = typeof token === 'function' ? await token() : token;
        if (value) request.headers.set('authorization', `Bearer ${value}`);
        return request;
      },
    });
  }
  return client;
}
