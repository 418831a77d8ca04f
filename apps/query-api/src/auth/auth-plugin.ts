import type { Database } from '@photospots/db';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { LRUCache } from 'lru-cache';
import { ApiError } from '../errors/error-catalog.ts';
import type { TokenVerifier } from './token-verifier.ts';
import { touchUser } from './user-repository.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified token's subject; undefined for anonymous calls. */
    userId: string | undefined;
    /** Why the sent token was rejected (thrown in preHandler, after rate limiting keyed by IP). */
    authError: ApiError | undefined;
  }
}

/** Users seen recently by this process: their row exists, so no write per request. */
const SEEN_TTL_MS = 10 * 60_000;

/**
 * Reads `Authorization: Bearer <token>` on every request (onRequest, before
 * the rate limiter, which then keys signed-in users by id). A bad token is a
 * 401 on every route, so an app learns at once that it must refresh; routes
 * that need a user call `requireUser`.
 */
async function authPlugin(app: FastifyInstance, opts: { verifier: TokenVerifier; database: Database }): Promise<void> {
  const seen = new LRUCache<string, true>({ max: 50_000, ttl: SEEN_TTL_MS });
  app.decorateRequest('userId', undefined);
  app.decorateRequest('authError', undefined);

  app.addHook('onRequest', (request, _reply, done) => {
    if (request.headers.authorization === undefined) return done();
    authenticate(request).then(() => done(), done);
  });

  async function authenticate(request: FastifyRequest): Promise<void> {
    const header = request.headers.authorization!;
    const match = /^Bearer ([A-Za-z0-9_\-.=]+)$/i.exec(header.trim());
    if (!match) {
      request.authError = new ApiError('TOKEN_INVALID', 'Send Authorization: Bearer <access token>.', {
        reason: 'not a Bearer token',
      });
      return;
    }
    try {
      const { userId } = await opts.verifier.verify(match[1]!);
      request.userId = userId;
      if (!seen.has(userId)) {
        await touchUser(opts.database.sql, userId).then(
          () => seen.set(userId, true),
          (err: unknown) => request.log.warn({ err: (err as Error).message }, 'could not record the user; continuing'),
        );
      }
    } catch (err) {
      request.authError = err instanceof ApiError ? err : new ApiError('TOKEN_INVALID');
    }
  }

  app.addHook('preHandler', (request, _reply, done) => {
    // Without sign-in configured, a token on a public route is ignored, not an error.
    if (request.authError && request.authError.code !== 'AUTH_NOT_CONFIGURED')
      return done(withChallenge(request.authError));
    done();
  });
}

function withChallenge(err: ApiError): ApiError {
  if (err.statusCode !== 401) return err;
  const error = err.code === 'TOKEN_EXPIRED' ? 'invalid_token", error_description="expired' : 'invalid_token';
  return new ApiError(err.code, err.message, err.details, { 'www-authenticate': `Bearer error="${error}"` });
}

/** The signed-in user's id; 401 TOKEN_MISSING for anonymous calls. */
export function requireUser(request: FastifyRequest): string {
  if (request.userId) return request.userId;
  if (request.authError) throw request.authError;
  throw new ApiError('TOKEN_MISSING', undefined, null, { 'www-authenticate': 'Bearer' });
}

export const registerAuth = fp(authPlugin, { name: 'photospots-auth' });
