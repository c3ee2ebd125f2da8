import { claimedDelivery, hookColumnsAs, num, numOrNull, str, toEvent } from './rows.ts';
import type { SqliteDatabase } from './sqlite-database.ts';
import type { Store } from './store.ts';

/** The queries on the delivery hot path; a test checks SQLite answers each from an index, in order. */
export const HOT_QUERIES = {
  hasDue: `SELECT 1 FROM deliveries WHERE hook_id = ? AND status IN ('pending', 'in_flight') AND next_attempt_at <= ? LIMIT 1`,
  claim: `SELECT d.*, e.body AS event_body, ${hookColumnsAs('h')}
           FROM deliveries d JOIN events e ON e.id = d.event_id JOIN hooks h ON h.id = d.hook_id
           WHERE d.hook_id = ? AND d.status IN ('pending', 'in_flight') AND d.next_attempt_at <= ?
           ORDER BY d.next_attempt_at, d.seq LIMIT ?`,
  // Read in index order and stop at the first row, instead of MIN() over every pending delivery.
  nextDue: `SELECT next_attempt_at AS at FROM deliveries INDEXED BY deliveries_pending WHERE status = 'pending' ORDER BY next_attempt_at LIMIT 1`,
} as const;

export type SqliteClaims = Pick<Store, 'claimEvents' | 'hooksWithDueDeliveries' | 'claimDeliveries' | 'releaseDeliveries' | 'nextDueAt'>;

/**
 * Claims on the embedded store: one process owns the file, so a claim is a read and a lease
 * written in the same group commit, with nothing to skip past.
 */
export function sqliteClaims(database: SqliteDatabase): SqliteClaims {
  const { all, get, run, write } = database;
  return {
    async claimEvents(now, limit, leaseMs) {
      // The fan-out's idle poll finds nothing most of the time: that costs no write and no fsync.
      if (!get(`SELECT 1 FROM events WHERE state = 'received' AND claimed_until <= ? LIMIT 1`, now)) return [];
      return write(() => {
        const rows = all(`SELECT * FROM events WHERE state = 'received' AND claimed_until <= ? ORDER BY seq LIMIT ?`, now, limit);
        for (const row of rows) run('UPDATE events SET claimed_until = ? WHERE seq = ?', now + leaseMs, num(row.seq));
        return rows.map(toEvent);
      });
    },

    async hooksWithDueDeliveries(now) {
      // One index probe per active hook instead of a scan over the backlog: cost grows with the
      // number of hooks, never with the number of waiting deliveries.
      const hooks = all(`SELECT id FROM hooks WHERE status = 'active'`);
      return hooks.map((row) => str(row.id)).filter((hookId) => get(HOT_QUERIES.hasDue, hookId, now));
    },

    claimDeliveries(hookId, now, limit, leaseMs) {
      return write(() => {
        const rows = all(HOT_QUERIES.claim, hookId, now, limit);
        for (const row of rows) {
          run(`UPDATE deliveries SET status = 'in_flight', next_attempt_at = ?, updated_at = ? WHERE id = ?`, now + leaseMs, now, str(row.id));
        }
        return rows.map((row) => ({ ...claimedDelivery(row), status: 'in_flight' as const, next_attempt_at: now + leaseMs }));
      });
    },

    releaseDeliveries(ids, now) {
      return write(() => {
        for (const id of ids)
          run(`UPDATE deliveries SET status = 'pending', next_attempt_at = ?, updated_at = ? WHERE id = ? AND status = 'in_flight'`, now, now, id);
      });
    },

    async nextDueAt() {
      return numOrNull(get(HOT_QUERIES.nextDue)?.at);
    },
  };
}
