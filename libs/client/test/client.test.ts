import { describe, expect, it } from 'vitest';
import { createPhotospotsClient } from '../src/index.ts';

/** A fetch that records each request and answers with `body` as JSON. */
function recordingFetch(status = 200, body: unknown = { items: [], nextCursor: null }) {
  const requests: Request[] = [];
  const fetch = async (request: Request) => {
    requests.push(request);
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  };
  return { requests, fetch };
}

describe('createPhotospotsClient', () => {
  it('builds the URL from baseUrl, the path and the typed parameters, and parses JSON', async () => {
    const { requests, fetch } = recordingFetch(200, { items: [] });
    const api = createPhotospotsClient({ baseUrl: 'https://api.example.com/', fetch });
    const { data, response } = await api.GET('/v1/hotspots/nearby', {
      params: { query: { lat: 51.0519, lng: 13.7416, radius: 300 } },
    });
    expect(response.status).toBe(200);
    expect(data).toEqual({ items: [] });
    expect(requests.map((r) => [r.method, r.url])).toEqual([
      ['GET', 'https://api.example.com/v1/hotspots/nearby?lat=51.0519&lng=13.7416&radius=300'],
    ]);
    expect(requests[0]!.headers.get('authorization')).toBeNull();
  });

  it('sends the token as a Bearer authorization header', async () => {
    const { requests, fetch } = recordingFetch();
    const api = createPhotospotsClient({ baseUrl: 'https://api.example.com', token: 'abc.def.ghi', fetch });
    await api.GET('/v1/me/favorites');
    await api.DELETE('/v1/me/favorites/{hotspotId}', { params: { path: { hotspotId: 7 } } });
    expect(requests.map((r) => [r.method, r.url, r.headers.get('authorization')])).toEqual([
      ['GET', 'https://api.example.com/v1/me/favorites', 'Bearer abc.def.ghi'],
      ['DELETE', 'https://api.example.com/v1/me/favorites/7', 'Bearer abc.def.ghi'],
    ]);
  });

  it('asks a token function before every request, and sends none while it has none', async () => {
    const { requests, fetch } = recordingFetch();
    const tokens = [undefined, 'first', 'second'];
    let asked = 0;
    const api = createPhotospotsClient({
      baseUrl: 'https://api.example.com',
      token: async () => tokens[asked++],
      fetch,
    });
    for (let i = 0; i < 3; i++) await api.GET('/v1/me/favorites');
    expect(requests.map((r) => r.headers.get('authorization'))).toEqual([null, 'Bearer first', 'Bearer second']);
  });

  it('returns an error answer as a typed ErrorResponse in `error`, with no data', async () => {
    const body = { error: { code: 'TOKEN_MISSING', message: 'Sign in.', details: null } };
    const { fetch } = recordingFetch(401, body);
    const api = createPhotospotsClient({ baseUrl: 'https://api.example.com', fetch });
    const { data, error, response } = await api.GET('/v1/me/favorites');
    expect(response.status).toBe(401);
    expect(data).toBeUndefined();
    expect(error).toEqual(body);
    expect(error?.error.code).toBe('TOKEN_MISSING');
  });
});
