import { createHash } from 'node:crypto';

/**
 * The envelope id, derived from the connection and the vendor's own event identity, so a vendor's
 * retry of the same event gets the same id (and the store stores it once).
 */
export function eventId(connection: string, dedupeKey: string): string {
  const digest = createHash('sha256').update(connection).update('\0').update(dedupeKey).digest('base64url');
  return `evt_${digest.slice(0, 26)}`;
}

/** A dedupe key for vendors that send no event id: the hash of the exact body bytes plus a position. */
export function bodyDigest(body: Uint8Array): string {
  return createHash('sha256').update(body).digest('base64url');
}
