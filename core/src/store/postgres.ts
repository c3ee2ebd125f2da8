import { randomUUID } from 'node:crypto';
import { postgresClaims } from './postgres-claims.ts';
import { connectPostgres, type PostgresConnectOptions, postgresRunner, wrote } from './postgres-connect.ts';
import { postgresRetention } from './postgres-retention.ts';
import { createWake } from './postgres-wake.ts';
import { postgresWrites } from './postgres-writes.ts';
import { num } from './rows.ts';
import { BACKFILL_DONE, BACKFILL_RANGE, PG_BACKFILL_BATCH } from './sql/learner-email.ts';
import { sharedMethods } from './sql/shared-methods.ts';
import type { Store } from './store.ts';

/**
 * The scale-out store (DESIGN §4): several hub processes share one PostgreSQL database. Durability
 * is the commit, and every write is one statement or one transaction. Events and deliveries are
 * claimed with FOR UPDATE SKIP LOCKED and a lease, so each is worked on by one process at a time
 * and a process that dies hands its work on when its leases expire (postgres-claims.ts). After a
 * commit that makes work the store NOTIFYs the others; each process LISTENs on one dedicated
 * connection (postgres-wake.ts).
 */

export interface PostgresStoreOptions extends PostgresConnectOptions {
  /** Called when the wake listener's connection fails (it reconnects by itself). */
  onListenError?: ((error: unknown) => void) | undefined;
}

export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const database = await connectPostgres(options);
  const processId = randomUUID();
  const wake = createWake(database, processId, options.onListenError);
  const runner = postgresRunner(database, wake.notify);
  let closed = false;
  return {
    kind: 'postgres',
    ...sharedMethods(runner),
    retention: postgresRetention(database, runner),
    ...postgresWrites(database, wake.notify),
    ...postgresClaims(database, wake.notify),
    onWake: wake.onWake,
    writeHealth: () => database.health.state(),

    async close() {
      if (closed) return;
      closed = true;
      await wake.close();
      await database.pool.end();
    },

    async backfillLearnerEmails(span) {
      const range = await database.one(BACKFILL_RANGE);
      if (!range) return null;
      if (num(range.after_seq) >= num(range.through_seq)) {
        await database.query(BACKFILL_DONE);
        return null;
      }
      // No row: another process moved the range first; the next call reads where it is now.
      const row = await database.one(PG_BACKFILL_BATCH, [num(range.after_seq), span]);
      return num(row?.filled ?? 0);
    },

    async heartbeat(now, windowMs) {
      // A real write every few seconds: it also tells when a full or read-only database takes writes again.
      await database
        .query('INSERT INTO hub_processes (id, seen_at) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at', [processId, now])
        .then(wrote(database));
      // Processes gone for many windows are forgotten; the table stays as small as the fleet.
      await database.query('DELETE FROM hub_processes WHERE seen_at < $1', [now - 10 * windowMs]);
      return num((await database.one('SELECT count(*) AS live FROM hub_processes WHERE seen_at >= $1', [now - windowMs]))?.live);
    },
  };
}
