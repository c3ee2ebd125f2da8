import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATIONS, type Operation } from '@learnhook/core';
import { fetchAnswer } from '@learnhook/core/testing';
import { ADMIN_KEY, startTestHub, type TestHub } from '../helpers/hub.ts';
import { concretePath, label } from './lib/abuse-fixtures.ts';
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
    report({ scenario: '5 access', tried: `${guarded.length} guarded routes x (no key, 6 bad keys, revoked key, wrong scope) x (no body, malformed body)`, figures: { routes: guarded.length, requests, answered_401: counts[401], answered_403: counts[403], wrong: wrong.length } });
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
