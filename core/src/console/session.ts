import { createHash, randomBytes } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { AuthenticationError, ForbiddenError } from '../errors.ts';
import type { AccountStore, ConsoleRole, ConsoleSession, ConsoleUser } from '../store/sql/accounts.ts';

/**
 * Console sign-in sessions: a random token in an HttpOnly, SameSite=Strict cookie (Secure when the
 * hub's public URL is https), stored hashed with an absolute expiry; each session has its own CSRF
 * token. Forms shown before there is a session (sign-in, setup, invitation) use a second cookie as
 * a double-submit token.
 */

export const SESSION_COOKIE = 'lh_session';
export const FORM_COOKIE = 'lh_form';

export interface SignedIn {
  user: ConsoleUser;
  session: ConsoleSession;
}

export interface SessionOptions {
  accounts: AccountStore;
  now: () => number;
  ttlMs: number;
  secureCookies: boolean;
}

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('base64url');

export function cookiesOf(req: Request): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0) cookies.set(part.slice(0, at).trim(), decodeURIComponent(part.slice(at + 1).trim()));
  }
  return cookies;
}

export function signedInOf(res: Response): SignedIn | null {
  const value: unknown = res.locals.signedIn;
  return value ? (value as SignedIn) : null;
}

/** The signed-in person, for handlers behind requireSignedIn. */
export function userOf(res: Response): ConsoleUser {
  const signedIn = signedInOf(res);
  if (!signedIn) throw new AuthenticationError('Sign in to the console first.');
  return signedIn.user;
}

export const isAdmin = (role: ConsoleRole): boolean => role === 'owner' || role === 'admin';

export function createSessions(options: SessionOptions) {
  const cookie = (res: Response, name: string, value: string, maxAgeMs: number) =>
    res.cookie(name, value, { httpOnly: true, sameSite: 'strict', secure: options.secureCookies, path: '/', maxAge: maxAgeMs });

  /** Reads the session cookie on every console request; an unknown or expired one is simply no session. */
  const load: RequestHandler = async (req, res, next) => {
    const token = cookiesOf(req).get(SESSION_COOKIE);
    if (token) {
      const session = await options.accounts.getSession(hashToken(token), options.now());
      const user = session ? await options.accounts.getUser(session.user_id) : null;
      if (session && user) res.locals.signedIn = { user, session } satisfies SignedIn;
    }
    next();
  };

  return {
    load,
    async start(res: Response, user: ConsoleUser): Promise<void> {
      const token = randomBytes(32).toString('base64url');
      const now = options.now();
      await options.accounts.insertSession({
        id_hash: hashToken(token),
        user_id: user.id,
        csrf: randomBytes(24).toString('base64url'),
        created_at: now,
        expires_at: now + options.ttlMs,
      });
      await options.accounts.updateUser(user.id, { last_sign_in_at: now });
      cookie(res, SESSION_COOKIE, token, options.ttlMs);
    },
    async end(req: Request, res: Response): Promise<void> {
      const token = cookiesOf(req).get(SESSION_COOKIE);
      if (token) await options.accounts.deleteSession(hashToken(token));
      res.clearCookie(SESSION_COOKIE, { path: '/' });
    },
    /** The double-submit token for a form shown without a session; set once per browser. */
    formToken(req: Request, res: Response): string {
      const existing = cookiesOf(req).get(FORM_COOKIE);
      if (existing && /^[\w-]{20,}$/.test(existing)) return existing;
      const token = randomBytes(24).toString('base64url');
      cookie(res, FORM_COOKIE, token, 24 * 3600_000);
      return token;
    },
  };
}

export type Sessions = ReturnType<typeof createSessions>;

/** Pages for signed-in people: others go to the sign-in page (and come back afterwards). */
export const requireSignedIn: RequestHandler = (req, res, next) => {
  if (signedInOf(res)) return next();
  if (req.method === 'GET') return res.redirect(303, `/sign-in?next=${encodeURIComponent(req.originalUrl)}`);
  throw new AuthenticationError('Your session has ended; sign in again.');
};

/** What only an admin may do: every state-changing action except a person's own password and sign-out. */
export const requireAdmin: RequestHandler = (_req, res, next) => {
  if (!isAdmin(userOf(res).role)) throw new ForbiddenError('Your account can look but not change things; ask an admin of this hub.');
  next();
};
