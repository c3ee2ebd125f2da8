import { toEvent, toRawRequest } from '../rows.ts';
import type { EventQuery, Store } from '../store.ts';
import { type Dialect, jsonText } from './dialect.ts';
import { LEARNER_EMAIL_MATCHES } from './learner-email.ts';
import { findById, pageOf } from './reads.ts';
import type { SqlRunner, SqlValue } from './runner.ts';

/** The event reads; ingest, claims and completion are how each store commits, so they stay with it. */
/** The event list's filters on what the envelope says: the learner's from its own column, the others read from the JSON body. */
function eventConditions(dialect: Dialect, query: EventQuery): { sql: string; params: SqlValue[] }[] {
  const field = (...path: string[]) => jsonText(dialect, 'body', path);
  const conditions: { sql: string; params: SqlValue[] }[] = [];
  // The column written when the event is completed (learner-email.ts), and its index.
  if (query.learner_email) conditions.push({ sql: LEARNER_EMAIL_MATCHES, params: [query.learner_email.toLowerCase()] });
  if (query.course) {
    // A % or _ typed into the search means itself, not a wildcard.
    const pattern = `%${query.course.toLowerCase().replace(/[\\%_]/g, '\\$&')}%`;
    conditions.push({ sql: `(${field('course', 'id')} = ? OR lower(${field('course', 'title')}) LIKE ? ESCAPE '\\')`, params: [query.course, pattern] });
  }
  if (query.hydration) conditions.push({ sql: `${field('hydration', 'status')} = ?`, params: [query.hydration] });
  if (query.received_since) conditions.push({ sql: `${field('received_at')} >= ?`, params: [query.received_since] });
  if (query.received_before) conditions.push({ sql: `${field('received_at')} < ?`, params: [query.received_before] });
  if (query.delivery_status)
    conditions.push({ sql: 'EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = events.id AND d.status = ?)', params: [query.delivery_status] });
  return conditions;
}

export type EventReads = Pick<Store, 'getEvent' | 'listEvents' | 'getRawRequest' | 'listRawRequests'>;

export function eventReads(runner: SqlRunner): EventReads {
  return {
    getEvent: (id) => findById(runner, 'events', id, toEvent),

    async getRawRequest(eventId) {
      const [row] = await runner.rows('SELECT r.* FROM events e JOIN raw_requests r ON r.seq = e.raw_request_seq WHERE e.id = ?', [eventId]);
      return row ? toRawRequest(row) : null;
    },

    async listRawRequests(connectionId, limit) {
      // raw_requests_by_connection (connection_id, seq) answers this newest-first without a sort.
      const rows = await runner.rows('SELECT * FROM raw_requests WHERE connection_id = ? ORDER BY seq DESC LIMIT ?', [connectionId, limit]);
      return rows.map(toRawRequest);
    },

    listEvents: (query) =>
      pageOf(runner, 'events', query, { type: query.type, connection_id: query.connection }, toEvent, eventConditions(runner.dialect, query)),
  };
}
