import { num, str } from './rows.ts';
import { BACKFILL_DONE, BACKFILL_RANGE, learnerEmailOf, SQLITE_BACKFILL_FILL, SQLITE_BACKFILL_STEP } from './sql/learner-email.ts';
import type { SqliteDatabase } from './sqlite-database.ts';
import type { IngestResult, NewDelivery, NewEvent, Store } from './store.ts';

export type SqliteWrites = Pick<Store, 'ingest' | 'completeEvent' | 'backfillLearnerEmails' | 'insertDeliveries' | 'deleteHook' | 'finishAttempt'>;

/**
 * The embedded store's writes of several statements: each is one function run inside the next
 * group commit, so its statements commit together.
 */
const INSERT_DELIVERY = `INSERT INTO deliveries (id, event_id, hook_id, reason, status, attempts, next_attempt_at, created_at, updated_at)
  SELECT ?, ?, ?, ?, ?, 0, ?, ?, ?`;

export function sqliteWrites(database: SqliteDatabase): SqliteWrites {
  const { get, run, write, activity } = database;

  /**
   * The deliveries' rows; `forStoredEventsOnly` skips one whose event is gone (a replay's, which
   * retention may race), needless where the write itself holds the event (ingest, completeEvent).
   */
  function insertDeliveryRows(deliveries: NewDelivery[], forStoredEventsOnly = false): number {
    const now = Date.now();
    let made = 0;
    for (const delivery of deliveries) {
      const row = [delivery.id, delivery.event_id, delivery.hook_id, delivery.reason, delivery.status ?? 'pending', delivery.next_attempt_at, now, now];
      const inserted = forStoredEventsOnly
        ? run(`${INSERT_DELIVERY} WHERE EXISTS (SELECT 1 FROM events WHERE id = ?)`, ...row, delivery.event_id)
        : run(INSERT_DELIVERY, ...row);
      made += Number(inserted.changes);
    }
    return made;
  }

  function storedEventId(connectionId: string, event: NewEvent): string {
    const row = get('SELECT id FROM events WHERE connection_id = ? AND dedupe_key = ?', connectionId, event.dedupe_key);
    return row ? str(row.id) : event.id;
  }

  return {
    ingest(input) {
      return write((): IngestResult => {
        const { request } = input;
        const raw = run(
          'INSERT INTO raw_requests (connection_id, method, route, headers, body, received_at) VALUES (?, ?, ?, ?, ?, ?)',
          input.connection_id,
          request.method,
          request.route,
          JSON.stringify(request.headers),
          request.body,
          request.received_at,
        );
        const result: IngestResult = { inserted: [], duplicates: [], ids: [] };
        for (const event of input.events) {
          const { completed } = event;
          const inserted = run(
            `INSERT INTO events (id, connection_id, dedupe_key, type, state, body, needs, raw_request_seq, learner_email)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
            event.id,
            input.connection_id,
            event.dedupe_key,
            event.type,
            completed ? 'processed' : 'received',
            JSON.stringify(completed?.event ?? event.event),
            JSON.stringify(event.needs),
            raw.lastInsertRowid,
            completed ? learnerEmailOf(completed.event) : null,
          );
          const stored = inserted.changes > 0;
          if (stored && completed) insertDeliveryRows(completed.deliveries);
          const id = stored ? event.id : storedEventId(input.connection_id, event);
          (stored ? result.inserted : result.duplicates).push(id);
          result.ids.push(id);
        }
        if (result.inserted.length) activity.add({ at: request.received_at, connection_id: input.connection_id, received: result.inserted.length });
        return result;
      });
    },

    completeEvent(id, event, deliveries) {
      return write(() => {
        const updated = run(
          `UPDATE events SET body = ?, learner_email = ?, state = 'processed' WHERE id = ? AND state = 'received'`,
          JSON.stringify(event),
          learnerEmailOf(event),
          id,
        );
        if (updated.changes === 0) return false;
        insertDeliveryRows(deliveries);
        return true;
      });
    },

    backfillLearnerEmails(span) {
      return write(() => {
        const range = get(BACKFILL_RANGE);
        if (!range) return null;
        const [after, through] = [num(range.after_seq), num(range.through_seq)];
        if (after >= through) {
          run(BACKFILL_DONE);
          return null;
        }
        const end = Math.min(after + span, through);
        run(SQLITE_BACKFILL_STEP, end);
        return Number(run(SQLITE_BACKFILL_FILL, after, end).changes);
      });
    },

    insertDeliveries(deliveries) {
      return write(() => insertDeliveryRows(deliveries, true));
    },

    deleteHook(id) {
      return write(() => {
        const deleted = run('DELETE FROM hooks WHERE id = ?', id).changes > 0;
        run(`DELETE FROM deliveries WHERE hook_id = ? AND status IN ('pending', 'in_flight')`, id);
        return deleted;
      });
    },

    finishAttempt(attempt, outcome) {
      return write(() => {
        run(
          `INSERT OR REPLACE INTO attempts (delivery_id, attempt, started_at, duration_ms, status, error, response_snippet) VALUES (?, ?, ?, ?, ?, ?, ?)`,
          attempt.delivery_id,
          attempt.attempt,
          attempt.started_at,
          attempt.duration_ms,
          attempt.status,
          attempt.error,
          attempt.response_snippet,
        );
        run(
          `UPDATE deliveries SET status = ?, attempts = ?, next_attempt_at = ?, last_status = ?, last_error = ?, updated_at = ? WHERE id = ?`,
          outcome.status,
          attempt.attempt,
          outcome.status === 'pending' ? outcome.next_attempt_at : null,
          attempt.status,
          attempt.error,
          attempt.started_at + attempt.duration_ms,
          attempt.delivery_id,
        );
        if (outcome.status === 'pending') return;
        const event = get('SELECT e.connection_id FROM deliveries d JOIN events e ON e.id = d.event_id WHERE d.id = ?', attempt.delivery_id);
        if (!event) return;
        activity.add({
          at: attempt.started_at + attempt.duration_ms,
          connection_id: str(event.connection_id),
          delivered: outcome.status === 'succeeded' ? 1 : 0,
          failed: outcome.status === 'failed' ? 1 : 0,
        });
      });
    },
  };
}
