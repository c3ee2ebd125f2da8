import type { RequestHandler, Response } from 'express';
import { AuthenticationError, ForbiddenError, RateLimitError } from '../errors.ts';
import { apiKeyMatches, hasScope, issuedKeyId, parseApiKey } from '../operations/api-keys.ts';
import type { ApiKeyRecord, ApiScope, Store } from '../store/store.ts';
import type { TokenBuckets } from '../token-buckets.ts';

/** Where the authenticated key is kept for the route handlers. */
export function callerOf(res: Response): ApiKeyRecord {
  const key: unknown = res.locals.apiKey;
  if (!key) throw new AuthenticationError();
  return key as ApiKeyRecord;
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;
/** last_used_at is a hint for admins, not an audit record: write it at most this often per key. */
const TOUCH_EVERY_MS = 60_000;

/**
 * Checks `Authorization: Bearer <key>` on every /v1 request: the key is read from the store each
 * time, so a revoked key is refused on its very next request, then rate limited per key, then
 * checked against the scopes the route needs. Only then is the body read (`body`): a caller who
 * may not call the route learns nothing from it, and the hub reads no body for them.
 *
 * Failed key checks are limited (`failures`): once a budget is used up, every request that would
 * spend it answers 429 without a key check, the right key included, so guessing gains nothing from
 * the answers (a chosen LEARNHOOK_API_KEY may be short enough to guess). A key in the form the hub
 * issues spends its key id's budget: Zapier's and n8n Cloud's requests come from shared addresses,
 * and one customer's mistyped key must not lock out the others there. Anything else (a chosen
 * key, whose id changes with every guess, or no key at all) spends its client address's budget.
 */
export function createAuth(options: { store: Store; limiter: TokenBuckets; failures: TokenBuckets; now: () => number; body: RequestHandler }) {
  const touched = new Map<string, number>();

  async function authenticate(token: string | undefined): Promise<ApiKeyRecord> {
    if (!token) throw new AuthenticationError('Send your learnhook API key as "Authorization: Bearer <key>".');
    const parsed = parseApiKey(token);
    const record = parsed ? await options.store.getApiKey(parsed.id) : null;
    if (!parsed || !record || !apiKeyMatches(record, parsed.secret)) {
      throw new AuthenticationError('The API key is not valid or has been revoked.');
    }
    return record;
  }

  return function requireScope(...scopes: ApiScope[]): RequestHandler {
    return async (req, res, next) => {
      const token = BEARER.exec(req.get('authorization') ?? '')?.[1];
      const keyId = token === undefined ? null : issuedKeyId(token);
      const budget = keyId === null ? `address:${req.ip ?? ''}` : `key:${keyId}`;
      const lockedMs = options.failures.wait(budget);
      if (lockedMs > 0) throw new RateLimitError(Math.ceil(lockedMs / 1000));
      const record = await authenticate(token).catch((error: unknown) => {
        // Only a refused key spends the budget, not a store that failed to answer.
        if (error instanceof AuthenticationError) options.failures.take(budget);
        throw error;
      });
      const waitMs = options.limiter.take(record.id);
      if (waitMs > 0) throw new RateLimitError(Math.ceil(waitMs / 1000));
      if (scopes.length && !hasScope(record.scopes, scopes)) {
        throw new ForbiddenError(`This API key (scopes: ${record.scopes.join(', ')}) may not do this; it needs the ${scopes.join(' or ')} scope.`);
      }
      res.locals.apiKey = record;
      const now = options.now();
      if (now - (touched.get(record.id) ?? 0) > TOUCH_EVERY_MS) {
        touched.set(record.id, now);
        void options.store.touchApiKey(record.id, now).catch(() => touched.delete(record.id));
      }
      options.body(req, res, next);
    };
  };
}
