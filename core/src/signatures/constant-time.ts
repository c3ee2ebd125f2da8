import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares two secrets without leaking, through timing, how much of them matched.
 * Both sides are hashed first so that inputs of different lengths take the same path
 * (timingSafeEqual itself throws on a length mismatch, which would leak the length).
 */
export function constantTimeEqual(a: Uint8Array | string, b: Uint8Array | string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}
