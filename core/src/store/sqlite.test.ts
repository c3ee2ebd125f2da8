import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SAMPLES } from '../catalog/index.ts';
import { hookRecord as hook, ingestInput } from '../testing/store-fixtures.ts';
import { DatabaseSync } from 'node:sqlite';
import { HOT_QUERIES, openSqliteStore } from './sqlite.ts';
import type { Store } from './store.ts';

const opened: Store[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
});

function tempFile(): string {
  return path.join(mkdtempSync(path.join(os.tmpdir(), 'learnhook-store-')), 'nested', 'learnhook.db');
}

function open(file = ':memory:'): Store {
  const store = openSqliteStore({ file });
  opened.push(store);
  return store;
}

const sample = SAMPLES['enrollment.completed'];

describe('the sqlite store', () => {
  it('stores an ingested request once and reports a resent event as a duplicate', async () => {
    const store = open();
    expect(await store.ingest(ingestInput('a', 'b'))).toEqual({ inserted: ['evt_a', 'evt_b'], duplicates: [] });
    expect(await store.ingest(ingestInput('b', 'c'))).toEqual({ inserted: ['evt_c'], duplicates: ['evt_b'] });
    const events = await store.listEvents({ limit: 10 });
    expect(events.data.map((event) => event.id)).toEqual(['evt_c', 'evt_b', 'evt_a']);
  });

  it('keeps what it acknowledged after the file is closed and opened again', async () => {
    const file = tempFile();
    const first = openSqliteStore({ file });
    await first.ingest(ingestInput('kept'));
    await first.close();
    const second = open(file);
    expect((await second.getEvent('evt_kept'))?.event.learner?.email).toBe(sample.learner.email);
  });

  it('commits many concurrent writes together and resolves every one of them', async () => {
    const store = open(tempFile());
    const results = await Promise.all(Array.from({ length: 300 }, (_, index) => store.ingest(ingestInput(`k${index}`))));
    expect(results.every((result) => result.inserted.length === 1)).toBe(true);
    expect((await store.pendingEvents(1000)).length).toBe(300);
  });

  it('fails only the write that broke, not the others committed with it', async () => {
    const store = open();
    const outcomes = await Promise.allSettled([store.insertHook(hook('h1')), store.insertHook(hook('h1')), store.insertHook(hook('h2'))]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((await store.matchableHooks()).map((h) => h.id)).toEqual(['h1', 'h2']);
  });

  it('pages lists newest first with an opaque cursor', async () => {
    const store = open();
    await store.ingest(ingestInput('1', '2', '3', '4', '5'));
    const first = await store.listEvents({ limit: 2 });
    expect(first.data.map((event) => event.id)).toEqual(['evt_5', 'evt_4']);
    const second = await store.listEvents({ limit: 2, cursor: first.next_cursor ?? undefined });
    expect(second.data.map((event) => event.id)).toEqual(['evt_3', 'evt_2']);
    const last = await store.listEvents({ limit: 2, cursor: second.next_cursor ?? undefined });
    expect(last).toEqual({ data: [expect.objectContaining({ id: 'evt_1' })], next_cursor: null });
    await expect(store.listEvents({ limit: 2, cursor: 'bogus' })).rejects.toThrow(/cursor/);
  });

  it('filters events by type', async () => {
    const store = open();
    await store.ingest(ingestInput('x'));
    expect((await store.listEvents({ limit: 5, type: 'user.created' })).data).toEqual([]);
    expect((await store.listEvents({ limit: 5, type: 'enrollment.completed' })).data).toHaveLength(1);
  });

  it('moves an event from received to processed with its deliveries in one step', async () => {
    const store = open();
    await store.insertHook(hook('h1'));
    await store.ingest(ingestInput('e1'));
    const [pending] = await store.pendingEvents(10);
    const hydrated = { ...sample, id: 'evt_e1', hydration: { status: 'complete' as const, missing: [] } };
    await store.completeEvent('evt_e1', hydrated, [{ id: 'dlv_1', event_id: 'evt_e1', hook_id: 'h1', next_attempt_at: 10, reason: 'event' }]);
    expect(pending?.id).toBe('evt_e1');
    expect(await store.pendingEvents(10)).toEqual([]);
    expect((await store.getEvent('evt_e1'))?.state).toBe('processed');
    expect(await store.getDelivery('dlv_1')).toMatchObject({ status: 'pending', attempts: 0, next_attempt_at: 10 });
  });

  describe('deliveries', () => {
    async function withDue(store: Store, count: number, hookId = 'h1') {
      await store.insertHook(hook(hookId));
      await store.ingest(ingestInput('d'));
      await store.insertDeliveries(
        Array.from({ length: count }, (_, index) => ({ id: `dlv_${hookId}_${index}`, event_id: 'evt_d', hook_id: hookId, next_attempt_at: 100 + index, reason: 'event' as const })),
      );
    }

    it('claims only due deliveries of the asked hook, oldest first, and leases them', async () => {
      const store = open();
      await withDue(store, 3);
      expect(await store.hooksWithDueDeliveries(99)).toEqual([]);
      expect(await store.hooksWithDueDeliveries(101)).toEqual(['h1']);
      const claimed = await store.claimDeliveries('h1', 101, 10, 30_000);
      expect(claimed.map((delivery) => delivery.id)).toEqual(['dlv_h1_0', 'dlv_h1_1']);
      expect(claimed[0]).toMatchObject({ status: 'in_flight', hook: { id: 'h1', url: 'http://127.0.0.1:9/hook' }, event: { id: 'evt_d' } });
      expect(await store.claimDeliveries('h1', 101, 10, 30_000)).toEqual([]);
      // An expired lease makes the delivery due again (its sender died).
      expect((await store.claimDeliveries('h1', 101 + 30_000, 10, 30_000)).map((d) => d.id).sort()).toEqual(['dlv_h1_0', 'dlv_h1_1', 'dlv_h1_2']);
    });

    it('records each attempt and the next state', async () => {
      const store = open();
      await withDue(store, 1);
      await store.claimDeliveries('h1', 200, 1, 1000);
      await store.finishAttempt(
        { delivery_id: 'dlv_h1_0', attempt: 1, started_at: 200, duration_ms: 12, status: 500, error: null, response_snippet: 'boom' },
        { status: 'pending', next_attempt_at: 5200 },
      );
      await store.finishAttempt(
        { delivery_id: 'dlv_h1_0', attempt: 2, started_at: 5200, duration_ms: 8, status: 200, error: null, response_snippet: 'ok' },
        { status: 'succeeded' },
      );
      expect(await store.getDelivery('dlv_h1_0')).toMatchObject({ status: 'succeeded', attempts: 2, last_status: 200, next_attempt_at: null });
      expect((await store.listAttempts('dlv_h1_0')).map((attempt) => attempt.status)).toEqual([500, 200]);
      expect((await store.listDeliveries({ limit: 5, status: 'succeeded' })).data).toHaveLength(1);
    });

    it('makes a finished delivery due again on retry', async () => {
      const store = open();
      await withDue(store, 1);
      await store.finishAttempt({ delivery_id: 'dlv_h1_0', attempt: 1, started_at: 1, duration_ms: 1, status: 400, error: null, response_snippet: null }, { status: 'failed' });
      expect(await store.retryDelivery('dlv_h1_0', 500)).toMatchObject({ status: 'pending', next_attempt_at: 500 });
      expect(await store.nextDueAt()).toBe(500);
      expect(await store.retryDelivery('dlv_missing', 500)).toBeNull();
    });

    it('drops undelivered deliveries with their hook', async () => {
      const store = open();
      await withDue(store, 2);
      expect(await store.deleteHook('h1')).toBe(true);
      expect(await store.hooksWithDueDeliveries(10_000)).toEqual([]);
      expect((await store.listDeliveries({ limit: 5 })).data).toEqual([]);
      expect(await store.deleteHook('h1')).toBe(false);
    });

    it('hands deliveries left in flight by a crash back as due when the hub reopens it, and only then', async () => {
      const file = tempFile();
      const first = openSqliteStore({ file });
      await withDue(first, 1);
      await first.claimDeliveries('h1', 200, 1, 3_600_000);
      await first.close();
      const beside = openSqliteStore({ file });
      expect(await beside.getDelivery('dlv_h1_0')).toMatchObject({ status: 'in_flight' });
      await beside.close();
      const second = openSqliteStore({ file, recoverInFlight: true });
      opened.push(second);
      expect(await second.getDelivery('dlv_h1_0')).toMatchObject({ status: 'pending' });
      expect(await second.hooksWithDueDeliveries(Date.now() + 1)).toEqual(['h1']);
    });
  });

  it('patches only known hook columns and answers null for an unknown hook', async () => {
    const store = open();
    await store.insertHook(hook('h1'));
    expect(await store.updateHook('h1', { status: 'paused', events: ['user.created'] })).toMatchObject({ status: 'paused', events: ['user.created'] });
    // A paused hook still collects its deliveries; a disabled one gets none.
    expect((await store.matchableHooks()).map((h) => h.id)).toEqual(['h1']);
    await store.updateHook('h1', { status: 'disabled' });
    expect(await store.matchableHooks()).toEqual([]);
    expect(await store.updateHook('nope', { status: 'active' })).toBeNull();
  });

  it('finds connections by id or name', async () => {
    const store = open();
    await store.insertConnection({ id: 'con_1', name: 'acme', vendor: 'absorb', description: null, token_enc: 't', inbound_enc: 'i', api_enc: null, created_at: 1, updated_at: 1 });
    expect((await store.getConnection('acme'))?.id).toBe('con_1');
    expect((await store.getConnection('con_1'))?.name).toBe('acme');
    await expect(store.insertConnection({ id: 'con_2', name: 'acme', vendor: 'absorb', description: null, token_enc: 't', inbound_enc: 'i', api_enc: null, created_at: 1, updated_at: 1 })).rejects.toThrow();
  });

  it('revokes an API key once and keeps an audit trail newest first', async () => {
    const store = open();
    await store.insertApiKey({ id: 'key_1', label: 'zapier', scopes: ['hooks', 'events'], secret_hash: 'h', created_at: 1, revoked_at: null, last_used_at: null });
    expect(await store.revokeApiKey('key_1', 5)).toBe(true);
    expect(await store.revokeApiKey('key_1', 6)).toBe(false);
    expect((await store.getApiKey('key_1'))?.revoked_at).toBe(5);
    await store.appendAudit({ at: 1, actor: 'cli', action: 'key.created', target: 'key_1', details: {} });
    await store.appendAudit({ at: 2, actor: 'cli', action: 'key.revoked', target: 'key_1', details: {} });
    expect((await store.listAudit({ limit: 10 })).data.map((entry) => entry.action)).toEqual(['key.revoked', 'key.created']);
  });

  it('answers every delivery hot-path query from an index in its order, never sorting or scanning the backlog', async () => {
    const file = tempFile();
    await openSqliteStore({ file }).close();
    const db = new DatabaseSync(file);
    try {
      for (const [name, sql] of Object.entries(HOT_QUERIES)) {
        const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...Array.from({ length: (sql.match(/\?/g) ?? []).length }, () => 1)) as Array<{ detail: string }>)
          .map((step) => step.detail)
          .join(' | ');
        expect(plan, name).not.toMatch(/TEMP B-TREE/);
        expect(plan, name).toMatch(/deliveries_(due|pending)/);
      }
    } finally {
      db.close();
    }
  });
});
