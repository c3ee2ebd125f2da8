import {
  CatalogEventSchema,
  type ConnectionAnswer,
  demoData,
  type Subject,
  VENDOR_REGISTRY,
  type Vendor,
  type WireRequest,
  wireRequest,
} from '@learnhook/core';
import { completionRequest, eventually, fetchAnswer, startReceiver, startTestHub, type TestHub } from '@learnhook/core/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuzzSettings, storedEventIds, storeRows, totalRows } from '../lib/abuse-fixtures.ts';
import {
  headerValue,
  jsonPaths,
  nastyBytes,
  nastyContentType,
  nastyJsonText,
  nastyValue,
  REMOVE,
  signedHeaders,
  statusTally,
  withField,
} from '../lib/abuse-fuzz.ts';
import { report } from './report.ts';

/**
 * Scenario 4 (issue 9), ingest: every vendor route (webhooks, xAPI POST and PUT, the Learn365
 * ?echo= check) gets random bytes, JSON of the wrong shape, real vendor bodies with one field
 * mutated, and wrong, missing or garbled credentials and content types. Every answer must be a
 * 2xx or 4xx; a refused request changes no row of the store; an accepted one stores complete
 * events that parse with the catalog schema and are delivered.
 */

interface Target {
  name: string;
  /** Whose signature the body carries: the vendor's, or none on the xAPI routes (Basic auth). */
  signer: Vendor | 'xapi';
  connection: ConnectionAnswer;
  method: 'POST' | 'PUT';
  path: '' | '/xapi/statements';
  bases: WireRequest[];
}

/** Requests per target; FUZZ_RUNS overrides (CI keeps the default). */
const RUNS = Number(process.env.FUZZ_RUNS ?? 60);
const CREDENTIAL_HEADERS = [
  'ms-signature',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
  'authorization',
  'x-experience-api-version',
  'content-type',
  'content-encoding',
];

let hub: TestHub;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const connections = {} as Record<Vendor, ConnectionAnswer>;
const targets: Target[] = [];
const tally = statusTally();
const figures = Object.assign(tally.figures, { accepted_events: 0, refused_that_changed_rows: 0 });
const count = tally.count;

/** A request the vendor could really send for each event it has, about a demo learner and course. */
function vendorBases(vendor: Vendor, inbound: Record<string, unknown>): WireRequest[] {
  const data = demoData({ users: 3, courses: 3 });
  return Object.keys(VENDOR_REGISTRY[vendor].inbound.events).map((event, index) => {
    const subject: Subject = {
      user: data.users[index % data.users.length]!,
      course: data.courses[index % data.courses.length]!,
      enrollment: data.enrollments[0] ?? null,
      data,
      sequence: index + 1,
      at: new Date('2026-11-20T14:03:11Z'),
    };
    return wireRequest(vendor, event, subject, inbound);
  });
}

beforeAll(async () => {
  hub = await startTestHub();
  receiver = await startReceiver();
  for (const vendor of Object.keys(VENDOR_REGISTRY) as Vendor[]) {
    const created = await hub.api<ConnectionAnswer>('POST', '/v1/connections', { name: `fuzz-${vendor}`, vendor });
    expect(created.status).toBe(201);
    connections[vendor] = created.body;
  }
  expect((await hub.api('POST', '/v1/hooks', { url: `${receiver.url}/all`, events: ['*'] })).status).toBe(201);
  for (const vendor of Object.keys(VENDOR_REGISTRY) as Vendor[]) {
    const connection = connections[vendor];
    const bases = [completionRequest(vendor, connection.inbound, 1), ...vendorBases(vendor, connection.inbound)];
    const webhooks = bases.filter((base) => base.path === '');
    if (webhooks.length) targets.push({ name: `${vendor} webhook`, signer: vendor, connection, method: 'POST', path: '', bases: webhooks });
    if (VENDOR_REGISTRY[vendor].inbound.routes.includes('xapi-statements')) {
      const statements = [completionRequest('xapi', connection.inbound, 1), ...bases.filter((base) => base.path === '/xapi/statements')];
      targets.push({ name: `${vendor} xAPI POST`, signer: 'xapi', connection, method: 'POST', path: '/xapi/statements', bases: statements });
      targets.push({ name: `${vendor} xAPI PUT`, signer: 'xapi', connection, method: 'PUT', path: '/xapi/statements', bases: statements });
    }
  }
});
afterAll(async () => {
  await hub.close();
  await receiver.close();
});

type Mutation =
  | { kind: 'field'; base: number; pick: number; value: unknown; resign: boolean }
  | { kind: 'json'; base: number; text: string; resign: boolean }
  | { kind: 'bytes'; base: number; bytes: Buffer; resign: boolean }
  | { kind: 'header'; base: number; name: string; value: string | null }
  | { kind: 'content-type'; base: number; value: string | undefined; resign: boolean };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('field' as const),
      base: fc.nat(),
      pick: fc.nat(),
      value: fc.oneof({ weight: 4, arbitrary: nastyValue }, { weight: 1, arbitrary: fc.constant(REMOVE) }),
      resign: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('json' as const), base: fc.nat(), text: nastyJsonText, resign: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('bytes' as const), base: fc.nat(), bytes: nastyBytes, resign: fc.boolean() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('header' as const),
      base: fc.nat(),
      name: fc.constantFrom(...CREDENTIAL_HEADERS),
      value: fc.option(headerValue, { nil: null }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('content-type' as const), base: fc.nat(), value: nastyContentType, resign: fc.constant(true) }) },
);

/** The statementId of an xAPI PUT: a real UUID mostly, else anything. */
const statementId = fc.oneof({ weight: 3, arbitrary: fc.uuid() }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) });

let counter = 0;

function build(target: Target, change: Mutation): { headers: Record<string, string>; body: Buffer } {
  const base = target.bases[change.base % target.bases.length]!;
  let headers = { ...base.headers };
  let body: Buffer = Buffer.from(base.body);
  const resign = () => {
    for (const name of ['ms-signature', 'webhook-id', 'webhook-timestamp', 'webhook-signature']) delete headers[name];
    counter += 1;
    headers = { ...headers, ...signedHeaders(target.signer, target.connection.inbound, body, counter) };
  };
  switch (change.kind) {
    case 'field': {
      const parsed: unknown = JSON.parse(base.body);
      const paths = jsonPaths(parsed);
      const mutated = withField(parsed, paths[change.pick % paths.length]!, change.value);
      body = Buffer.from(mutated === undefined ? '' : (JSON.stringify(mutated) ?? ''));
      if (change.resign) resign();
      break;
    }
    case 'json':
      body = Buffer.from(change.text);
      if (change.resign) resign();
      break;
    case 'bytes':
      body = change.bytes;
      if (change.resign) resign();
      break;
    case 'header':
      if (change.value === null) delete headers[change.name];
      else headers[change.name] = change.value;
      break;
    case 'content-type':
      if (change.value === undefined) delete headers['content-type'];
      else headers['content-type'] = change.value;
      break;
  }
  return { headers, body };
}

async function settled(): Promise<Record<string, number>> {
  await hub.hub.fanOut.idle();
  await hub.hub.dispatcher.idle();
  return storeRows(hub.dataDir);
}

/** Sends one request and checks what it did to the store: nothing when refused, whole events when accepted. */
async function sendAndCheck(url: string, init: { method: string; headers: Record<string, string>; body?: Buffer }): Promise<void> {
  const before = await settled();
  const eventsBefore = storedEventIds(hub.dataDir).length;
  const answer = await fetchAnswer(url, init);
  count(answer.status);
  expect(answer.status, `answer ${JSON.stringify(answer.body).slice(0, 300)}`).toBeLessThan(500);
  if (answer.status >= 300 || init.method === 'GET') {
    const after = storeRows(hub.dataDir);
    if (JSON.stringify(after) !== JSON.stringify(before)) figures.refused_that_changed_rows += 1;
    expect(after).toEqual(before);
    return;
  }
  const fresh = storedEventIds(hub.dataDir).slice(eventsBefore);
  figures.accepted_events += fresh.length;
  for (const id of fresh) {
    const stored = await hub.api('GET', `/v1/events/${encodeURIComponent(id)}`);
    expect(stored.status).toBe(200);
    const parsed = CatalogEventSchema.safeParse(stored.body);
    expect(parsed.success, `event ${id}: ${parsed.error?.message}`).toBe(true);
  }
}

describe('scenario 4: fuzzed ingest requests', () => {
  it('answers every fuzzed vendor request with a 2xx or 4xx, stores nothing for a refusal and whole events for an acceptance', async () => {
    const settings = fuzzSettings(RUNS);
    process.stdout.write(`[reliability] fuzz ingest: seed ${settings.seed} (FUZZ_SEED), ${RUNS} runs per route (FUZZ_RUNS)\n`);
    expect(targets.map((target) => target.name)).toEqual(
      expect.arrayContaining([
        'absorb webhook',
        'learn365 webhook',
        'adobe-alm webhook',
        'seismic-learning webhook',
        'standard webhook',
        'standard xAPI POST',
        'standard xAPI PUT',
      ]),
    );
    for (const target of targets) {
      await fc.assert(
        fc.asyncProperty(mutation, statementId, async (change, id) => {
          const { headers, body } = build(target, change);
          const query = target.method === 'PUT' ? `?statementId=${encodeURIComponent(id)}` : '';
          await sendAndCheck(target.connection.ingest_url + target.path + query, { method: target.method, headers, body });
        }),
        settings,
      );
    }
  });

  it("answers Learn365's ?echo= URL check with the value or a 4xx, whatever the query string", async () => {
    const connection = connections.learn365;
    const rawQueries = fc.constantFrom(
      '?echo',
      '?echo=',
      '?echo=%',
      '?echo=%E0%A4%A',
      '?echo=%00',
      '?echo=a&echo=b',
      '?%zz=1',
      '?echo[]=1',
      '?echo[a]=1&echo=2',
      '?',
      `?echo=${'x'.repeat(8000)}`,
      '?echo=%0D%0ASet-Cookie:%20x=1',
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 200 }).map((value) => `?echo=${encodeURIComponent(value)}`),
          rawQueries,
        ),
        async (query) => {
          await sendAndCheck(connection.ingest_url + query, { method: 'GET', headers: {} });
        },
      ),
      fuzzSettings(RUNS),
    );
  });

  it('keeps serving: a good request from every vendor is stored and every accepted event is delivered', async () => {
    for (const vendor of Object.keys(VENDOR_REGISTRY) as Vendor[]) {
      const good = completionRequest(vendor, connections[vendor].inbound, 999);
      expect((await fetchAnswer(connections[vendor].ingest_url, { method: 'POST', headers: good.headers, body: good.body })).status, vendor).toBeLessThan(300);
    }
    expect((await fetchAnswer(`${hub.url}/healthz`)).status).toBe(200);
    const stored = storedEventIds(hub.dataDir);
    const delivered = await eventually(
      async () => {
        const ids = new Set(receiver.received.map((request) => (JSON.parse(request.body) as { id: string }).id));
        return stored.every((id) => ids.has(id)) ? ids : undefined;
      },
      60_000,
      'every stored event to be delivered',
    );
    report({
      scenario: '4 fuzz ingest',
      tried: `${targets.length} vendor routes + the Learn365 echo check, seed ${fuzzSettings(RUNS).seed}, ${RUNS} runs each: random bytes, wrong-shape JSON, one field mutated (signed anew or not), bad credentials and content types`,
      figures: { ...figures, stored_events: stored.length, delivered_events: delivered.size, store_rows: totalRows(storeRows(hub.dataDir)) },
    });
    process.stdout.write(`[reliability] fuzz ingest statuses: ${tally.breakdown()}\n`);
    expect(figures.answered_5xx).toBe(0);
  });
});
