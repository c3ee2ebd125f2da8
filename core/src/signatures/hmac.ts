import { createHmac } from 'node:crypto';

/** HMAC-SHA256 of the raw bytes, never of a re-serialised body. */
export function hmacSha256(key: Uint8Array | string, data: Uint8Array | string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

const HEX = /^(?:[0-9a-fA-F]{2})+$/;

/** Decodes hex of either case; null when the text is not whole bytes of hex. */
export function decodeHex(text: string): Buffer | null {
  return HEX.test(text) ? Buffer.from(text, 'hex') : null;
}
