import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SAMPLES } from '../catalog/index.ts';
import { dropSchema, postgresUnavailable, TEST_DATABASE_URL, testSchemaName } from '../testing/postgres.ts';
import { hookRecord as hook, ingestInput } from '../testing/store-fixtures.ts';
import { openPostgresStore } from './postgres.ts';
import { openSqliteStore } from './sqlite.ts';
import type { EventQuery, Store } from './store.ts';

/**
 * The Store contract, run on both stores (issue 10): the same tests, the same answers. Each test
 * gets fresh data: a temporary sqlite file, or a PostgreSQL schema of its own, dropped after.
 */

const pgUnavailable = await postgresUnavailable();
if (pgUnavailable) console.warn(`SKIPPED the PostgreSQL store tests: ${pgUnavailable}`);

interface Place {
  /** Opens a store on this test's data; every store opened on it sees the same data. */
  open(): Promise<Store>;
  cleanup(): Promise<void>;
}

const KINDS = [
  {
    kind: 'sqlite',
    skip: null,
    place(): Place {
      const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'learnhook-store-')), 'nested', 'learnhook.db');
      return { open: async () => openSqliteStore({ file }), cleanup: async () => {} };
    },
  },
  {
    kind: 'postgres',
    skip: pgUnavailable,
    place(): Place {
      const schema = testSchemaName('lh_store');
      return { open: () => openPostgresStore({ url: TEST_DATABASE_URL, schema, poolMax: 4 }), cleanup: () => dropSchema(schema) };
    },
  },
] as const;

const sample = SAMPLES['enrollment.completed'];

describe.each(KINDS)('the $kind store', ({ skip, place: newPlace }) => {
  const opened: Store[] = [];
  let place: Place | null = null;
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
    await place?.cleanup();
    place = null;
  });

  async function open(): Promise<Store> {
    place ??= newPlace();
    const store = await place.open();
    opened.push(store);
    return store;
  }

  const test = skip ? it.skip : it;

  test('stores an ingested request once and reports a resent event as a duplicate', async () => {
    const store = await open();
    expect(await store.ingest(ingestInput('a', 'b'))).toEqual({ inserted: ['evt_a', 'evt_b'], duplicates: [], ids: ['evt_a', 'evt_b'] });
    expect(await store.ingest(ingestInput('b', 'c'))).toEqual({ inserted: ['evt_c'], duplicates: ['evt_b'], ids: ['evt_b', 'evt_c'] });
    expect(await store.ingest(ingestInput('d', 'd'))).toEqual({ inserted: ['evt_d'], duplicates: ['evt_d'], ids: ['evt_d', 'evt_d'] });
    const events = await store.listEvents({ limit: 10 });
    expect(events.data.map((event) => event.id)).toEqual(['evt_d', 'evt_c', 'evt_b', 'evt_a']);
  });

  test('answers a resent event whose id came out different (it had no time of its own) with the id it was stored under', async () => {
    const store = await open();
    await store.ingest(ingestInput('a'));
    const resent = ingestInput('a');
    const [event] = resent.events;
    if (!event) throw new Error('no event');
    resent.events = [{ ...event, id: 'evt_later', event: { ...event.event, id: 'evt_later' } }];
    expect(await store.ingest(resent)).toEqual({ inserted: [], duplicates: ['evt_a'], ids: ['evt_a'] });
    expect((await store.listEvents({ limit: 10 })).data.map((stored) => stored.id)).toEqual(['evt_a']);
  });

  test('keeps the exact request bytes each event came in with, and answers null for an unknown event', async () => {
    const store = await open();
    const body = Buffer.from([0x7b, 0x0d, 0x0a, 0xc3, 0xa9, 0x7d]);
    await store.ingest({ ...ingestInput('raw'), request: { method: 'POST', route: 'xapi-statements', headers: { 'x-test': 'yes' }, body, received_at: 42 } });
    const raw = await store.getRawRequest('evt_raw');
    expect(raw).toEqual({ method: 'POST', route: 'xapi-statements', headers: { 'x-test': 'yes' }, body, received_at: 42 });
    expect(await store.getRawRequest('evt_nobody')).toBeNull();
  });

  test("lists a connection's latest raw requests newest first, and no other connection's", async () => {
    const store = await open();
    const request = (n: number) => ({
      method: 'POST',
      route: 'webhook' as const,
      headers: { 'x-n': String(n) },
      body: Buffer.from(`{"n":${n}}`),
      received_at: n,
    });
    for (const n of [1, 2, 3]) await store.ingest({ ...ingestInput(`r${n}`), request: request(n) });
    await store.ingest({ ...ingestInput('elsewhere'), connection_id: 'con_2', request: request(9) });
    const latest = await store.listRawRequests('con_1', 2);
    expect(latest.map((raw) => raw.body.toString())).toEqual(['{"n":3}', '{"n":2}']);
    expect(latest[0]).toEqual(request(3));
    expect(await store.listRawRequests('con_none', 5)).toEqual([]);
  });

  test('counts events received and deliveries finished per hour and connection, for the activity chart', async () => {
    const store = await open();
    const hour = 3_600_000;
    const at = 500 * hour + 10;
    await store.ingest({ ...ingestInput('h1', 'h2'), request: { ...ingestInput().request, received_at: at } });
    await store.ingest({ ...ingestInput('h2', 'h3'), request: { ...ingestInput().request, received_at: at + hour } });
    await store.ingest({ ...ingestInput('other'), connection_id: 'con_2', request: { ...ingestInput().request, received_at: at } });
    await store.insertHook(hook('h1'));
    await store.insertDeliveries([
      { id: 'd1', event_id: 'evt_h1', hook_id: 'h1', next_attempt_at: 0, reason: 'event' },
      { id: 'd2', event_id: 'evt_h2', hook_id: 'h1', next_attempt_at: 0, reason: 'event' },
      { id: 'd3', event_id: 'evt_h3', hook_id: 'h1', next_attempt_at: 0, reason: 'event' },
    ]);
    const attempt = (id: string) => ({ delivery_id: id, attempt: 1, started_at: at + hour, duration_ms: 5, status: 200, error: null, response_snippet: null });
    await store.finishAttempt(attempt('d1'), { status: 'succeeded' });
    await store.finishAttempt(attempt('d2'), { status: 'failed' });
    await store.finishAttempt(attempt('d3'), { status: 'pending', next_attempt_at: at + 2 * hour });
    expect(await store.activity({ since: at - hour, connection_id: 'con_1' })).toEqual([
      { at: 500 * hour, received: 2, delivered: 0, failed: 0 },
      { at: 501 * hour, received: 1, delivered: 1, failed: 1 },
    ]);
    expect((await store.activity({ since: at })).map((row) => row.received)).toEqual([3, 1]);
    expect(await store.activity({ since: at + 2 * hour })).toEqual([]);
  });

  test('filters events by learner email, course, hydration, delivery status and receive time', async () => {
    const store = await open();
    const sample = SAMPLES['enrollment.completed'];
    const event = (key: string, change: Record<string, unknown>) => ({
      id: `evt_${key}`,
      type: 'enrollment.completed' as const,
      dedupe_key: key,
      event: { ...sample, id: `evt_${key}`, ...change },
      needs: {},
    });
    await store.ingest({
      ...ingestInput(),
      events: [
        event('a', { learner: { ...sample.learner, email: 'Maya@Acme.example' }, received_at: '2026-11-01T10:00:00.000Z' }),
        event('b', { course: { ...sample.course, id: 'c-77', title: 'Fire Safety 2' }, received_at: '2026-11-02T10:00:00.000Z' }),
        event('c', { hydration: { status: 'partial', missing: ['learner.email'] }, received_at: '2026-11-03T10:00:00.000Z' }),
      ],
    });
    await store.insertHook(hook('h1'));
    await store.insertDeliveries([{ id: 'd1', event_id: 'evt_b', hook_id: 'h1', next_attempt_at: 0, reason: 'event' }]);
    const ids = async (query: Partial<EventQuery>) => (await store.listEvents({ limit: 10, ...query })).data.map((stored) => stored.id);
    // The learner's email is found once the event is processed (fan-out completes it).
    for (const stored of (await store.listEvents({ limit: 10 })).data) await store.completeEvent(stored.id, stored.event, []);
    expect(await ids({ learner_email: 'maya@acme.example' })).toEqual(['evt_a']);
    expect(await ids({ learner_email: 'MAYA@acme.EXAMPLE' })).toEqual(['evt_a']);
    expect(await ids({ course: 'c-77' })).toEqual(['evt_b']);
    expect(await ids({ course: 'fire safety' })).toEqual(['evt_b']);
    expect(await ids({ hydration: 'partial' })).toEqual(['evt_c']);
    expect(await ids({ delivery_status: 'pending' })).toEqual(['evt_b']);
    expect(await ids({ delivery_status: 'failed' })).toEqual([]);
    expect(await ids({ received_since: '2026-11-02T00:00:00.000Z', received_before: '2026-11-03T00:00:00.000Z' })).toEqual(['evt_b']);
    expect(await ids({ course: '%' })).toEqual([]);
  });

  test('filters events whose body holds a NUL character as it filters any other, instead of failing the list', async () => {
    const store = await open();
    const sample = SAMPLES['enrollment.completed'];
    // An LMS may send "\u0000" inside any text: PostgreSQL refuses such a body as jsonb.
    const event = (key: string, note: string) => ({
      id: `evt_${key}`,
      type: 'enrollment.completed' as const,
      dedupe_key: key,
      event: { ...sample, id: `evt_${key}`, course: { ...sample.course, id: 'c-9', title: 'Safety \u0000 first' }, raw: { note } },
      needs: {},
    });
    await store.ingest({ ...ingestInput(), events: [event('nul', 'a\u0000b'), event('plain', 'ab')] });
    const ids = async (query: Partial<EventQuery>) => (await store.listEvents({ limit: 10, ...query })).data.map((stored) => stored.id).sort();
    expect(await ids({ course: 'c-9' })).toEqual(['evt_nul', 'evt_plain']);
    expect(await ids({ course: 'safety' })).toEqual(['evt_nul', 'evt_plain']);
    expect(await ids({ hydration: sample.hydration.status })).toEqual(['evt_nul', 'evt_plain']);
    expect(await ids({ received_since: '2000-01-01T00:00:00.000Z' })).toEqual(['evt_nul', 'evt_plain']);
  });

  test("finds an event by its learner's email once it is completed, by the email it was completed with, and not while it is received", async () => {
    const store = await open();
    const event = (key: string, email: string | null) => ({ ...sample, id: `evt_${key}`, learner: { ...sample.learner, email } });
    await store.ingest({
      ...ingestInput(),
      events: [
        { id: 'evt_sent', type: 'enrollment.completed', dedupe_key: 'sent', event: event('sent', 'Sam@Acme.example'), needs: {} },
        { id: 'evt_hydrated', type: 'enrollment.completed', dedupe_key: 'hydrated', event: event('hydrated', null), needs: { user: 'usr_1' } },
      ],
    });
    const found = async (email: string) => (await store.listEvents({ limit: 10, learner_email: email })).data.map((stored) => stored.id);
    // Ingest writes no email to find by: the acknowledgement path stays free of it.
    expect(await found('sam@acme.example')).toEqual([]);
    await store.completeEvent('evt_sent', event('sent', 'Sam@Acme.example'), []);
    await store.completeEvent('evt_hydrated', event('hydrated', 'Lee@Acme.example'), []);
    expect(await found('SAM@acme.example')).toEqual(['evt_sent']);
    expect(await found('lee@acme.example')).toEqual(['evt_hydrated']);
    // A second completion (an expired lease) changes nothing.
    expect(await store.completeEvent('evt_sent', event('sent', 'other@acme.example'), [])).toBe(false);
    expect(await found('other@acme.example')).toEqual([]);
  });

  test('stores an event sent in two requests at once for the first of them only', async () => {
    const store = await open();
    const [first, second] = await Promise.all([store.ingest(ingestInput('a', 'b')), store.ingest(ingestInput('b', 'c'))]);
    expect({ first, second }).toEqual({
      first: { inserted: ['evt_a', 'evt_b'], duplicates: [], ids: ['evt_a', 'evt_b'] },
      second: { inserted: ['evt_c'], duplicates: ['evt_b'], ids: ['evt_b', 'evt_c'] },
    });
    expect((await store.getEvent('evt_b'))?.state).toBe('received');
    expect((await store.listEvents({ limit: 10 })).data).toHaveLength(3);
  });

  test('keeps what it acknowledged after it is closed and opened again', async () => {
    const first = await open();
    await first.ingest(ingestInput('kept'));
    await first.close();
    const second = await open();
    expect((await second.getEvent('evt_kept'))?.event.learner?.email).toBe(sample.learner.email);
  });

  test('resolves every one of many concurrent writes', async () => {
    const store = await open();
    const results = await Promise.all(Array.from({ length: 300 }, (_, index) => store.ingest(ingestInput(`k${index}`))));
    expect(results.every((result) => result.inserted.length === 1)).toBe(true);
    expect((await store.claimEvents(1, 1000, 1000)).length).toBe(300);
  });

  test('fails only the write that broke, not the others made with it', async () => {
    const store = await open();
    const outcomes = await Promise.allSettled([store.insertHook(hook('h1')), store.insertHook(hook('h1')), store.insertHook(hook('h2'))]);
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    expect((await store.matchableHooks()).map((h) => h.id).sort()).toEqual(['h1', 'h2']);
  });

  test('pages lists newest first with an opaque cursor', async () => {
    const store = await open();
    await store.ingest(ingestInput('1', '2', '3', '4', '5'));
    const first = await store.listEvents({ limit: 2 });
    expect(first.data.map((event) => event.id)).toEqual(['evt_5', 'evt_4']);
    const second = await store.listEvents({ limit: 2, cursor: first.next_cursor ?? undefined });
    expect(second.data.map((event) => event.id)).toEqual(['evt_3', 'evt_2']);
    const last = await store.listEvents({ limit: 2, cursor: second.next_cursor ?? undefined });
    expect(last).toEqual({ data: [expect.objectContaining({ id: 'evt_1' })], next_cursor: null });
    await expect(store.listEvents({ limit: 2, cursor: 'bogus' })).rejects.toThrow(/cursor/);
  });

  test('filters events by type and connection', async () => {
    const store = await open();
    await store.ingest(ingestInput('x'));
    expect((await store.listEvents({ limit: 5, type: 'user.created' })).data).toEqual([]);
    expect((await store.listEvents({ limit: 5, type: 'enrollment.completed' })).data).toHaveLength(1);
    expect((await store.listEvents({ limit: 5, connection: 'con_2' })).data).toEqual([]);
    expect((await store.listEvents({ limit: 5, type: 'enrollment.completed', connection: 'con_1' })).data).toHaveLength(1);
  });

  test('moves an event from received to processed with its deliveries in one step, once', async () => {
    const store = await open();
    await store.insertHook(hook('h1'));
    await store.ingest(ingestInput('e1'));
    const [claimed] = await store.claimEvents(1, 10, 1000);
    const hydrated = { ...sample, id: 'evt_e1', hydration: { status: 'complete' as const, missing: [] } };
    expect(await store.completeEvent('evt_e1', hydrated, [{ id: 'dlv_1', event_id: 'evt_e1', hook_id: 'h1', next_attempt_at: 10, reason: 'event' }])).toBe(
      true,
    );
    expect(claimed?.id).toBe('evt_e1');
    expect(await store.claimEvents(1_000_000, 10, 1000)).toEqual([]);
    expect((await store.getEvent('evt_e1'))?.state).toBe('processed');
    expect(await store.getDelivery('dlv_1')).toMatchObject({ status: 'pending', attempts: 0, next_attempt_at: 10 });
    // A second process whose lease ran out finishing the same event creates nothing more.
    expect(await store.completeEvent('evt_e1', hydrated, [{ id: 'dlv_2', event_id: 'evt_e1', hook_id: 'h1', next_attempt_at: 10, reason: 'event' }])).toBe(
      false,
    );
    expect(await store.getDelivery('dlv_2')).toBeNull();
  });

  test('stores an event fanned out before it was stored processed, with its envelope, email and deliveries, and never offers it to fan-out', async () => {
    const store = await open();
    await store.insertHook(hook('h1'));
    const input = ingestInput('early', 'lean');
    const hydrated = {
      ...sample,
      id: 'evt_early',
      learner: { ...sample.learner, email: 'Early@Acme.example' },
      hydration: { status: 'complete' as const, missing: [] },
    };
    const deliveries = [
      { id: 'dlv_handed', event_id: 'evt_early', hook_id: 'h1', next_attempt_at: 5_000, reason: 'event' as const, status: 'in_flight' as const },
      { id: 'dlv_waiting', event_id: 'evt_early', hook_id: 'h1', next_attempt_at: 10, reason: 'event' as const },
    ];
    const [early, lean] = input.events;
    if (!early || !lean) throw new Error('two events expected');
    expect(await store.ingest({ ...input, events: [{ ...early, completed: { event: hydrated, deliveries } }, lean] })).toMatchObject({
      inserted: ['evt_early', 'evt_lean'],
    });
    expect(await store.getEvent('evt_early')).toMatchObject({ state: 'processed', event: { hydration: { status: 'complete' } } });
    expect((await store.listEvents({ limit: 5, learner_email: 'early@acme.example' })).data.map((event) => event.id)).toEqual(['evt_early']);
    expect((await store.claimEvents(1, 10, 1000)).map((event) => event.id)).toEqual(['evt_lean']);
    expect(await store.getDelivery('dlv_handed')).toMatchObject({ status: 'in_flight', next_attempt_at: 5_000 });
    expect((await store.claimDeliveries('h1', 100, 10, 1000)).map((delivery) => delivery.id)).toEqual(['dlv_waiting']);
  });

  test('makes no deliveries for an event fanned out before it was stored that turns out to be a resend', async () => {
    const store = await open();
    await store.insertHook(hook('h1'));
    await store.ingest(ingestInput('once'));
    const [resent] = ingestInput('once').events;
    if (!resent) throw new Error('one event expected');
    const completed = {
      event: resent.event,
      deliveries: [{ id: 'dlv_twice', event_id: 'evt_once', hook_id: 'h1', next_attempt_at: 10, reason: 'event' as const }],
    };
    expect(await store.ingest({ ...ingestInput(), events: [{ ...resent, completed }] })).toMatchObject({ inserted: [], duplicates: ['evt_once'] });
    expect(await store.getDelivery('dlv_twice')).toBeNull();
    expect((await store.getEvent('evt_once'))?.state).toBe('received');
  });

  test('writes a delivery handed to the dispatcher at once in flight and leased: no claim takes it until the lease ends', async () => {
    const store = await open();
    await store.insertHook(hook('h1'));
    await store.ingest(ingestInput('e1', 'e2'));
    const handed = { id: 'dlv_handed', event_id: 'evt_e1', hook_id: 'h1', next_attempt_at: 5_000, reason: 'event' as const, status: 'in_flight' as const };
    expect(await store.completeEvent('evt_e1', { ...sample, id: 'evt_e1' }, [handed])).toBe(true);
    expect(
      await store.completeEvent('evt_e2', { ...sample, id: 'evt_e2' }, [
        { id: 'dlv_waiting', event_id: 'evt_e2', hook_id: 'h1', next_attempt_at: 10, reason: 'event' },
      ]),
    ).toBe(true);
    expect(await store.getDelivery('dlv_handed')).toMatchObject({ status: 'in_flight', attempts: 0, next_attempt_at: 5_000 });
    expect((await store.claimDeliveries('h1', 100, 10, 1_000_000)).map((delivery) => delivery.id)).toEqual(['dlv_waiting']);
    // The process it was handed to died before recording an attempt: once its lease ends, it is claimed like any other.
    expect((await store.claimDeliveries('h1', 5_000, 10, 1000)).map((delivery) => delivery.id)).toEqual(['dlv_handed']);
  });

  test("makes a replay's deliveries only for an event still stored, and says how many it made", async () => {
    const store = await open();
    await store.ingest(ingestInput('kept'));
    await store.insertHook(hook('h1'));
    const replay = (eventId: string) => [{ id: `dlv_${eventId}`, event_id: eventId, hook_id: 'h1', next_attempt_at: 1, reason: 'replay' as const }];
    expect(await store.insertDeliveries(replay('evt_kept'))).toBe(1);
    // An event retention removed between the replay's read and its write: no delivery nobody could claim.
    expect(await store.insertDeliveries(replay('evt_pruned'))).toBe(0);
    expect(await store.getDelivery('dlv_evt_pruned')).toBeNull();
    expect((await store.claimDeliveries('h1', 2, 10, 1000)).map((delivery) => delivery.id)).toEqual(['dlv_evt_kept']);
  });

  test('leases claimed events: claimed ones are skipped until the lease expires, oldest first', async () => {
    const store = await open();
    await store.ingest(ingestInput('1', '2', '3'));
    expect((await store.claimEvents(100, 2, 1000)).map((event) => event.id)).toEqual(['evt_1', 'evt_2']);
    expect((await store.claimEvents(500, 10, 1000)).map((event) => event.id)).toEqual(['evt_3']);
    expect(await store.claimEvents(1099, 10, 1000)).toEqual([]);
    expect((await store.claimEvents(1100, 10, 1000)).map((event) => event.id)).toEqual(['evt_1', 'evt_2']);
  });

  test('never hands one event or delivery to two stores claiming at once', async () => {
    const [a, b] = [await open(), await open()];
    await a.insertHook(hook('h1'));
    await a.ingest(ingestInput(...Array.from({ length: 60 }, (_, index) => `c${index}`)));
    await a.insertDeliveries(
      Array.from({ length: 60 }, (_, index) => ({ id: `dlv_${index}`, event_id: 'evt_c0', hook_id: 'h1', next_attempt_at: 100, reason: 'event' as const })),
    );
    // Event claims are shared by processes on PostgreSQL only: one process owns an embedded store,
    // whose event leases are its own (sqlite-claims.ts; completeEvent lets only one complete an event).
    if (a.kind === 'postgres') {
      const events = await Promise.all([a, b, a, b].map((store) => store.claimEvents(200, 20, 10_000)));
      const eventIds = events.flat().map((event) => event.id);
      expect(new Set(eventIds).size).toBe(eventIds.length);
      expect(eventIds.length).toBeGreaterThanOrEqual(40);
    }
    const deliveries = await Promise.all([a, b, a, b].map((store) => store.claimDeliveries('h1', 200, 20, 10_000)));
    const deliveryIds = deliveries.flat().map((delivery) => delivery.id);
    expect(new Set(deliveryIds).size).toBe(deliveryIds.length);
    expect(deliveryIds.length).toBeGreaterThanOrEqual(40);
  });

  describe('deliveries', () => {
    async function withDue(store: Store, count: number, hookId = 'h1') {
      await store.insertHook(hook(hookId));
      await store.ingest(ingestInput('d'));
      await store.insertDeliveries(
        Array.from({ length: count }, (_, index) => ({
          id: `dlv_${hookId}_${index}`,
          event_id: 'evt_d',
          hook_id: hookId,
          next_attempt_at: 100 + index,
          reason: 'event' as const,
        })),
      );
    }

    test('claims only due deliveries of the asked hook, oldest first, and leases them', async () => {
      const store = await open();
      await withDue(store, 3);
      expect(await store.hooksWithDueDeliveries(99)).toEqual([]);
      expect(await store.hooksWithDueDeliveries(101)).toEqual(['h1']);
      const claimed = await store.claimDeliveries('h1', 101, 10, 30_000);
      expect(claimed.map((delivery) => delivery.id)).toEqual(['dlv_h1_0', 'dlv_h1_1']);
      expect(claimed[0]).toMatchObject({
        status: 'in_flight',
        attempts: 0,
        next_attempt_at: 30_101,
        hook: { id: 'h1', url: 'http://127.0.0.1:9/hook', events: ['*'] },
        event_type: 'enrollment.completed',
      });
      // The event exactly as stored: what goes out is these bytes.
      expect(JSON.parse(claimed[0]?.event_json ?? '{}')).toMatchObject({ id: 'evt_d', type: 'enrollment.completed' });
      expect(await store.claimDeliveries('h1', 101, 10, 30_000)).toEqual([]);
      // An expired lease makes the delivery due again (its sender died).
      expect((await store.claimDeliveries('h1', 101 + 30_000, 10, 30_000)).map((d) => d.id).sort()).toEqual(['dlv_h1_0', 'dlv_h1_1', 'dlv_h1_2']);
    });

    test('records each attempt and the next state', async () => {
      const store = await open();
      await withDue(store, 1);
      await store.claimDeliveries('h1', 200, 1, 1000);
      await store.finishAttempt(
        { delivery_id: 'dlv_h1_0', attempt: 1, started_at: 200, duration_ms: 12, status: 500, error: null, response_snippet: 'boom' },
        { status: 'pending', next_attempt_at: 5200 },
      );
      expect(await store.getDelivery('dlv_h1_0')).toMatchObject({ status: 'pending', attempts: 1, next_attempt_at: 5200, last_status: 500, updated_at: 212 });
      await store.finishAttempt(
        { delivery_id: 'dlv_h1_0', attempt: 2, started_at: 5200, duration_ms: 8, status: 200, error: null, response_snippet: 'ok' },
        { status: 'succeeded' },
      );
      expect(await store.getDelivery('dlv_h1_0')).toMatchObject({ status: 'succeeded', attempts: 2, last_status: 200, next_attempt_at: null });
      expect(await store.listAttempts('dlv_h1_0')).toEqual([
        { delivery_id: 'dlv_h1_0', attempt: 1, started_at: 200, duration_ms: 12, status: 500, error: null, response_snippet: 'boom' },
        { delivery_id: 'dlv_h1_0', attempt: 2, started_at: 5200, duration_ms: 8, status: 200, error: null, response_snippet: 'ok' },
      ]);
      expect((await store.listDeliveries({ limit: 5, status: 'succeeded' })).data).toHaveLength(1);
      expect((await store.listDeliveries({ limit: 5, status: 'pending' })).data).toHaveLength(0);
    });

    test('makes a finished delivery due again on retry', async () => {
      const store = await open();
      await withDue(store, 1);
      await store.finishAttempt(
        { delivery_id: 'dlv_h1_0', attempt: 1, started_at: 1, duration_ms: 1, status: 400, error: null, response_snippet: null },
        { status: 'failed' },
      );
      expect(await store.nextDueAt()).toBeNull();
      expect(await store.retryDelivery('dlv_h1_0', 500)).toMatchObject({ status: 'pending', next_attempt_at: 500 });
      expect(await store.nextDueAt()).toBe(500);
      expect(await store.retryDelivery('dlv_missing', 500)).toBeNull();
    });

    test('counts the hub processes seen within the window (one on the embedded store)', async () => {
      // Two stores on one place: two hub processes.
      const [a, b] = [await open(), await open()];
      const shared = a.kind === 'postgres';
      expect(await a.heartbeat(1_000, 15_000)).toBe(1);
      expect(await b.heartbeat(2_000, 15_000)).toBe(shared ? 2 : 1);
      expect(await b.heartbeat(10_000, 15_000)).toBe(shared ? 2 : 1);
      // a was last seen at 1,000: gone from the window at 20,000.
      expect(await b.heartbeat(20_000, 15_000)).toBe(1);
    });

    test("brings a recovered hook's waiting deliveries forward, but not another hook's, a finished one or one the target throttled", async () => {
      const store = await open();
      await withDue(store, 3);
      await withDue(store, 1, 'h2');
      await store.finishAttempt(
        { delivery_id: 'dlv_h1_0', attempt: 1, started_at: 100, duration_ms: 1, status: 500, error: null, response_snippet: null },
        { status: 'pending', next_attempt_at: 300_000 },
      );
      await store.finishAttempt(
        { delivery_id: 'dlv_h1_1', attempt: 1, started_at: 100, duration_ms: 1, status: 400, error: null, response_snippet: null },
        { status: 'failed' },
      );
      await store.finishAttempt(
        { delivery_id: 'dlv_h1_2', attempt: 1, started_at: 100, duration_ms: 1, status: 429, error: null, response_snippet: null },
        { status: 'pending', next_attempt_at: 60_000 },
      );
      await store.finishAttempt(
        { delivery_id: 'dlv_h2_0', attempt: 1, started_at: 100, duration_ms: 1, status: 500, error: null, response_snippet: null },
        { status: 'pending', next_attempt_at: 300_000 },
      );
      expect(await store.expediteDeliveries('h1', 1_000)).toBe(1);
      expect(await store.getDelivery('dlv_h1_0')).toMatchObject({ status: 'pending', next_attempt_at: 1_000 });
      // The target asked for that wait (429 Retry-After): kept.
      expect(await store.getDelivery('dlv_h1_2')).toMatchObject({ status: 'pending', next_attempt_at: 60_000 });
      expect(await store.getDelivery('dlv_h1_1')).toMatchObject({ status: 'failed', next_attempt_at: null });
      expect(await store.getDelivery('dlv_h2_0')).toMatchObject({ next_attempt_at: 300_000 });
      expect(await store.expediteDeliveries('h1', 1_000)).toBe(0);
    });

    test('leaves a delivery in flight alone on retry', async () => {
      const store = await open();
      await withDue(store, 1);
      await store.claimDeliveries('h1', 200, 1, 1000);
      expect(await store.retryDelivery('dlv_h1_0', 300)).toMatchObject({ status: 'in_flight', next_attempt_at: 1200 });
    });

    test('drops undelivered deliveries with their hook', async () => {
      const store = await open();
      await withDue(store, 2);
      expect(await store.deleteHook('h1')).toBe(true);
      expect(await store.hooksWithDueDeliveries(10_000)).toEqual([]);
      expect((await store.listDeliveries({ limit: 5 })).data).toEqual([]);
      expect(await store.deleteHook('h1')).toBe(false);
    });

    test('offers deliveries of active hooks only to the dispatcher', async () => {
      const store = await open();
      await withDue(store, 1, 'h1');
      await withDue(store, 1, 'h2');
      await store.updateHook('h2', { status: 'paused' });
      expect(await store.hooksWithDueDeliveries(10_000)).toEqual(['h1']);
      await store.updateHook('h2', { status: 'active' });
      expect(await store.hooksWithDueDeliveries(10_000)).toEqual(['h1', 'h2']);
    });
  });

  test('patches only known hook columns and answers null for an unknown hook', async () => {
    const store = await open();
    await store.insertHook(hook('h1'));
    expect(await store.updateHook('h1', { status: 'paused', events: ['user.created'], filter: { course_id: ['c1'] } })).toMatchObject({
      status: 'paused',
      events: ['user.created'],
      filter: { course_id: ['c1'] },
    });
    expect(await store.updateHook('h1', {})).toMatchObject({ status: 'paused' });
    // A paused hook still collects its deliveries; a disabled one gets none.
    expect((await store.matchableHooks()).map((h) => h.id)).toEqual(['h1']);
    await store.updateHook('h1', { status: 'disabled' });
    expect(await store.matchableHooks()).toEqual([]);
    expect(await store.updateHook('nope', { status: 'active' })).toBeNull();
  });

  test('lists hooks newest first, and those of one creator', async () => {
    const store = await open();
    await store.insertHook(hook('h1', { created_by: 'key_a' }));
    await store.insertHook(hook('h2', { created_by: 'key_b' }));
    await store.insertHook(hook('h3', { created_by: 'key_a' }));
    expect((await store.listHooks({ limit: 10 })).data.map((h) => h.id)).toEqual(['h3', 'h2', 'h1']);
    expect((await store.listHooks({ limit: 10, created_by: 'key_a' })).data.map((h) => h.id)).toEqual(['h3', 'h1']);
  });

  test('finds, updates and deletes connections by id or name', async () => {
    const store = await open();
    const connection = {
      id: 'con_1',
      name: 'acme',
      vendor: 'absorb' as const,
      description: null,
      token_enc: 't',
      inbound_enc: 'i',
      api_enc: null,
      created_at: 1,
      updated_at: 1,
    };
    await store.insertConnection(connection);
    expect((await store.getConnection('acme'))?.id).toBe('con_1');
    expect((await store.getConnection('con_1'))?.name).toBe('acme');
    await expect(store.insertConnection({ ...connection, id: 'con_2' })).rejects.toThrow();
    expect(await store.updateConnection('con_1', { description: 'ours', api_enc: 'a' })).toMatchObject({ description: 'ours', api_enc: 'a', name: 'acme' });
    expect((await store.listConnections({ limit: 5 })).data.map((c) => c.id)).toEqual(['con_1']);
    expect(await store.deleteConnection('con_1')).toBe(true);
    expect(await store.getConnection('acme')).toBeNull();
  });

  test('revokes an API key once and keeps an audit trail newest first', async () => {
    const store = await open();
    await store.insertApiKey({
      id: 'key_1',
      label: 'zapier',
      scopes: ['hooks', 'events'],
      secret_hash: 'h',
      created_at: 1,
      revoked_at: null,
      last_used_at: null,
    });
    await store.touchApiKey('key_1', 3);
    expect(await store.revokeApiKey('key_1', 5)).toBe(true);
    expect(await store.revokeApiKey('key_1', 6)).toBe(false);
    expect(await store.getApiKey('key_1')).toMatchObject({ revoked_at: 5, last_used_at: 3, scopes: ['hooks', 'events'] });
    expect((await store.listApiKeys()).map((key) => key.id)).toEqual(['key_1']);
    await store.appendAudit({ at: 1, actor: 'cli', action: 'key.created', target: 'key_1', details: {} });
    await store.appendAudit({ at: 2, actor: 'cli', action: 'key.revoked', target: 'key_1', details: { why: 'test' } });
    expect((await store.listAudit({ limit: 10 })).data.map((entry) => [entry.action, entry.details])).toEqual([
      ['key.revoked', { why: 'test' }],
      ['key.created', {}],
    ]);
  });

  test('prunes a request with its events, deliveries and attempts, but checks again inside the prune that none is owed', async () => {
    const store = await open();
    await store.insertHook(hook('h1'));
    await store.ingest(ingestInput('kept'));
    await store.ingest(ingestInput('gone'));
    for (const id of ['evt_kept', 'evt_gone']) {
      await store.completeEvent(id, sample, [{ id: `dlv_${id}`, event_id: id, hook_id: 'h1', next_attempt_at: 0, reason: 'event' }]);
      await store.finishAttempt(
        { delivery_id: `dlv_${id}`, attempt: 1, started_at: 1, duration_ms: 1, status: 200, error: null, response_snippet: null },
        { status: 'succeeded' },
      );
    }
    const candidates = await store.retention.candidates('con_1', 0, 10);
    expect(candidates.map((candidate) => candidate.owed)).toEqual([false, false]);
    // A replay made after the read: the event is owed again by the time the prune runs.
    await store.insertDeliveries([{ id: 'dlv_replay', event_id: 'evt_kept', hook_id: 'h1', next_attempt_at: 0, reason: 'replay' }]);
    expect(await store.retention.pruneRequests(candidates.map((candidate) => candidate.seq))).toEqual({
      raw_requests: 1,
      events: 1,
      deliveries: 1,
      attempts: 1,
    });
    expect(await store.getEvent('evt_gone')).toBeNull();
    expect(await store.listAttempts('dlv_evt_gone')).toEqual([]);
    expect(await store.getEvent('evt_kept')).not.toBeNull();
    expect(await store.getRawRequest('evt_kept')).not.toBeNull();
    expect(await store.listAttempts('dlv_evt_kept')).toHaveLength(1);
    expect((await store.retention.candidates('con_1', 0, 10)).map((candidate) => candidate.owed)).toEqual([true]);
  });

  test("keeps a connection's retention_days, and lists a deleted connection's requests under the hub's window", async () => {
    const store = await open();
    const record = {
      id: 'con_1',
      name: 'acme',
      vendor: 'absorb' as const,
      description: null,
      token_enc: 't',
      inbound_enc: 'i',
      api_enc: null,
      created_at: 1,
      updated_at: 1,
    };
    await store.insertConnection({ ...record, retention_days: 7 });
    await store.insertConnection({ ...record, id: 'con_2', name: 'other' });
    expect((await store.getConnection('con_1'))?.retention_days).toBe(7);
    expect((await store.updateConnection('con_2', { retention_days: 0 }))?.retention_days).toBe(0);
    await store.ingest({ ...ingestInput('x'), connection_id: 'con_3' });
    const scopes = await store.retention.scopes();
    expect(scopes.sort((a, b) => a.connection_id.localeCompare(b.connection_id))).toEqual([
      { connection_id: 'con_1', retention_days: 7 },
      { connection_id: 'con_2', retention_days: 0 },
      { connection_id: 'con_3', retention_days: null },
    ]);
  });
});
