import { describe, expect, it } from 'vitest';
import type { DeliveryRecord } from '../store/store.ts';
import { deliveryHealth } from './deliveries.ts';

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
