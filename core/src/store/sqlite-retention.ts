import { OWED_EVENT, retentionReads } from './sql/retention.ts';
import type { SqliteDatabase } from './sqlite-database.ts';
import type { PrunedRows, RetentionStore } from './store.ts';

/**
 * Retention on the embedded store: each prune is one write in the next group commit, so it shares
 * the writer with ingest instead of waiting beside it, and the owed check runs inside that write,
 * where no other write can make an event owed meanwhile. The pages it frees go to SQLite's
 * freelist and are reused by later writes: the file stops growing (measured by bench row 11).
 */
export function sqliteRetention(database: SqliteDatabase): RetentionStore {
  const { all, run, write } = database;
  return {
    ...retentionReads(database.runner),

    pruneRequests(seqs) {
      return write((): PrunedRows => {
        const requests = JSON.stringify(seqs);
        const events = JSON.stringify(
          all(`SELECT e.id FROM events e WHERE e.raw_request_seq IN (SELECT value FROM json_each(?)) AND NOT ${OWED_EVENT}`, requests).map((row) => row.id),
        );
        const attempts = run(
          'DELETE FROM attempts WHERE delivery_id IN (SELECT d.id FROM deliveries d WHERE d.event_id IN (SELECT value FROM json_each(?)))',
          events,
        ).changes;
        const deliveries = run('DELETE FROM deliveries WHERE event_id IN (SELECT value FROM json_each(?))', events).changes;
        const deleted = run('DELETE FROM events WHERE id IN (SELECT value FROM json_each(?))', events).changes;
        // A request goes once none of its events is left (an owed one keeps it).
        const raw = run(
          'DELETE FROM raw_requests WHERE seq IN (SELECT value FROM json_each(?)) AND NOT EXISTS (SELECT 1 FROM events e WHERE e.raw_request_seq = raw_requests.seq)',
          requests,
        ).changes;
        return { raw_requests: Number(raw), events: Number(deleted), deliveries: Number(deliveries), attempts: Number(attempts) };
      });
    },
  };
}
