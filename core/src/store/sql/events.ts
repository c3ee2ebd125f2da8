import { toEvent } from '../rows.ts';
import type { Store } from '../store.ts';
import { findById, pageOf } from './reads.ts';
import type { SqlRunner } from './runner.ts';

/** The event reads; ingest, claims and completion are how each store commits, so they stay with it. */
export type EventReads = Pick<Store, 'getEvent' | 'listEvents'>;

export function eventReads(runner: SqlRunner): EventReads {
  return {
    getEvent: (id) => findById(runner, 'events', id, toEvent),

    listEvents: (query) => pageOf(runner, 'events', query, { type: query.type, connection_id: query.connection }, toEvent),
  };
}
