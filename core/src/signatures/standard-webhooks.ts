import { type KeyObject, randomBytes } from 'node:crypto';
import { SignatureError } from '../errors.ts';
import { digestsEqual } from './constant-time.ts';
import { hmacKey, hmacSha256 } from './hmac.ts';

/**
 * Standard Webhooks (https://www.standardwebhooks.com/): what learnhook signs its deliveries with,
 * and what the `standard` vendor adapter accepts. Works on the raw body bytes only.
 */

const SECRET_PREFIX = 'whsec_';
/** Verifiers reject timestamps further than this from now, in either direction (the spec's 5 minutes). */
export const TIMESTAMP_TOLERANCE_SECONDS = 5 * 60;

export interface StandardWebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** A new `whsec_` secret: 32 random bytes, base64. */
export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64');
}

/** The key bytes behind a `whsec_` secret (a secret without the prefix is taken as base64 too). */
export function secretKey(secret: string): KeyObject {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const key = hmacKey(encoded, 'base64');
  if (key.symmetricKeySize === 0) throw new TypeError('The webhook secret is empty or not base64.');
  return key;
}

function signature(key: KeyObject, id: string, timestamp: string, body: Uint8Array | string): string {
  return hmacSha256(key, `${id}.${timestamp}.`, body).toString('base64');
}

/**
 * The three headers for one delivery attempt. `timestampSeconds` is unix time in seconds. Each of
 * `previousSecrets` adds a space-separated signature, so a receiver still holding a rotated-out
 * secret keeps verifying during the overlap (the spec's key rotation).
 */
export function signStandardWebhook(input: {
  id: string;
  timestampSeconds: number;
  body: Uint8Array | string;
  secret: string;
  previousSecrets?: readonly string[];
}): StandardWebhookHeaders {
  const timestamp = String(Math.floor(input.timestampSeconds));
  const signatures = [input.secret, ...(input.previousSecrets ?? [])].map((secret) => `v1,${signature(secretKey(secret), input.id, timestamp, input.body)}`);
  return { 'webhook-id': input.id, 'webhook-timestamp': timestamp, 'webhook-signature': signatures.join(' ') };
}

/**
 * Checks a Standard Webhooks request. Accepts any one of several space-separated signatures
 * (key rotation) and any of several secrets; throws SignatureError saying what was wrong.
 */
export function verifyStandardWebhook(input: {
  headers: Readonly<Record<string, string | undefined>>;
  body: Uint8Array | string;
  secrets: readonly string[];
  nowSeconds: number;
  toleranceSeconds?: number;
}): { id: string; timestampSeconds: number } {
  const id = input.headers['webhook-id'];
  const timestamp = input.headers['webhook-timestamp'];
  const signatures = input.headers['webhook-signature'];
  if (!id || !timestamp || !signatures) {
    throw new SignatureError('Missing webhook-id, webhook-timestamp or webhook-signature header.');
  }
  if (!/^\d+$/.test(timestamp)) throw new SignatureError('webhook-timestamp is not unix seconds.');
  const timestampSeconds = Number(timestamp);
  const tolerance = input.toleranceSeconds ?? TIMESTAMP_TOLERANCE_SECONDS;
  if (Math.abs(input.nowSeconds - timestampSeconds) > tolerance) {
    throw new SignatureError('webhook-timestamp is too old or too new.');
  }
  const offered = signatures
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .map((entry) => entry.slice(3));
  for (const secret of input.secrets) {
    const expected = signature(secretKey(secret), id, timestamp, input.body);
    if (offered.some((candidate) => digestsEqual(candidate, expected))) return { id, timestampSeconds };
  }
  throw new SignatureError('No webhook-signature matches the body.');
}
