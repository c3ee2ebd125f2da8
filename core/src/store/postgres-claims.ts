import type { PostgresDatabase } from './postgres-connect.ts';
import { claimedDelivery, hookColumnsAs, numOrNull, str, toEvent } from './rows.ts';
import type { Store, WakeTopic } from './store.ts';

/** The queries on the hot paths; a test checks PostgreSQL answers each from an index, in order. */
export const PG_HOT_QUERIES = {
  claimEvents: `WITH due AS (
      SELECT seq FROM events WHERE state = 'received' AND claimed_until <= $1 ORDER BY seq LIMIT $2 FOR UPDATE SKIP LOCKED
    )
    UPDATE events e SET claimed_until = $3 FROM due WHERE e.seq = due.seq RETURNING e.*`,
  dueHooks: `SELECT h.id FROM hooks h WHERE h.status = 'active' AND EXISTS (
      SELECT 1 FROM deliveries d WHERE d.hook_id = h.id AND d.status IN ('pending', 'in_flight') AND d.next_attempt_at <= $1
    ) ORDER BY h.seq`,
  claimDeliveries: `WITH due AS (
      SELECT id FROM deliveries WHERE hook_id = $1 AND status IN ('pending', 'in_flight') AND next_attempt_at <= $2
      ORDER BY next_attempt_at, seq LIMIT $3 FOR UPDATE SKIP LOCKED
    ), claimed AS (
      UPDATE deliveries d SET status = 'in_flight', next_attempt_at = $4, updated_at = $2 FROM due WHERE d.id = due.id RETURNING d.*
    )
    SELECT c.*, e.body AS event_body, e.type AS event_type, ${hookColumnsAs('h')}
    FROM claimed c JOIN events e ON e.id = c.event_id JOIN hooks h ON h.id = c.hook_id ORDER BY c.seq`,
  // In-flight leases count: another process's lease falls due when that process died.
  nextDue: `SELECT next_attempt_at AS at FROM deliveries WHERE status IN ('pending', 'in_flight') ORDER BY next_attempt_at LIMIT 1`,
} as const;

export type PostgresClaims = Pick<Store, 'claimEvents' | 'hooksWithDueDeliveries' | 'claimDeliveries' | 'releaseDeliveries' | 'nextDueAt'>;

/**
 * Claims shared by several processes: FOR UPDATE SKIP LOCKED takes rows no other process is
 * claiming, and a lease hands them on when their claimer dies.
 */
export function postgresClaims(database: PostgresDatabase, notify: (topic: WakeTopic) => void): PostgresClaims {
  const { query, one } = database;
  return {
    async claimEvents(now, limit, leaseMs) {
      const rows = await query(PG_HOT_QUERIES.claimEvents, [now, limit, now + leaseMs]);
      return rows.map(toEvent).sort((a, b) => a.seq - b.seq);
    },

    async hooksWithDueDeliveries(now) {
      return (await query(PG_HOT_QUERIES.dueHooks, [now])).map((row) => str(row.id));
    },

    async claimDeliveries(hookId, now, limit, leaseMs) {
      return (await query(PG_HOT_QUERIES.claimDeliveries, [hookId, now, limit, now + leaseMs])).map((row) => claimedDelivery(row));
    },

    async releaseDeliveries(ids, now) {
      if (ids.length === 0) return;
      await query(`UPDATE deliveries SET status = 'pending', next_attempt_at = $2, updated_at = $2 WHERE id = ANY($1::text[]) AND status = 'in_flight'`, [
        ids,
        now,
      ]);
      notify('deliveries');
    },

    async nextDueAt() {
      return numOrNull((await one(PG_HOT_QUERIES.nextDue))?.at);
    },
  };
}
