import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../store/sqlite.ts';
import type { DeliveryRecord } from '../store/store.ts';
import { hookRecord, ingestInput } from '../testing/store-fixtures.ts';
import { deliveryHealth, failedDeliveries } from './deliveries.ts';

const delivery = (id: string, status: DeliveryRecord['status'], attempts: number): DeliveryRecord => ({
  id,
  event_id: `evt_${id}`,
  hook_id: 'hook_1',
  reason: 'event',
  status,
  attempts,
  next_attempt_at: null,
  last_status: null,
  last_error: null,
  created_at: 0,
  updated_at: 0,
});

describe('deliveryHealth', () => {
  it('rates success over the deliveries tried at least once and names the newest of them as the last', () => {
    const health = deliveryHealth([
      delivery('new', 'pending', 0),
      delivery('b', 'failed', 8),
      delivery('c', 'succeeded', 1),
      delivery('d', 'succeeded', 2),
      delivery('e', 'pending', 1),
    ]);
    expect(health).toMatchObject({ count: 5, failed: 1, successRate: 0.5 });
    expect(health.last?.id).toBe('b');
  });

  it('has no rate and no last delivery while nothing was tried', () => {
    expect(deliveryHealth([delivery('a', 'pending', 0)])).toEqual({ count: 1, failed: 0, successRate: null, last: null });
    expect(deliveryHealth([])).toEqual({ count: 0, failed: 0, successRate: null, last: null });
  });
});

describe('failed deliveries of a hook', () => {
  it('are those that gave up within the window asked for, newest first', async () => {
    const store = openSqliteStore({ file: ':memory:' });
    try {
      await store.ingest(ingestInput('a', 'b', 'c'));
      await store.insertHook(hookRecord('hook_1'));
      await store.insertDeliveries(
        ['a', 'b', 'c'].map((key) => ({ id: `d_${key}`, event_id: `evt_${key}`, hook_id: 'hook_1', next_attempt_at: 0, reason: 'event' as const })),
      );
      const fail = (id: string, at: number) =>
        store.finishAttempt(
          { delivery_id: id, attempt: 1, started_at: at, duration_ms: 0, status: 500, error: null, response_snippet: null },
          { status: 'failed' },
        );
      await fail('d_a', 1_000);
      await fail('d_b', 5_000);
      await store.finishAttempt(
        { delivery_id: 'd_c', attempt: 1, started_at: 6_000, duration_ms: 0, status: 200, error: null, response_snippet: null },
        { status: 'succeeded' },
      );
      expect((await failedDeliveries({ store }, 'hook_1')).map((found) => found.id)).toEqual(['d_b', 'd_a']);
      expect((await failedDeliveries({ store }, 'hook_1', 2_000)).map((found) => found.id)).toEqual(['d_b']);
    } finally {
      await store.close();
    }
  });
});
