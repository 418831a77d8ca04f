import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeFlickrPhoto } from './flickr-population.ts';

/** Flickr returns at most the first 4,000 results of any search, and 250 per page for geo queries. */
export const FAKE_FLICKR_CAP = 4_000;
export const FAKE_FLICKR_MAX_PER_PAGE = 250;

/** A failure the fake answers the next search call with. */
export type FlickrFault =
  | { kind: 'http'; status: number }
  | { kind: 'rate-limit'; retryAfterSeconds: number }
  | { kind: 'stat-fail'; code: number; message?: string }
  | { kind: 'drop' }
  | { kind: 'malformed' }
  | { kind: 'invalid-key' };

export interface FakeFlickrCall {
  at: number;
  params: Record<string, string>;
  /** The fault answered, if any. */
  fault?: FlickrFault['kind'];
  total?: number;
}

export interface FakeFlickr {
  /** The REST endpoint, for FLICKR_API_URL. */
  url: string;
  apiKey: string;
  photos: FakeFlickrPhoto[];
  /** Every flickr.photos.search call received (api_key included: the fake is the only place it may appear). */
  calls: FakeFlickrCall[];
  /** Image paths requested. */
  imageRequests: string[];
  /** Queues faults: each answers one of the next search calls, in order. */
  injectFaults(...faults: FlickrFault[]): void;
  /** Makes these photos' images answer `status` (500: retryable, 404: gone). */
  failImages(ids: Iterable<string>, status?: number): void;
  /** Forgets calls, pending faults and failing images (between tests). */
  reset(): void;
  /** Delay every search response (to make a harvest slow enough to kill mid-way). */
  setLatency(ms: number): void;
  /** The photos a complete harvest must end with. */
  expected(query: {
    bbox: { minLng: number; minLat: number; maxLng: number; maxLat: number };
    minUpload: number;
    maxUpload: number;
    licences: readonly string[];
  }): FakeFlickrPhoto[];
  /** The bytes served as a photo's url_q. */
  imageBytes(id: string): Buffer;
  stop(): Promise<void>;
}

/** A 107-byte baseline JPEG (1×1); each photo's copy carries its id in a COM segment. */
const TINY_JPEG = Buffer.from(
  'FFD8FFDB004300030202020202030202020303030304060404040404080606050609080A0A090809090A0C0F0C0A0B0E0B09090D110D0E0F101011100A0C12131210130F101010FFC9000B080001000101011100FFCC000600101005FFDA0008010100003F00D2CF20FFD9',
  'hex',
);

function jpegFor(id: string): Buffer {
  const comment = Buffer.from(`photo ${id}`);
  const header = Buffer.from([0xff, 0xfe, (comment.length + 2) >> 8, (comment.length + 2) & 0xff]);
  return Buffer.concat([TINY_JPEG.subarray(0, 2), header, comment, TINY_JPEG.subarray(2)]);
}

/** Flickr accepts upload dates as epoch seconds or MySQL datetimes. */
function parseUploadDate(text: string | undefined): number | undefined {
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text);
  const ms = Date.parse(`${text.replace(' ', 'T')}Z`);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : undefined;
}

/** Flickr's JSON for one photo, with only the requested extras, numbers as strings like the real API. */
function photoJson(p: FakeFlickrPhoto, extras: Set<string>, origin: string): Record<string, unknown> {
  const o: Record<string, unknown> = {
    id: p.id,
    owner: p.owner,
    secret: p.secret,
    server: p.server,
    farm: 66,
    title: p.title,
    ispublic: 1,
    isfriend: 0,
    isfamily: 0,
  };
  if (extras.has('license')) o.license = p.license;
  if (extras.has('date_upload')) o.dateupload = String(p.dateupload);
  if (extras.has('date_taken'))
    Object.assign(o, {
      datetaken: p.datetaken,
      datetakengranularity: 0,
      datetakenunknown: p.datetakenunknown ? '1' : '0',
    });
  if (extras.has('owner_name')) o.ownername = p.ownername;
  if (extras.has('views')) o.views = String(p.views);
  if (extras.has('tags')) o.tags = p.tags.map((t) => t.replace(/\s+/g, '')).join(' ');
  if (extras.has('geo')) {
    Object.assign(o, {
      latitude: String(p.latitude),
      longitude: String(p.longitude),
      accuracy: '16',
      context: 0,
      place_id: '',
      woeid: '',
      geo_is_public: 1,
      geo_is_contact: 0,
      geo_is_friend: 0,
      geo_is_family: 0,
    });
  }
  if (extras.has('url_q') && !p.noSmallImage)
    Object.assign(o, { url_q: `${origin}/images/${p.server}/${p.id}_${p.secret}_q.jpg`, height_q: 150, width_q: 150 });
  if (extras.has('url_m'))
    Object.assign(o, { url_m: `${origin}/images/${p.server}/${p.id}_${p.secret}.jpg`, height_m: 375, width_m: 500 });
  return o;
}

/**
 * A local stand-in for api.flickr.com that speaks flickr.photos.search's real
 * JSON over a fixed population: inclusive bbox and upload dates, licence
 * filter (every photo it holds is geotagged), date-posted sort, 250 per page for geo queries, and the
 * 4,000-result cap (pages past it repeat the last reachable page, as Flickr
 * does). Faults are injected on demand; url_q images are served from /images.
 */
export async function startFakeFlickr(options: {
  photos: FakeFlickrPhoto[];
  apiKey?: string;
  latencyMs?: number;
}): Promise<FakeFlickr> {
  const apiKey = options.apiKey ?? 'fake-flickr-key-0123456789abcdef';
  const photos = options.photos;
  let byId = new Map<string, FakeFlickrPhoto>();
  const knows = (id: string) => {
    // Tests may add photos after start (an incremental harvest); index them on demand.
    if (byId.size !== photos.length) byId = new Map(photos.map((p) => [p.id, p]));
    return byId.has(id);
  };
  const calls: FakeFlickrCall[] = [];
  const imageRequests: string[] = [];
  const faults: FlickrFault[] = [];
  const failingImages = new Map<string, number>();
  let latencyMs = options.latencyMs ?? 0;
  let origin = '';

  const matches = (
    p: FakeFlickrPhoto,
    q: { bbox: FakeFlickrBox; minUpload: number; maxUpload: number; licences: ReadonlySet<string> | undefined },
  ) =>
    p.longitude >= q.bbox.minLng &&
    p.longitude <= q.bbox.maxLng &&
    p.latitude >= q.bbox.minLat &&
    p.latitude <= q.bbox.maxLat &&
    p.dateupload >= q.minUpload &&
    p.dateupload <= q.maxUpload &&
    (!q.licences || q.licences.has(p.license));

  // Photos by upload time, so a query scans only its window; and the last results, so paging a query is cheap.
  let byUpload: FakeFlickrPhoto[] = [];
  const recent = new Map<string, FakeFlickrPhoto[]>();
  const results = (
    params: Record<string, string>,
    q: { bbox: FakeFlickrBox; minUpload: number; maxUpload: number },
  ): FakeFlickrPhoto[] => {
    if (byUpload.length !== photos.length) {
      byUpload = [...photos].sort((a, b) => a.dateupload - b.dateupload || a.id.localeCompare(b.id));
      recent.clear();
    }
    const cacheKey = [params.bbox, q.minUpload, q.maxUpload, params.license, params.sort].join('|');
    const cached = recent.get(cacheKey);
    if (cached) return cached;
    const licences = params.license ? new Set(params.license.split(',')) : undefined;
    let lo = 0;
    for (let hi = byUpload.length; lo < hi;) {
      const mid = (lo + hi) >> 1;
      if (byUpload[mid]!.dateupload < q.minUpload) lo = mid + 1;
      else hi = mid;
    }
    const found: FakeFlickrPhoto[] = [];
    for (let i = lo; i < byUpload.length && byUpload[i]!.dateupload <= q.maxUpload; i++) {
      const p = byUpload[i]!;
      if (matches(p, { ...q, licences })) found.push(p);
    }
    // Flickr's default order is newest first.
    if (params.sort !== 'date-posted-asc') found.reverse();
    if (recent.size >= 16) recent.delete(recent.keys().next().value!);
    recent.set(cacheKey, found);
    return found;
  };

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
  const fail = (res: ServerResponse, code: number, message: string) => send(res, 200, { stat: 'fail', code, message });

  const search = (params: Record<string, string>, res: ServerResponse, call: FakeFlickrCall) => {
    if (params.api_key !== apiKey) return fail(res, 100, 'Invalid API Key (Key not found)');
    if (params.method !== 'flickr.photos.search') return fail(res, 112, `Method "${params.method}" not found`);
    const box = (params.bbox ?? '').split(',').map(Number);
    if (box.length !== 4 || box.some((n) => !Number.isFinite(n)))
      return fail(res, 3, 'Parameterless searches have been disabled. Please use flickr.photos.getRecent instead.');
    const [minLng, minLat, maxLng, maxLat] = box as [number, number, number, number];
    const minUpload = parseUploadDate(params.min_upload_date) ?? 0;
    const maxUpload = parseUploadDate(params.max_upload_date) ?? Number.MAX_SAFE_INTEGER;
    const found = results(params, { bbox: { minLng, minLat, maxLng, maxLat }, minUpload, maxUpload });
    const perPage = Math.min(FAKE_FLICKR_MAX_PER_PAGE, Math.max(1, Number(params.per_page) || 100));
    const total = found.length;
    const reachable = found.slice(0, FAKE_FLICKR_CAP);
    const lastReachablePage = Math.max(1, Math.ceil(reachable.length / perPage));
    const page = Math.max(1, Number(params.page) || 1);
    const served = Math.min(page, lastReachablePage);
    const extras = new Set((params.extras ?? '').split(',').map((s) => s.trim()));
    call.total = total;
    const body = {
      photos: {
        page,
        pages: Math.ceil(total / perPage),
        perpage: perPage,
        total: String(total),
        photo: reachable.slice((served - 1) * perPage, served * perPage).map((p) => photoJson(p, extras, origin)),
      },
      stat: 'ok',
    };
    if (params.nojsoncallback === '1') return send(res, 200, body);
    return send(res, 200, `jsonFlickrApi(${JSON.stringify(body)})`, {
      'content-type': 'text/javascript; charset=utf-8',
    });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', origin);
    const image = /^\/images\/\d+\/(\d+)_[0-9a-f]+(_q)?\.jpg$/.exec(url.pathname);
    if (image) {
      imageRequests.push(url.pathname);
      const id = image[1]!;
      const failing = failingImages.get(id);
      if (failing) return send(res, failing, { error: 'image unavailable' });
      if (!knows(id)) return send(res, 404, { error: 'not found' });
      const bytes = jpegFor(id);
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': String(bytes.length) });
      return res.end(bytes);
    }
    if (url.pathname !== '/services/rest' && url.pathname !== '/services/rest/')
      return send(res, 404, { error: 'not found' });
    const params = Object.fromEntries(url.searchParams);
    const call: FakeFlickrCall = { at: Date.now(), params };
    calls.push(call);
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    const fault = faults.shift();
    if (fault) {
      call.fault = fault.kind;
      switch (fault.kind) {
        case 'http':
          return send(res, fault.status, `<html><body>${fault.status}</body></html>`, { 'content-type': 'text/html' });
        case 'rate-limit':
          return send(res, 429, '<html><body>Too Many Requests</body></html>', {
            'content-type': 'text/html',
            'retry-after': String(fault.retryAfterSeconds),
          });
        case 'stat-fail':
          return fail(res, fault.code, fault.message ?? 'Service currently unavailable');
        case 'invalid-key':
          return fail(res, 100, 'Invalid API Key (Key has expired)');
        case 'malformed':
          return send(res, 200, '{"photos":{"page":1,"pages":');
        case 'drop':
          req.socket.destroy();
          return;
      }
    }
    search(params, res, call);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => send(res, 500, { error: (err as Error).message }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: `${origin}/services/rest`,
    apiKey,
    photos,
    calls,
    imageRequests,
    injectFaults: (...f) => void faults.push(...f),
    failImages: (ids, status = 500) => {
      for (const id of ids) failingImages.set(id, status);
    },
    reset: () => {
      calls.length = 0;
      imageRequests.length = 0;
      faults.length = 0;
      failingImages.clear();
    },
    setLatency: (ms) => {
      latencyMs = ms;
    },
    expected: (q) =>
      photos.filter((p) =>
        matches(p, { bbox: q.bbox, minUpload: q.minUpload, maxUpload: q.maxUpload, licences: new Set(q.licences) }),
      ),
    imageBytes: jpegFor,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

type FakeFlickrBox = { minLng: number; minLat: number; maxLng: number; maxLat: number };
