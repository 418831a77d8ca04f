import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';
import { ApiError } from '../errors/error-catalog.ts';

export interface TokenVerifierOptions {
  jwksUrl: string | undefined;
  issuer: string | undefined;
  audience: string;
  /** HS256 shared secret; HS256 tokens are rejected unless set. */
  secret: string | undefined;
  jwksCacheSeconds: number;
}

/** Asymmetric algorithms Supabase Auth (and most issuers) sign with; HS* never comes from a JWKS. */
const ASYMMETRIC = ['ES256', 'RS256', 'EdDSA', 'ES384', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];

/**
 * `role` of Supabase's API keys: the anon key (what a client sends before anyone signs in) and the service_role
 * key (a server's admin key). Both are JWTs of the project, but neither names a user.
 */
const API_KEY_ROLES = new Set(['anon', 'service_role']);

/**
 * Verifies Supabase-style access tokens: asymmetric signatures against the
 * issuer's JWKS (jose's remote key set: keys cached at most
 * jwksCacheSeconds, refetched on an unknown kid), HS256 only with an explicit
 * shared secret; `exp`, `iss` and `aud` are checked, `sub` is the user id.
 * Supabase's anon and service_role keys are refused: they are not a user.
 * Anonymous sign-ins (`is_anonymous: true`) are users like any other: their
 * id stays the same when they later link an email or a provider.
 */
export class TokenVerifier {
  readonly #o: TokenVerifierOptions;
  readonly #jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
  readonly #secret: Uint8Array | undefined;

  constructor(options: TokenVerifierOptions) {
    this.#o = options;
    this.#jwks = options.jwksUrl
      ? createRemoteJWKSet(new URL(options.jwksUrl), {
          cacheMaxAge: options.jwksCacheSeconds * 1000,
          cooldownDuration: 10_000,
          timeoutDuration: 5_000,
        })
      : undefined;
    this.#secret = options.secret ? new TextEncoder().encode(options.secret) : undefined;
  }

  /** True when tokens can be verified at all (an issuer and a key source are configured). */
  get configured(): boolean {
    return Boolean(this.#o.issuer && (this.#jwks || this.#secret));
  }

  /** The verified subject (user id); throws an ApiError (401, or 503 when the JWKS cannot be fetched). */
  async verify(token: string): Promise<{ userId: string; claims: JWTPayload }> {
    if (!this.configured) throw new ApiError('AUTH_NOT_CONFIGURED');
    const checks = { issuer: this.#o.issuer!, audience: this.#o.audience, requiredClaims: ['exp', 'sub'] };
    let alg: string | undefined;
    let role: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
      role = decodeJwt(token).role;
    } catch {
      throw new ApiError('TOKEN_INVALID', undefined, { reason: 'not a JWS compact token' });
    }
    // Decided before the signature is checked, so that a legacy key (iss "supabase", no aud) gets this message
    // too: refusing on an unverified claim can only refuse, and a verified payload is the same bytes.
    if (typeof role === 'string' && API_KEY_ROLES.has(role)) {
      throw new ApiError(
        'TOKEN_INVALID',
        `A token with role ${role} is a Supabase API key, not a user's access token; sign the user in (an anonymous sign-in will do) and send their access token.`,
        { reason: `role ${role} is an API key, not a user` },
      );
    }
    try {
      const { payload } =
        alg === 'HS256'
          ? this.#secret
            ? await jwtVerify(token, this.#secret, { ...checks, algorithms: ['HS256'] })
            : rejectAlg(alg)
          : this.#jwks
            ? await jwtVerify(token, this.#jwks, { ...checks, algorithms: ASYMMETRIC })
            : rejectAlg(alg);
      if (typeof payload.sub !== 'string' || payload.sub.length === 0 || payload.sub.length > 200) {
        throw new ApiError('TOKEN_INVALID', undefined, { reason: 'sub is missing' });
      }
      return { userId: payload.sub, claims: payload };
    } catch (err) {
      throw toApiError(err);
    }
  }
}

function rejectAlg(alg: string | undefined): never {
  throw new ApiError('TOKEN_INVALID', undefined, { reason: `algorithm ${alg ?? '(none)'} is not accepted` });
}

function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof errors.JWTExpired) return new ApiError('TOKEN_EXPIRED');
  if (
    err instanceof errors.JWKSTimeout ||
    (err instanceof errors.JOSEError && err.code === 'ERR_JOSE_GENERIC') ||
    err instanceof TypeError
  ) {
    // The key set could not be fetched: not the client's fault.
    return new ApiError('SERVICE_UNAVAILABLE', "The token issuer's signing keys could not be fetched; retry shortly.");
  }
  if (err instanceof errors.JWTClaimValidationFailed)
    return new ApiError('TOKEN_INVALID', undefined, { reason: `claim ${err.claim} ${err.reason}` });
  if (err instanceof errors.JOSEError) return new ApiError('TOKEN_INVALID', undefined, { reason: err.code });
  return new ApiError('TOKEN_INVALID');
}
