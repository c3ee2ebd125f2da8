import { ACCOUNT_TABLES } from './accounts.ts';
import type pg from 'pg';

/**
 * The PostgreSQL schema, as a versioned list: each entry runs once, in order, recorded in
 * schema_migrations. Entries are never edited once released; a change is a new entry.
 */
export const PG_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE api_keys (
    id TEXT PRIMARY KEY, label TEXT NOT NULL, scopes TEXT NOT NULL, secret_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL, revoked_at BIGINT, last_used_at BIGINT
  );
  CREATE TABLE connections (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, id TEXT NOT NULL UNIQUE, name TEXT NOT NULL UNIQUE, vendor TEXT NOT NULL,
    description TEXT, token_enc TEXT NOT NULL, inbound_enc TEXT NOT NULL, api_enc TEXT,
    created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL
  );
  CREATE TABLE raw_requests (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, connection_id TEXT NOT NULL, method TEXT NOT NULL, route TEXT NOT NULL,
    headers TEXT NOT NULL, body BYTEA NOT NULL, received_at BIGINT NOT NULL
  );
  CREATE TABLE events (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, id TEXT NOT NULL UNIQUE, connection_id TEXT NOT NULL, dedupe_key TEXT NOT NULL,
    type TEXT NOT NULL, state TEXT NOT NULL, body TEXT NOT NULL, needs TEXT NOT NULL, raw_request_seq BIGINT,
    claimed_until BIGINT NOT NULL DEFAULT 0,
    UNIQUE (connection_id, dedupe_key)
  );
  CREATE INDEX events_received ON events (seq) WHERE state = 'received';
  CREATE INDEX events_by_type ON events (type, seq);
  CREATE INDEX events_by_connection ON events (connection_id, seq);
  CREATE TABLE hooks (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, id TEXT NOT NULL UNIQUE, url TEXT NOT NULL, events TEXT NOT NULL, filter TEXT NOT NULL,
    description TEXT, secret_enc TEXT NOT NULL, status TEXT NOT NULL, status_reason TEXT, failing_since BIGINT,
    created_by TEXT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL
  );
  CREATE INDEX hooks_by_creator ON hooks (created_by, seq);
  CREATE TABLE deliveries (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, id TEXT NOT NULL UNIQUE, event_id TEXT NOT NULL, hook_id TEXT NOT NULL,
    reason TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at BIGINT,
    last_status INTEGER, last_error TEXT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL
  );
  CREATE INDEX deliveries_due ON deliveries (hook_id, next_attempt_at, seq) WHERE status IN ('pending', 'in_flight');
  CREATE INDEX deliveries_waiting ON deliveries (next_attempt_at) WHERE status IN ('pending', 'in_flight');
  CREATE INDEX deliveries_by_event ON deliveries (event_id, seq);
  CREATE INDEX deliveries_by_status ON deliveries (status, seq);
  CREATE TABLE attempts (
    delivery_id TEXT NOT NULL, attempt INTEGER NOT NULL, started_at BIGINT NOT NULL, duration_ms INTEGER NOT NULL,
    status INTEGER, error TEXT, response_snippet TEXT, PRIMARY KEY (delivery_id, attempt)
  );
  CREATE TABLE audit (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at BIGINT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
    target TEXT, details TEXT NOT NULL
  );
  `,
  // Hub processes alive lately: they split each LMS's rate limit between them.
  `
  CREATE TABLE hub_processes (id TEXT PRIMARY KEY, seen_at BIGINT NOT NULL);
  `,
  // Console accounts (DESIGN §8).
  ACCOUNT_TABLES,
];

/**
 * Brings `schema` up to date. Processes starting together serialise on a transaction-scoped
 * advisory lock, so each migration runs once; the lock is freed by the commit (or by the
 * connection dying), never held past it.
 */
export async function migratePostgres(client: pg.ClientBase, schema: string): Promise<number[]> {
  const ran: number[] = [];
  await client.query('BEGIN');
  try {
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('learnhook.migrate.' || $1::text))`, [schema]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    await client.query(`SET LOCAL search_path TO ${quoteIdent(schema)}`);
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((row) => row.version));
    for (const [index, sql] of PG_MIGRATIONS.entries()) {
      const version = index + 1;
      if (applied.has(version)) continue;
      await client.query(sql);
      await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [version, Date.now()]);
      ran.push(version);
    }
    await client.query('COMMIT');
    return ran;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** A schema name is checked against SCHEMA_NAME before it gets here; quoting keeps it one identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Lower-case letters, digits and underscores: a plain identifier that needs no care anywhere. */
export const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
