import type { DatabaseSync } from 'node:sqlite';
import { num, type Row } from './rows.ts';

/**
 * The embedded store's schema, as a versioned list: each entry runs once, in order, recorded in
 * PRAGMA user_version. Entries are never edited once released; a change is a new entry.
 */
export const MIGRATIONS = [
  `
  CREATE TABLE api_keys (
    id TEXT PRIMARY KEY, label TEXT NOT NULL, scopes TEXT NOT NULL, secret_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL, revoked_at INTEGER, last_used_at INTEGER
  );
  CREATE TABLE connections (
    seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, name TEXT NOT NULL UNIQUE, vendor TEXT NOT NULL,
    description TEXT, token_enc TEXT NOT NULL, inbound_enc TEXT NOT NULL, api_enc TEXT,
    created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
  );
  CREATE TABLE raw_requests (
    seq INTEGER PRIMARY KEY, connection_id TEXT NOT NULL, method TEXT NOT NULL, route TEXT NOT NULL,
    headers TEXT NOT NULL, body BLOB NOT NULL, received_at INTEGER NOT NULL
  );
  CREATE TABLE events (
    seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, connection_id TEXT NOT NULL, dedupe_key TEXT NOT NULL,
    type TEXT NOT NULL, state TEXT NOT NULL, body TEXT NOT NULL, needs TEXT NOT NULL, raw_request_seq INTEGER,
    UNIQUE (connection_id, dedupe_key)
  );
  CREATE INDEX events_received ON events (seq) WHERE state = 'received';
  CREATE INDEX events_by_type ON events (type, seq);
  CREATE INDEX events_by_connection ON events (connection_id, seq);
  CREATE TABLE hooks (
    seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, url TEXT NOT NULL, events TEXT NOT NULL, filter TEXT NOT NULL,
    description TEXT, secret_enc TEXT NOT NULL, status TEXT NOT NULL, status_reason TEXT, failing_since INTEGER,
    created_by TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
  );
  CREATE INDEX hooks_by_creator ON hooks (created_by, seq);
  CREATE TABLE deliveries (
    seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, event_id TEXT NOT NULL, hook_id TEXT NOT NULL, reason TEXT NOT NULL,
    status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER,
    last_status INTEGER, last_error TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
  );
  CREATE INDEX deliveries_due ON deliveries (hook_id, status, next_attempt_at);
  CREATE INDEX deliveries_pending ON deliveries (next_attempt_at) WHERE status = 'pending';
  CREATE INDEX deliveries_by_event ON deliveries (event_id, seq);
  CREATE INDEX deliveries_by_status ON deliveries (status, seq);
  CREATE TABLE attempts (
    delivery_id TEXT NOT NULL, attempt INTEGER NOT NULL, started_at INTEGER NOT NULL, duration_ms INTEGER NOT NULL,
    status INTEGER, error TEXT, response_snippet TEXT, PRIMARY KEY (delivery_id, attempt)
  );
  CREATE TABLE audit (
    seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, target TEXT, details TEXT NOT NULL
  );
  `,
  // The claim query sorts due deliveries of one hook by time: with status inside the index key it
  // sorted the whole backlog on every claim (found by the backlog benchmark). A partial index on
  // the two claimable statuses keeps the order, so a claim reads only the rows it takes.
  `
  DROP INDEX deliveries_due;
  CREATE INDEX deliveries_due ON deliveries (hook_id, next_attempt_at, seq) WHERE status IN ('pending', 'in_flight');
  `,
  // Fan-out claims events with a lease, as on PostgreSQL where several processes share the work.
  `
  ALTER TABLE events ADD COLUMN claimed_until INTEGER NOT NULL DEFAULT 0;
  `,
];

/** Brings the file up to date, one transaction per migration. */
export function migrateSqlite(db: DatabaseSync): void {
  const row = db.prepare('PRAGMA user_version').get() as Row | undefined;
  const version = num(row?.user_version ?? 0);
  for (let index = version; index < MIGRATIONS.length; index += 1) {
    db.exec('BEGIN');
    db.exec(MIGRATIONS[index] ?? '');
    db.exec(`PRAGMA user_version = ${index + 1}`);
    db.exec('COMMIT');
  }
}
