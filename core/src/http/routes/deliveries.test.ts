import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectAlm,
  deliveriesOf,
  epochMs,
  ingestCompletion,
  quiet,
  receiverForTest,
  settledDelivery,
  startTestHub,
  subscribe,
  type TestHub,
} from '../../testing/index.ts';

/** /v1/deliveries over real HTTP on loopback, against a test hub: each delivery, its attempts, and a retry on demand. */

const SECOND = 1000;

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(() => hub.close());

describe('deliveries', { timeout: 20_000 }, () => {
  it('lists deliveries by hook, event and status, and answers one with its attempts', async () => {
    // Only the second request succeeds: a retry of the first, brought forward once the target answers, fails again.
    const target = await receiverForTest((_request, index) => (index === 1 ? { status: 200, body: 'ok' } : { status: 500, body: 'busy' }));
    const connection = await connectAlm(hub.api, 'dl-list');
    const hook = await subscribe(hub.api, target.url, connection);
    const refused = await ingestCompletion(hub.url, connection);
    await settledDelivery(hub.api, hook.id);
    const accepted = await ingestCompletion(hub.url, connection);
    await target.waitFor(2);
    await quiet(hub);

    const byHook = await hub.api<{ data: Array<{ event_id: string; attempts: number }> }>('GET', `/v1/deliveries?hook_id=${hook.id}`);
    expect(byHook.status).toBe(200);
    expect(byHook.body.data.map((delivery) => delivery.event_id).sort()).toEqual([refused, accepted].sort());
    const pending = await hub.api<{ data: Array<{ event_id: string }> }>('GET', `/v1/deliveries?hook_id=${hook.id}&status=pending`);
    expect(pending.body.data.map((delivery) => delivery.event_id)).toEqual([refused]);
    const byEvent = await hub.api<{ data: Array<{ id: string; hook_id: string }> }>('GET', `/v1/deliveries?event_id=${accepted}`);
    expect(byEvent.body.data).toMatchObject([{ hook_id: hook.id }]);

    const one = await hub.api('GET', `/v1/deliveries/${byEvent.body.data[0]?.id}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({
      event_id: accepted,
      hook_id: hook.id,
      reason: 'event',
      status: 'succeeded',
      last_status: 200,
      attempts: [{ attempt: 1, status: 200, response_snippet: 'ok' }],
    });
    expect((await deliveriesOf(hub.api, hook.id)).find((delivery) => delivery.event_id === refused)?.attempts[0]).toMatchObject({
      attempt: 1,
      status: 500,
      response_snippet: 'busy',
    });
    expect((await hub.api('GET', '/v1/deliveries/dlv_missing')).status).toBe(404);
  });

  it('re-sends a failed delivery at once when asked to retry it, without waiting for the schedule', async () => {
    const target = await receiverForTest((_request, index) => (index === 0 ? { status: 500, body: 'down' } : { status: 200 }));
    const connection = await connectAlm(hub.api, 'df-retry');
    const hook = await subscribe(hub.api, target.url, connection);

    await ingestCompletion(hub.url, connection);
    const failed = await settledDelivery(hub.api, hook.id);
    expect(failed).toMatchObject({ status: 'pending', last_status: 500 });
    expect(epochMs(failed.next_attempt_at) - Date.now()).toBeGreaterThan(2 * SECOND);

    const asked = Date.now();
    const retried = await hub.api('POST', `/v1/deliveries/${failed.id}/retry`);
    expect(retried.status).toBe(202);
    expect(retried.body).toMatchObject({ id: failed.id });
    await target.waitFor(2, 2 * SECOND);
    expect(Date.now() - asked).toBeLessThan(2 * SECOND);

    const done = await settledDelivery(hub.api, hook.id, 2);
    expect(done).toMatchObject({ status: 'succeeded' });
    expect(done.attempts.map((attempt) => attempt.status)).toEqual([500, 200]);
    expect((await hub.api('POST', '/v1/deliveries/dlv_missing/retry')).status).toBe(404);
  });
});
