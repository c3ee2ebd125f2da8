import type { DatabaseSync } from 'node:sqlite';
import { num, type Row } from './rows.ts';
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
 * The embedded store's schema, as a versioned list: each entry runs once, in order, recorded in
 * PRAGMA user_version. Entries are never edited once released; a change is a new entry.
 */
export const MIGRATIONS = [
  firstSchema('sqlite'),
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
  // A large history (issue 17 §8): the subscription's deliveries and the learner's events by index.
  listIndexes('sqlite'),
  // The learner's email in a column written once at fan-out, in place of the expression index ingest paid for (issue 18).
  learnerEmailSchema('sqlite'),
];

/** Brings the file up to date, one transaction per migration. */
export function migrateSqlite(db: DatabaseSync): void {
  const row = db.prepare('PRAGMA user_version').get() as Row | undefined;
  const version = num(row?.user_version ?? 0);
  refuseNewerStore(version, MIGRATIONS.length);
  for (let index = version; index < MIGRATIONS.length; index += 1) {
    db.exec('BEGIN');
    db.exec(MIGRATIONS[index] ?? '');
    db.exec(`PRAGMA user_version = ${index + 1}`);
    db.exec('COMMIT');
  }
}
