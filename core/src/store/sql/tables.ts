import type { Dialect } from './dialect.ts';

/** The column types that differ: a rowid sequence or an identity, and byte strings. */
const TYPES = {
  sqlite: { seq: 'seq INTEGER PRIMARY KEY', big: 'INTEGER', bytes: 'BLOB' },
  postgres: { seq: 'seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY', big: 'BIGINT', bytes: 'BYTEA' },
} as const satisfies Record<Dialect, Record<string, string>>;

/**
 * The stores' first schema, the tables said once: migration 1 of each dialect, so it must render
 * exactly what each released. PostgreSQL arrived later, with two things the embedded store added
 * in its migrations 2 and 3: the event claim lease and the claimable-deliveries index (plus a
 * waiting index that counts in-flight leases, which fall due when another process died).
 */
export function firstSchema(dialect: Dialect): string {
  const { seq, big, bytes } = TYPES[dialect];
  const pg = dialect === 'postgres';
  return `
  CREATE TABLE api_keys (
    id TEXT PRIMARY KEY, label TEXT NOT NULL, scopes TEXT NOT NULL, secret_hash TEXT NOT NULL,
    created_at ${big} NOT NULL, revoked_at ${big}, last_used_at ${big}
  );
  CREATE TABLE connections (
    ${seq}, id TEXT NOT NULL UNIQUE, name TEXT NOT NULL UNIQUE, vendor TEXT NOT NULL,
    description TEXT, token_enc TEXT NOT NULL, inbound_enc TEXT NOT NULL, api_enc TEXT,
    created_at ${big} NOT NULL, updated_at ${big} NOT NULL
  );
  CREATE TABLE raw_requests (
    ${seq}, connection_id TEXT NOT NULL, method TEXT NOT NULL, route TEXT NOT NULL,
    headers TEXT NOT NULL, body ${bytes} NOT NULL, received_at ${big} NOT NULL
  );
  CREATE TABLE events (
    ${seq}, id TEXT NOT NULL UNIQUE, connection_id TEXT NOT NULL, dedupe_key TEXT NOT NULL,
    type TEXT NOT NULL, state TEXT NOT NULL, body TEXT NOT NULL, needs TEXT NOT NULL, raw_request_seq ${big},
    ${pg ? 'claimed_until BIGINT NOT NULL DEFAULT 0,' : ''}
    UNIQUE (connection_id, dedupe_key)
  );
  CREATE INDEX events_received ON events (seq) WHERE state = 'received';
  CREATE INDEX events_by_type ON events (type, seq);
  CREATE INDEX events_by_connection ON events (connection_id, seq);
  CREATE TABLE hooks (
    ${seq}, id TEXT NOT NULL UNIQUE, url TEXT NOT NULL, events TEXT NOT NULL, filter TEXT NOT NULL,
    description TEXT, secret_enc TEXT NOT NULL, status TEXT NOT NULL, status_reason TEXT, failing_since ${big},
    created_by TEXT, created_at ${big} NOT NULL, updated_at ${big} NOT NULL
  );
  CREATE INDEX hooks_by_creator ON hooks (created_by, seq);
  CREATE TABLE deliveries (
    ${seq}, id TEXT NOT NULL UNIQUE, event_id TEXT NOT NULL, hook_id TEXT NOT NULL,
    reason TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at ${big},
    last_status INTEGER, last_error TEXT, created_at ${big} NOT NULL, updated_at ${big} NOT NULL
  );
  ${
    pg
      ? `CREATE INDEX deliveries_due ON deliveries (hook_id, next_attempt_at, seq) WHERE status IN ('pending', 'in_flight');
  CREATE INDEX deliveries_waiting ON deliveries (next_attempt_at) WHERE status IN ('pending', 'in_flight');`
      : `CREATE INDEX deliveries_due ON deliveries (hook_id, status, next_attempt_at);
  CREATE INDEX deliveries_pending ON deliveries (next_attempt_at) WHERE status = 'pending';`
  }
  CREATE INDEX deliveries_by_event ON deliveries (event_id, seq);
  CREATE INDEX deliveries_by_status ON deliveries (status, seq);
  CREATE TABLE attempts (
    delivery_id TEXT NOT NULL, attempt INTEGER NOT NULL, started_at ${big} NOT NULL, duration_ms INTEGER NOT NULL,
    status INTEGER, error TEXT, response_snippet TEXT, PRIMARY KEY (delivery_id, attempt)
  );
  CREATE TABLE audit (
    ${seq}, at ${big} NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, target TEXT, details TEXT NOT NULL
  );
  `;
}
