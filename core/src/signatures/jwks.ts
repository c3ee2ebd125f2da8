import { createPublicKey, verify as verifySignature } from 'node:crypto';
import { z } from 'zod';
import { SignatureError } from '../errors.ts';

/**
 * Compact JWTs signed with a key from a published JSON Web Key Set (RFC 7515, 7517, 7519), checked
 * as pure functions: the key set is data the caller fetched (http/key-sets.ts), the clock is the
 * request's receive time. Only the algorithms a caller names are accepted, so `alg: none` and an
 * HS256 token whose "secret" is the public key (the classic algorithm confusion) are refused
 * before any key is touched; only RSA PKCS#1 v1.5 with SHA-256 (RS256) is implemented, the one
 * algorithm our one sender (Canvas Live Events) uses.
 */

/** One JWK as a key set lists it; fields beyond these (n, e, x5c, ...) are read by node:crypto. */
const JsonWebKey = z.looseObject({ kty: z.string(), kid: z.string().optional(), alg: z.string().optional(), use: z.string().optional() });

export const JsonWebKeySet = z.looseObject({ keys: z.array(JsonWebKey) });
export type JsonWebKeySet = z.infer<typeof JsonWebKeySet>;

export type JwtAlgorithm = 'RS256';

export interface JwtOptions {
  algorithms: readonly JwtAlgorithm[];
  /** The clock exp and nbf are judged by: the request's receive time. */
  at: Date;
  /** Clock skew allowed on exp and nbf, in seconds (60 by default, as most JWT libraries). */
  leewaySeconds?: number;
}

const COMPACT_JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** Whether `text` has the shape of a compact JWS: three base64url parts, the signature not empty. */
export const isCompactJwt = (text: string): boolean => COMPACT_JWT.test(text);

function jsonPart(part: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch (error) {
    throw new SignatureError(`The JWT's ${what} is not base64url-encoded JSON.`, { cause: error });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new SignatureError(`The JWT's ${what} is not a JSON object.`);
  return Object.fromEntries(Object.entries(value));
}

function partsOf(token: string): [string, string, string] {
  const [header, payload, signature, ...rest] = token.split('.');
  if (!isCompactJwt(token) || header === undefined || payload === undefined || signature === undefined || rest.length) {
    throw new SignatureError('The body is not a compact JWT (three base64url parts separated by dots).');
  }
  return [header, payload, signature];
}

/**
 * The key id a token names in its header, once its algorithm is one of `algorithms`: what a caller
 * needs to find (or fetch) the key before verifying. Throws SignatureError (401).
 */
export function jwtKeyId(token: string, algorithms: readonly JwtAlgorithm[]): string {
  const header = jsonPart(partsOf(token)[0], 'header');
  const alg = header.alg;
  if (typeof alg !== 'string' || !algorithms.some((allowed) => allowed === alg)) {
    throw new SignatureError(`The JWT is signed with ${JSON.stringify(alg ?? null)}; only ${algorithms.join(', ')} is accepted.`);
  }
  // RFC 7515 §4.1.11: a critical extension the receiver does not understand makes the JWS invalid.
  if (header.crit !== undefined) throw new SignatureError('The JWT header names critical extensions ("crit"), which are not supported.');
  if (typeof header.kid !== 'string' || header.kid === '') throw new SignatureError('The JWT header names no key ("kid"), so no published key can check it.');
  return header.kid;
}

/** The token's claims, decoded without checking anything: for a caller that has verified it already. */
export function jwtPayloadBytes(token: string): Buffer {
  return Buffer.from(partsOf(token)[1], 'base64url');
}

function checkTimes(claims: Record<string, unknown>, options: JwtOptions): void {
  const now = options.at.getTime() / 1000;
  const leeway = options.leewaySeconds ?? 60;
  if (claims.exp !== undefined) {
    if (typeof claims.exp !== 'number') throw new SignatureError('The JWT\'s "exp" claim is not a number of seconds.');
    if (now > claims.exp + leeway) throw new SignatureError(`The JWT expired at ${new Date(claims.exp * 1000).toISOString()}.`);
  }
  if (claims.nbf !== undefined) {
    if (typeof claims.nbf !== 'number') throw new SignatureError('The JWT\'s "nbf" claim is not a number of seconds.');
    if (now < claims.nbf - leeway) throw new SignatureError(`The JWT is not valid before ${new Date(claims.nbf * 1000).toISOString()}.`);
  }
}

/**
 * Verifies a compact JWT against `keys` and answers its claims: the algorithm must be one of
 * `options.algorithms`, the header's kid must name an RSA signing key in the set, the signature
 * must hold over the exact header.payload bytes, and exp / nbf, when the token has them, must hold
 * at `options.at`. Throws SignatureError (401) saying which check failed.
 */
export function verifyJwt(token: string, keys: JsonWebKeySet, options: JwtOptions): Record<string, unknown> {
  const kid = jwtKeyId(token, options.algorithms);
  const [header, payload, signature] = partsOf(token);
  const jwk = keys.keys.find((candidate) => candidate.kid === kid);
  if (!jwk) throw new SignatureError(`The JWT is signed with key "${kid}", which the key set does not list.`);
  if (jwk.kty !== 'RSA' || (jwk.alg !== undefined && jwk.alg !== 'RS256') || (jwk.use !== undefined && jwk.use !== 'sig')) {
    throw new SignatureError(`Key "${kid}" in the key set is not an RS256 signing key.`);
  }
  let publicKey: ReturnType<typeof createPublicKey>;
  try {
    publicKey = createPublicKey({ key: jwk, format: 'jwk' });
  } catch (error) {
    throw new SignatureError(`Key "${kid}" in the key set is not a usable RSA public key.`, { cause: error });
  }
  const valid = verifySignature('sha256', Buffer.from(`${header}.${payload}`), publicKey, Buffer.from(signature, 'base64url'));
  if (!valid) throw new SignatureError(`The JWT's signature does not match key "${kid}": the body was changed or signed by someone else.`);
  const claims = jsonPart(payload, 'payload');
  checkTimes(claims, options);
  return claims;
}
