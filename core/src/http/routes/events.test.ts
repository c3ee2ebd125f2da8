import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectAlm,
  deliveriesOf,
  ingestCompletion,
  quiet,
  receiverForTest,
  startTestHub,
  subscribe,
  verifySigned,
  type TestHub,
} from '../../testing/index.ts';

/** /v1/events over real HTTP on loopback, against a test hub: the stored events and their replay. */

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(() => hub.close());

describe('events', { timeout: 20_000 }, () => {
  it('lists events newest first, filtered by connection name or id, and answers each by its id', async () => {
    const first = await connectAlm(hub.api, 'ev-first');
    const second = await connectAlm(hub.api, 'ev-second');
    const older = await ingestCompletion(hub.url, first);
    const newer = await ingestCompletion(hub.url, first);
    const other = await ingestCompletion(hub.url, second);
    await quiet(hub);

    const byName = await hub.api<{ data: Array<{ id: string }>; next_cursor: string | null }>('GET', '/v1/events?connection=ev-first');
    expect(byName.status).toBe(200);
    expect(byName.body.data.map((event) => event.id)).toEqual([newer, older]);
    const { body: connection } = await hub.api('GET', '/v1/connections/ev-second');
    const byId = await hub.api<{ data: Array<{ id: string }> }>('GET', `/v1/events?connection=${connection.id}`);
    expect(byId.body.data.map((event) => event.id)).toEqual([other]);

    const paged = await hub.api<{ data: Array<{ id: string }>; next_cursor: string | null }>('GET', '/v1/events?connection=ev-first&limit=1');
    expect(paged.body.data.map((event) => event.id)).toEqual([newer]);
    const rest = await hub.api<{ data: Array<{ id: string }> }>('GET', `/v1/events?connection=ev-first&limit=1&cursor=${paged.body.next_cursor}`);
    expect(rest.body.data.map((event) => event.id)).toEqual([older]);

    const one = await hub.api('GET', `/v1/events/${older}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id: older, type: 'enrollment.completed' });
    expect((await hub.api('GET', '/v1/events/evt_missing')).status).toBe(404);
    expect((await hub.api('POST', '/v1/events/evt_missing/replay')).status).toBe(404);
  });

  it('replays a stored event to every matching hook, then to the one hook named', async () => {
    const first = await receiverForTest();
    const second = await receiverForTest();
    const connection = await connectAlm(hub.api, 'df-replay');
    const hookA = await subscribe(hub.api, first.url, connection);
    const hookB = await subscribe(hub.api, second.url, connection);

    const eventId = await ingestCompletion(hub.url, connection);
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
    const replays = (await deliveriesOf(hub.api, hookB.id)).filter((d) => d.reason === 'replay');
    expect(replays).toHaveLength(2);
    expect(replays.every((d) => d.status === 'succeeded')).toBe(true);

    const missing = await hub.api('POST', `/v1/events/${eventId}/replay`, { hook_id: 'hook_missing' });
    expect(missing.status).toBe(404);
  });
});
