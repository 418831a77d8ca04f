/**
 * Every error the API returns, with a stable code, its HTTP status and a
 * message that says how to fix the request. Listed in the README.
 */
export const ERRORS = {
  INVALID_PARAMETER: { status: 400, message: 'A parameter is missing or out of range; see details.' },
  NOT_FOUND: { status: 404, message: 'No such resource.' },
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
  constructor(code: ErrorCode, message: string = ERRORS[code].message, details?: unknown) {
    super(message);
    this.code = code;
    this.statusCode = ERRORS[code].status;
    this.details = details;
  }
}
