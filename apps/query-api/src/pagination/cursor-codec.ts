import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { ApiError } from '../errors/error-catalog.ts';

/**
 * Opaque pagination cursors: base64url(JSON) + "." + a truncated HMAC of it,
 * bound to the endpoint (and its query) they came from. A cursor that was
 * edited, truncated or used on another query is a 400 INVALID_CURSOR, never a
 * 500 or a silently wrong page.
 */
export class CursorCodec {
  readonly #key: Buffer;

  /**
   * `secret`: CURSOR_SECRET. Without it the key is derived from `fallback`
   * (the database URL, which every instance of a deployment shares and which
   * carries its password), so cursors still work across instances.
   */
  constructor(secret: string | undefined, fallback: string) {
    this.#key = secret
      ? Buffer.from(secret, 'utf8')
      : createHash('sha256').update('photospots-cursor\u0000').update(fallback).digest();
  }

  #mac(scope: string, body: string): Buffer {
    return createHmac('sha256', this.#key).update(scope).update('\u0000').update(body).digest().subarray(0, 12);
  }

  encode(scope: string, value: unknown): string {
    const body = Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
    return `${body}.${this.#mac(scope, body).toString('base64url')}`;
  }

  /** Decodes and checks a cursor; `isValid` checks the decoded shape. */
  decode<T>(scope: string, cursor: string, isValid: (value: unknown) => value is T): T {
    const dot = cursor.indexOf('.');
    const body = dot > 0 ? cursor.slice(0, dot) : '';
    // Compared as text: base64url decoding would ignore trailing junk.
    const mac = Buffer.from(dot > 0 ? cursor.slice(dot + 1) : '', 'utf8');
    const expected = Buffer.from(this.#mac(scope, body).toString('base64url'), 'utf8');
    if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) throw invalid();
    let value: unknown;
    try {
      value = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      throw invalid();
    }
    if (!isValid(value)) throw invalid();
    return value;
  }
}

function invalid(): ApiError {
  return new ApiError('INVALID_CURSOR', undefined, { parameter: 'cursor', in: 'querystring' });
}

/** A {k: number, i: positive integer} pair: the keyset position every paginated endpoint uses. */
export function isKeyset(value: unknown): value is { k: number; i: number } {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.k === 'number' &&
    Number.isFinite(v.k) &&
    Number.isSafeInteger(v.i) &&
    (v.i as number) > 0 &&
    Object.keys(v).length === 2
  );
}
