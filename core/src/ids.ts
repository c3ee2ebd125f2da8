import { randomBytes } from 'node:crypto';

/** Random, URL-safe, prefixed ids ("hook_…", "dlv_…"): the prefix tells a reader what an id names. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(15).toString('base64url')}`;
}

/** An unguessable token for a path segment (the ingest URL's credential): 256 bits. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}
