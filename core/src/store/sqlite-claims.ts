import { claimedDelivery, num, numOrNull, str, toEvent, toHook } from './rows.ts';
import type { SqliteDatabase } from './sqlite-database.ts';
import type { Store } from './store.ts';

/** The queries on the delivery hot path; a test checks SQLite answers each from an index, in order. */
export const HOT_QUERIES = {
  hasDue: `SELECT 1 FROM deliveries WHERE hook_id = ? AND status IN ('pending', 'in_flight') AND next_attempt_at <= ? LIMIT 1`,
  // The hook is read once per claim, not with each of its rows (claimDeliveries).
  claim: `SELECT d.*, e.body AS event_body, e.type AS event_type
           FROM deliveries d JOIN events e ON e.id = d.event_id
           WHERE d.hook_id = ? AND d.status IN ('pending', 'in_flight') AND d.next_attempt_at <= ?
           ORDER BY d.next_attempt_at, d.seq LIMIT ?`,
  // Read in index order and stop at the first row, instead of MIN() over every pending delivery.
  nextDue: `SELECT next_attempt_at AS at FROM deliveries INDEXED BY deliveries_pending WHERE status = 'pending' ORDER BY next_attempt_at LIMIT 1`,
} as const;

export type SqliteClaims = Pick<Store, 'claimEvents' | 'hooksWithDueDeliveries' | 'claimDeliveries' | 'releaseDeliveries' | 'nextDueAt'>;

/** Events handed out together, and until when they are this process's. */
interface Lease {
  until: number;
  seqs: number[];
}

/**
 * Claims on the embedded store. One process owns the file, so an event claim is a lease in memory,
 * not a write (bench row 13: the lease UPDATE cost about 15 µs per event plus its share of a group
 * commit): events are handed out in order past the last one handed out, and one whose lease ran out
 * while it is still received is handed out again. Leases start afresh when the store opens, which
 * hands out again what a crashed hub left unfinished. Should a second process open the same file
 * and fan out too, completeEvent (WHERE state = 'received') still lets only one complete each event.
 * Delivery claims stay in the file: in_flight is part of a delivery's state the API shows.
 */
export function sqliteClaims(database: SqliteDatabase): SqliteClaims {
  const { all, get, run, write } = database;
  let handedOutThrough = 0;
  // In the order they were made, so their ends only grow: the first is the first to run out.
  const leases: Lease[] = [];

  /** Events whose lease ran out and that are still received: handed out again. */
  function expired(now: number, limit: number): number[] {
    const again: number[] = [];
    while (again.length < limit && leases[0] && leases[0].until <= now) {
      const lease = leases.shift();
      if (!lease) break;
      const open = all(`SELECT seq FROM events WHERE seq IN (SELECT value FROM json_each(?)) AND state = 'received'`, JSON.stringify(lease.seqs));
      again.push(...open.map((row) => num(row.seq)));
    }
    return again;
  }

  return {
    async claimEvents(now, limit, leaseMs) {
      const seqs = new Set(expired(now, limit));
      // Nothing leased: every received event is free again, from the first (a seq freed by pruning may come back).
      if (leases.length === 0) handedOutThrough = 0;
      for (const row of all(`SELECT seq FROM events WHERE state = 'received' AND seq > ? ORDER BY seq LIMIT ?`, handedOutThrough, limit)) {
        if (seqs.size >= limit) break;
        seqs.add(num(row.seq));
      }
      if (seqs.size === 0) return [];
      handedOutThrough = Math.max(handedOutThrough, ...seqs);
      leases.push({ until: now + leaseMs, seqs: [...seqs] });
      return all(`SELECT * FROM events WHERE seq IN (SELECT value FROM json_each(?)) ORDER BY seq`, JSON.stringify([...seqs])).map(toEvent);
    },

    async hooksWithDueDeliveries(now) {
      // One index probe per active hook instead of a scan over the backlog: cost grows with the
      // number of hooks, never with the number of waiting deliveries.
      const hooks = all(`SELECT id FROM hooks WHERE status = 'active'`);
      return hooks.map((row) => str(row.id)).filter((hookId) => get(HOT_QUERIES.hasDue, hookId, now));
    },

    claimDeliveries(hookId, now, limit, leaseMs) {
      return write(() => {
        const hookRow = get('SELECT * FROM hooks WHERE id = ?', hookId);
        if (!hookRow) return [];
        const hook = toHook(hookRow);
        const rows = all(HOT_QUERIES.claim, hookId, now, limit);
        if (rows.length === 0) return [];
        // One statement for the whole claim: per row, an UPDATE cost more than the row it leases.
        run(
          `UPDATE deliveries SET status = 'in_flight', next_attempt_at = ?, updated_at = ? WHERE id IN (SELECT value FROM json_each(?))`,
          now + leaseMs,
          now,
          JSON.stringify(rows.map((row) => str(row.id))),
        );
        return rows.map((row) => ({ ...claimedDelivery(row, hook), status: 'in_flight' as const, next_attempt_at: now + leaseMs }));
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
