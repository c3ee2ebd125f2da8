import { completionRequest, startReceiver, startTestHub, type TestHub } from '@learnhook/core/testing';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let hub: TestHub;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  hub = await startTestHub();
  receiver = await startReceiver();
});
afterAll(async () => {
  await hub.close();
  await receiver.close();
});

async function connect(vendor: string, name: string) {
  const { status, body } = await hub.api('POST', '/v1/connections', { name, vendor });
  expect(status).toBe(201);
  return body as { ingest_url: string; xapi_url: string | null; inbound: Record<string, unknown> };
}

async function send(url: string, request: { path: string; headers: Record<string, string>; body: string }) {
  return fetch(url + request.path, { method: 'POST', headers: request.headers, body: request.body });
}

describe('subscribe, ingest every vendor format, deliver signed', () => {
  const formats = ['absorb', 'learn365', 'adobe-alm', 'seismic-learning', 'standard', 'xapi'] as const;

  it.each(formats)('delivers a %s completion to a subscriber as enrollment.completed, signed so an independent verifier accepts it', async (format) => {
    const vendor = format === 'xapi' ? 'standard' : format;
    const connection = await connect(vendor, `e2e-${format}`);
    const hook = await hub.api('POST', '/v1/hooks', {
      url: `${receiver.url}/${format}`,
      events: ['enrollment.completed'],
      filter: { connection: `e2e-${format}` },
    });
    expect(hook.status).toBe(201);
    expect(hook.body.secret).toMatch(/^whsec_/);

    const before = receiver.received.length;
    const response = await send(connection.ingest_url, completionRequest(format, connection.inbound));
    expect(response.status).toBeLessThan(300);

    await receiver.waitFor(before + 1);
    const delivery = receiver.received.find((request) => request.url === `/${format}`);
    expect(delivery).toBeDefined();
    const verified = new Webhook(hook.body.secret).verify(delivery!.body, {
      'webhook-id': String(delivery!.headers['webhook-id']),
      'webhook-timestamp': String(delivery!.headers['webhook-timestamp']),
      'webhook-signature': String(delivery!.headers['webhook-signature']),
    }) as { type: string; source: { vendor: string; connection: string }; learner: { id: string } };
    expect(verified.type).toBe('enrollment.completed');
    expect(verified.source).toMatchObject({ vendor, connection: `e2e-${format}` });
    expect(verified.learner.id).toBeTruthy();
  });

  it('stores a resent vendor request once and delivers it once', async () => {
    const connection = await connect('adobe-alm', 'e2e-dupes');
    await hub.api('POST', '/v1/hooks', { url: `${receiver.url}/dupes`, events: ['*'], filter: { connection: 'e2e-dupes' } });
    const request = completionRequest('adobe-alm', connection.inbound, 77);
    const first = (await (await send(connection.ingest_url, request)).json()) as { event_ids: string[] };
    const second = await (await send(connection.ingest_url, request)).json();
    expect(first).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(second).toMatchObject({ accepted: 0, duplicates: 1, event_ids: first.event_ids });
    await hub.hub.fanOut.idle();
    await hub.hub.dispatcher.idle();
    expect(receiver.received.filter((r) => r.url === '/dupes')).toHaveLength(1);
    const events = await hub.api('GET', '/v1/events?connection=e2e-dupes');
    expect(events.body.data).toHaveLength(1);
  });

  it('stops delivering once unsubscribed', async () => {
    const connection = await connect('absorb', 'e2e-unsub');
    const hook = await hub.api('POST', '/v1/hooks', { url: `${receiver.url}/unsub`, events: ['*'], filter: { connection: 'e2e-unsub' } });
    // Counted before sending: an event fanned out before its answer can be delivered before the answer arrives.
    const before = receiver.received.length;
    await send(connection.ingest_url, completionRequest('absorb', connection.inbound, 1));
    await receiver.waitFor(before + 1);
    expect((await hub.api('DELETE', `/v1/hooks/${hook.body.id}`)).status).toBe(204);
    await send(connection.ingest_url, completionRequest('absorb', connection.inbound, 2));
    await hub.hub.fanOut.idle();
    await hub.hub.dispatcher.idle();
    expect(receiver.received.filter((r) => r.url === '/unsub')).toHaveLength(1);
  });
});
