import { timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { ForbiddenError } from '../errors.ts';

/**
 * What every console answer carries. The CSP allows scripts and styles from the hub itself only:
 * no inline script, no eval, so markup smuggled into an LMS payload cannot run even if a template
 * forgot to escape it. No referrer leaves a page (setup and invitation links carry their token).
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const consoleHeaders: RequestHandler = (_req, res, next) => {
  res.set({
    'content-security-policy': CONSOLE_CSP,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
    'cross-origin-opener-policy': 'same-origin',
  });
  next();
};

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The CSRF token a request carries: the form field, or the header htmx sends. */
export function csrfTokenOf(req: Request): string {
  const body: unknown = req.body;
  const field = typeof body === 'object' && body !== null && '_csrf' in body ? body._csrf : undefined;
  return typeof field === 'string' ? field : (req.get('x-csrf-token') ?? '');
}

/**
 * Refuses a state-changing request whose token is not `expected` (the session's, or the sign-in
 * form's cookie before there is a session), and one a browser says came from another site.
 */
export function checkCsrf(req: Request, expected: string | undefined): void {
  if (SAFE_METHODS.has(req.method)) return;
  const site = req.get('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none') throw new ForbiddenError('This form was sent from another site; open the console and try again.');
  if (!expected || !sameToken(csrfTokenOf(req), expected))
    throw new ForbiddenError('This form has expired or did not come from the console; reload the page and try again.');
}
