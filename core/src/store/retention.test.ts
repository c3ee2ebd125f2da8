import { mkdtempSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics } from '../metrics.ts';
import { dropSchema, postgresUnavailable, TEST_DATABASE_URL, testSchemaName } from '../testing/postgres.ts';
import { hookRecord, ingestInput } from '../testing/store-fixtures.ts';
import { openPostgresStore } from './postgres.ts';
import { createRetention, cutoffFor, DAY_MS, planBatch, type RetentionOptions } from './retention.ts';
import { openSqliteStore } from './sqlite.ts';
import type { IngestInput, Store } from './store.ts';

/** Day 100 of a compressed clock: every test moves `now` by whole days instead of waiting them. */
const T0 = 100 * DAY_MS;

/** A request on `connection` received at `at` carrying one event per key. */
function received(at: number, keys: string[], connection = 'con_1'): IngestInput {
  const input = ingestInput(...keys);
  return { ...input, connection_id: connection, request: { ...input.request, received_at: at } };
}

describe('deciding what a batch prunes', () => {
  const row = (seq: number, received_at: number, owed = false) => ({ seq, received_at, owed });

  it('prunes the requests older than the cutoff and keeps the owed ones, walking on past them', () => {
    expect(planBatch([row(1, 10), row(2, 20, true), row(3, 30)], 100, 3, 0)).toEqual({ prune: [1, 3], owed: 1, after: 3, done: false });
  });

  it('ends the walk at the first request young enough, since the ones after it are younger', () => {
    expect(planBatch([row(4, 10), row(5, 100), row(6, 20)], 100, 3, 3)).toEqual({ prune: [4], owed: 0, after: 4, done: true });
  });

  it('ends the walk when the batch comes back short (the end of the connection)', () => {
    expect(planBatch([row(7, 10)], 100, 3, 6)).toEqual({ prune: [7], owed: 0, after: 7, done: true });
  });

  it("takes the connection's own window over the hub's, and 0 as keep everything", () => {
    expect(cutoffFor(null, 30, T0)).toBe(T0 - 30 * DAY_MS);
    expect(cutoffFor(7, 30, T0)).toBe(T0 - 7 * DAY_MS);
    expect(cutoffFor(0, 30, T0)).toBeNull();
    expect(cutoffFor(null, 0, T0)).toBeNull();
  });
});

const pgUnavailable = await postgresUnavailable();

const KINDS = [
  {
    kind: 'sqlite',
    skip: null,
    async open() {
      const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'learnhook-retention-')), 'learnhook.db');
      return { store: openSqliteStore({ file }), cleanup: async () => {} };
    },
  },
  {
    kind: 'postgres',
    skip: pgUnavailable,
    async open() {
      const schema = testSchemaName('lh_retention');
      return { store: await openPostgresStore({ url: TEST_DATABASE_URL, schema, poolMax: 4 }), cleanup: () => dropSchema(schema) };
    },
  },
] as const;

describe.each(KINDS)('retention on the $kind store', ({ skip, open }) => {
  const test = skip ? it.skip : it;
  let opened: { store: Store; cleanup(): Promise<void> } | null = null;
  afterEach(async () => {
    await opened?.store.close();
    await opened?.cleanup();
    opened = null;
  });

  async function setUp(options: Partial<RetentionOptions> = {}) {
    opened = await open();
    const { store } = opened;
    const clock = { now: T0 };
    const metrics = createMetrics();
    const retention = createRetention({ store, now: () => clock.now, days: 30, auditDays: 365, metrics, pauseMs: 0, dutyCycle: 1, ...options });
    return { store, clock, metrics, retention };
  }

  /** Fans an event out to hook h1 with one delivery, and finishes that delivery with `outcome` unless it is left pending. */
  async function deliver(store: Store, id: string, outcome: 'succeeded' | 'failed' | 'pending') {
    const delivery = `dlv_${id}`;
    await store.completeEvent(id, { ...(await store.getEvent(id))!.event }, [
      { id: delivery, event_id: id, hook_id: 'h1', next_attempt_at: 0, reason: 'event' },
    ]);
    if (outcome === 'pending') return;
    await store.finishAttempt(
      { delivery_id: delivery, attempt: 1, started_at: 1, duration_ms: 1, status: outcome === 'succeeded' ? 200 : 400, error: null, response_snippet: 'x' },
      { status: outcome },
    );
  }

  test('prunes an event past the window with its raw request, its finished deliveries and their attempts, and keeps the younger ones', async () => {
    const { store, clock, retention, metrics } = await setUp();
    await store.insertHook(hookRecord('h1'));
    await store.ingest(received(T0, ['old_ok', 'old_failed']));
    await store.ingest(received(T0 + 1, ['old_ok']));
    await store.ingest(received(T0 + 5 * DAY_MS, ['young']));
    await deliver(store, 'evt_old_ok', 'succeeded');
    await deliver(store, 'evt_old_failed', 'failed');
    await deliver(store, 'evt_young', 'succeeded');

    clock.now = T0 + 31 * DAY_MS;
    const result = await retention.runPass();

    // Two requests: the one with both events and the resend that stored nothing new.
    expect(result).toMatchObject({ raw_requests: 2, events: 2, deliveries: 2, attempts: 2, owed: 0 });
    expect(await store.getEvent('evt_old_ok')).toBeNull();
    expect(await store.getRawRequest('evt_old_ok')).toBeNull();
    expect(await store.getDelivery('dlv_evt_old_failed')).toBeNull();
    expect(await store.listAttempts('dlv_evt_old_ok')).toEqual([]);
    expect(await store.getEvent('evt_young')).not.toBeNull();
    expect(await store.getRawRequest('evt_young')).not.toBeNull();
    expect(await store.listAttempts('dlv_evt_young')).toHaveLength(1);
    expect(await metrics.registry.getSingleMetricAsString('learnhook_retention_pruned_total')).toContain('learnhook_retention_pruned_total{table="events"} 2');
  });

  test('never prunes what is still owed: an event not fanned out, or with a delivery pending or in flight, until it is done', async () => {
    const { store, clock, retention, metrics } = await setUp();
    await store.insertHook(hookRecord('h1'));
    await store.ingest(received(T0, ['unfanned']));
    await store.ingest(received(T0, ['pending']));
    await store.ingest(received(T0, ['in_flight', 'sibling']));
    await deliver(store, 'evt_pending', 'pending');
    await deliver(store, 'evt_in_flight', 'pending');
    await deliver(store, 'evt_sibling', 'succeeded');
    await store.claimDeliveries('h1', 0, 10, 60_000);
    await store.releaseDeliveries(['dlv_evt_pending'], 0);

    clock.now = T0 + 400 * DAY_MS;
    const first = await retention.runPass();
    expect(first).toMatchObject({ raw_requests: 0, events: 0, owed: 3 });
    // A request stays whole while an event of it is owed: the delivered sibling waits with it.
    for (const id of ['evt_unfanned', 'evt_pending', 'evt_in_flight', 'evt_sibling']) expect(await store.getEvent(id)).not.toBeNull();
    expect(await store.getRawRequest('evt_in_flight')).not.toBeNull();
    expect(await metrics.registry.getSingleMetricAsString('learnhook_retention_owed_requests')).toContain('learnhook_retention_owed_requests 3');

    await store.completeEvent('evt_unfanned', (await store.getEvent('evt_unfanned'))!.event, []);
    for (const id of ['dlv_evt_pending', 'dlv_evt_in_flight'])
      await store.finishAttempt(
        { delivery_id: id, attempt: 1, started_at: 1, duration_ms: 1, status: 200, error: null, response_snippet: null },
        { status: 'succeeded' },
      );
    expect(await retention.runPass()).toMatchObject({ raw_requests: 3, events: 4, owed: 0 });
  });

  test("takes a connection's retention_days over the hub's window, 0 keeping everything, and the hub's for a deleted connection", async () => {
    const { store, clock, retention } = await setUp();
    const connection = (id: string, retention_days: number | null) => ({
      id,
      name: id.replace('_', '-'),
      vendor: 'absorb' as const,
      description: null,
      token_enc: 't',
      inbound_enc: 'i',
      api_enc: null,
      retention_days,
      created_at: 1,
      updated_at: 1,
    });
    await store.insertConnection(connection('con_short', 7));
    await store.insertConnection(connection('con_ever', 0));
    await store.insertConnection(connection('con_gone', 90));
    for (const id of ['con_short', 'con_ever', 'con_gone', 'con_default']) {
      await store.ingest(received(T0, [`${id}_a`], id));
      await store.completeEvent(`evt_${id}_a`, (await store.getEvent(`evt_${id}_a`))!.event, []);
    }
    await store.deleteConnection('con_gone');

    clock.now = T0 + 10 * DAY_MS;
    await retention.runPass();
    expect(await store.getEvent('evt_con_short_a')).toBeNull();
    expect(await store.getEvent('evt_con_default_a')).not.toBeNull();
    expect(await store.getEvent('evt_con_gone_a')).not.toBeNull();

    clock.now = T0 + 1000 * DAY_MS;
    await retention.runPass();
    expect(await store.getEvent('evt_con_default_a')).toBeNull();
    expect(await store.getEvent('evt_con_gone_a')).toBeNull();
    expect(await store.getEvent('evt_con_ever_a')).not.toBeNull();
  });

  test('keeps the audit log and the hourly activity for their own, longer window', async () => {
    const { store, clock, retention } = await setUp({ days: 30, auditDays: 365 });
    await store.appendAudit({ at: T0, actor: 'cli', action: 'old', target: null, details: {} });
    await store.appendAudit({ at: T0 + 100 * DAY_MS, actor: 'cli', action: 'newer', target: null, details: {} });
    await store.ingest(received(T0, ['a']));
    await store.completeEvent('evt_a', (await store.getEvent('evt_a'))!.event, []);

    clock.now = T0 + 40 * DAY_MS;
    await retention.runPass();
    expect(await store.getEvent('evt_a')).toBeNull();
    expect((await store.listAudit({ limit: 10 })).data).toHaveLength(2);
    expect(await store.activity({ since: 0 })).toEqual([{ at: T0, received: 1, delivered: 0, failed: 0 }]);

    clock.now = T0 + 366 * DAY_MS;
    expect(await retention.runPass()).toMatchObject({ audit: 1, activity: 1 });
    expect((await store.listAudit({ limit: 10 })).data.map((entry) => entry.action)).toEqual(['newer']);
    expect(await store.activity({ since: 0 })).toEqual([]);
  });

  test('prunes in bounded batches, each its own transaction, so an ingest during a pass is stored before the pass ends', async () => {
    const { store, clock, retention } = await setUp({ batchSize: 10, pauseMs: 1 });
    await Promise.all(
      Array.from({ length: 95 }, async (_, index) => {
        await store.ingest(received(T0, [`e${index}`]));
        await store.completeEvent(`evt_e${index}`, (await store.getEvent(`evt_e${index}`))!.event, []);
      }),
    );
    const log: string[] = [];
    const prune = store.retention.pruneRequests;
    store.retention.pruneRequests = async (seqs) => {
      log.push(`prune ${seqs.length}`);
      return prune(seqs);
    };
    clock.now = T0 + 31 * DAY_MS;
    const pass = retention.runPass();
    await store.ingest(received(clock.now, ['fresh']));
    log.push('ingest');
    expect(await pass).toMatchObject({ raw_requests: 95, events: 95 });
    expect(log.filter((line) => line.startsWith('prune'))).toEqual([...Array.from({ length: 9 }, () => 'prune 10'), 'prune 5']);
    expect(log.indexOf('ingest')).toBeLessThan(log.lastIndexOf('prune 5'));
  });
});

describe('the embedded file under retention', () => {
  /** Bytes of the file once its write-ahead log is checkpointed into it and truncated. */
  function fileBytes(file: string): number {
    const db = new DatabaseSync(file);
    db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    db.close();
    return statSync(file).size;
  }

  async function simulate(days: number, retentionDays: number): Promise<number[]> {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'learnhook-retention-file-')), 'learnhook.db');
    const store = openSqliteStore({ file });
    const clock = { now: T0 };
    const retention = createRetention({ store, now: () => clock.now, days: retentionDays, auditDays: 0, pauseMs: 0, dutyCycle: 1 });
    const body = Buffer.alloc(2_000, 'x');
    const sizes: number[] = [];
    try {
      for (let day = 0; day < days; day += 1) {
        clock.now = T0 + day * DAY_MS;
        const ids = Array.from({ length: 100 }, (_, index) => `d${day}_${index}`);
        await Promise.all(ids.map((key) => store.ingest({ ...received(clock.now, [key]), request: { ...received(clock.now, [key]).request, body } })));
        await Promise.all(ids.map(async (key) => store.completeEvent(`evt_${key}`, (await store.getEvent(`evt_${key}`))!.event, [])));
        await retention.runPass();
        if ((day + 1) % 20 === 0) sizes.push(fileBytes(file));
      }
    } finally {
      await store.close();
    }
    return sizes;
  }

  it('stops growing at a steady rate over 60 simulated days: freed pages are reused, no VACUUM needed', async () => {
    const [day20, day40, day60] = await simulate(60, 10);
    const [, , kept60] = await simulate(60, 0);
    expect(day60).toBeLessThanOrEqual((day20 ?? 0) * 1.1);
    expect(day40).toBeLessThanOrEqual((day20 ?? 0) * 1.1);
    // Without pruning the same load keeps growing: the levelling is retention's doing.
    expect(kept60).toBeGreaterThan((day60 ?? 0) * 3);
  }, 60_000);
});

describe('pruning beside ingest', () => {
  it('rests after each batch for the time that keeps it within its share of real time', async () => {
    const store = openSqliteStore({ file: ':memory:' });
    const clock = { now: T0 };
    const rests: number[] = [];
    let busySince = 0;
    const slowStore: Store = {
      ...store,
      kind: store.kind,
      retention: {
        ...store.retention,
        async pruneRequests(seqs) {
          busySince = performance.now();
          // A batch that keeps the writer busy for at least 5 ms.
          while (performance.now() - busySince < 5) {}
          return store.retention.pruneRequests(seqs);
        },
      },
    };
    const retention = createRetention({
      store: slowStore,
      now: () => clock.now,
      days: 1,
      auditDays: 0,
      batchSize: 2,
      dutyCycle: 0.1,
      sleep: async (ms) => void rests.push(ms),
    });
    try {
      for (let index = 0; index < 6; index++) await store.ingest(received(T0, [`old${index}`]));
      for (let index = 0; index < 6; index++) await store.completeEvent(`evt_old${index}`, (await store.getEvent(`evt_old${index}`))!.event, []);
      clock.now = T0 + 2 * DAY_MS;
      expect(await retention.runPass()).toMatchObject({ raw_requests: 6 });
      expect(rests.length).toBeGreaterThanOrEqual(2);
      // A 10 % share: nine times as long at rest as the batch was busy, and never less than that.
      for (const restMs of rests) expect(restMs).toBeGreaterThanOrEqual(9 * 5);
    } finally {
      await store.close();
    }
  });
});
