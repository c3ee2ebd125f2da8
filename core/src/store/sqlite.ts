import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import { migrateSqlite } from './sqlite-migrations.ts';
import type { SqlRunner } from './sql/runner.ts';
import { sharedMethods } from './sql/shared-methods.ts';
import { claimedDelivery, num, numOrNull, str, toEvent, type Row } from './rows.ts';
import type { AttemptOutcome, AttemptRecord, IngestInput, IngestResult, NewDelivery, Store } from './store.ts';

/**
 * The embedded store: node:sqlite in WAL mode with synchronous=FULL, so a commit is on disk when it
 * returns. Writes are group-committed: every write asked for in the same turn of the event loop
 * shares one transaction and one fsync, which is what lets one process acknowledge thousands of
 * durable ingests a second. Each write runs in its own savepoint, so one failing write does not
 * undo the others in its group.
 */

/** The queries on the delivery hot path; a test checks SQLite answers each from an index, in order. */
export const HOT_QUERIES = {
  hasDue: `SELECT 1 FROM deliveries WHERE hook_id = ? AND status IN ('pending', 'in_flight') AND next_attempt_at <= ? LIMIT 1`,
  claim: `SELECT d.*, e.body AS event_body, h.id AS h_id, h.url AS h_url, h.events AS h_events, h.filter AS h_filter,
                  h.description AS h_description, h.secret_enc AS h_secret_enc, h.status AS h_status,
                  h.status_reason AS h_status_reason, h.failing_since AS h_failing_since, h.created_by AS h_created_by,
                  h.created_at AS h_created_at, h.updated_at AS h_updated_at
           FROM deliveries d JOIN events e ON e.id = d.event_id JOIN hooks h ON h.id = d.hook_id
           WHERE d.hook_id = ? AND d.status IN ('pending', 'in_flight') AND d.next_attempt_at <= ?
           ORDER BY d.next_attempt_at, d.seq LIMIT ?`,
  // Read in index order and stop at the first row, instead of MIN() over every pending delivery.
  nextDue: `SELECT next_attempt_at AS at FROM deliveries INDEXED BY deliveries_pending WHERE status = 'pending' ORDER BY next_attempt_at LIMIT 1`,
} as const;

interface PendingWrite {
  run: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}


export interface SqliteStoreOptions {
  /** The database file; ":memory:" for tests that need no durability. */
  file: string;
  /**
   * Whether this process owns delivery: it hands deliveries left in flight by a crash back as due.
   * The hub does; a CLI command opening the same file beside a running hub must not.
   */
  recoverInFlight?: boolean;
}

export function openSqliteStore(options: SqliteStoreOptions): Store {
  if (options.file !== ':memory:') mkdirSync(path.dirname(path.resolve(options.file)), { recursive: true });
  const db = new DatabaseSync(options.file);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = FULL');
  db.exec('PRAGMA busy_timeout = 5000');
  migrateSqlite(db);
  if (options.recoverInFlight) {
    // One hub owns an embedded store: deliveries it left in flight when it died are due again now.
    db.prepare(`UPDATE deliveries SET status = 'pending', next_attempt_at = ? WHERE status = 'in_flight'`).run(Date.now());
    db.prepare(`UPDATE events SET claimed_until = 0 WHERE state = 'received' AND claimed_until > 0`).run();
  }

  const statements = new Map<string, ReturnType<DatabaseSync['prepare']>>();
  const prepared = (sql: string) => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  const all = (sql: string, ...params: SQLInputValue[]) => prepared(sql).all(...params) as Row[];
  const get = (sql: string, ...params: SQLInputValue[]) => prepared(sql).get(...params) as Row | undefined;
  const run = (sql: string, ...params: SQLInputValue[]) => prepared(sql).run(...params);

  let queue: PendingWrite[] = [];
  let closed = false;

  function flush(): void {
    const batch = queue;
    queue = [];
    if (batch.length === 0) return;
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      db.exec('BEGIN IMMEDIATE');
      for (const write of batch) {
        db.exec('SAVEPOINT write');
        try {
          outcomes.push({ ok: true, value: write.run() });
          db.exec('RELEASE write');
        } catch (error) {
          db.exec('ROLLBACK TO write');
          db.exec('RELEASE write');
          outcomes.push({ ok: false, error });
        }
      }
      db.exec('COMMIT');
    } catch (error) {
      if (db.isTransaction) db.exec('ROLLBACK');
      for (const write of batch) write.reject(error);
      return;
    }
    batch.forEach((write, index) => {
      const outcome = outcomes[index];
      if (outcome?.ok) write.resolve(outcome.value);
      else write.reject(outcome?.error);
    });
  }

  /** Queues a write for the next group commit; resolves once it is durable. */
  function write<T>(fn: () => T): Promise<T> {
    if (closed) return Promise.reject(new Error('The store is closed.'));
    return new Promise<T>((resolve, reject) => {
      if (queue.length === 0) setImmediate(flush);
      queue.push({ run: fn, resolve: resolve as (value: unknown) => void, reject });
    });
  }

  const runner: SqlRunner = {
    rows: async (sql, params = []) => all(sql, ...params),
    change: (sql, params = []) => write(() => Number(run(sql, ...params).changes)),
    returning: (sql, params = []) => write(() => all(sql, ...params)),
    wake: () => undefined,
  };

  const store: Store = {
    kind: 'sqlite',
    ...sharedMethods(runner),

    async close() {
      if (closed) return;
      flush();
      closed = true;
      db.close();
    },

    ingest(input: IngestInput) {
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
        const result: IngestResult = { inserted: [], duplicates: [] };
        for (const event of input.events) {
          const inserted = run(
            `INSERT INTO events (id, connection_id, dedupe_key, type, state, body, needs, raw_request_seq)
             VALUES (?, ?, ?, ?, 'received', ?, ?, ?) ON CONFLICT DO NOTHING`,
            event.id,
            input.connection_id,
            event.dedupe_key,
            event.type,
            JSON.stringify(event.event),
            JSON.stringify(event.needs),
            raw.lastInsertRowid,
          );
          (inserted.changes > 0 ? result.inserted : result.duplicates).push(event.id);
        }
        return result;
      });
    },

    onWake() {
      return () => {};
    },

    async claimEvents(now, limit, leaseMs) {
      // The fan-out's idle poll finds nothing most of the time: that costs no write and no fsync.
      if (!get(`SELECT 1 FROM events WHERE state = 'received' AND claimed_until <= ? LIMIT 1`, now)) return [];
      return write(() => {
        const rows = all(`SELECT * FROM events WHERE state = 'received' AND claimed_until <= ? ORDER BY seq LIMIT ?`, now, limit);
        for (const row of rows) run('UPDATE events SET claimed_until = ? WHERE seq = ?', now + leaseMs, num(row.seq));
        return rows.map(toEvent);
      });
    },

    completeEvent(id, event, deliveries) {
      return write(() => {
        if (run(`UPDATE events SET body = ?, state = 'processed' WHERE id = ? AND state = 'received'`, JSON.stringify(event), id).changes === 0) return false;
        insertDeliveryRows(deliveries);
        return true;
      });
    },

    deleteHook(id) {
      return write(() => {
        const deleted = run('DELETE FROM hooks WHERE id = ?', id).changes > 0;
        run(`DELETE FROM deliveries WHERE hook_id = ? AND status IN ('pending', 'in_flight')`, id);
        return deleted;
      });
    },

    insertDeliveries(deliveries) {
      return write(() => insertDeliveryRows(deliveries));
    },

    async hooksWithDueDeliveries(now) {
      // One index probe per active hook instead of a scan over the backlog: cost grows with the
      // number of hooks, never with the number of waiting deliveries.
      const hooks = all(`SELECT id FROM hooks WHERE status = 'active'`);
      return hooks
        .map((row) => str(row.id))
        .filter((hookId) =>
          get(HOT_QUERIES.hasDue, hookId, now),
        );
    },

    claimDeliveries(hookId, now, limit, leaseMs) {
      return write(() => {
        const rows = all(
          HOT_QUERIES.claim,
          hookId,
          now,
          limit,
        );
        for (const row of rows) {
          run(`UPDATE deliveries SET status = 'in_flight', next_attempt_at = ?, updated_at = ? WHERE id = ?`, now + leaseMs, now, str(row.id));
        }
        return rows.map((row) => ({ ...claimedDelivery(row), status: 'in_flight' as const, next_attempt_at: now + leaseMs }));
      });
    },

    releaseDeliveries(ids, now) {
      return write(() => {
        for (const id of ids) run(`UPDATE deliveries SET status = 'pending', next_attempt_at = ?, updated_at = ? WHERE id = ? AND status = 'in_flight'`, now, now, id);
      });
    },

    finishAttempt(attempt: AttemptRecord, outcome: AttemptOutcome) {
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
      });
    },

    async nextDueAt() {
      const row = get(HOT_QUERIES.nextDue);
      return numOrNull(row?.at);
    },

    // One hub owns an embedded store.
    async heartbeat() {
      return 1;
    },

  };

  function insertDeliveryRows(deliveries: NewDelivery[]): void {
    const now = Date.now();
    for (const delivery of deliveries) {
      run(
        `INSERT INTO deliveries (id, event_id, hook_id, reason, status, attempts, next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, ?, 'pending', 0, ?, ?, ?)`,
        delivery.id,
        delivery.event_id,
        delivery.hook_id,
        delivery.reason,
        delivery.next_attempt_at,
        now,
        now,
      );
    }
  }

  return store;
}
