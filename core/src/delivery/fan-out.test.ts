import { afterEach, describe, expect, it, vi } from 'vitest';
import { withoutHydration } from '../hydrate/hydrator.ts';
import { createLogger } from '../logger.ts';
import { openSqliteStore } from '../store/sqlite.ts';
import type { HookRecord, Store } from '../store/store.ts';
import { hookRecord, ingestInput } from '../testing/store-fixtures.ts';
import { createFanOut, RETRY_PASS_MS } from './fan-out.ts';

const opened: Store[] = [];
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(opened.splice(0).map((store) => store.close()));
});

const hook = (id: string, status: HookRecord['status']) => hookRecord(id, { status });

describe('fan-out', () => {
  it('creates deliveries for active and paused hooks, held for the paused one, and none for a disabled hook', async () => {
    const store = openSqliteStore({ file: ':memory:' });
    opened.push(store);
    for (const record of [hook('hook_active', 'active'), hook('hook_paused', 'paused'), hook('hook_disabled', 'disabled')]) await store.insertHook(record);
    await store.ingest(ingestInput('1'));
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
    await store.ingest(ingestInput('1'));
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

  it("creates each event's deliveries once when two fan-outs share a store", async () => {
    const store = openSqliteStore({ file: ':memory:' });
    opened.push(store);
    await store.insertHook(hook('hook_active', 'active'));
    await store.ingest(ingestInput(...Array.from({ length: 50 }, (_, index) => `e${index}`)));
    const fanOuts = [1, 2].map(() =>
      createFanOut({ store, hydrator: withoutHydration, logger: createLogger({ level: 'silent' }), onDeliveries: () => {}, batchSize: 10 }),
    );
    for (const fanOut of fanOuts) fanOut.wake();
    await Promise.all(fanOuts.map((fanOut) => fanOut.idle()));
    const deliveries = await store.listDeliveries({ limit: 200 });
    expect(deliveries.data).toHaveLength(50);
    expect(new Set(deliveries.data.map((delivery) => delivery.event_id)).size).toBe(50);
    await Promise.all(fanOuts.map((fanOut) => fanOut.stop()));
  });

  it('finds by its poll the events another process claimed and left when it died, once their lease expires', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: 1_000_000 });
    const store = openSqliteStore({ file: ':memory:' });
    opened.push(store);
    await store.insertHook(hook('hook_active', 'active'));
    await store.ingest(ingestInput('1'));
    // The process that claimed it is gone: nobody wakes this fan-out for the event.
    expect(await store.claimEvents(Date.now(), 10, 5_000)).toHaveLength(1);
    const fanOut = createFanOut({
      store,
      hydrator: withoutHydration,
      logger: createLogger({ level: 'silent' }),
      onDeliveries: () => {},
      leaseMs: 5_000,
      pollMs: 2_000,
    });
    fanOut.wake();
    await fanOut.idle();
    expect((await store.getEvent('evt_1'))?.state).toBe('received');
    await vi.advanceTimersByTimeAsync(4_000);
    await fanOut.idle();
    expect((await store.getEvent('evt_1'))?.state).toBe('received');
    await vi.advanceTimersByTimeAsync(2_000);
    await fanOut.idle();
    expect((await store.getEvent('evt_1'))?.state).toBe('processed');
    expect((await store.listDeliveries({ limit: 10, event_id: 'evt_1' })).data).toHaveLength(1);
    await fanOut.stop();
  });
});
