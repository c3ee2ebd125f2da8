import { describe, expect, it } from 'vitest';
import { rejectionOf } from '../testing/errors.ts';
import { createBearerTokens, type IssuedToken } from './bearer-token.ts';
import { LmsApiError } from './client.ts';

const MINUTE = 60 * 1000;

/** A token source on a fake clock: each issue answers the next numbered token, or the next queued failure. */
function setup(options: { lifetimeMs?: number; renewEarlyMs?: number; refusalMemoryMs?: number } = {}) {
  let clock = 1_000_000;
  let issued = 0;
  const failures: unknown[] = [];
  const tokens = createBearerTokens({
    issue: async (): Promise<IssuedToken> => {
      issued += 1;
      const failure = failures.shift();
      if (failure !== undefined) throw failure;
      return { value: `token-${issued}`, lifetimeMs: options.lifetimeMs ?? 60 * MINUTE };
    },
    renewEarlyMs: options.renewEarlyMs ?? 5 * MINUTE,
    ...(options.refusalMemoryMs === undefined ? {} : { refusalMemoryMs: options.refusalMemoryMs }),
    now: () => clock,
  });
  return {
    tokens,
    issued: () => issued,
    advance: (ms: number) => (clock += ms),
    failNext: (error: unknown) => failures.push(error),
  };
}

const unauthorized = () => new LmsApiError('401', { status: 401 });

describe('createBearerTokens', () => {
  it('fetches one token for every request that asks at once, and keeps it', async () => {
    const { tokens, issued } = setup();
    const values = await Promise.all([tokens.current(), tokens.current(), tokens.current()]);
    expect(values.map((token) => token.value)).toEqual(['token-1', 'token-1', 'token-1']);
    expect((await tokens.current()).value).toBe('token-1');
    expect(issued()).toBe(1);
  });

  it('renews early, once however many requests notice it', async () => {
    const { tokens, issued, advance } = setup({ lifetimeMs: 60 * MINUTE, renewEarlyMs: 5 * MINUTE });
    const first = await tokens.current();
    expect(first.expiresAt).toBe(1_000_000 + 55 * MINUTE);
    advance(55 * MINUTE - 1);
    expect((await tokens.current()).value).toBe('token-1');
    advance(1);
    const renewed = await Promise.all([tokens.current(), tokens.current(), tokens.current()]);
    expect(renewed.map((token) => token.value)).toEqual(['token-2', 'token-2', 'token-2']);
    expect(issued()).toBe(2);
  });

  it('keeps a token shorter-lived than the margin for half its life', async () => {
    const { tokens, advance } = setup({ lifetimeMs: 4 * MINUTE, renewEarlyMs: 5 * MINUTE });
    await tokens.current();
    advance(2 * MINUTE - 1);
    expect((await tokens.current()).value).toBe('token-1');
    advance(1);
    expect((await tokens.current()).value).toBe('token-2');
  });

  it('renews a refused token once for every request that saw it refused', async () => {
    const { tokens, issued } = setup();
    const stale = await tokens.current();
    const renewed = await Promise.all([tokens.renew(stale.value), tokens.renew(stale.value)]);
    expect(renewed.map((token) => token.value)).toEqual(['token-2', 'token-2']);
    // A request that still held the old token gets the new one, not a third.
    expect((await tokens.renew(stale.value)).value).toBe('token-2');
    expect(issued()).toBe(2);
  });

  it('does not keep a failed fetch: the next request tries again', async () => {
    const { tokens, issued, failNext } = setup();
    failNext(new LmsApiError('down', { status: 503 }));
    expect((await rejectionOf(LmsApiError, tokens.current())).status).toBe(503);
    expect((await tokens.current()).value).toBe('token-2');
    expect(issued()).toBe(2);
  });

  it('answers refused credentials from memory for a while, then asks again', async () => {
    const { tokens, issued, advance, failNext } = setup({ refusalMemoryMs: MINUTE });
    failNext(new LmsApiError('refused', { status: 401 }));
    const refused = await rejectionOf(LmsApiError, tokens.current());
    expect(await rejectionOf(LmsApiError, tokens.current())).toBe(refused);
    advance(MINUTE - 1);
    expect(await rejectionOf(LmsApiError, tokens.current())).toBe(refused);
    expect(issued()).toBe(1);
    advance(1);
    expect((await tokens.current()).value).toBe('token-2');
  });

  it('remembers refusals for a minute by default', async () => {
    const { tokens, issued, advance, failNext } = setup();
    failNext(new LmsApiError('refused', { status: 403 }));
    await rejectionOf(LmsApiError, tokens.current());
    advance(MINUTE - 1);
    await rejectionOf(LmsApiError, tokens.current());
    advance(1);
    expect((await tokens.current()).value).toBe('token-2');
    expect(issued()).toBe(2);
  });

  it('sends once more with a renewed token after a 401, and lets a second 401 stand', async () => {
    const { tokens, issued } = setup();
    const seen: string[] = [];
    const answer = await tokens.send(async (token) => {
      seen.push(token);
      if (token === 'token-1') throw unauthorized();
      return 'ok';
    });
    expect(answer).toBe('ok');
    expect(seen).toEqual(['token-1', 'token-2']);

    const always = await rejectionOf(
      LmsApiError,
      tokens.send(async () => {
        throw unauthorized();
      }),
    );
    expect(always.status).toBe(401);
    expect(issued()).toBe(3);
  });

  it('passes any other failure through without renewing', async () => {
    const { tokens, issued } = setup();
    const error = await rejectionOf(
      LmsApiError,
      tokens.send(async () => {
        throw new LmsApiError('forbidden', { status: 403 });
      }),
    );
    expect(error.status).toBe(403);
    expect(issued()).toBe(1);
  });
});
