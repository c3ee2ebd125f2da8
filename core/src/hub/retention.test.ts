import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectionAnswer } from '../operations/schemas.ts';
import { DAY_MS } from '../store/retention.ts';
import { completionRequest, eventually, sendToIngest, startTestHub, type TestHub } from '../testing/index.ts';

/**
 * The hub runs retention (store/retention.ts) on its own clock: a compressed one here, moved by
 * whole days, so a connection's window is seen to pass without waiting it.
 */
describe('the hub prunes on its own clock', { timeout: 30_000 }, () => {
  let hub: TestHub | null = null;
  afterEach(async () => {
    await hub?.close();
    hub = null;
  });

  it("takes a connection's retention_days from the API, prunes its events once past it, keeps the others, and counts it in /metrics", async () => {
    const clock = { now: Date.UTC(2026, 0, 1) };
    hub = await startTestHub({ LEARNHOOK_RETENTION_DAYS: '30' }, undefined, { now: () => clock.now, retentionIntervalMs: 50 });
    const refused = await hub.api('POST', '/v1/connections', { name: 'bad', vendor: 'learn365', retention_days: -1 });
    expect(refused.status).toBe(400);
    const short = await hub.api<ConnectionAnswer>('POST', '/v1/connections', { name: 'short', vendor: 'learn365', retention_days: 3 });
    const usual = await hub.api<ConnectionAnswer>('POST', '/v1/connections', { name: 'usual', vendor: 'learn365' });
    expect([short.body.retention_days, usual.body.retention_days]).toEqual([3, null]);
    const changed = await hub.api<ConnectionAnswer>('PATCH', `/v1/connections/${usual.body.id}`, { retention_days: '45' });
    expect(changed.body.retention_days).toBe(45);

    for (const [connection, n] of [
      [short.body, 1],
      [usual.body, 2],
    ] as const) {
      expect((await sendToIngest(connection.ingest_url, completionRequest('learn365', connection.inbound, n))).status).toBe(202);
    }
    const events = await eventually(async () => {
      const list = await hub!.api<{ data: { id: string; hydration: { status: string } }[] }>('GET', '/v1/events?limit=10');
      return list.body.data.length === 2 && list.body.data.every((event) => event.hydration.status !== 'pending') && list.body.data;
    });
    expect(events[0]?.id).toBeDefined();

    clock.now += 4 * DAY_MS;
    await eventually(async () => {
      const list = await hub!.api<{ data: unknown[] }>('GET', '/v1/events?limit=10');
      return list.body.data.length === 1;
    });
    const kept = await hub.api<{ data: { source: { connection: string } }[] }>('GET', '/v1/events?limit=10');
    expect(kept.body.data.map((event) => event.source.connection)).toEqual(['usual']);
    const metrics = await (await fetch(`${hub.url}/metrics`)).text();
    expect(metrics).toMatch(/^learnhook_retention_pruned_total\{table="events"\} 1$/m);
    expect(metrics).toMatch(/^learnhook_store_file_bytes \d+$/m);
  });
});
