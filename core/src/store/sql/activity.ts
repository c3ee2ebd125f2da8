import { num } from '../rows.ts';
import type { ActivityHour, Store } from '../store.ts';
import type { SqlRunner, SqlValue } from './runner.ts';

export const HOUR_MS = 3_600_000;

/**
 * Counts per hour and connection, kept as the events and deliveries happen (each store adds to
 * them in the same commit as the write they count), so a chart of a week reads at most 168 rows
 * per connection however many events are stored.
 */
export const ACTIVITY_TABLE = `
  CREATE TABLE activity (
    hour BIGINT NOT NULL, connection_id TEXT NOT NULL,
    received BIGINT NOT NULL DEFAULT 0, delivered BIGINT NOT NULL DEFAULT 0, failed BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (hour, connection_id)
  );
`;

/** Adds to an hour's counts: the same clause on both stores (a SQLite INSERT ... SELECT needs a WHERE before it). */
export const ACTIVITY_UPSERT = `ON CONFLICT (hour, connection_id) DO UPDATE SET received = activity.received + excluded.received,
  delivered = activity.delivered + excluded.delivered, failed = activity.failed + excluded.failed`;

/** A hub upgraded to this schema charts what it already holds. */
export const ACTIVITY_BACKFILL = `
  INSERT INTO activity (hour, connection_id, received, delivered, failed)
    SELECT r.received_at / ${HOUR_MS}, e.connection_id, COUNT(*), 0, 0 FROM events e JOIN raw_requests r ON r.seq = e.raw_request_seq
    WHERE true GROUP BY r.received_at / ${HOUR_MS}, e.connection_id ${ACTIVITY_UPSERT};
  INSERT INTO activity (hour, connection_id, received, delivered, failed)
    SELECT d.updated_at / ${HOUR_MS}, e.connection_id, 0, SUM(CASE WHEN d.status = 'succeeded' THEN 1 ELSE 0 END), SUM(CASE WHEN d.status = 'failed' THEN 1 ELSE 0 END)
    FROM deliveries d JOIN events e ON e.id = d.event_id WHERE d.status IN ('succeeded', 'failed')
    GROUP BY d.updated_at / ${HOUR_MS}, e.connection_id ${ACTIVITY_UPSERT};
`;

export type ActivityReads = Pick<Store, 'activity'>;

export function activityReads(runner: SqlRunner): ActivityReads {
  return {
    async activity(query) {
      const params: SqlValue[] = [Math.floor(query.since / HOUR_MS)];
      if (query.connection_id) params.push(query.connection_id);
      const rows = await runner.rows(
        `SELECT hour, SUM(received) AS received, SUM(delivered) AS delivered, SUM(failed) AS failed FROM activity
         WHERE hour >= ?${query.connection_id ? ' AND connection_id = ?' : ''} GROUP BY hour ORDER BY hour`,
        params,
      );
      return rows.map(
        (row): ActivityHour => ({ at: num(row.hour) * HOUR_MS, received: num(row.received), delivered: num(row.delivered), failed: num(row.failed) }),
      );
    },
  };
}
