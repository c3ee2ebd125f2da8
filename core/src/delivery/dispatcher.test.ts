import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SAMPLES } from '../catalog/index.ts';
import { createLogger } from '../logger.ts';
import { createMetrics } from '../metrics.ts';
import { createSecretBox } from '../store/secret-box.ts';
import { openSqliteStore } from '../store/sqlite.ts';
import type { HookRecord, Store } from '../store/store.ts';
import { hookRecord, ingestInput } from '../testing/store-fixtures.ts';
import { type ConcurrencyLimiter, createConcurrencyLimiter } from './concurrency.ts';
import { createDispatcher, type Dispatcher } from './dispatcher.ts';
import type { Transport, TransportRequest } from './transport.ts';

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
async function setup(status: HookRecord['status'], failFirstPass = false, limiter: ConcurrencyLimiter = createConcurrencyLimiter()) {
  const inner = openSqliteStore({ file: ':memory:' });
  const event = { ...SAMPLES['enrollment.completed'], id: 'evt_1' };
  await inner.ingest(ingestInput('1'));
  await inner.insertHook(hookRecord('hook_1', { status, secret_enc: box.seal(`whsec_${randomBytes(24).toString('base64')}`) }));
  await inner.completeEvent('evt_1', event, [{ id: 'dlv_1', event_id: 'evt_1', hook_id: 'hook_1', next_attempt_at: Date.now(), reason: 'event' }]);

  let passes = 0;
  const store: Store = {
    ...inner,
    kind: inner.kind,
    async hooksWithDueDeliveries(now) {
      passes++;
      if (failFirstPass && passes === 1) throw new Error('the store is briefly unavailable');
      return inner.hooksWithDueDeliveries(now);
    },
  };
  const sent: TransportRequest[] = [];
  const transport: Transport = {
    async send(request) {
      sent.push(request);
      return { ok: true, status: 200, snippet: 'ok', durationMs: 1, retryAfter: null };
    },
    async close() {},
  };
  const dispatcher = createDispatcher({
    store,
    box,
    transport,
    limiter,
    logger: createLogger({ level: 'silent' }),
    metrics: createMetrics(),
    onHooksChanged: () => {},
    audit: async () => {},
  });
  running.push({ dispatcher, store: inner });
  return { store: inner, dispatcher, sent, passes: () => passes };
}

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

  it('takes a fresh delivery handed over by fan-out without a claim, and gives no slot to a paused or failing hook or once stopping', async () => {
    const { store, dispatcher, sent, passes } = await setup('active');
    const hook = await store.getHook('hook_1');
    if (!hook) throw new Error('the hook is missing');
    expect(dispatcher.reserve({ ...hook, status: 'paused' }, 5)).toBeNull();
    expect(dispatcher.reserve({ ...hook, failing_since: 1 }, 5)).toBeNull();
    const leasedUntil = dispatcher.reserve(hook, Date.now());
    expect(leasedUntil).toBe(Date.now() + 60_000);

    await store.ingest(ingestInput('2'));
    const event = { ...SAMPLES['enrollment.completed'], id: 'evt_2' };
    const written = {
      id: 'dlv_2',
      event_id: 'evt_2',
      hook_id: 'hook_1',
      next_attempt_at: leasedUntil ?? 0,
      reason: 'event' as const,
      status: 'in_flight' as const,
    };
    await store.completeEvent('evt_2', event, [written]);
    const now = Date.now();
    const common = { attempts: 0, last_status: null, last_error: null, created_at: now, updated_at: now, hook };
    dispatcher.send({ ...written, ...common, status: 'in_flight', event_json: JSON.stringify(event), event_type: event.type });
    // On its way before any pass looked for due work (the one that waits for a claim is not).
    expect({ sent: sent.map((request) => JSON.parse(request.body).id), passes: passes() }).toEqual({ sent: ['evt_2'], passes: 0 });
    await dispatcher.idle();
    expect(await store.getDelivery('dlv_2')).toMatchObject({ status: 'succeeded', attempts: 1 });

    await dispatcher.stop();
    expect(dispatcher.reserve(hook, Date.now())).toBeNull();
  });

  it('hands no fresh delivery ahead of those waiting for a claim: once a slot was refused, reservations wait until a pass took what was due', async () => {
    const { store, dispatcher, sent } = await setup('active', false, createConcurrencyLimiter({ initial: 1 }));
    const hook = await store.getHook('hook_1');
    if (!hook) throw new Error('the hook is missing');
    // dlv_1 waits for a claim; the one slot goes to a fresh delivery, and the next is refused.
    expect(dispatcher.reserve(hook, Date.now())).not.toBeNull();
    expect(dispatcher.reserve(hook, Date.now())).toBeNull();
    dispatcher.cancel(hook.id);
    // The slot is free again, but a delivery waits: the claim gets it, not the next fresh one.
    expect(dispatcher.reserve(hook, Date.now())).toBeNull();
    dispatcher.wake();
    await dispatcher.idle();
    expect(sent).toHaveLength(1);
    expect(await store.getDelivery('dlv_1')).toMatchObject({ status: 'succeeded' });
    // Nothing is due any more: fresh deliveries are handed over again.
    dispatcher.wake();
    await dispatcher.idle();
    expect(dispatcher.reserve(hook, Date.now())).not.toBeNull();
  });
});
