import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Hydrator, withoutHydration } from '../hydrate/hydrator.ts';
import { createLogger } from '../logger.ts';
import { openSqliteStore } from '../store/sqlite.ts';
import type { ClaimedDelivery, HookRecord, Store } from '../store/store.ts';
import { hookRecord, ingestInput } from '../testing/store-fixtures.ts';
import type { Handoff } from './dispatcher.ts';
import { createFanOut, type FanOut, RETRY_PASS_MS } from './fan-out.ts';

const opened: Store[] = [];
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(opened.splice(0).map((store) => store.close()));
});

const hook = (id: string, status: HookRecord['status']) => hookRecord(id, { status });

const LEASE_END = 9_000_000_000_000;

/** A dispatcher's handoff with a free slot for the hooks in `slots` only, recording what it is given. */
function handoffTo(...slots: string[]) {
  const sent: ClaimedDelivery[] = [];
  const cancelled: string[] = [];
  const handoff: Handoff = {
    reserve: (hook) => (slots.includes(hook.id) ? LEASE_END : null),
    send: (delivery) => sent.push(delivery),
    cancel: (hookId) => cancelled.push(hookId),
  };
  return { handoff, sent, cancelled };
}

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

  it('hands a delivery to the dispatcher once it is written in flight when its hook has a free slot, and leaves the others waiting for a claim', async () => {
    const store = openSqliteStore({ file: ':memory:' });
    opened.push(store);
    for (const id of ['hook_free', 'hook_full']) await store.insertHook(hook(id, 'active'));
    await store.ingest(ingestInput('1'));
    const { handoff, sent, cancelled } = handoffTo('hook_free');
    let woken = 0;
    const fanOut = createFanOut({ store, hydrator: withoutHydration, logger: createLogger({ level: 'silent' }), onDeliveries: () => woken++, handoff });
    fanOut.wake();
    await fanOut.idle();

    const [handed] = sent;
    expect(sent).toHaveLength(1);
    expect(handed).toMatchObject({
      hook_id: 'hook_free',
      event_id: 'evt_1',
      status: 'in_flight',
      attempts: 0,
      next_attempt_at: LEASE_END,
      event_type: 'enrollment.completed',
    });
    expect(handed?.hook.id).toBe('hook_free');
    // What is sent is the event as stored, as a claim would have read it.
    expect(JSON.parse(handed?.event_json ?? '')).toEqual((await store.getEvent('evt_1'))?.event);
    expect(await store.getDelivery(handed?.id ?? '')).toMatchObject({ status: 'in_flight', next_attempt_at: LEASE_END });
    const waiting = (await store.listDeliveries({ limit: 10, hook_id: 'hook_full' })).data;
    expect(waiting.map((delivery) => delivery.status)).toEqual(['pending']);
    expect({ woken, cancelled }).toEqual({ woken: 1, cancelled: [] });
  });

  it('wakes no claim when every delivery was handed over, and gives the slots back when another process completed the event first', async () => {
    const store = openSqliteStore({ file: ':memory:' });
    opened.push(store);
    await store.insertHook(hook('hook_free', 'active'));
    await store.ingest(ingestInput('1', '2'));
    const { handoff, sent, cancelled } = handoffTo('hook_free');
    // Another process completes evt_2 while this one hydrates it.
    const raced: Store = {
      ...store,
      completeEvent: (id, event, deliveries) => (id === 'evt_2' ? Promise.resolve(false) : store.completeEvent(id, event, deliveries)),
    };
    let woken = 0;
    const fanOut = createFanOut({ store: raced, hydrator: withoutHydration, logger: createLogger({ level: 'silent' }), onDeliveries: () => woken++, handoff });
    fanOut.wake();
    await fanOut.idle();
    expect(sent.map((delivery) => delivery.event_id)).toEqual(['evt_1']);
    expect({ woken, cancelled }).toEqual({ woken: 0, cancelled: ['hook_free'] });
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

  describe('before the ingest answers (completeNow)', () => {
    /** The one event of ingestInput(key), completed now and stored with its completion as ingest does it. */
    async function ingestCompleted(store: Store, fanOut: FanOut, key: string) {
      const input = ingestInput(key);
      const [lean] = input.events;
      if (!lean) throw new Error('one event expected');
      const completion = await fanOut.completeNow({ id: lean.id, connection_id: input.connection_id, event: lean.event, needs: lean.needs });
      const result = await store.ingest({ ...input, events: [{ ...lean, completed: completion ?? undefined }] });
      completion?.settle(result.inserted.includes(lean.id));
      return completion;
    }

    it('completes an event whose hydration is in memory: stored processed with its deliveries, handed over once stored, no pass needed', async () => {
      const store = openSqliteStore({ file: ':memory:' });
      opened.push(store);
      for (const id of ['hook_free', 'hook_full']) await store.insertHook(hook(id, 'active'));
      const { handoff, sent, cancelled } = handoffTo('hook_free');
      let woken = 0;
      const fanOut = createFanOut({ store, hydrator: withoutHydration, logger: createLogger({ level: 'silent' }), onDeliveries: () => woken++, handoff });
      const completion = await ingestCompleted(store, fanOut, '1');

      expect(completion?.event.hydration).toEqual({ status: 'complete', missing: [] });
      expect((await store.getEvent('evt_1'))?.state).toBe('processed');
      expect(await store.claimEvents(Date.now(), 10, 1000)).toEqual([]);
      expect(sent.map((delivery) => [delivery.hook_id, delivery.status])).toEqual([['hook_free', 'in_flight']]);
      expect(JSON.parse(sent[0]?.event_json ?? '')).toEqual((await store.getEvent('evt_1'))?.event);
      expect((await store.listDeliveries({ limit: 10, hook_id: 'hook_full' })).data.map((delivery) => delivery.status)).toEqual(['pending']);
      // The pending one waits for a claim: the dispatcher is woken for it.
      expect({ woken, cancelled }).toEqual({ woken: 1, cancelled: [] });
    });

    it('gives the reserved places back when the event turns out to be a resend, and creates nothing for it', async () => {
      const store = openSqliteStore({ file: ':memory:' });
      opened.push(store);
      await store.insertHook(hook('hook_free', 'active'));
      await store.ingest(ingestInput('1'));
      const { handoff, sent, cancelled } = handoffTo('hook_free');
      const fanOut = createFanOut({ store, hydrator: withoutHydration, logger: createLogger({ level: 'silent' }), onDeliveries: () => {}, handoff });
      expect(await ingestCompleted(store, fanOut, '1')).not.toBeNull();
      expect({ sent, cancelled }).toEqual({ sent: [], cancelled: ['hook_free'] });
      expect((await store.listDeliveries({ limit: 10 })).data).toEqual([]);
    });

    it('leaves to a pass an event whose hydration would ask the LMS, and one met while the hooks cannot be read', async () => {
      const store = openSqliteStore({ file: ':memory:' });
      opened.push(store);
      await store.insertHook(hook('hook_active', 'active'));
      const asking: Hydrator = { ...withoutHydration, fromMemory: async () => null };
      const lean = createFanOut({ store, hydrator: asking, logger: createLogger({ level: 'silent' }), onDeliveries: () => {} });
      expect(await ingestCompleted(store, lean, '1')).toBeNull();
      let failures = 1;
      const flaky: Store = { ...store, matchableHooks: () => (failures-- > 0 ? Promise.reject(new Error('database is locked')) : store.matchableHooks()) };
      const fanOut = createFanOut({ store: flaky, hydrator: withoutHydration, logger: createLogger({ level: 'silent' }), onDeliveries: () => {} });
      expect(await ingestCompleted(store, fanOut, '2')).toBeNull();
      expect((await store.claimEvents(Date.now(), 10, 1000)).map((event) => event.id)).toEqual(['evt_1', 'evt_2']);
      // The failed read is not kept: the next event is completed.
      expect(await ingestCompleted(store, fanOut, '3')).not.toBeNull();
      expect((await store.listDeliveries({ limit: 10 })).data.map((delivery) => delivery.event_id)).toEqual(['evt_3']);
    });
  });
});
