import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SAMPLES } from '../catalog/index.ts';
import { createLogger } from '../logger.ts';
import { createMetrics } from '../metrics.ts';
import { createSecretBox } from '../store/secret-box.ts';
import { openSqliteStore } from '../store/sqlite.ts';
import type { ClaimedDelivery, HookRecord, Store } from '../store/store.ts';
import { hookRecord, ingestInput } from '../testing/store-fixtures.ts';
import { type ConcurrencyLimiter, createConcurrencyLimiter } from './concurrency.ts';
import { createDispatcher, type Dispatcher } from './dispatcher.ts';
import type { Transport, TransportRequest, TransportResult } from './transport.ts';

const box = createSecretBox(randomBytes(32));
const running: Array<{ dispatcher: Dispatcher; store: Store }> = [];

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'], now: 1_000_000 });
});
afterEach(async () => {
  vi.useRealTimers();
  for (const { dispatcher, store } of running.splice(0)) {
    await dispatcher.stop();
    await store.close();
  }
});

/** A store holding one hook and one event with its delivery, due now; counts the dispatcher's passes. */
async function setup(
  status: HookRecord['status'],
  failFirstPass = false,
  limiter: ConcurrencyLimiter = createConcurrencyLimiter(),
  answer: (request: TransportRequest) => Promise<TransportResult> = async () => ({ ok: true, status: 200, snippet: 'ok', durationMs: 1, retryAfter: null }),
) {
  const inner = openSqliteStore({ file: ':memory:' });
  const event = { ...SAMPLES['enrollment.completed'], id: 'evt_1' };
  await inner.ingest(ingestInput('1'));
  await inner.insertHook(hookRecord('hook_1', { status, secret_enc: box.seal(`whsec_${randomBytes(24).toString('base64')}`) }));
  await inner.completeEvent('evt_1', event, [{ id: 'dlv_1', event_id: 'evt_1', hook_id: 'hook_1', next_attempt_at: Date.now(), reason: 'event' }]);

  let passes = 0;
  const claimed: string[] = [];
  const store: Store = {
    ...inner,
    kind: inner.kind,
    async hooksWithDueDeliveries(now) {
      passes++;
      if (failFirstPass && passes === 1) throw new Error('the store is briefly unavailable');
      return inner.hooksWithDueDeliveries(now);
    },
    async claimDeliveries(...args) {
      const deliveries = await inner.claimDeliveries(...args);
      claimed.push(...deliveries.map((delivery) => delivery.id));
      return deliveries;
    },
  };
  const sent: TransportRequest[] = [];
  const transport: Transport = {
    send(request) {
      sent.push(request);
      return answer(request);
    },
    async close() {},
  };
  const metrics = createMetrics();
  const dispatcher = createDispatcher({
    store,
    box,
    transport,
    limiter,
    logger: createLogger({ level: 'silent' }),
    metrics,
    onHooksChanged: () => {},
    audit: async () => {},
  });
  running.push({ dispatcher, store: inner });
  return { store: inner, dispatcher, sent, passes: () => passes, claimed, metrics };
}

/** Writes event evt_<n> completed with one delivery dlv_<n> to hook_1, as fan-out does when `leasedUntil` is a hand-off's place. */
async function handedOver(store: Store, hook: HookRecord, n: number, leasedUntil: number): Promise<ClaimedDelivery> {
  await store.ingest(ingestInput(String(n)));
  const event = { ...SAMPLES['enrollment.completed'], id: `evt_${n}` };
  const written = {
    id: `dlv_${n}`,
    event_id: event.id,
    hook_id: hook.id,
    next_attempt_at: leasedUntil,
    reason: 'event' as const,
    status: 'in_flight' as const,
  };
  await store.completeEvent(event.id, event, [written]);
  const at = Date.now();
  return {
    ...written,
    attempts: 0,
    last_status: null,
    last_error: null,
    created_at: at,
    updated_at: at,
    hook,
    event_json: JSON.stringify(event),
    event_type: event.type,
  };
}

/** A transport whose answers wait until the test lets them go, in the order they were sent; `open` stops holding them. */
function heldAnswers() {
  const ok: TransportResult = { ok: true, status: 200, snippet: 'ok', durationMs: 1, retryAfter: null };
  const waiting: Array<() => void> = [];
  let holding = true;
  return {
    answer: () => (holding ? new Promise<TransportResult>((resolve) => waiting.push(() => resolve(ok))) : Promise.resolve(ok)),
    release: async () => {
      waiting.shift()?.();
      await vi.advanceTimersByTimeAsync(0);
    },
    open: () => {
      holding = false;
      for (const answer of waiting.splice(0)) answer();
    },
  };
}

/** One slot, always: these tests follow the queue, not the limit's growth. */
const oneSlot = () => createConcurrencyLimiter({ initial: 1, max: 1 });

/** Idle, and still idle after the group commits of what it gave back (setImmediate, which these tests do not fake). */
async function settled(dispatcher: Dispatcher): Promise<void> {
  for (let turn = 0; turn < 10; turn++) {
    await dispatcher.idle();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const eventIdsOf = (sent: TransportRequest[]) => sent.map((request) => JSON.parse(request.body).id);

describe('the dispatcher', () => {
  it('looks at most once a second, instead of every 10 ms, while the due delivery belongs to a paused hook, and sends it on resume', async () => {
    const { store, dispatcher, sent, passes } = await setup('paused');
    dispatcher.wake();
    await dispatcher.idle();
    await vi.advanceTimersByTimeAsync(3_000);
    await dispatcher.idle();
    expect(sent).toHaveLength(0);
    expect(passes()).toBeLessThanOrEqual(4);

    await store.updateHook('hook_1', { status: 'active' });
    dispatcher.wake();
    await dispatcher.idle();
    expect(sent).toHaveLength(1);
    expect((await store.getDelivery('dlv_1'))?.status).toBe('succeeded');
  });

  it('sends a delivery signed, with its event type, and leaves the User-Agent to the transport the hub configured', async () => {
    const { dispatcher, sent } = await setup('active');
    dispatcher.wake();
    await dispatcher.idle();
    expect(sent).toHaveLength(1);
    expect(sent[0]?.headers).toMatchObject({
      'webhook-id': expect.any(String),
      'webhook-signature': expect.stringMatching(/^v1,/),
      'learnhook-event-type': 'enrollment.completed',
    });
    expect(sent[0]?.headers).not.toHaveProperty('user-agent');
  });

  it('signs with the previous secret too while its overlap lasts, and with the current one alone after it', async () => {
    const { dispatcher, sent, store } = await setup('active');
    const hook = await store.getHook('hook_1');
    const now = Date.now();
    await store.updateHook('hook_1', {
      secret_enc: box.seal(`whsec_${randomBytes(24).toString('base64')}`),
      previous_secret_enc: hook?.secret_enc ?? null,
      previous_secret_until: now + 60_000,
    });
    dispatcher.wake();
    await dispatcher.idle();
    expect(sent[0]?.headers['webhook-signature']?.split(' ')).toHaveLength(2);

    await store.updateHook('hook_1', { previous_secret_until: now - 1 });
    await store.insertDeliveries([{ id: 'dlv_2', event_id: 'evt_1', hook_id: 'hook_1', next_attempt_at: now, reason: 'replay' }]);
    dispatcher.wake();
    await dispatcher.idle();
    expect(sent).toHaveLength(2);
    expect(sent[1]?.headers['webhook-signature']?.split(' ')).toHaveLength(1);
  });

  it('tries again shortly after a pass fails, without waiting for another wake', async () => {
    const { dispatcher, sent, passes } = await setup('active', true);
    dispatcher.wake();
    await dispatcher.idle();
    expect(passes()).toBe(1);
    expect(sent).toHaveLength(0);

    await vi.advanceTimersByTimeAsync(1_000);
    await dispatcher.idle();
    expect(sent).toHaveLength(1);
  });

  it("hands a claimed delivery back at once when its hook's limit dropped while the claim ran, instead of holding it for a lease", async () => {
    // The limit said 4 free when the pass looked; by the time the claim answered, none was.
    const shrunk: ConcurrencyLimiter = { limit: () => 4, inFlight: () => 0, tryAcquire: () => false, release: () => {}, cancel: () => {} };
    const { store, dispatcher, sent } = await setup('active', false, shrunk);
    dispatcher.wake();
    await dispatcher.idle();
    expect(sent).toHaveLength(0);
    const delivery = await store.getDelivery('dlv_1');
    expect(delivery?.status).toBe('pending');
    expect(delivery?.next_attempt_at).toBeLessThanOrEqual(Date.now());
  });
});

describe('a hook whose target answers again', () => {
  it('has its deliveries that failed during the outage sent at once, not after their 5-minute retry', async () => {
    let clock = 1_000_000;
    const store = openSqliteStore({ file: ':memory:' });
    await store.ingest(ingestInput('1', '2'));
    await store.insertHook(hookRecord('hook_1', { secret_enc: box.seal(`whsec_${randomBytes(24).toString('base64')}`) }));
    const deliveryOf = (key: string) => ({ id: `dlv_${key}`, event_id: `evt_${key}`, hook_id: 'hook_1', next_attempt_at: clock, reason: 'event' as const });
    await store.completeEvent('evt_1', { ...SAMPLES['enrollment.completed'], id: 'evt_1' }, [deliveryOf('1')]);
    let down = true;
    const sent: string[] = [];
    const transport: Transport = {
      async send(request) {
        sent.push(String(request.headers['webhook-id']));
        return down
          ? { ok: false, error: { code: 'connection_error', message: 'connection refused' }, snippet: '', durationMs: 1, retryAfter: null }
          : { ok: true, status: 200, snippet: 'ok', durationMs: 1, retryAfter: null };
      },
      async close() {},
    };
    const dispatcher = createDispatcher({
      store,
      box,
      transport,
      limiter: createConcurrencyLimiter(),
      logger: createLogger({ level: 'silent' }),
      metrics: createMetrics(),
      onHooksChanged: () => {},
      audit: async () => {},
      now: () => clock,
      random: () => 0.5,
    });
    running.push({ dispatcher, store });

    // Down: the immediate attempt and the 5 s retry fail; the next retry is 5 minutes away.
    dispatcher.wake();
    await dispatcher.idle();
    clock += 5_000;
    await vi.advanceTimersByTimeAsync(5_000);
    await dispatcher.idle();
    expect(await store.getDelivery('dlv_1')).toMatchObject({ status: 'pending', attempts: 2, next_attempt_at: clock + 5 * 60_000 });
    expect((await store.getHook('hook_1'))?.failing_since).not.toBeNull();

    // Back: the next event's delivery succeeds, and the waiting one follows without the wait.
    down = false;
    await store.completeEvent('evt_2', { ...SAMPLES['enrollment.completed'], id: 'evt_2' }, [deliveryOf('2')]);
    dispatcher.wake();
    await dispatcher.idle();
    await vi.advanceTimersByTimeAsync(20);
    await dispatcher.idle();
    expect(await store.getDelivery('dlv_1')).toMatchObject({ status: 'succeeded', attempts: 3 });
    expect(await store.getDelivery('dlv_2')).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect((await store.getHook('hook_1'))?.failing_since).toBeNull();
    expect(sent).toEqual(['dlv_1', 'dlv_1', 'dlv_2', 'dlv_1']);
  });
});

describe('a pass over many hooks', () => {
  it("asks for every due hook's claim at once, so one group commit serves them all", async () => {
    const inner = openSqliteStore({ file: ':memory:' });
    await inner.ingest(ingestInput('1'));
    const hookIds = ['hook_a', 'hook_b', 'hook_c', 'hook_d'];
    for (const id of hookIds) await inner.insertHook(hookRecord(id, { secret_enc: box.seal(`whsec_${randomBytes(24).toString('base64')}`) }));
    await inner.completeEvent(
      'evt_1',
      { ...SAMPLES['enrollment.completed'], id: 'evt_1' },
      hookIds.map((id) => ({ id: `dlv_${id}`, event_id: 'evt_1', hook_id: id, next_attempt_at: Date.now(), reason: 'event' as const })),
    );
    let pending = 0;
    let mostAtOnce = 0;
    const store: Store = {
      ...inner,
      kind: inner.kind,
      async claimDeliveries(...args) {
        pending++;
        mostAtOnce = Math.max(mostAtOnce, pending);
        try {
          return await inner.claimDeliveries(...args);
        } finally {
          pending--;
        }
      },
    };
    const sent: string[] = [];
    const dispatcher = createDispatcher({
      store,
      box,
      transport: {
        async send(request) {
          sent.push(String(request.headers['webhook-id']));
          return { ok: true, status: 200, snippet: 'ok', durationMs: 1, retryAfter: null };
        },
        async close() {},
      },
      limiter: createConcurrencyLimiter(),
      logger: createLogger({ level: 'silent' }),
      metrics: createMetrics(),
      onHooksChanged: () => {},
      audit: async () => {},
    });
    running.push({ dispatcher, store: inner });
    dispatcher.wake();
    await dispatcher.idle();
    expect(mostAtOnce).toBe(hookIds.length);
    expect(sent.sort()).toEqual(hookIds.map((id) => `dlv_${id}`));
  });

  it('takes a fresh delivery handed over by fan-out without a claim, and gives no place to a paused or failing hook or once stopping', async () => {
    const { store, dispatcher, sent, passes } = await setup('active');
    const hook = await store.getHook('hook_1');
    if (!hook) throw new Error('the hook is missing');
    expect(dispatcher.reserve({ ...hook, status: 'paused' }, 5)).toBeNull();
    expect(dispatcher.reserve({ ...hook, failing_since: 1 }, 5)).toBeNull();
    // One reading of the clock: two readings can fall either side of a millisecond.
    const now = Date.now();
    const leasedUntil = dispatcher.reserve(hook, now);
    expect(leasedUntil).toBe(now + 60_000);

    dispatcher.send(await handedOver(store, hook, 2, leasedUntil ?? 0));
    // On its way before any pass looked for due work (the one that waits for a claim is not).
    expect({ sent: eventIdsOf(sent), passes: passes() }).toEqual({ sent: ['evt_2'], passes: 0 });
    await dispatcher.idle();
    expect(await store.getDelivery('dlv_2')).toMatchObject({ status: 'succeeded', attempts: 1 });

    await dispatcher.stop();
    expect(dispatcher.reserve(hook, Date.now())).toBeNull();
  });

  it("queues handed-over deliveries that find their hook's slots taken and sends them in order as slots free, without a claim", async () => {
    const held = heldAnswers();
    const { store, dispatcher, sent, claimed, metrics } = await setup('active', false, oneSlot(), held.answer);
    const hook = await store.getHook('hook_1');
    if (!hook) throw new Error('the hook is missing');
    const places = [2, 3, 4].map(() => dispatcher.reserve(hook, Date.now()));
    expect(places).not.toContain(null);
    for (const [index, place] of places.entries()) dispatcher.send(await handedOver(store, hook, index + 2, place ?? 0));
    expect(eventIdsOf(sent)).toEqual(['evt_2']);
    await held.release();
    expect(eventIdsOf(sent)).toEqual(['evt_2', 'evt_3']);
    await held.release();
    expect(eventIdsOf(sent)).toEqual(['evt_2', 'evt_3', 'evt_4']);
    held.open();
    await settled(dispatcher);
    expect(eventIdsOf(sent)).toEqual(['evt_2', 'evt_3', 'evt_4', 'evt_1']);
    // dlv_1 waited in the store and went through a claim once the queue had drained; the others did not.
    expect(claimed).toEqual(['dlv_1']);
    for (const id of ['dlv_1', 'dlv_2', 'dlv_3', 'dlv_4']) expect(await store.getDelivery(id)).toMatchObject({ status: 'succeeded', attempts: 1 });
    const dispatched = await metrics.registry.getSingleMetricAsString('learnhook_deliveries_dispatched_total');
    expect(dispatched).toContain('learnhook_deliveries_dispatched_total{via="handoff"} 3');
    expect(dispatched).toContain('learnhook_deliveries_dispatched_total{via="claim"} 1');
  });

  it('gives no place past four times the limit, and then hands no fresh delivery ahead of those waiting for a claim until a pass took what was due', async () => {
    const { store, dispatcher, sent } = await setup('active', false, createConcurrencyLimiter({ initial: 1 }));
    const hook = await store.getHook('hook_1');
    if (!hook) throw new Error('the hook is missing');
    for (let i = 0; i < 4; i++) expect(dispatcher.reserve(hook, Date.now())).not.toBeNull();
    expect(dispatcher.reserve(hook, Date.now())).toBeNull();
    for (let i = 0; i < 4; i++) dispatcher.cancel(hook.id);
    // Places are free again, but a delivery waits for a claim: the next fresh one waits behind it.
    expect(dispatcher.reserve(hook, Date.now())).toBeNull();
    dispatcher.wake();
    await dispatcher.idle();
    expect(eventIdsOf(sent)).toEqual(['evt_1']);
    // Nothing is due any more: fresh deliveries are handed over again.
    dispatcher.wake();
    await dispatcher.idle();
    expect(dispatcher.reserve(hook, Date.now())).not.toBeNull();
  });

  it('leaves a queued delivery past half its lease to a claim, so its send cannot outlive the lease', async () => {
    const held = heldAnswers();
    const { store, dispatcher, sent, claimed } = await setup('active', false, oneSlot(), held.answer);
    const hook = await store.getHook('hook_1');
    if (!hook) throw new Error('the hook is missing');
    dispatcher.reserve(hook, Date.now());
    dispatcher.reserve(hook, Date.now());
    dispatcher.send(await handedOver(store, hook, 2, Date.now() + 60_000));
    // Written with a lease of which less than half is left by the time a slot frees.
    dispatcher.send(await handedOver(store, hook, 3, Date.now() + 20_000));
    await held.release();
    held.open();
    await settled(dispatcher);
    expect(eventIdsOf(sent)).toEqual(['evt_2', 'evt_1', 'evt_3']);
    expect(claimed).toEqual(['dlv_1', 'dlv_3']);
    expect(await store.getDelivery('dlv_3')).toMatchObject({ status: 'succeeded', attempts: 1 });
  });

  it('gives what waits in memory back to the store when it stops, due at once, and finishes what is in flight', async () => {
    const held = heldAnswers();
    const { store, dispatcher, sent } = await setup('active', false, oneSlot(), held.answer);
    const hook = await store.getHook('hook_1');
    if (!hook) throw new Error('the hook is missing');
    const places = [2, 3].map(() => dispatcher.reserve(hook, Date.now()));
    for (const [index, place] of places.entries()) dispatcher.send(await handedOver(store, hook, index + 2, place ?? 0));
    const stopping = dispatcher.stop();
    held.open();
    await stopping;
    expect(eventIdsOf(sent)).toEqual(['evt_2']);
    expect(await store.getDelivery('dlv_2')).toMatchObject({ status: 'succeeded', attempts: 1 });
    const queued = await store.getDelivery('dlv_3');
    expect(queued).toMatchObject({ status: 'pending', attempts: 0 });
    expect(queued?.next_attempt_at).toBeLessThanOrEqual(Date.now());
  });

  it("sends queued deliveries to their hook's new URL, and gives those of a paused hook back to the store", async () => {
    const held = heldAnswers();
    const { store, dispatcher, sent } = await setup('active', false, oneSlot(), held.answer);
    const hook = await store.getHook('hook_1');
    if (!hook) throw new Error('the hook is missing');
    const places = [2, 3, 4].map(() => dispatcher.reserve(hook, Date.now()));
    for (const [index, place] of places.entries()) dispatcher.send(await handedOver(store, hook, index + 2, place ?? 0));
    await store.updateHook(hook.id, { url: 'https://moved.example.com/hook' });
    dispatcher.hooksChanged();
    await vi.advanceTimersByTimeAsync(0);
    await held.release();
    expect(sent.map((request) => request.url)).toEqual([hook.url, 'https://moved.example.com/hook']);

    await store.updateHook(hook.id, { status: 'paused' });
    dispatcher.hooksChanged();
    await vi.advanceTimersByTimeAsync(0);
    held.open();
    await settled(dispatcher);
    expect(sent).toHaveLength(2);
    expect(await store.getDelivery('dlv_4')).toMatchObject({ status: 'pending', attempts: 0 });
  });
});
