import { createHash } from 'node:crypto';
import type { SandboxCourse, SandboxData, SandboxEnrollment, SandboxUser } from './demo-data.ts';

/**
 * What the sandbox LMS sends: each vendor's own wire format, ids and signature, as lean as the
 * real vendor is, so the hub's verification, mapping and hydration run exactly as in production.
 */

/** What an emitted event is about, resolved from the sandbox data. */
export interface Subject {
  user: SandboxUser;
  course: SandboxCourse;
  enrollment: SandboxEnrollment | null;
  data: SandboxData;
  /** Unique per emit: vendor event ids and correlation ids derive from it. */
  sequence: number;
  at: Date;
}

export interface WireRequest {
  /** Appended to the connection's ingest URL. */
  path: '' | '/xapi/statements';
  headers: Record<string, string>;
  body: string;
}

/** A connection's inbound settings, which say how to sign. */
export type Inbound = Record<string, unknown>;

/** One vendor's wire format: the request it would send for `event` about `subject`, signed with `inbound`. */
export type WireFormat = (event: string, subject: Subject, inbound: Inbound) => WireRequest;

export const JSON_TYPE = { 'content-type': 'application/json' };

/** A setting as text; empty when it is not a string. */
export const stringOf = (value: unknown): string => (typeof value === 'string' ? value : '');

/** The Basic Authorization header for `{ username, password }`; null without a username. */
export function basicFrom(credentials: unknown): string | null {
  if (typeof credentials !== 'object' || credentials === null) return null;
  const username = 'username' in credentials ? stringOf(credentials.username) : '';
  const password = 'password' in credentials ? stringOf(credentials.password) : '';
  return username ? `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` : null;
}

/** A UUID derived from a seed: stable for the same seed, so the webhooks and the emulated APIs name things alike. */
export function uuidFrom(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
