import { createHash } from 'node:crypto';
import { timePrefix } from '../ids.ts';

/**
 * The envelope id: the time the event happened, then a digest of the connection and the vendor's
 * own event identity. A vendor's retry of the same event gets the same id (the store stores it
 * once, deduping on the identity itself, so a retry whose time differs still finds the stored one),
 * and ids sort by time, which keeps the store's id index appending (ids.ts).
 */
export function eventId(connection: string, dedupeKey: string, occurredAt: number): string {
  const digest = createHash('sha256').update(connection).update('\0').update(dedupeKey).digest('base64url');
  return `evt_${timePrefix(occurredAt)}${digest.slice(0, 17)}`;
}

/** A dedupe key for vendors that send no event id: the hash of the exact body bytes plus a position. */
export function bodyDigest(body: Uint8Array): string {
  return createHash('sha256').update(body).digest('base64url');
}
