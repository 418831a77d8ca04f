import { hash, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiContext } from '../api-context.ts';
import type { CachedResponse } from '../cache/response-cache.ts';
import { GEOJSON_TYPE, type ResponseFormat } from './content-negotiation.ts';

/** Serializes a body and derives its strong ETag (a hash of the bytes). */
export function serialize(body: unknown, source: string): CachedResponse {
  const json = JSON.stringify(body);
  return { body: json, etag: `"${hash('sha1', json, 'base64url').slice(0, 22)}"`, source };
}

/** Names this process in weak ETags: snapshot generations are per process. */
const INSTANCE = randomBytes(6).toString('base64url');

/**
 * An answer computed from the in-process snapshot. Its ETag is weak and
 * derived from the question and the snapshot generation (the same question on
 * the same snapshot gives the same bytes), so the body is not hashed. Keys are
 * built from validated numbers, words and base64url cursors only, so they are
 * valid ETag characters as they are; anything else is hashed.
 */
export function snapshotEntry(body: string, key: string, generation: number): CachedResponse {
  return { body, etag: snapshotEtag(key, generation), source: 'memory' };
}

/** The weak ETag of snapshotEntry, known before the answer is computed (so a 304 costs no work). */
export function snapshotEtag(key: string, generation: number): string {
  const tag = key.length <= 200 && ETAG_SAFE.test(key) ? key : hash('sha1', key, 'base64url');
  return `W/"${INSTANCE}.${generation}.${tag}"`;
}

/** The strong ETag of a binary body (a hash of the bytes). */
export function bytesEtag(body: Uint8Array): string {
  return `"${hash('sha1', body, 'base64url').slice(0, 22)}"`;
}

/** Commas excluded: If-None-Match lists tags separated by commas. */
const ETAG_SAFE = /^[\w.:=-]*$/;

/**
 * A response's body: text, UTF-8 bytes, or a function that builds them, called only when the answer is not
 * a 304 (the ETag is known without the body: snapshotEtag).
 */
export type ResponseBody = string | Buffer | (() => string | Buffer);

/**
 * Sends a cacheable response: ETag, Cache-Control, Vary and x-data-source,
 * and 304 Not Modified when If-None-Match already names this body.
 */
export function sendCacheable(
  request: FastifyRequest,
  reply: FastifyReply,
  entry: Omit<CachedResponse, 'body'> & { body: ResponseBody },
  options: { format: ResponseFormat; maxAgeSeconds: number; private?: boolean },
): FastifyReply {
  reply.header('etag', entry.etag);
  reply.header('cache-control', `${options.private ? 'private' : 'public'}, max-age=${options.maxAgeSeconds}`);
  const vary = options.private ? 'Accept, Authorization' : 'Accept';
  const existing = reply.getHeader('vary');
  reply.header('vary', existing ? `${String(existing)}, ${vary}` : vary);
  reply.header('x-data-source', entry.source);
  if (entry.cache) reply.header('x-cache', entry.cache);
  if (namedByIfNoneMatch(request, entry.etag)) return reply.code(304).send();
  reply.type(options.format === 'geojson' ? GEOJSON_TYPE : 'application/json; charset=utf-8');
  return reply.send(typeof entry.body === 'function' ? entry.body() : entry.body);
}

/** True when If-None-Match names the ETag; it uses the weak comparison: W/ prefixes do not matter. */
function namedByIfNoneMatch(request: FastifyRequest, etag: string): boolean {
  const inm = request.headers['if-none-match'];
  const ours = etag.replace(/^W\//, '');
  return inm !== undefined && inm.split(',').some((t) => t.trim().replace(/^W\//, '') === ours);
}

/**
 * sendCacheable for a binary body of one media type (a vector tile): the
 * same ETag, Cache-Control, x-data-source and 304, no Vary (the body does not
 * depend on Accept), and 204 No Content for an empty body. `body` is called
 * only when the answer is not a 304.
 */
export function sendCacheableBytes(
  request: FastifyRequest,
  reply: FastifyReply,
  entry: { etag: string; source: string; body: () => Uint8Array | undefined },
  options: { type: string; maxAgeSeconds: number },
): FastifyReply {
  reply.header('etag', entry.etag);
  reply.header('cache-control', `public, max-age=${options.maxAgeSeconds}`);
  reply.header('x-data-source', entry.source);
  if (namedByIfNoneMatch(request, entry.etag)) return reply.code(304).send();
  const body = entry.body();
  if (!body || body.byteLength === 0) return reply.code(204).send();
  reply.type(options.type);
  return reply.send(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
}

/**
 * Answers a list question (top, map box, clusters) from a cache, else computes
 * and caches it. While the in-process snapshot serves, its memo holds the
 * answers (cleared on every change). Otherwise (the index is loading, or
 * MEMORY_INDEX=false) the answer comes from Redis or PostGIS and goes into the
 * response cache (in process and Redis, keyed by scoring's version), like search.
 */
export async function memoized(
  ctx: Pick<ApiContext, 'answers' | 'memory' | 'cache'>,
  route: string,
  key: string,
  compute: () => Promise<{ body: unknown; source: string } | { json: string; source: 'memory' }>,
): Promise<CachedResponse> {
  const serving = ctx.memory?.snapshot !== undefined;
  if (serving) {
    const hit = ctx.answers.get(key);
    if (hit) return hit;
  } else {
    const cached = await ctx.cache.get(route, key);
    if (cached) return cached;
  }
  const generation = ctx.answers.generation;
  const answer = await compute();
  if (answer.source !== 'memory') {
    const entry = serialize((answer as { body: unknown }).body, answer.source);
    await ctx.cache.set(key, entry);
    return { ...entry, cache: 'miss' };
  }
  const entry = snapshotEntry('json' in answer ? answer.json : JSON.stringify(answer.body), key, generation);
  ctx.answers.set(key, generation, entry);
  return entry;
}
