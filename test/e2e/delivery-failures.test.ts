import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { completionRequest, eventually, startReceiver, startTestHub, type ReceivedRequest, type TestHub } from '@learnhook/core/testing';

/**
 * The hub's delivery guarantees (DESIGN §4 Delivery) over real HTTP on loopback: what each kind
 * of target failure does to the delivery, its attempts and the subscription, and the API's
 * test, replay, retry and pause controls. Every test has its own connection and hook (filtered
 * to that connection), so no test sees another's deliveries.
 */

type Receiver = Awaited<ReturnType<typeof startReceiver>>;

interface Attempt {
  attempt: number;
  started_at: string;
  duration_ms: number;
  status: number | null;
  error: string | null;
  response_snippet: string | null;
}

interface Delivery {
  id: string;
  event_id: string;
  hook_id: string;
  reason: 'event' | 'replay' | 'test';
  status: 'pending' | 'in_flight' | 'succeeded' | 'failed';
  attempts: number;
  next_attempt_at: string | null;
  last_status: number | null;
  last_error: string | null;
}

/** GET /v1/deliveries/:id answers the attempts themselves where the list answers their count. */
type DeliveryWithAttempts = Omit<Delivery, 'attempts'> & { attempts: Attempt[] };

interface Connection {
  name: string;
  ingest_url: string;
  inbound: Record<string, unknown>;
}

const SECOND = 1000;

/** The retry schedule's first wait, 5 s, and its ±20% jitter (retry-schedule.ts). */
const FIRST_RETRY_MIN_MS = 4 * SECOND;
const FIRST_RETRY_MAX_MS = 6 * SECOND;

/** The concurrency limiter's starting in-flight limit per hook (concurrency.ts). */
const INITIAL_IN_FLIGHT_LIMIT = 4;

/** Each ingested event gets its own vendor event id, so none is taken for a duplicate. */
let nextEventNumber = 1;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function receiver(respond?: Parameters<typeof startReceiver>[0]): Promise<Receiver> {
  const started = await startReceiver(respond);
  cleanups.push(started.close);
  return started;
}

async function connect(hub: TestHub, name: string): Promise<Connection> {
  const { status, body } = await hub.api('POST', '/v1/connections', { name, vendor: 'adobe-alm' });
  expect(status).toBe(201);
  return { name, ingest_url: body.ingest_url, inbound: body.inbound };
}

async function subscribe(hub: TestHub, url: string, connection: Connection): Promise<{ id: string; secret: string }> {
  const { status, body } = await hub.api('POST', '/v1/hooks', { url, events: ['*'], filter: { connection: connection.name } });
  expect(status).toBe(201);
  return { id: body.id, secret: body.secret };
}

/** Sends one vendor completion; answers the stored event's id. */
async function ingest(connection: Connection): Promise<string> {
  const request = completionRequest('adobe-alm', connection.inbound, nextEventNumber++);
  const response = await fetch(connection.ingest_url + request.path, { method: 'POST', headers: request.headers, body: request.body });
  expect(response.status).toBe(202);
  const body = (await response.json()) as { accepted: number; event_ids: string[] };
  expect(body.accepted).toBe(1);
  const [eventId] = body.event_ids;
  if (!eventId) throw new Error('the hub answered no event id');
  return eventId;
}

async function deliveriesOf(hub: TestHub, hookId: string): Promise<Delivery[]> {
  const { status, body } = await hub.api('GET', `/v1/deliveries?hook_id=${hookId}`);
  expect(status).toBe(200);
  return body.data;
}

async function delivery(hub: TestHub, id: string): Promise<DeliveryWithAttempts> {
  const { status, body } = await hub.api('GET', `/v1/deliveries/${id}`);
  expect(status).toBe(200);
  return body;
}

/** The hook's only delivery, once its attempts reach `attempts` and it is no longer in flight. */
async function settledDelivery(hub: TestHub, hookId: string, attempts = 1, timeoutMs = 10 * SECOND): Promise<DeliveryWithAttempts> {
  return eventually(
    async () => {
      const [only, ...more] = await deliveriesOf(hub, hookId);
      expect(more).toEqual([]);
      if (!only || only.status === 'in_flight') return undefined;
      const found = await delivery(hub, only.id);
      return found.attempts.length >= attempts && found.status !== 'in_flight' ? found : undefined;
    },
    timeoutMs,
    `${attempts} recorded attempt(s) for hook ${hookId}`,
  );
}

/** Everything ingested so far has been matched, and every due delivery has been sent and recorded. */
async function quiet(hub: TestHub): Promise<void> {
  await hub.hub.fanOut.idle();
  await hub.hub.dispatcher.idle();
}

const ms = (iso: string | null): number => {
  if (iso === null) throw new Error('expected a time, got null');
  return Date.parse(iso);
};

/** The envelope's id and type, read from a body a Standard Webhooks verifier accepted. */
function envelopeOf(body: unknown): { id: string; type: string } {
  if (typeof body !== 'object' || body === null || !('id' in body) || !('type' in body)) throw new Error('not an event envelope');
  return { id: String(body.id), type: String(body.type) };
}

/** Verifies a delivery with the `standardwebhooks` package, as a subscriber would; throws when the signature is wrong. */
function verifySigned(secret: string, request: ReceivedRequest): { id: string; type: string } {
  const verified: unknown = new Webhook(secret).verify(request.body, {
    'webhook-id': String(request.headers['webhook-id']),
    'webhook-timestamp': String(request.headers['webhook-timestamp']),
    'webhook-signature': String(request.headers['webhook-signature']),
  });
  return envelopeOf(verified);
}

describe('a hub that allows loopback targets', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.close());

  it('deletes a subscription whose target answers 410 Gone, records the attempt and audits it, and sends it nothing more', async () => {
    const target = await receiver(() => ({ status: 410, body: 'zap turned off' }));
    const connection = await connect(hub, 'df-gone');
    const hook = await subscribe(hub, target.url, connection);

    await ingest(connection);
    await target.waitFor(1);
    await eventually(async () => (await hub.api('GET', `/v1/hooks/${hook.id}`)).status === 404, 5 * SECOND, 'the hook to be deleted');

    const recorded = await settledDelivery(hub, hook.id);
    expect(recorded).toMatchObject({ status: 'failed', last_status: 410, next_attempt_at: null });
    expect(recorded.attempts).toMatchObject([{ attempt: 1, status: 410, response_snippet: 'zap turned off' }]);

    const audit = await hub.api('GET', '/v1/audit?limit=100');
    expect(audit.body.data).toContainEqual(expect.objectContaining({ actor: 'system', action: 'hook.deleted', target: hook.id }));

    const later = await ingest(connection);
    await quiet(hub);
    expect((await hub.api('GET', `/v1/events/${later}`)).status).toBe(200);
    expect(target.received).toHaveLength(1);
    expect(await deliveriesOf(hub, hook.id)).toHaveLength(1);
  });

  it('keeps a delivery answered 429 with Retry-After: 7 pending for at least 7 s, beyond the 5 s schedule', async () => {
    const target = await receiver(() => ({ status: 429, headers: { 'retry-after': '7', 'content-type': 'text/plain' }, body: 'slow down' }));
    const connection = await connect(hub, 'df-429');
    const hook = await subscribe(hub, target.url, connection);

    await ingest(connection);
    const recorded = await settledDelivery(hub, hook.id);

    expect(recorded).toMatchObject({ status: 'pending', last_status: 429 });
    expect(recorded.attempts).toHaveLength(1);
    const [attempt] = recorded.attempts;
    expect(attempt).toMatchObject({ attempt: 1, status: 429, error: null, response_snippet: 'slow down' });
    const wait = ms(recorded.next_attempt_at) - ms(attempt?.started_at ?? null);
    expect(wait).toBeGreaterThanOrEqual(7 * SECOND);
    expect(wait).toBeGreaterThan(FIRST_RETRY_MAX_MS);
    expect(wait).toBeLessThan(8 * SECOND);
    expect(target.received).toHaveLength(1);
  });

  it('retries a delivery answered 500 on its own after about 5 s, and records both attempts once the retry succeeds', async () => {
    const arrivals: number[] = [];
    const target = await receiver((_request, index) => {
      arrivals.push(Date.now());
      return index === 0 ? { status: 500, body: 'boom' } : { status: 200, body: 'ok now' };
    });
    const connection = await connect(hub, 'df-500-then-200');
    const hook = await subscribe(hub, target.url, connection);

    await ingest(connection);
    await target.waitFor(1);
    const first = await settledDelivery(hub, hook.id);
    expect(first).toMatchObject({ status: 'pending', last_status: 500 });
    expect(first.attempts).toHaveLength(1);

    await target.waitFor(2, FIRST_RETRY_MAX_MS + 2 * SECOND);
    const [firstAt = 0, secondAt = 0] = arrivals;
    expect(secondAt - firstAt).toBeGreaterThanOrEqual(FIRST_RETRY_MIN_MS - 100);
    expect(secondAt - firstAt).toBeLessThan(FIRST_RETRY_MAX_MS + SECOND);

    const done = await settledDelivery(hub, hook.id, 2);
    expect(done).toMatchObject({ status: 'succeeded', last_status: 200, last_error: null, next_attempt_at: null });
    expect(done.attempts.map((attempt) => attempt.status)).toEqual([500, 200]);
    expect(done.attempts.map((attempt) => attempt.response_snippet)).toEqual(['boom', 'ok now']);
    const [firstTry, secondTry] = done.attempts;
    const gap = ms(secondTry?.started_at ?? null) - ms(firstTry?.started_at ?? null);
    expect(gap).toBeGreaterThanOrEqual(FIRST_RETRY_MIN_MS);
    expect(gap).toBeLessThan(FIRST_RETRY_MAX_MS + SECOND);
    // The retry is the same message: same webhook-id, so a receiver can drop it if the first had arrived.
    const [sentFirst, sentSecond] = target.received.map((request) => verifySigned(hook.secret, request));
    expect(sentSecond?.id).toBe(sentFirst?.id);
    expect(target.received[1]?.headers['webhook-id']).toBe(target.received[0]?.headers['webhook-id']);
  });

  it('does not follow a 302 redirect: the redirect target gets nothing and the delivery waits to be retried', async () => {
    const elsewhere = await receiver();
    const target = await receiver(() => ({ status: 302, headers: { location: `${elsewhere.url}/caught` }, body: '' }));
    const connection = await connect(hub, 'df-redirect');
    const hook = await subscribe(hub, target.url, connection);

    await ingest(connection);
    const recorded = await settledDelivery(hub, hook.id);
    await quiet(hub);

    expect(recorded).toMatchObject({ status: 'pending', last_status: 302 });
    expect(recorded.attempts).toMatchObject([{ attempt: 1, status: 302, error: null }]);
    expect(ms(recorded.next_attempt_at)).toBeGreaterThan(Date.now());
    expect(target.received).toHaveLength(1);
    expect(elsewhere.received).toHaveLength(0);
  });

  it('refuses a link-local metadata target even though it allows private ones', async () => {
    for (const url of ['http://169.254.169.254/', 'http://169.254.169.254/latest/meta-data/', 'http://[fe80::1]/']) {
      const refused = await hub.api('POST', '/v1/hooks', { url, events: ['*'] });
      expect(refused.status, url).toBe(400);
      expect(refused.body.error.code, url).toBe('target_refused');
    }
    const allowed = await hub.api('POST', '/v1/hooks', { url: 'http://127.0.0.1:9/', events: ['*'], filter: { connection: 'df-nobody' } });
    expect(allowed.status).toBe(201);
    expect((await hub.api('DELETE', `/v1/hooks/${allowed.body.id}`)).status).toBe(204);
  });

  it('sends a test sample of the requested type through the signed path and answers what the target said', async () => {
    const target = await receiver(() => ({ status: 200, body: 'thanks from the receiver' }));
    const connection = await connect(hub, 'df-test-ok');
    const hook = await subscribe(hub, `${target.url}/hook`, connection);

    const answer = await hub.api('POST', `/v1/hooks/${hook.id}/test`, { type: 'certificate.awarded' });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ ok: true, status: 200, body: 'thanks from the receiver' });
    expect(answer.body.duration_ms).toEqual(expect.any(Number));
    expect(answer.body.duration_ms).toBeGreaterThanOrEqual(0);

    expect(target.received).toHaveLength(1);
    const [sent] = target.received;
    expect(sent).toMatchObject({ method: 'POST', url: '/hook' });
    expect(sent?.headers['content-type']).toBe('application/json');
    const sample = verifySigned(hook.secret, sent!);
    expect(sample.type).toBe('certificate.awarded');
    expect(() => verifySigned('whsec_' + Buffer.alloc(32, 7).toString('base64'), sent!)).toThrow();
  });

  it('answers ok:false with the status and body when the test target fails, and refuses a type not in the catalog', async () => {
    const target = await receiver(() => ({ status: 500, body: 'the zap broke' }));
    const connection = await connect(hub, 'df-test-500');
    const hook = await subscribe(hub, target.url, connection);

    const answer = await hub.api('POST', `/v1/hooks/${hook.id}/test`, { type: 'enrollment.completed' });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ ok: false, status: 500, body: 'the zap broke' });
    expect(verifySigned(hook.secret, target.received[0]!).type).toBe('enrollment.completed');

    const unknown = await hub.api('POST', `/v1/hooks/${hook.id}/test`, { type: 'no.such.type' });
    expect(unknown.status).toBe(400);
    expect(target.received).toHaveLength(1);
    expect((await hub.api('POST', '/v1/hooks/hook_missing/test', {})).status).toBe(404);
  });

  it('replays a stored event to every matching hook, then to the one hook named', async () => {
    const first = await receiver();
    const second = await receiver();
    const connection = await connect(hub, 'df-replay');
    const hookA = await subscribe(hub, first.url, connection);
    const hookB = await subscribe(hub, second.url, connection);

    const eventId = await ingest(connection);
    await first.waitFor(1);
    await second.waitFor(1);

    const toAll = await hub.api('POST', `/v1/events/${eventId}/replay`);
    expect(toAll.status).toBe(202);
    expect(toAll.body.deliveries.map((d: { hook_id: string }) => d.hook_id).sort()).toEqual([hookA.id, hookB.id].sort());
    await first.waitFor(2);
    await second.waitFor(2);

    const toOne = await hub.api('POST', `/v1/events/${eventId}/replay`, { hook_id: hookB.id });
    expect(toOne.status).toBe(202);
    expect(toOne.body.deliveries).toMatchObject([{ hook_id: hookB.id }]);
    await second.waitFor(3);
    await quiet(hub);
    expect(first.received).toHaveLength(2);
    expect(second.received).toHaveLength(3);

    // Every copy is the same stored event, each signed as its own message.
    const copies = [...first.received.map((r) => verifySigned(hookA.secret, r)), ...second.received.map((r) => verifySigned(hookB.secret, r))];
    expect(new Set(copies.map((copy) => copy.id))).toEqual(new Set([eventId]));
    expect(new Set(second.received.map((r) => r.headers['webhook-id'])).size).toBe(3);
    const replays = (await deliveriesOf(hub, hookB.id)).filter((d) => d.reason === 'replay');
    expect(replays).toHaveLength(2);
    expect(replays.every((d) => d.status === 'succeeded')).toBe(true);

    const missing = await hub.api('POST', `/v1/events/${eventId}/replay`, { hook_id: 'hook_missing' });
    expect(missing.status).toBe(404);
  });

  it('re-sends a failed delivery at once when asked to retry it, without waiting for the schedule', async () => {
    const target = await receiver((_request, index) => (index === 0 ? { status: 500, body: 'down' } : { status: 200 }));
    const connection = await connect(hub, 'df-retry');
    const hook = await subscribe(hub, target.url, connection);

    await ingest(connection);
    const failed = await settledDelivery(hub, hook.id);
    expect(failed).toMatchObject({ status: 'pending', last_status: 500 });
    expect(ms(failed.next_attempt_at) - Date.now()).toBeGreaterThan(2 * SECOND);

    const asked = Date.now();
    const retried = await hub.api('POST', `/v1/deliveries/${failed.id}/retry`);
    expect(retried.status).toBe(202);
    expect(retried.body).toMatchObject({ id: failed.id });
    await target.waitFor(2, 2 * SECOND);
    expect(Date.now() - asked).toBeLessThan(2 * SECOND);

    const done = await settledDelivery(hub, hook.id, 2);
    expect(done).toMatchObject({ status: 'succeeded' });
    expect(done.attempts.map((attempt) => attempt.status)).toEqual([500, 200]);
    expect((await hub.api('POST', '/v1/deliveries/dlv_missing/retry')).status).toBe(404);
  });

  it('holds deliveries while a hook is paused and sends what waited once it is active again', async () => {
    const target = await receiver();
    const connection = await connect(hub, 'df-pause');
    const hook = await subscribe(hub, target.url, connection);

    await ingest(connection);
    await target.waitFor(1);

    const paused = await hub.api('PATCH', `/v1/hooks/${hook.id}`, { status: 'paused' });
    expect(paused.status).toBe(200);
    expect(paused.body.status).toBe('paused');
    const held = [await ingest(connection), await ingest(connection)];
    await quiet(hub);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(target.received).toHaveLength(1);
    const waiting = (await deliveriesOf(hub, hook.id)).filter((d) => d.status === 'pending');
    expect(waiting.map((d) => d.event_id).sort()).toEqual([...held].sort());

    const resumed = await hub.api('PATCH', `/v1/hooks/${hook.id}`, { status: 'active' });
    expect(resumed.status).toBe(200);
    await target.waitFor(3, 3 * SECOND);
    const sent = target.received.slice(1).map((request) => verifySigned(hook.secret, request).id);
    expect(sent.sort()).toEqual([...held].sort());
    await quiet(hub);
    expect((await deliveriesOf(hub, hook.id)).every((d) => d.status === 'succeeded')).toBe(true);
  });

  it('holds a slow target to its in-flight limit when 40 events arrive at once, and delivers all 40', async () => {
    let open = 0;
    let answered = 0;
    let mostOpen = 0;
    let mostOpenBeforeFourAnswers = 0;
    const eventIds: string[] = [];
    const server = http.createServer((req, res) => {
      open++;
      mostOpen = Math.max(mostOpen, open);
      if (answered < INITIAL_IN_FLIGHT_LIMIT) mostOpenBeforeFourAnswers = Math.max(mostOpenBeforeFourAnswers, open);
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        eventIds.push(envelopeOf(JSON.parse(Buffer.concat(chunks).toString('utf8'))).id);
        setTimeout(() => {
          open--;
          answered++;
          res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
        }, 200);
      });
    });
    server.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );
    const { port } = server.address() as AddressInfo;
    const connection = await connect(hub, 'df-backpressure');
    await subscribe(hub, `http://127.0.0.1:${port}/slow`, connection);

    const ingested = await Promise.all(Array.from({ length: 40 }, () => ingest(connection)));
    await eventually(async () => eventIds.length >= 40, 20 * SECOND, 'all 40 deliveries');
    await quiet(hub);

    expect(eventIds.sort()).toEqual([...ingested].sort());
    // Until the first successes the limit is the starting one, whatever the backlog.
    expect(mostOpenBeforeFourAnswers).toBeLessThanOrEqual(INITIAL_IN_FLIGHT_LIMIT);
    // AIMD adds one slot per limit's worth of successes (4, 5, 6, 7, 8: the limit is 9 after 30),
    // so 40 deliveries never see more than 9 at once; the backlog is not sent all together.
    expect(mostOpen).toBeLessThanOrEqual(9);
    expect(mostOpen).toBeGreaterThanOrEqual(INITIAL_IN_FLIGHT_LIMIT);
  });
});

describe('a hub with a 300 ms delivery timeout', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub({ LEARNHOOK_DELIVERY_TIMEOUT_MS: '300' });
  });
  afterAll(() => hub.close());

  it('records a target that never answers as a timeout and keeps the delivery pending for retry', async () => {
    const target = await receiver(() => ({ status: 200, delayMs: 5 * SECOND }));
    const connection = await connect(hub, 'df-timeout');
    const hook = await subscribe(hub, target.url, connection);

    await ingest(connection);
    await target.waitFor(1);
    const recorded = await settledDelivery(hub, hook.id, 1, 3 * SECOND);

    expect(recorded).toMatchObject({ status: 'pending', last_status: null });
    expect(recorded.last_error).toMatch(/^timeout: /);
    expect(recorded.attempts).toHaveLength(1);
    const [attempt] = recorded.attempts;
    expect(attempt).toMatchObject({ attempt: 1, status: null, response_snippet: null });
    expect(attempt?.error).toMatch(/^timeout: .*300 ms/);
    expect(attempt?.duration_ms).toBeGreaterThanOrEqual(290);
    expect(attempt?.duration_ms).toBeLessThan(2 * SECOND);
    const wait = ms(recorded.next_attempt_at) - ms(attempt?.started_at ?? null);
    expect(wait).toBeGreaterThanOrEqual(FIRST_RETRY_MIN_MS);
    expect(wait).toBeLessThan(FIRST_RETRY_MAX_MS + SECOND);
  });
});

describe('a hub that refuses private targets', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub({ LEARNHOOK_ALLOW_PRIVATE_TARGETS: 'false' });
  });
  afterAll(() => hub.close());

  it('refuses subscriptions to loopback addresses and localhost names with 400 target_refused', async () => {
    const target = await receiver();
    const { port } = new URL(target.url);
    const urls = [
      `http://127.0.0.1:${port}/hook`,
      `http://localhost:${port}/hook`,
      `http://LOCALHOST.:${port}/hook`,
      `http://zap.localhost:${port}/hook`,
      `http://[::1]:${port}/hook`,
      `http://2130706433:${port}/hook`,
      'http://10.1.2.3/hook',
      'http://169.254.169.254/latest/meta-data/',
    ];
    for (const url of urls) {
      const refused = await hub.api('POST', '/v1/hooks', { url, events: ['*'] });
      expect(refused.status, url).toBe(400);
      expect(refused.body.error.code, url).toBe('target_refused');
    }
    expect((await hub.api('GET', '/v1/hooks')).body.data).toEqual([]);
    expect(target.received).toHaveLength(0);
  });
});
