import { ConfigError, z } from '@photospots/config';

/** Hosts a plain-http SUPABASE_URL may name: `supabase start` and tests run on this machine. */
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The audience Supabase Auth puts in every user's access token. */
export const SUPABASE_AUDIENCE = 'authenticated';

/**
 * SUPABASE_URL: a project URL (https://<ref>.supabase.co, or a local stack on http://127.0.0.1:54321), read
 * without trailing slashes so that the derived issuer is exactly the `iss` Supabase writes.
 */
export const supabaseUrlSchema = z.url().transform((value, ctx) => {
  const url = new URL(value);
  const problem =
    url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))
      ? 'must be an https URL (http only for localhost)'
      : url.username || url.password || url.search || url.hash
        ? 'must be a plain project URL, without credentials, query or fragment'
        : /\/auth\/v1\/?$/.test(url.pathname)
          ? 'must be the project URL (https://<project>.supabase.co), without /auth/v1'
          : undefined;
  if (problem) {
    ctx.addIssue({ code: 'custom', message: problem });
    return z.NEVER;
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
});

/** Where Supabase Auth publishes a project's signing keys, and the `iss` and `aud` of its users' tokens. */
export function supabaseAuthSettings(projectUrl: string): { jwksUrl: string; issuer: string; audience: string } {
  const base = projectUrl.replace(/\/+$/, '');
  return { jwksUrl: `${base}/auth/v1/.well-known/jwks.json`, issuer: `${base}/auth/v1`, audience: SUPABASE_AUDIENCE };
}

interface AuthConfig {
  SUPABASE_URL?: string | undefined;
  AUTH_JWKS_URL?: string | undefined;
  AUTH_JWT_ISSUER?: string | undefined;
  AUTH_JWT_AUDIENCE: string;
}

/**
 * Fills AUTH_JWKS_URL and AUTH_JWT_ISSUER from SUPABASE_URL. A value also set explicitly must be the derived one
 * (as must AUTH_JWT_AUDIENCE): any other value would reject every token of the project, so it fails the start
 * with a ConfigError naming both variables instead of failing every sign-in later.
 */
export function applySupabasePreset<C extends AuthConfig>(config: C): C {
  if (!config.SUPABASE_URL) return config;
  const derived = supabaseAuthSettings(config.SUPABASE_URL);
  const sameUrl = (a: string, b: string) => new URL(a).href === new URL(b).href;
  const conflicts = [
    ['AUTH_JWKS_URL', config.AUTH_JWKS_URL, derived.jwksUrl, sameUrl],
    ['AUTH_JWT_ISSUER', config.AUTH_JWT_ISSUER, derived.issuer, (a: string, b: string) => a === b],
    ['AUTH_JWT_AUDIENCE', config.AUTH_JWT_AUDIENCE, derived.audience, (a: string, b: string) => a === b],
  ] as const;
  const problems = conflicts.flatMap(([name, explicit, expected, same]) =>
    explicit === undefined || same(explicit, expected)
      ? []
      : [
          `${name}: is ${JSON.stringify(explicit)}, but SUPABASE_URL implies ${JSON.stringify(expected)}; ` +
            `leave ${name} unset (SUPABASE_URL sets it), or unset SUPABASE_URL for another issuer`,
        ],
  );
  if (problems.length > 0) throw new ConfigError(problems);
  return { ...config, AUTH_JWKS_URL: derived.jwksUrl, AUTH_JWT_ISSUER: derived.issuer };
}
