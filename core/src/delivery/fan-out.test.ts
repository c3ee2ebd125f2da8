import { afterEach, describe, expect, it, vi } from 'vitest';
import { SAMPLES } from '../catalog/index.ts';
import { withoutHydration } from '../hydrate/hydrator.ts';
import { createLogger } from '../logger.ts';
import { openSqliteStore } from '../store/sqlite.ts';
import type { HookRecord, Store } from '../store/store.ts';
import { createFanOut, RETRY_PASS_MS } from './fan-out.ts';

const opened: Store[] = [];
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(opened.splice(0).map((store) => store.close()));
});

function hook(id: string, status: HookRecord['status']): HookRecord {
  return {
    id,
    url: 'https://example.com/hook',
    events: ['*'],
    filter: {},
    description: null,
    secret_enc: 'enc',
    status,
    status_reason: null,
    failing_since: null,
    created_by: null,
    created_at: 1,
    updated_at: 1,
  };
}

describe('fan-out', () => {
  it('creates deliveries for active and paused hooks, held for the paused one, and none for a disabled hook', async () => {
    const store = openSqliteStore({ file: ':memory:' });
    opened.push(store);
    for (const record of [hook('hook_active', 'active'), hook('hook_paused', 'paused'), hook('hook_disabled', 'disabled')]) await store.insertHook(record);
    const event = { ...SAMPLES['enrollment.completed'], id: 'evt_1' };
    await store.ingest({
      connection_id: 'con_1',
      request: { method: 'POST', route: 'webhook', headers: {}, body: Buffer.from('{}'), received_at: 1 },
      events: [{ id: 'evt_1', type: 'enrollment.completed', dedupe_key: 'k1', event, needs: {} }],
    });
    let woken = 0;
    const fanOut = createFanOut({ store, hydrator: withoutHydration, logger: createLogger({ level: 'silent' }), onDeliveries: () => woken++ });
    fanOut.wake();
    await fanOut.idle();

    const deliveries = await store.listDeliveries({ limit: 10, event_id: 'evt_1' });
    expect(deliveries.data.map((delivery) => delivery.hook_id).sort()).toEqual(['hook_active', 'hook_paused']);
    expect(woken).toBe(1);
    // The dispatcher sends only to active hooks: the paused hook's delivery waits.
    expect(await store.hooksWithDueDeliveries(Date.now() + 1)).toEqual(['hook_active']);
  });

  it('tries a failed pass again by itself, so events acknowledged before the failure are not left waiting for the next ingest', async () => {
    // Only timers are faked: the store's group commit runs on setImmediate.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const store = openSqliteStore({ file: ':memory:' });
    opened.push(store);
    await store.insertHook(hook('hook_active', 'active'));
    await store.ingest({
      connection_id: 'con_1',
      request: { method: 'POST', route: 'webhook', headers: {}, body: Buffer.from('{}'), received_at: 1 },
      events: [{ id: 'evt_1', type: 'enrollment.completed', dedupe_key: 'k1', event: { ...SAMPLES['enrollment.completed'], id: 'evt_1' }, needs: {} }],
    });
    let failures = 1;
    let reads = 0;
    const flaky: Store = {
      ...store,
      // The first pass meets a store that cannot answer (SQLITE_BUSY, a full disk): reading the hooks fails.
      matchableHooks: () => {
        reads += 1;
        return failures-- > 0 ? Promise.reject(new Error('database is locked')) : store.matchableHooks();
      },
    };
    let woken = 0;
    const fanOut = createFanOut({ store: flaky, hydrator: withoutHydration, logger: createLogger({ level: 'silent' }), onDeliveries: () => woken++ });
    fanOut.wake();
    await fanOut.idle();
    expect((await store.listDeliveries({ limit: 10, event_id: 'evt_1' })).data).toEqual([]);

    await vi.advanceTimersByTimeAsync(RETRY_PASS_MS);
    await fanOut.idle();
    expect((await store.listDeliveries({ limit: 10, event_id: 'evt_1' })).data.map((delivery) => delivery.hook_id)).toEqual(['hook_active']);
    expect((await store.getEvent('evt_1'))?.state).toBe('processed');
    expect({ reads, woken }).toEqual({ reads: 2, woken: 1 });
    await fanOut.stop();
  });
});
