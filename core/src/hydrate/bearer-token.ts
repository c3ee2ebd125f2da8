import { LmsApiError } from './client.ts';
import { isRefusal } from './http-json.ts';

/**
 * The one bearer token of a connection, for LMS APIs that hand out tokens (Absorb's
 * /authenticate, ALM's OAuth refresh). A client (one per connection, see client-registry.ts)
 * fetches it on first use and every request shares it, because a new token may cancel the last
 * (Absorb) or count against a limit. It is renewed once per expiry or 401 however many requests
 * notice it at the same moment, a little before it runs out so no request meets the expiry, and
 * refused credentials are remembered for a while, so a wrong password does not become a login
 * attempt per event (and perhaps a locked admin account).
 */

/** A token as the LMS issued it: its value and how long the LMS says it lives. */
export interface IssuedToken {
  value: string;
  lifetimeMs: number;
}

export interface BearerToken {
  value: string;
  /** When to stop using it: the LMS's expiry less the early-renewal margin. */
  expiresAt: number;
}

export interface BearerTokenOptions {
  /** Asks the LMS for a new token (logs in, refreshes); throws LmsApiError when it will not. */
  issue: () => Promise<IssuedToken>;
  /**
   * How long before the LMS's expiry the token is renewed. A short-lived token is kept for at
   * least half its life, so a margin larger than the lifetime does not renew on every request.
   */
  renewEarlyMs: number;
  /** How long refused credentials are answered from memory instead of asked again; a minute by default. */
  refusalMemoryMs?: number;
  now?: () => number;
}

export interface BearerTokens {
  /** A token that should still be valid, fetching one when there is none yet or it is due for renewal. */
  current(): Promise<BearerToken>;
  /** A new token after the LMS refused `stale`, shared with every other request that saw it refused. */
  renew(stale: string): Promise<BearerToken>;
  /**
   * Sends a request with the current token; on a 401 (expired, revoked, or cancelled by a newer
   * token) once more with a renewed one. A second 401 stands.
   */
  send<T>(request: (token: string) => Promise<T>): Promise<T>;
}

const REFUSAL_MEMORY_MS = 60 * 1000;

export function createBearerTokens(options: BearerTokenOptions): BearerTokens {
  const now = options.now ?? Date.now;
  const refusalMemoryMs = options.refusalMemoryMs ?? REFUSAL_MEMORY_MS;
  let held: Promise<BearerToken> | null = null;
  let refusal: { error: LmsApiError; until: number } | null = null;

  function fetchNew(): Promise<BearerToken> {
    if (refusal && refusal.until > now()) return Promise.reject(refusal.error);
    const attempt: Promise<BearerToken> = options.issue().then(
      ({ value, lifetimeMs }) => ({ value, expiresAt: now() + Math.max(lifetimeMs - options.renewEarlyMs, lifetimeMs / 2) }),
      (error: unknown) => {
        // A failed attempt is not kept: the next request tries again (unless the credentials were refused).
        if (held === attempt) held = null;
        if (isRefusal(error)) refusal = { error, until: now() + refusalMemoryMs };
        throw error;
      },
    );
    held = attempt;
    return attempt;
  }

  async function current(): Promise<BearerToken> {
    const pending = held ?? fetchNew();
    const token = await pending;
    if (token.expiresAt > now()) return token;
    // The first to notice the expiry renews; the rest share its new token.
    return held !== null && held !== pending ? held : fetchNew();
  }

  async function renew(stale: string): Promise<BearerToken> {
    const pending = held;
    if (pending) {
      const token = await pending;
      if (token.value !== stale) return token;
      if (held !== null && held !== pending) return held;
    }
    return fetchNew();
  }

  return {
    current,
    renew,
    async send(request) {
      const token = await current();
      try {
        return await request(token.value);
      } catch (error) {
        if (!(error instanceof LmsApiError) || error.status !== 401) throw error;
        return request((await renew(token.value)).value);
      }
    },
  };
}
