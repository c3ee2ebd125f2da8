import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signStandardWebhook, type CatalogEvent, type ConnectionAnswer } from '@learnhook/core';
import { completionRequest, fetchAnswer, type WireRequest, startReceiver, startTestHub, type TestHub } from '@learnhook/core/testing';

interface ErrorBody {
  error: { code: string; message: string; details: unknown };
}
interface Issue {
  path: string;
  message: string;
}

const VENDORS = ['absorb', 'learn365', 'standard', 'seismic-learning'] as const;
type Vendor = (typeof VENDORS)[number];

let hub: TestHub;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const connections = {} as Record<Vendor, ConnectionAnswer>;

beforeAll(async () => {
  hub = await startTestHub();
  receiver = await startReceiver();
  for (const vendor of VENDORS) {
    const created = await hub.api<ConnectionAnswer>('POST', '/v1/connections', { name: `bad-${vendor}`, vendor });
    expect(created.status).toBe(201);
    connections[vendor] = created.body;
  }
  // Every event of every connection would reach this receiver.
  expect((await hub.api('POST', '/v1/hooks', { url: `${receiver.url}/all`, events: ['*'] })).status).toBe(201);
});
afterAll(async () => {
  await hub.close();
  await receiver.close();
});

// The xAPI route and the echo answer are not always JSON: fetchAnswer keeps the text.
const post = (url: string, request: { headers: Record<string, string>; body: string | Buffer | FormData }) =>
  fetchAnswer(url, { method: 'POST', headers: request.headers, body: request.body });

const send = (connection: ConnectionAnswer, request: WireRequest) => post(connection.ingest_url + request.path, request);

const errorOf = (body: unknown) => (body as ErrorBody).error;
const issuePaths = (body: unknown) => (errorOf(body).details as { issues: Issue[] }).issues.map((issue) => issue.path);

async function eventIds(connection: ConnectionAnswer): Promise<string[]> {
  const events = await hub.api<{ data: CatalogEvent[] }>('GET', `/v1/events?connection=${connection.name}&limit=100`);
  expect(events.status).toBe(200);
  return events.body.data.map((event) => event.id);
}

async function snapshot() {
  await hub.hub.fanOut.idle();
  await hub.hub.dispatcher.idle();
  const events: Record<string, string[]> = {};
  for (const vendor of VENDORS) events[vendor] = await eventIds(connections[vendor]);
  return { events, deliveries: receiver.received.length };
}

/** Sends a bad request and checks its error, then that no connection stored an event and nothing was delivered. */
async function expectRefused(attempt: () => Promise<{ status: number; body: unknown }>, status: number, code: string) {
  const before = await snapshot();
  const answer = await attempt();
  expect(answer.status).toBe(status);
  const error = errorOf(answer.body);
  expect(error.code).toBe(code);
  expect(error.message.length).toBeGreaterThan(0);
  expect(await snapshot()).toEqual(before);
  return answer;
}

const json = { 'content-type': 'application/json' };

describe('bad ingests get a clear error and change nothing', () => {
  it('answers 400 invalid_payload to malformed JSON', async () => {
    const answer = await expectRefused(() => post(connections.absorb.ingest_url, { headers: json, body: '{"eventName": "Enrollment Completed by Learner", "userId": ' }), 400, 'invalid_payload');
    expect(errorOf(answer.body).message).toMatch(/not valid JSON/);
    expect(Array.isArray((errorOf(answer.body).details as { issues: unknown }).issues)).toBe(true);
  });

  it('answers 400 invalid_payload naming the path of a body of the wrong shape', async () => {
    const absorb = await expectRefused(() => post(connections.absorb.ingest_url, { headers: json, body: JSON.stringify({ userId: 'u-1', courseId: 'c-1' }) }), 400, 'invalid_payload');
    expect(issuePaths(absorb.body)).toEqual(['eventName']);

    // Correctly signed, so the shape is what is wrong: a completion naming a user without an Id.
    const body = JSON.stringify({
      Id: 'notif-shape',
      Attempt: 1,
      Notifications: [{ Action: 'CourseCompleted', Course: { Id: '42', Title: 'Compliance 101' }, Users: [{ Title: 'Maya Chen', Email: 'maya@acme.example' }], TimeStamp: '2026-11-20T14:03:11Z' }],
    });
    const signature = createHmac('sha256', String(connections.learn365.inbound.secret)).update(body).digest('hex');
    const learn365 = await expectRefused(() => post(connections.learn365.ingest_url, { headers: { ...json, 'ms-signature': `sha256=${signature}` }, body }), 400, 'invalid_payload');
    expect(issuePaths(learn365.body)).toEqual(['Notifications.0.Users.0.Id']);
    expect(errorOf(learn365.body).message).toContain('Notifications.0.Users.0.Id');
  });

  it('answers 413 payload_too_large to a body over 1 MiB', async () => {
    const body = JSON.stringify({ eventName: 'Enrollment Completed by Learner', userId: 'u-1', padding: 'x'.repeat(1024 * 1024) });
    const answer = await expectRefused(() => post(connections.absorb.ingest_url, { headers: json, body }), 413, 'payload_too_large');
    expect(errorOf(answer.body).details).toEqual({ limit_bytes: 1024 * 1024 });
  });

  it('answers 401 to a Learn365 request with a wrong or missing ms-signature', async () => {
    const good = completionRequest('learn365', connections.learn365.inbound, 1);
    const wrongSecret = createHmac('sha256', 'another-secret-of-thirty-two-characters!').update(good.body).digest('hex');
    await expectRefused(() => send(connections.learn365, { ...good, headers: { ...good.headers, 'ms-signature': `sha256=${wrongSecret}` } }), 401, 'invalid_signature');
    const { 'ms-signature': _signature, ...unsigned } = good.headers;
    await expectRefused(() => send(connections.learn365, { ...good, headers: unsigned }), 401, 'invalid_signature');
    // The signature covers the bytes: the same body with one character changed no longer matches.
    await expectRefused(() => send(connections.learn365, { ...good, body: good.body.replace('Compliance 101', 'Compliance 102') }), 401, 'invalid_signature');
  });

  it('answers 401 to a Standard Webhooks request with a bad or stale signature', async () => {
    const good = completionRequest('standard', connections.standard.inbound, 1);
    const secret = String(connections.standard.inbound.secret);
    const sign = (timestampSeconds: number, key = secret) => signStandardWebhook({ id: 'msg_bad', timestampSeconds, body: good.body, secret: key });
    const now = Date.now() / 1000;
    await expectRefused(() => send(connections.standard, { ...good, headers: { ...json, ...sign(now, 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw') } }), 401, 'invalid_signature');
    await expectRefused(() => send(connections.standard, { ...good, headers: { ...json, ...sign(now - 10 * 60) } }), 401, 'invalid_signature');
    await expectRefused(() => send(connections.standard, { ...good, headers: { ...json, ...sign(now + 10 * 60) } }), 401, 'invalid_signature');
    await expectRefused(() => send(connections.standard, { ...good, headers: json }), 401, 'invalid_signature');
  });

  it('answers 401 to a Seismic Learning request with a wrong or missing Authorization', async () => {
    const good = completionRequest('seismic-learning', connections['seismic-learning'].inbound, 1);
    await expectRefused(() => send(connections['seismic-learning'], { ...good, headers: { ...json, authorization: 'Bearer not-the-configured-value' } }), 401, 'unauthorized');
    await expectRefused(() => send(connections['seismic-learning'], { ...good, headers: json }), 401, 'unauthorized');
  });

  it('answers 401 to xAPI statements with wrong Basic credentials', async () => {
    for (const vendor of ['standard', 'seismic-learning'] as const) {
      const good = completionRequest('xapi', connections[vendor].inbound, 1);
      const { username } = connections[vendor].inbound.xapi as { username: string };
      const wrong = `Basic ${Buffer.from(`${username}:wrong-password`).toString('base64')}`;
      await expectRefused(() => send(connections[vendor], { ...good, headers: { ...good.headers, authorization: wrong } }), 401, 'unauthorized');
      const { authorization: _authorization, ...anonymous } = good.headers;
      await expectRefused(() => send(connections[vendor], { ...good, headers: anonymous }), 401, 'unauthorized');
    }
  });

  it('answers the same 404 to an unknown connection and to a known connection with a wrong token', async () => {
    const good = completionRequest('absorb', connections.absorb.inbound, 1);
    const url = new URL(connections.absorb.ingest_url);
    const token = url.pathname.split('/')[3] ?? '';
    const unknown = await expectRefused(() => post(`${url.origin}/ingest/no-such-connection/${token}`, good), 404, 'not_found');
    const wrongToken = await expectRefused(() => post(`${url.origin}/ingest/bad-absorb/${token.slice(0, -4)}AAAA`, good), 404, 'not_found');
    expect(wrongToken.body).toEqual(unknown.body);
  });

  it('answers 415 to a multipart/form-data body, and to a body in an encoding it cannot read', async () => {
    const form = new FormData();
    form.set('eventName', 'Enrollment Completed by Learner');
    form.set('userId', 'u-1');
    const answer = await expectRefused(() => post(connections.absorb.ingest_url, { headers: {}, body: form }), 415, 'unsupported_media_type');
    expect(errorOf(answer.body).message).toContain('multipart/form-data');
    const good = completionRequest('absorb', connections.absorb.inbound, 1);
    await expectRefused(() => post(connections.absorb.ingest_url, { headers: { ...good.headers, 'content-encoding': 'zip' }, body: good.body }), 415, 'unsupported_media_type');
  });

  it('still stores and delivers a good request on each of these connections (the checks above could have seen a leak)', async () => {
    const before = receiver.received.length;
    for (const vendor of VENDORS) {
      const answer = await send(connections[vendor], completionRequest(vendor, connections[vendor].inbound, 2));
      expect(answer.status, vendor).toBe(202);
      expect(await eventIds(connections[vendor]), vendor).toHaveLength(1);
    }
    await receiver.waitFor(before + VENDORS.length);
  });
});

describe("Learn365's URL check", () => {
  it('echoes ?echo= as text/plain, and answers 404 to the same check with a wrong token', async () => {
    const check = await fetch(`${connections.learn365.ingest_url}?echo=abc`);
    expect(check.status).toBe(200);
    expect(check.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await check.text()).toBe('abc');

    const url = new URL(connections.learn365.ingest_url);
    const wrong = await fetch(`${url.origin}/ingest/bad-learn365/${'A'.repeat(43)}?echo=abc`);
    expect(wrong.status).toBe(404);
    expect(await wrong.text()).not.toContain('abc');
  });
});

describe('unknown vendor events', () => {
  it('accepts an event name no adapter knows, stores it as lms.event with the raw payload and delivers it to lms.event subscribers', async () => {
    const hook = await hub.api('POST', '/v1/hooks', { url: `${receiver.url}/lms-event`, events: ['lms.event'], filter: { connection: 'bad-absorb' } });
    expect(hook.status).toBe(201);
    const payload = { eventName: 'Curriculum Group Reordered', adminId: 'admin-7', clientId: 'acme', correlationId: 'corr-reorder-1', curriculumGroupId: 'cg-3', order: [3, 1, 2] };
    const answer = await post(connections.absorb.ingest_url, { headers: json, body: JSON.stringify(payload) });
    expect(answer.status).toBeGreaterThanOrEqual(200);
    expect(answer.status).toBeLessThan(300);
    const [eventId] = (answer.body as { event_ids: string[] }).event_ids;

    const stored = await hub.api<CatalogEvent>('GET', `/v1/events/${eventId}`);
    expect(stored.status).toBe(200);
    expect(stored.body.type).toBe('lms.event');
    expect(stored.body.source).toMatchObject({ vendor: 'absorb', connection: 'bad-absorb', event: 'Curriculum Group Reordered' });
    expect(stored.body.raw).toEqual(payload);

    await receiver.waitFor(receiver.received.length + 1);
    const delivered = await (async () => {
      for (let tries = 0; tries < 100; tries += 1) {
        const found = receiver.received.find((request) => request.url === '/lms-event');
        if (found) return found;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error('no delivery to the lms.event hook');
    })();
    const envelope = JSON.parse(delivered.body) as CatalogEvent;
    expect(envelope).toMatchObject({ id: eventId, type: 'lms.event', raw: payload });
  });
});

describe('xAPI statements', () => {
  const statement = (id: string, verb: string) => ({
    id,
    actor: { objectType: 'Agent', name: 'Maya Chen', mbox: 'mailto:maya@acme.example' },
    verb: { id: `http://adlnet.gov/expapi/verbs/${verb}`, display: { 'en-US': verb } },
    object: { objectType: 'Activity', id: 'https://acme.lessonly.example/lessons/2718' },
    timestamp: '2026-11-20T14:03:11Z',
  });
  const ids = ['0b6f4e3a-6a58-4c8e-9d57-2f7f1c0e9a01', '0b6f4e3a-6a58-4c8e-9d57-2f7f1c0e9a02'];

  function basicFor(connection: ConnectionAnswer): string {
    const { username, password } = connection.inbound.xapi as { username: string; password: string };
    return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  }

  it('answers a batch of two statements with their ids in order and the X-Experience-API-Version header', async () => {
    const connection = connections.standard;
    const body = JSON.stringify([statement(ids[0]!, 'attempted'), statement(ids[1]!, 'completed')]);
    const answer = await post(connection.xapi_url!, { headers: { ...json, authorization: basicFor(connection), 'x-experience-api-version': '1.0.3' }, body });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(ids);
    expect(answer.headers.get('x-experience-api-version')).toMatch(/^1\.0\.\d+$/);
    const stored = await hub.api<{ data: CatalogEvent[] }>('GET', `/v1/events?connection=${connection.name}&limit=100`);
    const verbs = stored.body.data.map((event) => event.source.event);
    expect(verbs).toEqual(expect.arrayContaining(['http://adlnet.gov/expapi/verbs/attempted', 'http://adlnet.gov/expapi/verbs/completed']));
  });

  it('stores one statement sent with PUT ?statementId= and answers 204, as an LRS does', async () => {
    const connection = connections.standard;
    const id = '0b6f4e3a-6a58-4c8e-9d57-2f7f1c0e9a04';
    const response = await fetch(`${connection.xapi_url!}?statementId=${id}`, {
      method: 'PUT',
      headers: { ...json, authorization: basicFor(connection), 'x-experience-api-version': '1.0.3' },
      body: JSON.stringify(statement(id, 'completed')),
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('x-experience-api-version')).toMatch(/^1\.0\.\d+$/);
    const stored = await hub.api<{ data: CatalogEvent[] }>('GET', `/v1/events?connection=${connection.name}&limit=100`);
    expect(stored.body.data.map((event) => event.source.event_id)).toContain(id);
  });

  it('answers 400 to statements sent without the X-Experience-API-Version header, storing nothing', async () => {
    const connection = connections['seismic-learning'];
    const body = JSON.stringify([statement('0b6f4e3a-6a58-4c8e-9d57-2f7f1c0e9a03', 'completed')]);
    const answer = await expectRefused(() => post(connection.xapi_url!, { headers: { ...json, authorization: basicFor(connection) }, body }), 400, 'invalid_payload');
    expect(errorOf(answer.body).message).toContain('X-Experience-API-Version');
  });
});
