import { OPERATIONS, type Operation } from '@learnhook/core';
import { ADMIN_KEY, completionRequest, fetchAnswer, refusedUrl, startReceiver, startTestHub, type TestHub } from '@learnhook/core/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuzzSettings, storeRows } from '../lib/abuse-fixtures.ts';
import { headerValue, jsonPaths, nastyBytes, nastyContentType, nastyJsonText, nastyValue, REMOVE, statusTally, withField } from '../lib/abuse-fuzz.ts';
import { label } from '../lib/api-routes.ts';
import { report } from './report.ts';

/**
 * Scenario 4 (issue 9), the API: every operation of the route table (OPERATIONS) called with an
 * admin key and fuzzed path parameters, query strings and JSON bodies. Every answer must be a 2xx
 * or 4xx, and a refused call changes no row of the store.
 */

/** Calls per operation; FUZZ_RUNS overrides (CI keeps the default). */
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);

let hub: TestHub;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
/** Real ids, so fuzzed calls also reach the handlers behind the lookups. */
const real: Record<string, string[]> = { id: [], connection: [], token: [] };
let hookId = '';
let lmsDownUrl = '';
const tally = statusTally();
const figures = Object.assign(tally.figures, { operations: 0, refused_that_changed_rows: 0 });
const count = tally.count;

/** A valid body per operation that takes one: the base that "one field mutated" starts from. */
function validBody(operation: Operation): unknown {
  switch (`${operation.method} ${operation.path}`) {
    case 'post /v1/hooks':
      return { url: `${receiver.url}/fuzz`, events: ['enrollment.completed', '*'], filter: { course_id: 'c-1' }, description: 'fuzz' };
    case 'patch /v1/hooks/{id}':
      return { url: `${receiver.url}/fuzz2`, events: ['course.created'], status: 'paused', description: null, filter: {} };
    case 'post /v1/hooks/{id}/test':
      return { type: 'enrollment.completed' };
    case 'post /v1/hooks/{id}/rotate-secret':
      return { overlap_seconds: 3_600 };
    case 'post /v1/connections/{id}/preview':
      return { sample: { body: '{"event":"module.passed","user":{"id":"u1"}}' }, limit: 2 };
    case 'post /v1/events/{id}/replay':
      return { hook_id: hookId };
    case 'post /v1/connections':
      return {
        name: 'fuzz-new',
        vendor: 'absorb',
        description: 'd',
        // Saving API settings tries them: point them at the closed port, not at Absorb's servers.
        api: { private_key: 'k', username: 'u', password: 'p', base_url: lmsDownUrl },
      };
    case 'patch /v1/connections/{id}':
      return { description: 'd', api: null, rotate_token: false };
    default:
      return undefined;
  }
}

beforeAll(async () => {
  // The LMS API is down: hydration gives up fast and the event goes out partial.
  hub = await startTestHub({ LEARNHOOK_HYDRATION_MAX_WAIT_MS: '500' });
  receiver = await startReceiver();
  lmsDownUrl = await refusedUrl();
  const absorb = await hub.api<{ id: string; name: string; ingest_url: string }>('POST', '/v1/connections', {
    name: 'fuzz-absorb',
    vendor: 'absorb',
    api: { private_key: 'k', username: 'u', password: 'p', base_url: lmsDownUrl },
  });
  expect(absorb.status).toBe(201);
  real.connection!.push(absorb.body.name);
  real.id!.push(absorb.body.id, absorb.body.name);
  real.token!.push(new URL(absorb.body.ingest_url).pathname.split('/')[3] ?? '');
  const hook = await hub.api<{ id: string }>('POST', '/v1/hooks', { url: `${receiver.url}/fuzz`, events: ['*'] });
  hookId = hook.body.id;
  const event = completionRequest('absorb', {}, 1);
  const ingested = await fetchAnswer(absorb.body.ingest_url, { method: 'POST', headers: event.headers, body: event.body });
  expect(ingested.status).toBe(202);
  await hub.hub.fanOut.idle();
  await hub.hub.dispatcher.idle();
  const eventId = (ingested.body as { event_ids: string[] }).event_ids[0]!;
  const deliveries = await hub.api<{ data: Array<{ id: string }> }>('GET', '/v1/deliveries');
  real.id!.push(hookId, eventId, ...deliveries.body.data.map((delivery) => delivery.id));
});
afterAll(async () => {
  await hub.close();
  await receiver.close();
});

const pathValue: fc.Arbitrary<string | { raw: string }> = fc.oneof(
  { weight: 3, arbitrary: fc.constant('REAL') },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 80 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      { raw: '%' },
      { raw: '%zz' },
      { raw: '%E0%A4%A' },
      { raw: '..' },
      { raw: '%2e%2e' },
      { raw: '%00' },
      { raw: 'a'.repeat(5000) },
      { raw: '%2F' },
    ),
  },
);

type Body =
  | { kind: 'none' }
  | { kind: 'field'; pick: number; value: unknown }
  | { kind: 'json'; value: unknown }
  | { kind: 'text'; text: string }
  | { kind: 'bytes'; bytes: Buffer };

const body: fc.Arbitrary<Body> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('field' as const),
      pick: fc.nat(),
      value: fc.oneof({ weight: 4, arbitrary: nastyValue }, { weight: 1, arbitrary: fc.constant(REMOVE) }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('json' as const), value: nastyValue }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('text' as const), text: nastyJsonText }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('bytes' as const), bytes: nastyBytes }) },
);

/** Query strings: the operation's own parameters with odd values, repeated, bracketed, or unknown ones. */
function queryFor(operation: Operation): fc.Arbitrary<string> {
  const names = [...Object.keys(operation.query?.shape ?? {}), 'limit', 'cursor', 'unknown', '__proto__', 'constructor'];
  const pair = fc.tuple(
    fc.constantFrom(...names),
    fc.constantFrom('', '[]', '[a]', '[__proto__]'),
    fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.constantFrom('-1', '0', '101', '1e3', 'NaN', 'true', 'yes', 'null', '99999999999999999999', 'pending', 'enrollment.completed'),
    ),
  );
  return fc.oneof(
    fc
      .array(pair, { maxLength: 5 })
      .map((pairs) =>
        pairs.length ? `?${pairs.map(([name, suffix, value]) => `${encodeURIComponent(name)}${suffix}=${encodeURIComponent(value)}`).join('&')}` : '',
      ),
    fc.constantFrom('?limit=%', '?%zz', '?&&&', '?limit=1&limit=2', `?cursor=${'x'.repeat(4000)}`, '?cursor=eyJzZXEiOiJ4In0', '?cursor=eyJzZXEiOi0xfQ'),
  );
}

function encodeBody(operation: Operation, chosen: Body): string | Buffer | undefined {
  switch (chosen.kind) {
    case 'none':
      return undefined;
    case 'field': {
      const base = validBody(operation) ?? {};
      const paths = jsonPaths(base);
      const mutated = withField(base, paths[chosen.pick % paths.length]!, chosen.value);
      return mutated === undefined ? '' : (JSON.stringify(mutated) ?? '');
    }
    case 'json':
      return JSON.stringify(chosen.value) ?? 'null';
    case 'text':
      return chosen.text;
    case 'bytes':
      return chosen.bytes;
  }
}

/** GET has no body on the wire; everything else may carry one. */
const carriesBody = (operation: Operation) => operation.method !== 'get';

describe('scenario 4: fuzzed API calls', () => {
  it('has a valid base body for every operation that takes one', () => {
    const missing = OPERATIONS.filter((operation) => operation.body && validBody(operation) === undefined && !operation.path.startsWith('/ingest/')).map(label);
    expect(missing).toEqual([]);
  });

  it('answers every fuzzed call of every operation with a 2xx or 4xx, and a refused call changes nothing', async () => {
    const settings = fuzzSettings(RUNS);
    process.stdout.write(`[reliability] fuzz api: seed ${settings.seed} (FUZZ_SEED), ${RUNS} runs per operation (FUZZ_RUNS)\n`);
    for (const operation of OPERATIONS) {
      figures.operations += 1;
      const params = [...operation.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!);
      const arbitrary = fc.record({
        values: fc.tuple(...params.map(() => pathValue), fc.nat()),
        query: queryFor(operation),
        body: carriesBody(operation) ? body : fc.constant<Body>({ kind: 'none' }),
        contentType: fc.oneof({ weight: 4, arbitrary: fc.constant<string | undefined>('application/json') }, { weight: 1, arbitrary: nastyContentType }),
        extraHeader: fc.option(
          fc.tuple(fc.constantFrom('content-encoding', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'host', 'accept'), headerValue),
          { nil: null },
        ),
      });
      await fc.assert(
        fc.asyncProperty(arbitrary, async ({ values, query, body: chosen, contentType, extraHeader }) => {
          // Put back what an earlier fuzzed DELETE removed, so later calls still find real things.
          if (!(await hub.hub.store.getHook(hookId)))
            hookId = (await hub.api<{ id: string }>('POST', '/v1/hooks', { url: `${receiver.url}/fuzz`, events: ['*'] })).body.id;
          const pick = values[values.length - 1] as number;
          let index = 0;
          const path = operation.path.replace(/\{(\w+)\}/g, (_match, name: string) => {
            const value = values[index++] as string | { raw: string };
            if (typeof value !== 'string') return value.raw;
            const pool = real[name] ?? real.id!;
            return encodeURIComponent(value !== 'REAL' ? value : name === 'id' && pick % 3 === 0 ? hookId : pool[pick % pool.length]!);
          });
          const payload = encodeBody(operation, chosen);
          const headers: Record<string, string> = { authorization: `Bearer ${ADMIN_KEY}` };
          if (payload !== undefined && contentType !== undefined) headers['content-type'] = contentType;
          if (extraHeader) headers[extraHeader[0]] = extraHeader[1];
          await hub.hub.fanOut.idle();
          await hub.hub.dispatcher.idle();
          const before = storeRows(hub.dataDir);
          const answer = await fetchAnswer(hub.url + path + query, { method: operation.method.toUpperCase(), headers, body: payload });
          count(answer.status);
          expect(answer.status, `${label(operation)} ${path}${query}: ${JSON.stringify(answer.body).slice(0, 300)}`).toBeLessThan(500);
          if (answer.status >= 400) {
            const after = storeRows(hub.dataDir);
            if (JSON.stringify(after) !== JSON.stringify(before)) figures.refused_that_changed_rows += 1;
            expect(after, `${label(operation)} refused with ${answer.status} but changed the store`).toEqual(before);
          }
        }),
        settings,
      );
    }
    expect((await fetchAnswer(`${hub.url}/healthz`)).status).toBe(200);
    report({
      scenario: '4 fuzz api',
      tried: `${figures.operations} operations from OPERATIONS, seed ${settings.seed}, ${RUNS} runs each: odd path ids, query strings and content types, JSON of the wrong shape, valid bodies with one field mutated`,
      figures,
    });
    process.stdout.write(`[reliability] fuzz api statuses: ${tally.breakdown()}\n`);
  });
});
