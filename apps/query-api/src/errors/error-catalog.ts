/**
 * Every error the API returns, with a stable code, its HTTP status and a
 * message that says how to fix the request. Listed in docs/query-api.md.
 */
export const ERRORS = {
  INVALID_PARAMETER: { status: 400, message: 'A parameter is missing or out of range; see details.' },
  INVALID_CURSOR: {
    status: 400,
    message: 'The cursor is not one this endpoint issued for this query; start again without it.',
  },
  BBOX_TOO_LARGE: {
    status: 400,
    message: 'The map box is larger than allowed; zoom in, or pass zoom= to get clusters.',
  },
  TOKEN_MISSING: { status: 401, message: 'Sign in: send Authorization: Bearer <access token>.' },
  TOKEN_INVALID: {
    status: 401,
    message: 'The access token is malformed, wrongly signed, or for another issuer or audience; sign in again.',
  },
  TOKEN_EXPIRED: { status: 401, message: 'The access token has expired; refresh it and retry.' },
  AUTH_NOT_CONFIGURED: { status: 401, message: 'Sign-in is not configured on this server.' },
  NOT_FOUND: { status: 404, message: 'No such resource.' },
  HOTSPOT_NOT_FOUND: { status: 404, message: 'No hotspot has this id.' },
  HOTSPOT_MERGED: {
    status: 301,
    message: 'This hotspot was merged into another; follow Location (details.successorId).',
  },
  HOTSPOT_RETIRED: { status: 410, message: 'This hotspot no longer exists (too few people photograph there now).' },
  NOT_ACCEPTABLE: { status: 406, message: 'Ask for application/json or application/geo+json.' },
  URI_TOO_LONG: { status: 414, message: 'The URL (or one of its path segments) is too long.' },
  RATE_LIMITED: { status: 429, message: 'Too many requests; retry after the number of seconds in Retry-After.' },
  SERVICE_UNAVAILABLE: { status: 503, message: 'A dependency is unavailable; retry shortly.' },
  INTERNAL: { status: 500, message: 'Unexpected error; it has been logged.' },
} as const;

export type ErrorCode = keyof typeof ERRORS;

/** An error with a catalog code; the error handler renders it as { error: { code, message, details } }. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  readonly details: unknown;
  /** Extra response headers (Location of a merged hotspot, WWW-Authenticate). */
  readonly headers: Record<string, string>;
  constructor(
    code: ErrorCode,
    message: string = ERRORS[code].message,
    details?: unknown,
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.code = code;
    this.statusCode = ERRORS[code].status;
    this.details = details;
    this.headers = headers;
  }
}
