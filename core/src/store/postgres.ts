import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { ConfigError, PgSchemaNameSchema } from '../config.ts';
import type { CatalogEvent } from '../catalog/index.ts';
import { createBatcher } from './batcher.ts';
import { migratePostgres, quoteIdent } from './postgres-migrations.ts';
import { numberPlaceholders } from './sql/dialect.ts';
import type { SqlRunner } from './sql/runner.ts';
import { sharedMethods } from './sql/shared-methods.ts';
import { claimedDelivery, num, numOrNull, str, toEvent, type Row } from './rows.ts';
import type { AttemptOutcome, AttemptRecord, IngestInput, IngestResult, NewDelivery, Store, WakeTopic } from './store.ts';

/**
 * The scale-out store (DESIGN §4): several hub processes share one PostgreSQL database. Durability
 * is the commit, and every write is one statement or one transaction. Events and deliveries are
 * claimed with FOR UPDATE SKIP LOCKED and a lease, so each is worked on by one process at a time
 * and a process that dies hands its work on when its leases expire. After a commit that makes work
 * the store NOTIFYs the others; each process LISTENs on one dedicated connection.
 */

export interface PostgresStoreOptions {
  /** postgres://...; a `schema` query parameter names the schema (overridden by `schema`). */
  url: string;
  schema?: string | undefined;
  poolMax?: number;
  connectTimeoutMs?: number;
  statementTimeoutMs?: number;
  idleTimeoutMs?: number;
  /** Called when the wake listener's connection fails (it reconnects by itself). */
  onListenError?: ((error: unknown) => void) | undefined;
}

/** The queries on the hot paths; a test checks PostgreSQL answers each from an index, in order. */
export const PG_HOT_QUERIES = {
  claimEvents: `WITH due AS (
      SELECT seq FROM events WHERE state = 'received' AND claimed_until <= $1 ORDER BY seq LIMIT $2 FOR UPDATE SKIP LOCKED
    )
    UPDATE events e SET claimed_until = $3 FROM due WHERE e.seq = due.seq RETURNING e.*`,
  dueHooks: `SELECT h.id FROM hooks h WHERE h.status = 'active' AND EXISTS (
      SELECT 1 FROM deliveries d WHERE d.hook_id = h.id AND d.status IN ('pending', 'in_flight') AND d.next_attempt_at <= $1
    ) ORDER BY h.seq`,
  claimDeliveries: `WITH due AS (
      SELECT id FROM deliveries WHERE hook_id = $1 AND status IN ('pending', 'in_flight') AND next_attempt_at <= $2
      ORDER BY next_attempt_at, seq LIMIT $3 FOR UPDATE SKIP LOCKED
    ), claimed AS (
      UPDATE deliveries d SET status = 'in_flight', next_attempt_at = $4, updated_at = $2 FROM due WHERE d.id = due.id RETURNING d.*
    )
    SELECT c.*, e.body AS event_body, h.id AS h_id, h.url AS h_url, h.events AS h_events, h.filter AS h_filter,
           h.description AS h_description, h.secret_enc AS h_secret_enc, h.status AS h_status,
           h.status_reason AS h_status_reason, h.failing_since AS h_failing_since, h.created_by AS h_created_by,
           h.created_at AS h_created_at, h.updated_at AS h_updated_at
    FROM claimed c JOIN events e ON e.id = c.event_id JOIN hooks h ON h.id = c.hook_id ORDER BY c.seq`,
  // In-flight leases count: another process's lease falls due when that process died.
  nextDue: `SELECT next_attempt_at AS at FROM deliveries WHERE status IN ('pending', 'in_flight') ORDER BY next_attempt_at LIMIT 1`,
} as const;

/** Notifications of one topic sent within this window are folded into one: the others only need a wake. */
const NOTIFY_COALESCE_MS = 20;
const LISTEN_RETRY_MS = 1_000;
const INT8_OID = 20;

/** Splits `?schema=` off the URL (pg would send it to the server as a setting) and checks the name. */
export function postgresTarget(url: string, schema?: string): { connectionString: string; schema: string } {
  const parsed = new URL(url);
  const fromUrl = parsed.searchParams.get('schema');
  parsed.searchParams.delete('schema');
  const name = schema ?? fromUrl ?? 'public';
  if (!PgSchemaNameSchema.safeParse(name).success) throw new ConfigError(`The PostgreSQL schema "${name}" must be lower-case letters, digits and underscores.`);
  return { connectionString: parsed.toString(), schema: name };
}

export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const { connectionString, schema } = postgresTarget(options.url, options.schema);
  const clientConfig: pg.ClientConfig = {
    connectionString,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    statement_timeout: options.statementTimeoutMs ?? 30_000,
    options: `-c search_path=${quoteIdent(schema)}`,
    // Times and sequence numbers are BIGINT; every one fits a JS number (epoch ms, row counts).
    types: { getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format))) as typeof pg.types.getTypeParser },
    application_name: 'learnhook',
  };
  const pool = new pg.Pool({ ...clientConfig, max: options.poolMax ?? 10, idleTimeoutMillis: options.idleTimeoutMs ?? 10_000 });
  // An idle client losing its connection (a server restart) must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  // Named without its password: this message is printed and logged.
  const where = (() => {
    const parsed = new URL(connectionString);
    return `${parsed.hostname}:${parsed.port || 5432}${parsed.pathname}`;
  })();
  const setup = await pool.connect().catch(async (error: unknown) => {
    await pool.end();
    throw new Error(`Could not connect to PostgreSQL at ${where}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  });
  try {
    await migratePostgres(setup, schema);
  } catch (error) {
    setup.release();
    await pool.end();
    throw new Error(`Could not bring the PostgreSQL schema "${schema}" at ${where} up to date: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  setup.release();

  const processId = randomUUID();
  const channel = `learnhook_${schema}`.slice(0, 63);
  const query = async (sql: string, params: unknown[] = []): Promise<Row[]> => (await pool.query(sql, params)).rows as Row[];
  const one = async (sql: string, params: unknown[] = []): Promise<Row | undefined> => (await query(sql, params))[0];
  const changed = async (sql: string, params: unknown[] = []): Promise<number> => (await pool.query(sql, params)).rowCount ?? 0;

  let closed = false;
  const listeners = new Set<(topic: WakeTopic) => void>();
  let listener: pg.Client | null = null;
  let listenTimer: NodeJS.Timeout | null = null;
  const notifyTimers = new Map<WakeTopic, NodeJS.Timeout>();
  const notifyAgain = new Set<WakeTopic>();

  function tellListeners(topics: readonly WakeTopic[]): void {
    for (const topic of topics) for (const callback of listeners) callback(topic);
  }

  async function listen(): Promise<void> {
    if (closed || listener) return;
    const client = new pg.Client(clientConfig);
    listener = client;
    const reconnect = (error?: unknown) => {
      if (listener !== client) return;
      listener = null;
      void client.end().catch(() => undefined);
      if (error) options.onListenError?.(error);
      if (closed || listenTimer) return;
      listenTimer = setTimeout(() => {
        listenTimer = null;
        void listen();
      }, LISTEN_RETRY_MS);
      listenTimer.unref();
    };
    client.on('error', reconnect);
    client.on('end', () => reconnect());
    client.on('notification', (message) => {
      const [topic, from] = (message.payload ?? '').split(':');
      if (from === processId) return;
      if (topic === 'events' || topic === 'deliveries' || topic === 'hooks') tellListeners([topic]);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${quoteIdent(channel)}`);
      // Whatever was notified while we were not listening is looked for now.
      tellListeners(['hooks', 'events', 'deliveries']);
    } catch (error) {
      reconnect(error);
    }
  }

  /** Tells the other processes after a commit; a lost notification only delays work until their poll. */
  function notify(topic: WakeTopic): void {
    if (closed) return;
    if (notifyTimers.has(topic)) {
      notifyAgain.add(topic);
      return;
    }
    pool.query('SELECT pg_notify($1, $2)', [channel, `${topic}:${processId}`]).catch(() => undefined);
    const timer = setTimeout(() => {
      notifyTimers.delete(topic);
      if (notifyAgain.delete(topic)) notify(topic);
    }, NOTIFY_COALESCE_MS);
    timer.unref();
    notifyTimers.set(topic, timer);
  }

  /** Parameters for inserting deliveries with one statement, whatever their number. */
  function deliveryArrays(deliveries: NewDelivery[]): unknown[] {
    return [deliveries.map((d) => d.id), deliveries.map((d) => d.event_id), deliveries.map((d) => d.hook_id), deliveries.map((d) => d.reason), deliveries.map((d) => d.next_attempt_at), Date.now()];
  }
  const DELIVERY_ROWS = `unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[]) WITH ORDINALITY AS n(id, event_id, hook_id, reason, next_attempt_at, ord)`;
  const INSERT_DELIVERIES = `INSERT INTO deliveries (id, event_id, hook_id, reason, status, attempts, next_attempt_at, created_at, updated_at)`;

  // Requests acknowledged in the same turn commit together: each raw request gets its sequence
  // number up front, so its events can name it within the one statement.
  let ingestKey = 0;
  const ingests = createBatcher<IngestInput, IngestResult>({
    key: () => String(ingestKey++),
    async run(inputs) {
      const events = inputs.flatMap((input, index) => input.events.map((event) => ({ index, event })));
      const rows = await query(
        `WITH req AS (
           SELECT r.*, nextval(pg_get_serial_sequence('raw_requests', 'seq')) AS seq
           FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bytea[], $7::bigint[])
             AS r(idx, connection_id, method, route, headers, body, received_at)
         ), raw AS (
           INSERT INTO raw_requests (seq, connection_id, method, route, headers, body, received_at) OVERRIDING SYSTEM VALUE
           SELECT seq, connection_id, method, route, headers, body, received_at FROM req ORDER BY idx
         )
         INSERT INTO events (id, connection_id, dedupe_key, type, state, body, needs, raw_request_seq)
         SELECT n.id, req.connection_id, n.dedupe_key, n.type, 'received', n.body, n.needs, req.seq
         FROM unnest($8::int[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[]) WITH ORDINALITY
           AS n(idx, id, dedupe_key, type, body, needs, ord)
         JOIN req ON req.idx = n.idx
         ORDER BY n.ord
         ON CONFLICT DO NOTHING RETURNING id`,
        [
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
          events.map(({ event }) => JSON.stringify(event.event)),
          events.map(({ event }) => JSON.stringify(event.needs)),
        ],
      );
      const stored = new Set(rows.map((row) => str(row.id)));
      if (stored.size > 0) notify('events');
      // In request order, the first to carry an id stored it; any later one, and an id seen before, is a duplicate.
      return inputs.map((input) => {
        const result: IngestResult = { inserted: [], duplicates: [] };
        for (const event of input.events) {
          if (stored.delete(event.id)) result.inserted.push(event.id);
          else result.duplicates.push(event.id);
        }
        return result;
      });
    },
  });

  // One statement per batch: an event's deliveries are inserted only if this statement moved it
  // from received to processed, so an event finished twice (an expired lease) gets them once.
  const completeEvents = createBatcher<{ id: string; event: CatalogEvent; deliveries: NewDelivery[] }, boolean>({
    key: (item) => item.id,
    async run(items) {
      const deliveries = items.flatMap((item) => item.deliveries);
      const rows = await query(
        `WITH input AS (
           SELECT * FROM unnest($7::text[], $8::text[]) AS i(id, body)
         ), done AS (
           UPDATE events e SET body = i.body, state = 'processed' FROM input i WHERE e.id = i.id AND e.state = 'received' RETURNING e.id
         ), created AS (
           ${INSERT_DELIVERIES}
           SELECT n.id, n.event_id, n.hook_id, n.reason, 'pending', 0, n.next_attempt_at, $6::bigint, $6::bigint
           FROM ${DELIVERY_ROWS} WHERE n.event_id IN (SELECT id FROM done) ORDER BY n.ord
           RETURNING 1
         )
         SELECT id, (SELECT count(*) FROM created) AS created FROM done`,
        [...deliveryArrays(deliveries), items.map((item) => item.id), items.map((item) => JSON.stringify(item.event))],
      );
      if (rows.some((row) => num(row.created) > 0)) notify('deliveries');
      const done = new Set(rows.map((row) => str(row.id)));
      return items.map((item) => done.has(item.id));
    },
  });

  const finishAttempts = createBatcher<{ attempt: AttemptRecord; outcome: AttemptOutcome }, void>({
    key: (item) => item.attempt.delivery_id,
    async run(items) {
      const column = <T>(pick: (item: { attempt: AttemptRecord; outcome: AttemptOutcome }) => T) => items.map(pick);
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
      return items.map(() => undefined);
    },
  });

  const runner: SqlRunner = {
    rows: (sql, params = []) => query(numberPlaceholders(sql), [...params]),
    change: (sql, params = []) => changed(numberPlaceholders(sql), [...params]),
    returning: (sql, params = []) => query(numberPlaceholders(sql), [...params]),
    wake: notify,
  };

  const store: Store = {
    kind: 'postgres',
    ...sharedMethods(runner),

    async close() {
      if (closed) return;
      closed = true;
      for (const timer of notifyTimers.values()) clearTimeout(timer);
      if (listenTimer) clearTimeout(listenTimer);
      const client = listener;
      listener = null;
      await client?.end().catch(() => undefined);
      await pool.end();
    },

    onWake(callback) {
      listeners.add(callback);
      void listen();
      return () => listeners.delete(callback);
    },

    ingest(input) {
      return ingests(input);
    },

    async claimEvents(now, limit, leaseMs) {
      const rows = await query(PG_HOT_QUERIES.claimEvents, [now, limit, now + leaseMs]);
      return rows.map(toEvent).sort((a, b) => a.seq - b.seq);
    },

    completeEvent(id, event, deliveries) {
      return completeEvents({ id, event, deliveries });
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

    async insertDeliveries(deliveries) {
      await query(`${INSERT_DELIVERIES} SELECT n.id, n.event_id, n.hook_id, n.reason, 'pending', 0, n.next_attempt_at, $6::bigint, $6::bigint FROM ${DELIVERY_ROWS} ORDER BY n.ord`, deliveryArrays(deliveries));
      if (deliveries.length > 0) notify('deliveries');
    },

    async hooksWithDueDeliveries(now) {
      return (await query(PG_HOT_QUERIES.dueHooks, [now])).map((row) => str(row.id));
    },

    async claimDeliveries(hookId, now, limit, leaseMs) {
      return (await query(PG_HOT_QUERIES.claimDeliveries, [hookId, now, limit, now + leaseMs])).map(claimedDelivery);
    },

    async releaseDeliveries(ids, now) {
      if (ids.length === 0) return;
      await query(`UPDATE deliveries SET status = 'pending', next_attempt_at = $2, updated_at = $2 WHERE id = ANY($1::text[]) AND status = 'in_flight'`, [ids, now]);
      notify('deliveries');
    },

    finishAttempt(attempt, outcome) {
      return finishAttempts({ attempt, outcome });
    },

    async nextDueAt() {
      return numOrNull((await one(PG_HOT_QUERIES.nextDue))?.at);
    },

    async heartbeat(now, windowMs) {
      await query('INSERT INTO hub_processes (id, seen_at) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at', [processId, now]);
      // Processes gone for many windows are forgotten; the table stays as small as the fleet.
      await query('DELETE FROM hub_processes WHERE seen_at < $1', [now - 10 * windowMs]);
      return num((await one('SELECT count(*) AS live FROM hub_processes WHERE seen_at >= $1', [now - windowMs]))?.live);
    },

  };
  return store;
}
