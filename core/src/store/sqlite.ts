import { sharedMethods } from './sql/shared-methods.ts';
import { sqliteClaims } from './sqlite-claims.ts';
import { openSqliteDatabase, type SqliteStoreOptions } from './sqlite-database.ts';
import { sqliteRetention } from './sqlite-retention.ts';
import { sqliteWrites } from './sqlite-writes.ts';
import type { Store } from './store.ts';

/**
 * The embedded store: node:sqlite, durable at each commit, with writes group-committed
 * (sqlite-group-commit.ts). The shared statements run through the database's runner; what only
 * this store does is its multi-statement writes (sqlite-writes.ts) and its claims (sqlite-claims.ts).
 */
export function openSqliteStore(options: SqliteStoreOptions): Store {
  const database = openSqliteDatabase(options);
  return {
    kind: 'sqlite',
    ...sharedMethods(database.runner),
    ...sqliteWrites(database),
    ...sqliteClaims(database),
    retention: sqliteRetention(database),

    async close() {
      database.close();
    },

    // No other process shares the file, so nobody else makes work to wake for.
    onWake() {
      return () => {};
    },

    // One hub owns an embedded store.
    async heartbeat() {
      return 1;
    },

    writeHealth: () => database.health.state(),
  };
}
