import { createHash } from 'node:crypto';
import type { Request } from 'express';
import type { SandboxData, SandboxEnrollment, SandboxUser } from '../demo-data.ts';

/**
 * What every emulated API does alike: reading requests as the real APIs do, keying the rate
 * limit by credential, and the facts of the sandbox's data they all present.
 */

export type RequestHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** A request header's first value. */
export function header(headers: RequestHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The token of an Authorization header written with one of `schemes` ("Bearer <token>"); null for anything else. */
export function tokenOf(value: string | undefined, schemes: readonly string[] = ['Bearer']): string | null {
  if (!value) return null;
  return new RegExp(`^(?:${schemes.join('|')})\\s+(\\S+)\\s*$`, 'i').exec(value)?.[1] ?? null;
}

/**
 * The query as the API reads it, with bracketed names kept whole (`filter[email]`, `page[limit]`):
 * read from the URL itself, so it does not depend on which query parser the hosting express app is set to.
 */
export function queryOf(req: Request): URLSearchParams {
  return new URL(req.originalUrl, 'http://sandbox.invalid').searchParams;
}

/** The rate limiter's key for a credential: `prefix` and a hash of the secret, so no secret sits in the limiter's memory. */
export function callerKey(prefix: string, secret: string): string {
  return `${prefix}:${createHash('sha256').update(secret).digest('hex').slice(0, 16)}`;
}

/** A user's name as one string, for the LMSs that keep one name per user. */
export function fullName(user: SandboxUser): string {
  return `${user.first_name} ${user.last_name}`.trim();
}

/** The name of the user's department; null when the user has none. */
export function departmentOf(data: SandboxData, user: SandboxUser): string | null {
  return data.departments.find((department) => department.id === user.department_id)?.name ?? null;
}

/** Whether the learner has begun the course: the emulators give such an enrollment a start date. */
export function hasStarted(enrollment: SandboxEnrollment): boolean {
  return enrollment.status === 'in_progress' || enrollment.status === 'completed' || enrollment.progress > 0;
}
