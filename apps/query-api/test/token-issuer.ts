import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

/** Where Supabase Auth serves a project's signing keys, relative to the project URL. */
export const JWKS_PATH = '/auth/v1/.well-known/jwks.json';

export type IssuerAlg = 'ES256' | 'RS256';

export interface TokenIssuer {
  /** http://127.0.0.1:<port>: the "project URL" of the stand-in. */
  origin: string;
  /** `${origin}${JWKS_PATH}`; every other path answers 404. */
  jwksUrl: string;
  /** Private keys whose public halves the JWKS serves, with kids `key-es256` and `key-rs256`. */
  keys: Record<IssuerAlg, CryptoKey>;
  /** Paths of the requests the server answered, in order. */
  requests: string[];
  /** A compact JWS of exactly `payload`, signed with the key of `alg` (default ES256) or another `key`. */
  sign(payload: JWTPayload, options?: { alg?: IssuerAlg; kid?: string; key?: CryptoKey }): Promise<string>;
  close(): Promise<void>;
}

/**
 * A stand-in for a token issuer's key server, such as Supabase Auth's: an ES256 and an RS256 key (the
 * asymmetric algorithms Supabase signs with) published as a JWKS on 127.0.0.1, and a signer for tokens.
 */
export async function startTokenIssuer(): Promise<TokenIssuer> {
  const keys = {} as Record<IssuerAlg, CryptoKey>;
  const jwks: JWK[] = [];
  for (const alg of ['ES256', 'RS256'] as const) {
    const pair = await generateKeyPair(alg, { extractable: true });
    keys[alg] = pair.privateKey;
    jwks.push({ ...(await exportJWK(pair.publicKey)), kid: kidOf(alg), alg, use: 'sig' });
  }
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url !== JWKS_PATH) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: jwks }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    jwksUrl: `${origin}${JWKS_PATH}`,
    keys,
    requests,
    sign: (payload, { alg = 'ES256', kid = kidOf(alg), key = keys[alg] } = {}) =>
      new SignJWT(payload).setProtectedHeader({ alg, kid, typ: 'JWT' }).sign(key),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // The verifier's fetch keeps its connection alive; close would wait for it.
        server.closeAllConnections();
      }),
  };
}

const kidOf = (alg: IssuerAlg) => `key-${alg.toLowerCase()}`;
