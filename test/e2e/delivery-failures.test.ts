import {
  connectAlm,
  deliveriesOf,
  envelopeOf,
  epochMs,
  eventually,
  ingestCompletion,
  listenForTest,
  quiet,
  receiverForTest,
  settledDelivery,
  startTestHub,
  subscribe,
  type TestHub,
  verifySigned,
} from '@learnhook/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The hub's delivery guarantees (DESIGN §4 Delivery) over real HTTP on loopback: what each kind
 * of target failure does to the delivery, its attempts and the subscription (the API's test,
 * replay, retry and pause controls are tested beside their routers in core/src/http/routes).
 * Every test has its own connection and hook (filtered to that connection), so no test sees
 * another's deliveries.
 */

const SECOND = 1000;

/** The retry schedule's first wait, 5 s, and its ±20% jitter (retry-schedule.ts). */
const FIRST_RETRY_MIN_MS = 4 * SECOND;
const FIRST_RETRY_MAX_MS = 6 * SECOND;

/** The concurrency limiter's starting in-flight limit per hook (concurrency.ts). */
const INITIAL_IN_FLIGHT_LIMIT = 4;

describe('a hub that allows loopback targets', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.close());

  it('deletes a subscription whose target answers 410 Gone, records the attempt and audits it, and sends it nothing more', async () => {
    const target = await receiverForTest(() => ({ status: 410, body: 'zap turned off' }));
    const connection = await connectAlm(hub.api, 'df-gone');
    const hook = await subscribe(hub.api, target.url, connection);

    await ingestCompletion(hub.url, connection);
    await target.waitFor(1);
    await eventually(async () => (await hub.api('GET', `/v1/hooks/${hook.id}`)).status === 404, 5 * SECOND, 'the hook to be deleted');

    const recorded = await settledDelivery(hub.api, hook.id);
    expect(recorded).toMatchObject({ status: 'failed', last_status: 410, next_attempt_at: null });
    expect(recorded.attempts).toMatchObject([{ attempt: 1, status: 410, response_snippet: 'zap turned off' }]);

    const audit = await hub.api('GET', '/v1/audit?limit=100');
    expect(audit.body.data).toContainEqual(expect.objectContaining({ actor: 'system', action: 'hook.deleted', target: hook.id }));

    const later = await ingestCompletion(hub.url, connection);
    await quiet(hub);
    expect((await hub.api('GET', `/v1/events/${later}`)).status).toBe(200);
    expect(target.received).toHaveLength(1);
    expect(await deliveriesOf(hub.api, hook.id)).toHaveLength(1);
  });

  it('keeps a delivery answered 429 with Retry-After: 7 pending for at least 7 s, beyond the 5 s schedule', async () => {
    const target = await receiverForTest(() => ({ status: 429, headers: { 'retry-after': '7', 'content-type': 'text/plain' }, body: 'slow down' }));
    const connection = await connectAlm(hub.api, 'df-429');
    const hook = await subscribe(hub.api, target.url, connection);

    await ingestCompletion(hub.url, connection);
    const recorded = await settledDelivery(hub.api, hook.id);

    expect(recorded).toMatchObject({ status: 'pending', last_status: 429 });
    expect(recorded.attempts).toHaveLength(1);
    const [attempt] = recorded.attempts;
    expect(attempt).toMatchObject({ attempt: 1, status: 429, error: null, response_snippet: 'slow down' });
    const wait = epochMs(recorded.next_attempt_at) - epochMs(attempt?.started_at ?? null);
    expect(wait).toBeGreaterThanOrEqual(7 * SECOND);
    expect(wait).toBeGreaterThan(FIRST_RETRY_MAX_MS);
    expect(wait).toBeLessThan(8 * SECOND);
    expect(target.received).toHaveLength(1);
  });

  it('retries a delivery answered 500 on its own after about 5 s, and records both attempts once the retry succeeds', async () => {
    const arrivals: number[] = [];
    const target = await receiverForTest((_request, index) => {
      arrivals.push(Date.now());
      return index === 0 ? { status: 500, body: 'boom' } : { status: 200, body: 'ok now' };
    });
    const connection = await connectAlm(hub.api, 'df-500-then-200');
    const hook = await subscribe(hub.api, target.url, connection);

    await ingestCompletion(hub.url, connection);
    await target.waitFor(1);
    const first = await settledDelivery(hub.api, hook.id);
    expect(first).toMatchObject({ status: 'pending', last_status: 500 });
    expect(first.attempts).toHaveLength(1);

    await target.waitFor(2, FIRST_RETRY_MAX_MS + 2 * SECOND);
    const [firstAt = 0, secondAt = 0] = arrivals;
    expect(secondAt - firstAt).toBeGreaterThanOrEqual(FIRST_RETRY_MIN_MS - 100);
    expect(secondAt - firstAt).toBeLessThan(FIRST_RETRY_MAX_MS + SECOND);

    const done = await settledDelivery(hub.api, hook.id, 2);
    expect(done).toMatchObject({ status: 'succeeded', last_status: 200, last_error: null, next_attempt_at: null });
    expect(done.attempts.map((attempt) => attempt.status)).toEqual([500, 200]);
    expect(done.attempts.map((attempt) => attempt.response_snippet)).toEqual(['boom', 'ok now']);
    const [firstTry, secondTry] = done.attempts;
    const gap = epochMs(secondTry?.started_at ?? null) - epochMs(firstTry?.started_at ?? null);
    expect(gap).toBeGreaterThanOrEqual(FIRST_RETRY_MIN_MS);
    expect(gap).toBeLessThan(FIRST_RETRY_MAX_MS + SECOND);
    // The retry is the same message: same webhook-id, so a receiver can drop it if the first had arrived.
    const [sentFirst, sentSecond] = target.received.map((request) => verifySigned(hook.secret, request));
    expect(sentSecond?.id).toBe(sentFirst?.id);
    expect(target.received[1]?.headers['webhook-id']).toBe(target.received[0]?.headers['webhook-id']);
  });

  it('does not follow a 302 redirect: the redirect target gets nothing and the delivery waits to be retried', async () => {
    const elsewhere = await receiverForTest();
    const target = await receiverForTest(() => ({ status: 302, headers: { location: `${elsewhere.url}/caught` }, body: '' }));
    const connection = await connectAlm(hub.api, 'df-redirect');
    const hook = await subscribe(hub.api, target.url, connection);

    await ingestCompletion(hub.url, connection);
    const recorded = await settledDelivery(hub.api, hook.id);
    await quiet(hub);

    expect(recorded).toMatchObject({ status: 'pending', last_status: 302 });
    expect(recorded.attempts).toMatchObject([{ attempt: 1, status: 302, error: null }]);
    expect(epochMs(recorded.next_attempt_at)).toBeGreaterThan(Date.now());
    expect(target.received).toHaveLength(1);
    expect(elsewhere.received).toHaveLength(0);
  });

  it('holds a slow target to its in-flight limit when 40 events arrive at once, and delivers all 40', async () => {
    let open = 0;
    let answered = 0;
    let mostOpen = 0;
    let mostOpenBeforeFourAnswers = 0;
    const eventIds: string[] = [];
    const server = await listenForTest((req, res) => {
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
    const connection = await connectAlm(hub.api, 'df-backpressure');
    await subscribe(hub.api, `${server.url}/slow`, connection);

    const ingested = await Promise.all(Array.from({ length: 40 }, () => ingestCompletion(hub.url, connection)));
    await eventually(async () => eventIds.length >= 40, 20 * SECOND, 'all 40 deliveries');
    await quiet(hub);

    expect(eventIds.sort()).toEqual([...ingested].sort());
    // Until the first successes the limit is the starting one, whatever the backlog.
    expect(mostOpenBeforeFourAnswers).toBeLessThanOrEqual(INITIAL_IN_FLIGHT_LIMIT);
    // Slow start doubles the limit per limit's worth of successes (4, 8, 16: 32 only after 28
    // answers, when 12 are left), so 40 deliveries never see more than 16 at once; the backlog is
    // not sent all together.
    expect(mostOpen).toBeLessThanOrEqual(16);
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
    const target = await receiverForTest(() => ({ status: 200, delayMs: 5 * SECOND }));
    const connection = await connectAlm(hub.api, 'df-timeout');
    const hook = await subscribe(hub.api, target.url, connection);

    await ingestCompletion(hub.url, connection);
    await target.waitFor(1);
    const recorded = await settledDelivery(hub.api, hook.id, 1, 3 * SECOND);

    expect(recorded).toMatchObject({ status: 'pending', last_status: null });
    expect(recorded.last_error).toMatch(/^timeout: /);
    expect(recorded.attempts).toHaveLength(1);
    const [attempt] = recorded.attempts;
    expect(attempt).toMatchObject({ attempt: 1, status: null, response_snippet: null });
    expect(attempt?.error).toMatch(/^timeout: .*300 ms/);
    expect(attempt?.duration_ms).toBeGreaterThanOrEqual(290);
    expect(attempt?.duration_ms).toBeLessThan(2 * SECOND);
    const wait = epochMs(recorded.next_attempt_at) - epochMs(attempt?.started_at ?? null);
    expect(wait).toBeGreaterThanOrEqual(FIRST_RETRY_MIN_MS);
    expect(wait).toBeLessThan(FIRST_RETRY_MAX_MS + SECOND);
  });
});
