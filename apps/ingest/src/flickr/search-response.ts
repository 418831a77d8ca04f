import { z } from 'zod';

/** Flickr sends numbers as numbers or as strings ("total": "20000"); both are read as numbers. */
const count = z
  .union([z.number(), z.string().regex(/^\d+$/)])
  .transform(Number)
  .pipe(z.number().int().min(0));

const okResponse = z.object({
  stat: z.literal('ok'),
  photos: z.object({
    page: count,
    pages: count,
    perpage: count,
    total: count,
    // Photos are checked one by one when normalised, so one odd photo never fails a page.
    photo: z.array(z.record(z.string(), z.unknown())),
  }),
});

const failResponse = z.object({
  stat: z.literal('fail'),
  code: z.union([z.number(), z.string()]).transform(Number),
  message: z.string().default(''),
});

/** One page of flickr.photos.search. */
export interface SearchPage {
  page: number;
  pages: number;
  perPage: number;
  total: number;
  photos: Record<string, unknown>[];
}

export type ParsedSearchResponse =
  | { ok: true; page: SearchPage }
  | { ok: false; kind: 'fail'; code: number; message: string }
  | { ok: false; kind: 'malformed'; message: string };

/**
 * Reads the body of a flickr.photos.search call made with format=json and
 * nojsoncallback=1 (a `jsonFlickrApi(...)` wrapper is tolerated). Never throws.
 */
export function parseSearchResponse(body: string): ParsedSearchResponse {
  let raw: unknown;
  try {
    const text = body.trim();
    const unwrapped =
      text.startsWith('jsonFlickrApi(') && text.endsWith(')') ? text.slice('jsonFlickrApi('.length, -1) : text;
    raw = JSON.parse(unwrapped);
  } catch {
    return { ok: false, kind: 'malformed', message: `response is not JSON (${body.length} bytes)` };
  }
  const fail = failResponse.safeParse(raw);
  if (fail.success) return { ok: false, kind: 'fail', code: fail.data.code, message: fail.data.message };
  const ok = okResponse.safeParse(raw);
  if (!ok.success) {
    const issue = ok.error.issues[0];
    return {
      ok: false,
      kind: 'malformed',
      message: `unexpected response shape: ${issue?.path.join('.')} ${issue?.message}`,
    };
  }
  const p = ok.data.photos;
  return { ok: true, page: { page: p.page, pages: p.pages, perPage: p.perpage, total: p.total, photos: p.photo } };
}
