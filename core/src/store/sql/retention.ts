import { num, numOrNull, str } from '../rows.ts';
import type { RetentionStore } from '../store.ts';
import { HOUR_MS } from './activity.ts';
import type { SqlRunner } from './runner.ts';

/**
 * Retention (issue 17 §1): a connection's own window, and the two indexes pruning walks by. The
 * raw request is the unit pruned (with its events, their deliveries and attempts), walked per
 * connection in seq order, and each of its events is found by its raw request: without these two
 * indexes every batch would read whole tables.
 */
export const RETENTION_SCHEMA = `
  ALTER TABLE connections ADD COLUMN retention_days INTEGER;
  CREATE INDEX raw_requests_by_connection ON raw_requests (connection_id, seq);
  CREATE INDEX events_by_raw_request ON events (raw_request_seq);
`;

/**
 * An event still owed, on an `events e` row: not yet fanned out, or with a delivery waiting or
 * being sent. Such an event, and the request it came in with, is never pruned however old.
 */
export const OWED_EVENT = `(e.state = 'received' OR EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id AND d.status IN ('pending', 'in_flight')))`;

export type RetentionReads = Omit<RetentionStore, 'pruneRequests'>;

/** What both stores prune and read alike; pruning a request differs (one transaction each way), so each store adds it. */
export function retentionReads(runner: SqlRunner): RetentionReads {
  return {
    async scopes() {
      // A deleted connection's requests stay until the hub's window takes them: its id is still in activity.
      const rows = await runner.rows(
        `SELECT id AS connection_id, retention_days FROM connections
         UNION SELECT DISTINCT a.connection_id, CAST(NULL AS INTEGER) FROM activity a WHERE NOT EXISTS (SELECT 1 FROM connections c WHERE c.id = a.connection_id)`,
      );
      return rows.map((row) => ({ connection_id: str(row.connection_id), retention_days: numOrNull(row.retention_days) }));
    },

    async candidates(connectionId, afterSeq, limit) {
      const rows = await runner.rows(
        `SELECT r.seq, r.received_at, CASE WHEN EXISTS (SELECT 1 FROM events e WHERE e.raw_request_seq = r.seq AND ${OWED_EVENT}) THEN 1 ELSE 0 END AS owed
         FROM raw_requests r WHERE r.connection_id = ? AND r.seq > ? ORDER BY r.seq LIMIT ?`,
        [connectionId, afterSeq, limit],
      );
      return rows.map((row) => ({ seq: num(row.seq), received_at: num(row.received_at), owed: num(row.owed) === 1 }));
    },

    // Both read only the first `limit` rows of the table's own order (seq is time order for the
    // audit log, the key starts with the hour for activity), so a batch costs the same however
    // long the table is, even when nothing is old enough.
    pruneAudit: (before, limit) => runner.change('DELETE FROM audit WHERE at < ? AND seq IN (SELECT seq FROM audit ORDER BY seq LIMIT ?)', [before, limit]),

    pruneActivity: (before, limit) =>
      runner.change(
        'DELETE FROM activity WHERE hour < ? AND (hour, connection_id) IN (SELECT hour, connection_id FROM activity ORDER BY hour, connection_id LIMIT ?)',
        [Math.floor(before / HOUR_MS), limit],
      ),
  };
}
