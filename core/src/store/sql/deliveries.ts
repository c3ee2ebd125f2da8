import { toAttempt, toDelivery } from '../rows.ts';
import type { Store } from '../store.ts';
import { findById, pageOf } from './reads.ts';
import type { SqlRunner } from './runner.ts';

/** The delivery statements both stores run alike; claims and batched writes stay with each store. */
export type DeliveryMethods = Pick<Store, 'getDelivery' | 'listDeliveries' | 'listAttempts' | 'expediteDeliveries' | 'retryDelivery'>;

export function deliveryMethods(runner: SqlRunner): DeliveryMethods {
  return {
    getDelivery: (id) => findById(runner, 'deliveries', id, toDelivery),

    listDeliveries: (query) => pageOf(runner, 'deliveries', query, { hook_id: query.hook_id, event_id: query.event_id, status: query.status }, toDelivery),

    async listAttempts(deliveryId) {
      return (await runner.rows('SELECT * FROM attempts WHERE delivery_id = ? ORDER BY attempt', [deliveryId])).map(toAttempt);
    },

    async expediteDeliveries(hookId, now) {
      const moved = await runner.change(
        `UPDATE deliveries SET next_attempt_at = ?, updated_at = ?
         WHERE hook_id = ? AND status = 'pending' AND next_attempt_at > ? AND coalesce(last_status, 0) NOT IN (429, 503)`,
        [now, now, hookId, now],
      );
      if (moved > 0) runner.wake('deliveries');
      return moved;
    },

    async retryDelivery(id, now) {
      const [row] = await runner.returning(
        `UPDATE deliveries SET status = 'pending', next_attempt_at = ?, updated_at = ? WHERE id = ? AND status != 'in_flight' RETURNING *`,
        [now, now, id],
      );
      // A delivery in flight is left as it is, and answered as it is.
      if (!row) return findById(runner, 'deliveries', id, toDelivery);
      runner.wake('deliveries');
      return toDelivery(row);
    },
  };
}
