import type pg from 'pg';
import { ACCOUNT_TABLES } from './sql/accounts.ts';
import { ACTIVITY_BACKFILL, ACTIVITY_TABLE } from './sql/activity.ts';
import { HOOK_SECRET_OVERLAP } from './sql/hooks.ts';
import { learnerEmailSchema } from './sql/learner-email.ts';
import { listIndexes } from './sql/list-indexes.ts';
import { REGISTRATION_SCHEMA } from './sql/registration.ts';
import { RETENTION_SCHEMA } from './sql/retention.ts';
import { firstSchema } from './sql/tables.ts';
import { refuseNewerStore } from './store-version.ts';

/**
 * The PostgreSQL schema, as a versioned list: each entry runs once, in order, recorded in
 * schema_migrations. Entries are never edited once released; a change is a new entry.
 */
export const PG_MIGRATIONS: readonly string[] = [
  firstSchema('postgres'),
  // Hub processes alive lately: they split each LMS's rate limit between them.
  `
  CREATE TABLE hub_processes (id TEXT PRIMARY KEY, seen_at BIGINT NOT NULL);
  `,
  // Console accounts (DESIGN §8).
  ACCOUNT_TABLES,
  // Hourly counts for the console's activity charts (issue 15), filled from what is already stored.
  ACTIVITY_TABLE + ACTIVITY_BACKFILL,
  // Hook secret rotation with an overlap (issue 17).
  HOOK_SECRET_OVERLAP,
  // Retention (issue 17 §1): a connection's own window, and the indexes pruning walks by.
  RETENTION_SCHEMA,
  // Auto-registration (issue 16 §5): what the hub registered at the LMS for the connection.
  REGISTRATION_SCHEMA,
  // A large history (issue 17 §8): a subscription's deliveries by index (list-indexes.ts: why not a learner's events here).
  listIndexes('postgres'),
  // The learner's email in a column written once at fan-out, indexed; older events are filled in the background (issue 18).
  learnerEmailSchema('postgres'),
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
    refuseNewerStore(Math.max(0, ...applied), PG_MIGRATIONS.length);
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

/** A schema name is checked against PgSchemaNameSchema before it gets here; quoting keeps it one identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
