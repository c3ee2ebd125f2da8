import { afterEach, describe, expect, it } from 'vitest';
import { SAMPLES } from '../catalog/index.ts';
import { withoutHydration } from '../hydrate/hydrator.ts';
import { createLogger } from '../logger.ts';
import { openSqliteStore } from '../store/sqlite.ts';
import type { HookRecord, Store } from '../store/store.ts';
import { createFanOut } from './fan-out.ts';

const opened: Store[] = [];
afterEach(async () => {
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
});
