import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';

/**
 * HMAC-SHA256 of the raw bytes, never of a re-serialised body. Several parts are signed as their
 * concatenation, without copying them into one buffer first (a delivery's signature covers its id,
 * timestamp and body: 5 -> 2.7 µs for a 1 KB body).
 */
export function hmacSha256(key: KeyObject | Uint8Array | string, ...parts: Array<Uint8Array | string>): Buffer {
  const hmac = createHmac('sha256', key);
  for (const part of parts) hmac.update(part);
  return hmac.digest();
}

const KEYS_KEPT = 1000;
const keys = new Map<string, KeyObject>();

/**
 * A reusable HMAC key for a secret given as text: createHmac with a Buffer key costs about four
 * times one with a KeyObject (measured: 9 vs 2 µs), and the same few secrets sign and verify
 * every request. Bounded, so a stream of distinct secrets cannot grow it.
 */
export function hmacKey(secret: string, encoding: 'utf8' | 'base64'): KeyObject {
  const id = `${encoding}:${secret}`;
  let key = keys.get(id);
  if (!key) {
    key = createSecretKey(Buffer.from(secret, encoding));
    if (keys.size >= KEYS_KEPT) keys.delete(keys.keys().next().value ?? '');
    keys.set(id, key);
  }
  return key;
}

const HEX = /^(?:[0-9a-fA-F]{2})+$/;

/** Decodes hex of either case; null when the text is not whole bytes of hex. */
export function decodeHex(text: string): Buffer | null {
  return HEX.test(text) ? Buffer.from(text, 'hex') : null;
}
