import { ConfigError } from '@photospots/config';
import { describe, expect, it } from 'vitest';
import { loadQueryApiConfig } from '../src/config.ts';

const PROJECT = 'https://abcdefghijklmnop.supabase.co';

/** The problems a ConfigError lists, or the value loaded. */
function problemsOf(env: Record<string, string>): string[] {
  try {
    loadQueryApiConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

const authOf = (env: Record<string, string>) => {
  const c = loadQueryApiConfig(env);
  return {
    SUPABASE_URL: c.SUPABASE_URL,
    AUTH_JWKS_URL: c.AUTH_JWKS_URL,
    AUTH_JWT_ISSUER: c.AUTH_JWT_ISSUER,
    AUTH_JWT_AUDIENCE: c.AUTH_JWT_AUDIENCE,
  };
};

describe('SUPABASE_URL', () => {
  it("derives the JWKS URL, issuer and audience of the project's Supabase Auth", () => {
    expect(authOf({ SUPABASE_URL: PROJECT })).toEqual({
      SUPABASE_URL: PROJECT,
      AUTH_JWKS_URL: `${PROJECT}/auth/v1/.well-known/jwks.json`,
      AUTH_JWT_ISSUER: `${PROJECT}/auth/v1`,
      AUTH_JWT_AUDIENCE: 'authenticated',
    });
  });

  it.each([`${PROJECT}/`, `${PROJECT}//`, 'https://ABCDEFGHIJKLMNOP.supabase.co', `${PROJECT}:443/`])(
    'reads %s as the same project',
    (url) => {
      expect(authOf({ SUPABASE_URL: url })).toEqual(authOf({ SUPABASE_URL: PROJECT }));
    },
  );

  it.each(['http://127.0.0.1:54321', 'http://localhost:54321/', 'http://[::1]:54321'])(
    'allows plain http for a local Supabase (%s)',
    (url) => {
      const base = url.replace(/\/$/, '');
      expect(authOf({ SUPABASE_URL: url })).toEqual({
        SUPABASE_URL: base,
        AUTH_JWKS_URL: `${base}/auth/v1/.well-known/jwks.json`,
        AUTH_JWT_ISSUER: `${base}/auth/v1`,
        AUTH_JWT_AUDIENCE: 'authenticated',
      });
    },
  );

  it('accepts explicit values that equal the derived ones', () => {
    expect(
      authOf({
        SUPABASE_URL: `${PROJECT}/`,
        AUTH_JWKS_URL: `${PROJECT}/auth/v1/.well-known/jwks.json`,
        AUTH_JWT_ISSUER: `${PROJECT}/auth/v1`,
        AUTH_JWT_AUDIENCE: 'authenticated',
      }),
    ).toEqual(authOf({ SUPABASE_URL: PROJECT }));
  });

  it('fails the start when an explicit value differs from the derived one, naming both variables', () => {
    expect(
      problemsOf({
        SUPABASE_URL: PROJECT,
        AUTH_JWKS_URL: 'https://otherproject.supabase.co/auth/v1/.well-known/jwks.json',
        AUTH_JWT_ISSUER: `${PROJECT}/auth/v1/`,
        AUTH_JWT_AUDIENCE: 'anon',
      }),
    ).toEqual([
      'AUTH_JWKS_URL: is "https://otherproject.supabase.co/auth/v1/.well-known/jwks.json", but SUPABASE_URL implies ' +
        `"${PROJECT}/auth/v1/.well-known/jwks.json"; leave AUTH_JWKS_URL unset (SUPABASE_URL sets it), or unset SUPABASE_URL for another issuer`,
      `AUTH_JWT_ISSUER: is "${PROJECT}/auth/v1/", but SUPABASE_URL implies "${PROJECT}/auth/v1"; ` +
        'leave AUTH_JWT_ISSUER unset (SUPABASE_URL sets it), or unset SUPABASE_URL for another issuer',
      'AUTH_JWT_AUDIENCE: is "anon", but SUPABASE_URL implies "authenticated"; ' +
        'leave AUTH_JWT_AUDIENCE unset (SUPABASE_URL sets it), or unset SUPABASE_URL for another issuer',
    ]);
    expect(problemsOf({ SUPABASE_URL: PROJECT, AUTH_JWT_ISSUER: 'https://issuer.example' })).toHaveLength(1);
  });

  it.each([
    ['abcdefghijklmnop.supabase.co', 'Invalid URL'],
    ['http://abcdefghijklmnop.supabase.co', 'must be an https URL (http only for localhost)'],
    ['ftp://abcdefghijklmnop.supabase.co', 'must be an https URL (http only for localhost)'],
    [`${PROJECT}/auth/v1`, 'must be the project URL (https://<project>.supabase.co), without /auth/v1'],
    [`${PROJECT}/auth/v1/`, 'must be the project URL (https://<project>.supabase.co), without /auth/v1'],
    [`${PROJECT}?apikey=x`, 'must be a plain project URL, without credentials, query or fragment'],
    [
      'https://user:secret@abcdefghijklmnop.supabase.co',
      'must be a plain project URL, without credentials, query or fragment',
    ],
  ])('refuses %s', (url, problem) => {
    expect(problemsOf({ SUPABASE_URL: url })).toEqual([`SUPABASE_URL: ${problem}`]);
  });

  it('leaves the AUTH_ variables as they are when unset (empty counts as unset)', () => {
    expect(authOf({ SUPABASE_URL: '' })).toEqual({
      SUPABASE_URL: undefined,
      AUTH_JWKS_URL: undefined,
      AUTH_JWT_ISSUER: undefined,
      AUTH_JWT_AUDIENCE: 'authenticated',
    });
    expect(
      authOf({
        AUTH_JWKS_URL: 'https://issuer.example/jwks.json',
        AUTH_JWT_ISSUER: 'https://issuer.example',
        AUTH_JWT_AUDIENCE: 'photospots',
      }),
    ).toEqual({
      SUPABASE_URL: undefined,
      AUTH_JWKS_URL: 'https://issuer.example/jwks.json',
      AUTH_JWT_ISSUER: 'https://issuer.example',
      AUTH_JWT_AUDIENCE: 'photospots',
    });
  });
});
