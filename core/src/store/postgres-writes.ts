import type { CatalogEvent } from '../catalog/index.ts';
import { createBatcher } from './batcher.ts';
import type { PostgresDatabase } from './postgres-connect.ts';
import { num, str } from './rows.ts';
import { ACTIVITY_UPSERT, HOUR_MS } from './sql/activity.ts';
import { learnerEmailOf } from './sql/learner-email.ts';
import type { AttemptOutcome, AttemptRecord, IngestInput, IngestResult, NewDelivery, Store, WakeTopic } from './store.ts';

type Query = PostgresDatabase['query'];
type Notify = (topic: WakeTopic) => void;
interface EventCompletion {
  id: string;
  event: CatalogEvent;
  deliveries: NewDelivery[];
}
interface FinishedAttempt {
  attempt: AttemptRecord;
  outcome: AttemptOutcome;
}

const DELIVERY_ROWS = `unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $7::text[]) WITH ORDINALITY AS n(id, event_id, hook_id, reason, next_attempt_at, status, ord)`;
const INSERT_DELIVERIES = `INSERT INTO deliveries (id, event_id, hook_id, reason, status, attempts, next_attempt_at, created_at, updated_at)`;

/** Parameters for inserting deliveries with one statement, whatever their number. */
function deliveryArrays(deliveries: NewDelivery[]): unknown[] {
  return [
    deliveries.map((d) => d.id),
    deliveries.map((d) => d.event_id),
    deliveries.map((d) => d.hook_id),
    deliveries.map((d) => d.reason),
    deliveries.map((d) => d.next_attempt_at),
    Date.now(),
    deliveries.map((d) => d.status ?? 'pending'),
  ];
}

export type PostgresWrites = Pick<Store, 'ingest' | 'completeEvent' | 'insertDeliveries' | 'deleteHook' | 'finishAttempt'>;

/**
 * The PostgreSQL store's writes of several rows or tables: each is one statement, so it is its own
 * transaction, and those on the hot path are batched (batcher.ts): the calls of one turn of the
 * event loop are one statement and one round trip.
 */
export function postgresWrites(database: PostgresDatabase, notify: Notify): PostgresWrites {
  const { query, one } = database;
  const ingests = ingestBatcher(database, notify);
  const completeEvents = completeEventBatcher(query, notify);
  const finishAttempts = finishAttemptBatcher(query);
  return {
    ingest: (input) => ingests(input),

    completeEvent: (id, event, deliveries) => completeEvents({ id, event, deliveries }),

    async insertDeliveries(deliveries) {
      const made = await query(
        `${INSERT_DELIVERIES} SELECT n.id, n.event_id, n.hook_id, n.reason, n.status, 0, n.next_attempt_at, $6::bigint, $6::bigint FROM ${DELIVERY_ROWS}
         WHERE EXISTS (SELECT 1 FROM events e WHERE e.id = n.event_id) ORDER BY n.ord RETURNING 1`,
        deliveryArrays(deliveries),
      );
      if (made.length > 0) notify('deliveries');
      return made.length;
    },

    async deleteHook(id) {
      const row = await one(
        `WITH gone AS (DELETE FROM hooks WHERE id = $1 RETURNING 1),
              dropped AS (DELETE FROM deliveries WHERE hook_id = $1 AND status IN ('pending', 'in_flight') RETURNING 1)
         SELECT (SELECT count(*) FROM gone) AS gone, (SELECT count(*) FROM dropped) AS dropped`,
        [id],
      );
      const deleted = num(row?.gone) > 0;
      if (deleted) notify('hooks');
      return deleted;
    },

    finishAttempt: (attempt, outcome) => finishAttempts({ attempt, outcome }),
  };
}

/** The ids stored under these dedupe keys (of resent events), by "connection_id\0dedupe_key"; no query when there are none. */
async function storedEventIds(query: PostgresDatabase['query'], keys: Array<{ connection_id: string; dedupe_key: string }>): Promise<Map<string, string>> {
  if (keys.length === 0) return new Map();
  const rows = await query(
    `SELECT e.connection_id, e.dedupe_key, e.id FROM unnest($1::text[], $2::text[]) AS k(connection_id, dedupe_key)
     JOIN events e ON e.connection_id = k.connection_id AND e.dedupe_key = k.dedupe_key`,
    [keys.map((key) => key.connection_id), keys.map((key) => key.dedupe_key)],
  );
  return new Map(rows.map((row) => [`${str(row.connection_id)}\0${str(row.dedupe_key)}`, str(row.id)]));
}

// Requests acknowledged in the same turn commit together: each raw request gets its sequence
// number up front, so its events can name it within the one statement. An event fanned out before
// it was stored (NewEvent.completed) is stored processed, and its deliveries are made only if the
// event itself was (a resent one makes none).
function ingestBatcher(database: PostgresDatabase, notify: Notify): (input: IngestInput) => Promise<IngestResult> {
  const { query } = database;
  let ingestKey = 0;
  return createBatcher<IngestInput, IngestResult>({
    key: () => String(ingestKey++),
    async run(inputs) {
      const events = inputs.flatMap((input, index) => input.events.map((event) => ({ index, event })));
      const deliveries = events.flatMap(({ event }) => event.completed?.deliveries ?? []);
      const rows = await query(
        `WITH req AS (
           SELECT r.*, nextval(pg_get_serial_sequence('raw_requests', 'seq')) AS seq
           FROM unnest($8::int[], $9::text[], $10::text[], $11::text[], $12::text[], $13::bytea[], $14::bigint[])
             AS r(idx, connection_id, method, route, headers, body, received_at)
         ), raw AS (
           INSERT INTO raw_requests (seq, connection_id, method, route, headers, body, received_at) OVERRIDING SYSTEM VALUE
           SELECT seq, connection_id, method, route, headers, body, received_at FROM req ORDER BY idx
         ), stored AS (
           INSERT INTO events (id, connection_id, dedupe_key, type, state, body, needs, raw_request_seq, learner_email)
           SELECT n.id, req.connection_id, n.dedupe_key, n.type, n.state, n.body, n.needs, req.seq, n.learner_email
           FROM unnest($15::int[], $16::text[], $17::text[], $18::text[], $19::text[], $20::text[], $21::text[], $22::text[]) WITH ORDINALITY
             AS n(idx, id, dedupe_key, type, body, needs, state, learner_email, ord)
           JOIN req ON req.idx = n.idx
           ORDER BY n.ord
           ON CONFLICT DO NOTHING RETURNING id, state
         ), created AS (
           ${INSERT_DELIVERIES}
           SELECT n.id, n.event_id, n.hook_id, n.reason, n.status, 0, n.next_attempt_at, $6::bigint, $6::bigint
           FROM ${DELIVERY_ROWS} WHERE n.event_id IN (SELECT id FROM stored) ORDER BY n.ord
           RETURNING status
         )
         SELECT id, state, (SELECT count(*) FROM created WHERE status <> 'in_flight') AS waiting FROM stored`,
        [
          ...deliveryArrays(deliveries),
          inputs.map((_, index) => index),
          inputs.map((input) => input.connection_id),
          inputs.map((input) => input.request.method),
          inputs.map((input) => input.request.route),
          inputs.map((input) => JSON.stringify(input.request.headers)),
          inputs.map((input) => input.request.body),
          inputs.map((input) => input.request.received_at),
          events.map(({ index }) => index),
          events.map(({ event }) => event.id),
          events.map(({ event }) => event.dedupe_key),
          events.map(({ event }) => event.type),
          events.map(({ event }) => JSON.stringify(event.completed?.event ?? event.event)),
          events.map(({ event }) => JSON.stringify(event.needs)),
          events.map(({ event }) => (event.completed ? 'processed' : 'received')),
          events.map(({ event }) => (event.completed ? learnerEmailOf(event.completed.event) : null)),
        ],
      );
      database.health.succeeded();
      // Other processes fan out what is left received, and claim deliveries not handed to this one's dispatcher.
      if (rows.some((row) => str(row.state) === 'received')) notify('events');
      if (rows.some((row) => num(row.waiting) > 0)) notify('deliveries');
      const stored = new Set(rows.map((row) => str(row.id)));
      // In request order, the first to carry an id stored it; any later one, and an id seen before, is a duplicate.
      const duplicates = events.filter(({ event }) => !stored.has(event.id));
      const storedIds = await storedEventIds(
        query,
        duplicates.map(({ index, event }) => ({ connection_id: inputs[index]?.connection_id ?? '', dedupe_key: event.dedupe_key })),
      );
      const results = inputs.map((input) => {
        const result: IngestResult = { inserted: [], duplicates: [], ids: [] };
        for (const event of input.events) {
          const inserted = stored.delete(event.id);
          const id = inserted ? event.id : (storedIds.get(`${input.connection_id}\0${event.dedupe_key}`) ?? event.id);
          (inserted ? result.inserted : result.duplicates).push(id);
          result.ids.push(id);
        }
        return result;
      });
      await countReceived(
        query,
        inputs.map((input, index) => ({
          hour: Math.floor(input.request.received_at / HOUR_MS),
          connection_id: input.connection_id,
          count: results[index]?.inserted.length ?? 0,
        })),
      );
      return results;
    },
  });
}

// One statement per batch: an event's deliveries are inserted only if this statement moved it
// from received to processed, so an event finished twice (an expired lease) gets them once.
function completeEventBatcher(query: Query, notify: Notify): (item: EventCompletion) => Promise<boolean> {
  return createBatcher<EventCompletion, boolean>({
    key: (item) => item.id,
    async run(items) {
      const deliveries = items.flatMap((item) => item.deliveries);
      const rows = await query(
        `WITH input AS (
           SELECT * FROM unnest($8::text[], $9::text[], $10::text[]) AS i(id, body, learner_email)
         ), done AS (
           UPDATE events e SET body = i.body, learner_email = i.learner_email, state = 'processed'
           FROM input i WHERE e.id = i.id AND e.state = 'received' RETURNING e.id
         ), created AS (
           ${INSERT_DELIVERIES}
           SELECT n.id, n.event_id, n.hook_id, n.reason, n.status, 0, n.next_attempt_at, $6::bigint, $6::bigint
           FROM ${DELIVERY_ROWS} WHERE n.event_id IN (SELECT id FROM done) ORDER BY n.ord
           RETURNING 1
         )
         SELECT id, (SELECT count(*) FROM created) AS created FROM done`,
        [
          ...deliveryArrays(deliveries),
          items.map((item) => item.id),
          items.map((item) => JSON.stringify(item.event)),
          items.map((item) => learnerEmailOf(item.event)),
        ],
      );
      // Deliveries handed to this process's dispatcher are leased to it: nobody else need look.
      const waiting = deliveries.some((delivery) => delivery.status !== 'in_flight');
      if (waiting && rows.some((row) => num(row.created) > 0)) notify('deliveries');
      const done = new Set(rows.map((row) => str(row.id)));
      return items.map((item) => done.has(item.id));
    },
  });
}

/** Adds a batch's stored events to the hourly activity, one row per hour and connection. */
async function countReceived(query: Query, counts: { hour: number; connection_id: string; count: number }[]): Promise<void> {
  const grouped = new Map<string, { hour: number; connection_id: string; count: number }>();
  for (const item of counts) {
    if (item.count === 0) continue;
    const key = `${item.hour}/${item.connection_id}`;
    const entry = grouped.get(key) ?? { ...item, count: 0 };
    entry.count += item.count;
    grouped.set(key, entry);
  }
  if (grouped.size === 0) return;
  // In one order everywhere, so two processes adding to the same hours never wait on each other in a cycle.
  const rows = [...grouped.values()].sort((a, b) => a.hour - b.hour || a.connection_id.localeCompare(b.connection_id));
  await query(
    `INSERT INTO activity (hour, connection_id, received, delivered, failed)
     SELECT hour, connection_id, received, 0, 0 FROM unnest($1::bigint[], $2::text[], $3::bigint[]) AS i(hour, connection_id, received) ${ACTIVITY_UPSERT}`,
    [rows.map((row) => row.hour), rows.map((row) => row.connection_id), rows.map((row) => row.count)],
  );
}

/** Adds a batch's finished deliveries (succeeded, or failed for good) to the hourly activity of their events' connections. */
async function countFinished(query: Query, items: readonly FinishedAttempt[]): Promise<void> {
  const finished = items.filter(({ outcome }) => outcome.status !== 'pending');
  if (finished.length === 0) return;
  await query(
    `INSERT INTO activity (hour, connection_id, received, delivered, failed)
     SELECT i.hour, e.connection_id, 0, SUM(i.delivered), SUM(i.failed)
     FROM unnest($1::text[], $2::bigint[], $3::int[], $4::int[]) AS i(delivery_id, hour, delivered, failed)
     JOIN deliveries d ON d.id = i.delivery_id JOIN events e ON e.id = d.event_id
     GROUP BY i.hour, e.connection_id ORDER BY i.hour, e.connection_id ${ACTIVITY_UPSERT}`,
    [
      finished.map(({ attempt }) => attempt.delivery_id),
      finished.map(({ attempt }) => Math.floor((attempt.started_at + attempt.duration_ms) / HOUR_MS)),
      finished.map(({ outcome }) => (outcome.status === 'succeeded' ? 1 : 0)),
      finished.map(({ outcome }) => (outcome.status === 'failed' ? 1 : 0)),
    ],
  );
}

function finishAttemptBatcher(query: Query): (item: FinishedAttempt) => Promise<void> {
  return createBatcher<FinishedAttempt, void>({
    key: (item) => item.attempt.delivery_id,
    async run(items) {
      const column = <T>(pick: (item: FinishedAttempt) => T) => items.map(pick);
      await query(
        `WITH input AS (
           SELECT * FROM unnest($1::text[], $2::int[], $3::bigint[], $4::int[], $5::int[], $6::text[], $7::text[], $8::text[], $9::bigint[])
             AS i(delivery_id, attempt, started_at, duration_ms, status, error, response_snippet, outcome, next_attempt_at)
         ), recorded AS (
           INSERT INTO attempts (delivery_id, attempt, started_at, duration_ms, status, error, response_snippet)
           SELECT delivery_id, attempt, started_at, duration_ms, status, error, response_snippet FROM input
           ON CONFLICT (delivery_id, attempt) DO UPDATE SET started_at = excluded.started_at, duration_ms = excluded.duration_ms,
             status = excluded.status, error = excluded.error, response_snippet = excluded.response_snippet
         )
         UPDATE deliveries d SET status = i.outcome, attempts = i.attempt, next_attempt_at = i.next_attempt_at, last_status = i.status,
           last_error = i.error, updated_at = i.started_at + i.duration_ms
         FROM input i WHERE d.id = i.delivery_id`,
        [
          column(({ attempt }) => attempt.delivery_id),
          column(({ attempt }) => attempt.attempt),
          column(({ attempt }) => attempt.started_at),
          column(({ attempt }) => attempt.duration_ms),
          column(({ attempt }) => attempt.status),
          column(({ attempt }) => attempt.error),
          column(({ attempt }) => attempt.response_snippet),
          column(({ outcome }) => outcome.status),
          column(({ outcome }) => (outcome.status === 'pending' ? outcome.next_attempt_at : null)),
        ],
      );
      await countFinished(query, items);
      return items.map(() => undefined);
    },
  });
}
