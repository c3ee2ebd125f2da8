import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SignatureError } from '../errors.ts';
import { type JsonWebKeySet, jwtKeyId, verifyJwt } from './jwks.ts';

const AT = new Date('2026-11-20T14:03:11Z');
const NOW = AT.getTime() / 1000;

const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const publicJwk = { ...pair.publicKey.export({ format: 'jwk' }), kty: 'RSA', kid: 'current', alg: 'RS256', use: 'sig' };
const KEYS: JsonWebKeySet = { keys: [{ ...other.publicKey.export({ format: 'jwk' }), kty: 'RSA', kid: 'previous' }, publicJwk] };

const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function token(claims: Record<string, unknown>, header: Record<string, unknown> = { alg: 'RS256', kid: 'current' }, key = pair.privateKey): string {
  const input = `${part(header)}.${part(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

const CLAIMS = { metadata: { event_name: 'course_completed' }, body: {}, iat: NOW - 5 };
const verified = (jwt: string) => verifyJwt(jwt, KEYS, { algorithms: ['RS256'], at: AT });
const refusal = (jwt: string) => {
  try {
    verified(jwt);
  } catch (error) {
    expect(error).toBeInstanceOf(SignatureError);
    return (error as SignatureError).message;
  }
  throw new Error('the token was accepted');
};

describe('verifying a JWT against a key set', () => {
  it('answers the claims of a token signed RS256 with the key its kid names', () => {
    expect(verified(token(CLAIMS))).toEqual(CLAIMS);
    expect(jwtKeyId(token(CLAIMS), ['RS256'])).toBe('current');
  });

  it('refuses a token whose claims were changed after signing', () => {
    const [header, , signature] = token(CLAIMS).split('.');
    expect(refusal(`${header}.${part({ ...CLAIMS, body: { grade: 'A' } })}.${signature}`)).toMatch(/signature does not match key "current"/);
  });

  it('refuses a token signed by another key under the published kid', () => {
    expect(refusal(token(CLAIMS, { alg: 'RS256', kid: 'current' }, other.privateKey))).toMatch(/does not match/);
  });

  it('refuses a kid the set does not list, and a token naming no kid', () => {
    expect(refusal(token(CLAIMS, { alg: 'RS256', kid: 'next-month' }))).toMatch(/key "next-month", which the key set does not list/);
    expect(refusal(token(CLAIMS, { alg: 'RS256' }))).toMatch(/names no key/);
  });

  it('refuses an expired token and one not valid yet, allowing a minute of clock skew', () => {
    expect(refusal(token({ ...CLAIMS, exp: NOW - 61 }))).toMatch(/expired/);
    expect(verified(token({ ...CLAIMS, exp: NOW - 59 }))).toMatchObject({ exp: NOW - 59 });
    expect(refusal(token({ ...CLAIMS, nbf: NOW + 120 }))).toMatch(/not valid before/);
  });

  it('refuses alg "none" with no signature to check', () => {
    const unsigned = `${part({ alg: 'none', kid: 'current' })}.${part(CLAIMS)}.`;
    expect(() => verified(unsigned)).toThrow(SignatureError);
    expect(refusal(`${part({ alg: 'none', kid: 'current' })}.${part(CLAIMS)}.c2ln`)).toMatch(/signed with "none"; only RS256/);
  });

  it('refuses HS256 keyed with the published public key (algorithm confusion)', () => {
    const input = `${part({ alg: 'HS256', kid: 'current' })}.${part(CLAIMS)}`;
    const secret = pair.publicKey.export({ format: 'pem', type: 'spki' });
    const forged = `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
    expect(refusal(forged)).toMatch(/signed with "HS256"; only RS256/);
  });

  it('refuses a kid that names a key of another type or use, and critical header extensions', () => {
    const keys: JsonWebKeySet = { keys: [{ ...publicJwk, use: 'enc' }] };
    expect(() => verifyJwt(token(CLAIMS), keys, { algorithms: ['RS256'], at: AT })).toThrow(/not an RS256 signing key/);
    expect(refusal(token(CLAIMS, { alg: 'RS256', kid: 'current', crit: ['b64'] }))).toMatch(/critical extensions/);
  });

  it('refuses what is no compact JWT', () => {
    expect(refusal('not.a-jwt')).toMatch(/not a compact JWT/);
    expect(refusal(`${Buffer.from('{oops').toString('base64url')}.${part(CLAIMS)}.c2ln`)).toMatch(/header is not base64url-encoded JSON/);
  });
});
