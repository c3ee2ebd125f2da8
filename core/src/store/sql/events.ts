import { toEvent, toRawRequest } from '../rows.ts';
import type { Store } from '../store.ts';
import { findById, pageOf } from './reads.ts';
import type { SqlRunner } from './runner.ts';

/** The event reads; ingest, claims and completion are how each store commits, so they stay with it. */
export type EventReads = Pick<Store, 'getEvent' | 'listEvents' | 'getRawRequest'>;

export function eventReads(runner: SqlRunner): EventReads {
  return {
    getEvent: (id) => findById(runner, 'events', id, toEvent),

    async getRawRequest(eventId) {
      const [row] = await runner.rows('SELECT r.* FROM events e JOIN raw_requests r ON r.seq = e.raw_request_seq WHERE e.id = ?', [eventId]);
      return row ? toRawRequest(row) : null;
    },

    listEvents: (query) => pageOf(runner, 'events', query, { type: query.type, connection_id: query.connection }, toEvent),
  };
}
