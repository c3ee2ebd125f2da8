import { OPERATIONS, type Operation } from '@learnhook/core';
import { ADMIN_KEY, eventually, fetchAnswer, startTestHub, type TestHub } from '@learnhook/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestFrom } from '../lib/abuse-fixtures.ts';
import { concretePath, label } from '../lib/api-routes.ts';
import { report } from './report.ts';

/**
 * Scenario 5 (issue 9), access: every route of the route table (OPERATIONS, which the OpenAPI
 * document is made from) called without a key, with a malformed, unknown or revoked key and with
 * a key of the wrong scope. A malformed JSON body rides along on every method that may carry one:
 * the key is checked before the body is read, so it must not turn a 401 into a 400.
 */

interface Case {
  who: string;
  authorization?: string;
  expected: 401 | 403;
}

const MALFORMED_BODY = '{"url": "http://127.0.0.1/x", "events": [';

let hub: TestHub;
const keys = { events: '', hooks: '', revoked: '' };

beforeAll(async () => {
  hub = await startTestHub();
  keys.events = await hub.createKey('--label', 'events-only', '--scope', 'events');
  keys.hooks = await hub.createKey('--label', 'hooks-only', '--scope', 'hooks');
  keys.revoked = await hub.createKey('--label', 'revoked', '--scope', 'admin');
  const me = await hub.api<{ key_id: string }>('GET', '/v1/me', undefined, keys.revoked);
  expect(me.status).toBe(200);
  expect(await hub.hub.store.revokeApiKey(me.body.key_id, Date.now())).toBe(true);
});
afterAll(() => hub.close());

const guarded = OPERATIONS.filter((operation) => operation.scope !== 'none');
const mayHaveBody = (operation: Operation) => operation.method !== 'get';

/** The keys this hub holds that lack every scope the operation needs (admin keys may do everything). */
function wrongScopeKeys(operation: Operation): Array<[string, string]> {
  if (operation.scope === 'none' || operation.scope === 'any key') return [];
  const needed: readonly string[] = typeof operation.scope === 'string' ? [operation.scope] : operation.scope;
  const held = { events: ['events'], hooks: ['hooks'] } as const;
  return (['events', 'hooks'] as const).filter((name) => !held[name].some((scope) => needed.includes(scope))).map((name) => [`${name}-only key`, keys[name]]);
}

function casesFor(operation: Operation): Case[] {
  return [
    { who: 'no Authorization', expected: 401 },
    { who: 'an empty bearer', authorization: 'Bearer ', expected: 401 },
    { who: 'Basic auth', authorization: `Basic ${Buffer.from(`admin:${ADMIN_KEY}`).toString('base64')}`, expected: 401 },
    { who: 'a malformed key', authorization: 'Bearer lh_short', expected: 401 },
    { who: 'a key with a space', authorization: 'Bearer lh_AAAAAAAAAAAAAAAA_ a', expected: 401 },
    { who: 'an unknown well-formed key', authorization: `Bearer lh_AAAAAAAAAAAAAAAA_${'B'.repeat(43)}`, expected: 401 },
    { who: 'the admin key with one character changed', authorization: `Bearer ${ADMIN_KEY.slice(0, -1)}X`, expected: 401 },
    { who: 'a revoked admin key', authorization: `Bearer ${keys.revoked}`, expected: 401 },
    ...wrongScopeKeys(operation).map(([who, key]): Case => ({ who: `an ${who}`, authorization: `Bearer ${key}`, expected: 403 })),
  ];
}

async function call(operation: Operation, authorization: string | undefined, body: string | undefined) {
  const headers: Record<string, string> = {};
  if (authorization !== undefined) headers.authorization = authorization;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return fetchAnswer(hub.url + concretePath(operation), { method: operation.method.toUpperCase(), headers, body });
}

describe('scenario 5: access to every route', () => {
  it('answers 401 to a missing, malformed, unknown or revoked key and 403 to the wrong scope on every guarded route, even with a malformed body', async () => {
    let requests = 0;
    const counts = { 401: 0, 403: 0 };
    const wrong: string[] = [];
    for (const operation of guarded) {
      for (const testCase of casesFor(operation)) {
        for (const body of mayHaveBody(operation) ? [undefined, MALFORMED_BODY] : [undefined]) {
          const answer = await call(operation, testCase.authorization, body);
          requests += 1;
          const code = (answer.body as { error?: { code?: string } }).error?.code;
          const expectedCode = testCase.expected === 401 ? 'unauthorized' : 'forbidden';
          if (answer.status === testCase.expected && code === expectedCode) counts[testCase.expected] += 1;
          else wrong.push(`${label(operation)} with ${testCase.who}${body ? ' and a malformed body' : ''}: ${answer.status} ${code}`);
        }
      }
    }
    report({
      scenario: '5 access',
      tried: `${guarded.length} guarded routes x (no key, 6 bad keys, revoked key, wrong scope) x (no body, malformed body)`,
      figures: { routes: guarded.length, requests, answered_401: counts[401], answered_403: counts[403], wrong: wrong.length },
    });
    expect(wrong).toEqual([]);
    expect(counts[403]).toBeGreaterThan(0);
  });

  it('reads the body only for a key that may call the route: the same malformed body gets 400 with the admin key', async () => {
    const withBody = guarded.filter(mayHaveBody);
    expect(withBody.length).toBeGreaterThan(5);
    for (const operation of withBody) {
      const answer = await call(operation, `Bearer ${ADMIN_KEY}`, MALFORMED_BODY);
      expect([answer.status, (answer.body as { error: { code: string } }).error.code], label(operation)).toEqual([400, 'invalid_payload']);
    }
  });

  it('keeps the public routes open and answers a wrong ingest URL with the same 404 on every method', async () => {
    const open = OPERATIONS.filter((operation) => operation.scope === 'none');
    for (const operation of open) {
      const answer = await call(operation, undefined, undefined);
      const expected = operation.path.startsWith('/ingest/') ? 404 : 200;
      expect(answer.status, label(operation)).toBe(expected);
    }
  });
});

describe('scenario 5: key brute force', () => {
  const LIMIT = 20;
  let limited: TestHub;
  beforeAll(async () => {
    limited = await startTestHub({ LEARNHOOK_AUTH_FAILURE_LIMIT: String(LIMIT) });
  });
  afterAll(() => limited.close());

  // A chosen key (like LEARNHOOK_API_KEY) may be short enough to guess, and its id changes with
  // every guess: these failures count against the address.
  const guess = (n: number) => `Bearer guessed-admin-key-${n}`;

  it('answers 429 with Retry-After once one address has failed the key check too often, even to the right key, while other addresses are still served', async () => {
    const me = `${limited.url}/v1/me`;
    const statuses: number[] = [];
    const retryAfters: number[] = [];
    const ATTEMPTS = LIMIT * 3;
    const startedAt = Date.now();
    for (let n = 0; n < ATTEMPTS; n++) {
      const answer = await requestFrom('127.0.0.2', me, { authorization: guess(n) });
      statuses.push(answer.status);
      if (answer.status === 429) retryAfters.push(Number(answer.headers['retry-after']));
    }
    const firstLimited = statuses.indexOf(429);
    expect(statuses.slice(0, LIMIT)).toEqual(Array(LIMIT).fill(401));
    // The budget refills one guess every 3 s (20 a minute): on a slow machine those few get through, no more.
    const refills = Math.ceil((Date.now() - startedAt) / 3_000);
    expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(LIMIT + refills);
    expect(firstLimited).toBeGreaterThanOrEqual(LIMIT);
    for (const seconds of retryAfters) expect(Number.isInteger(seconds) && seconds >= 1 && seconds <= 60, String(seconds)).toBe(true);

    const rightKeyFromGuesser = await requestFrom('127.0.0.2', me, { authorization: `Bearer ${ADMIN_KEY}` });
    const rightKeyFromOther = await requestFrom('127.0.0.3', me, { authorization: `Bearer ${ADMIN_KEY}` });
    const wrongKeyFromOther = await requestFrom('127.0.0.3', me, { authorization: guess(0) });
    expect(rightKeyFromGuesser.status).toBe(429);
    expect(rightKeyFromOther.status).toBe(200);
    expect(wrongKeyFromOther.status).toBe(401);

    // The lock is a rate, not a ban: after Retry-After the right key works from the guessing address again.
    const unlocked = await eventually(
      async () => (await requestFrom('127.0.0.2', me, { authorization: `Bearer ${ADMIN_KEY}` })).status === 200 || undefined,
      20_000,
      'the guessing address to be let in again',
    );
    expect(unlocked).toBe(true);
    report({
      scenario: '5 brute force',
      tried: `${ATTEMPTS} wrong keys from 127.0.0.2 at LEARNHOOK_AUTH_FAILURE_LIMIT=${LIMIT}/min, then the right key from it and from 127.0.0.3`,
      figures: {
        attempts: ATTEMPTS,
        answered_401: statuses.filter((status) => status === 401).length,
        answered_429: retryAfters.length,
        first_429_at: firstLimited,
        max_retry_after_s: Math.max(...retryAfters),
        other_address_served: rightKeyFromOther.status === 200 ? 1 : 0,
      },
    });
  });

  it('counts the failures of a key in the form the hub issues against its key id, so a shared address (Zapier, n8n Cloud) stays open to every other key', async () => {
    const me = `${limited.url}/v1/me`;
    const mistyped = await limited.createKey('--label', 'customer A');
    const other = await limited.createKey('--label', 'customer B');
    const id = mistyped.split('_')[1];
    const wrong = `Bearer lh_${id}_${'x'.repeat(43)}`;
    const statuses: number[] = [];
    for (let n = 0; n < LIMIT + 5; n++) statuses.push((await requestFrom('127.0.0.4', me, { authorization: wrong })).status);
    expect(statuses.slice(0, LIMIT)).toEqual(Array(LIMIT).fill(401));
    expect(statuses.slice(LIMIT + 2)).toEqual([429, 429, 429]);

    const otherKeyFromSharedAddress = await requestFrom('127.0.0.4', me, { authorization: `Bearer ${other}` });
    const chosenKeyFromSharedAddress = await requestFrom('127.0.0.4', me, { authorization: `Bearer ${ADMIN_KEY}` });
    // The guessed id stays locked wherever the next try comes from, its right secret included.
    const guessedKeyElsewhere = await requestFrom('127.0.0.5', me, { authorization: `Bearer ${mistyped}` });
    expect(otherKeyFromSharedAddress.status).toBe(200);
    expect(chosenKeyFromSharedAddress.status).toBe(200);
    expect(guessedKeyElsewhere.status).toBe(429);
    report({
      scenario: '5 shared egress',
      tried: `${LIMIT + 5} wrong secrets for one issued key id from 127.0.0.4 at LEARNHOOK_AUTH_FAILURE_LIMIT=${LIMIT}/min, then another key from the same address`,
      figures: {
        answered_401: statuses.filter((status) => status === 401).length,
        answered_429: statuses.filter((status) => status === 429).length,
        other_key_served: otherKeyFromSharedAddress.status === 200 ? 1 : 0,
        guessed_id_locked_elsewhere: guessedKeyElsewhere.status === 429 ? 1 : 0,
      },
    });
  });
});
