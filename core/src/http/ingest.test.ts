import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectAlm, quiet, receiverForTest, sendCompletion, startTestHub, subscribe, type TestHub } from '../testing/index.ts';
import { storableHeaders } from './ingest.ts';

describe('storableHeaders', () => {
  it('blanks the credentials a vendor sends in headers and keeps every other header as received', () => {
    const stored = storableHeaders({
      authorization: 'Basic bHJzX3VzZXI6czNjcjN0',
      'proxy-authorization': 'Bearer proxy',
      cookie: 'session=abc',
      'x-api-key': 'key',
      'ms-signature': 'sha256=ABCDEF',
      'content-type': 'application/json',
      'x-experience-api-version': '1.0.3',
      'user-agent': undefined,
    });
    expect(stored).toEqual({
      authorization: '[redacted]',
      'proxy-authorization': '[redacted]',
      cookie: '[redacted]',
      'x-api-key': '[redacted]',
      'ms-signature': 'sha256=ABCDEF',
      'content-type': 'application/json',
      'x-experience-api-version': '1.0.3',
      'user-agent': undefined,
    });
  });
});

describe('an event that needs no LMS call, through a hub', { timeout: 20_000 }, () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.close());

  it('is fanned out before the answer: stored complete with its delivery when the LMS hears 202, and a resend adds none', async () => {
    const receiver = await receiverForTest();
    // Adobe ALM without API settings: nothing to look up, so nothing to wait for.
    const connection = await connectAlm(hub.api, 'early');
    const hook = await subscribe(hub.api, receiver.url, connection);
    const sent = await sendCompletion(hub.url, connection, 7);
    expect(sent.status).toBe(202);
    const [eventId] = sent.eventIds ?? [];
    const stored = await hub.hub.store.getEvent(eventId ?? '');
    expect(stored).toMatchObject({ state: 'processed', event: { hydration: { status: 'partial' } } });
    expect((await hub.hub.store.listDeliveries({ limit: 10, event_id: eventId })).data.map((delivery) => delivery.hook_id)).toEqual([hook.id]);

    expect(await sendCompletion(hub.url, connection, 7)).toEqual({ status: 202, eventIds: [eventId] });
    await receiver.waitFor(1);
    await quiet(hub);
    expect(receiver.received).toHaveLength(1);
    expect((await hub.hub.store.listDeliveries({ limit: 10, event_id: eventId })).data).toHaveLength(1);
  });
});
