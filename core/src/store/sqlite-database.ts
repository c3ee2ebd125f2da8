import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync, type SQLInputValue, type StatementResultingChanges } from 'node:sqlite';
import type { Row } from './rows.ts';
import type { SqlRunner } from './sql/runner.ts';
import { type ActivityTally, createActivityTally } from './sqlite-activity-tally.ts';
import { createGroupCommit } from './sqlite-group-commit.ts';
import { migrateSqlite } from './sqlite-migrations.ts';
import { createWriteHealth, type StoreWriteHealth, type WriteHealth } from './write-health.ts';

export interface SqliteStoreOptions {
  /** The database file; ":memory:" for tests that need no durability. */
  file: string;
  /**
   * Whether this process owns delivery: it hands deliveries left in flight by a crash back as due.
   * The hub does; a CLI command opening the same file beside a running hub must not.
   */
  recoverInFlight?: boolean;
  /** Hears the store turn unable to write (disk full, read-only) and able again. */
  onWriteHealth?: ((health: StoreWriteHealth) => void) | undefined;
}

/** The opened file: synchronous statements for the store's own writes, and the runner for the shared ones. */
export interface SqliteDatabase {
  all(sql: string, ...params: SQLInputValue[]): Row[];
  get(sql: string, ...params: SQLInputValue[]): Row | undefined;
  run(sql: string, ...params: SQLInputValue[]): StatementResultingChanges;
  /** Queues a write for the next group commit; resolves once it is durable. */
  write<T>(fn: () => T): Promise<T>;
  /** Activity counts a write adds, as its last step; written once per group commit. */
  activity: ActivityTally;
  runner: SqlRunner;
  health: WriteHealth;
  close(): void;
}

/**
 * Opens the file in WAL mode with synchronous=FULL, so a commit is on disk when it returns, and
 * brings its schema up to date.
 */
export function openSqliteDatabase(options: SqliteStoreOptions): SqliteDatabase {
  if (options.file !== ':memory:') mkdirSync(path.dirname(path.resolve(options.file)), { recursive: true });
  const db = new DatabaseSync(options.file);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = FULL');
  db.exec('PRAGMA busy_timeout = 5000');
  // Each write of a group commit runs in a savepoint, whose undo copies of the pages it touches
  // (the statement journal) spilled to a temporary file past 64 KiB: nine write syscalls per
  // ingested event. Held in memory they are freed at each commit (bench row 13: +50 % ingest).
  db.exec('PRAGMA temp_store = MEMORY');
  migrateSqlite(db);
  if (options.recoverInFlight) {
    // One hub owns an embedded store: deliveries it left in flight when it died are due again now.
    db.prepare(`UPDATE deliveries SET status = 'pending', next_attempt_at = ? WHERE status = 'in_flight'`).run(Date.now());
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
  const run = (sql: string, ...params: SQLInputValue[]) => prepared(sql).run(...params);
  const health = createWriteHealth({ onChange: options.onWriteHealth });
  const activity = createActivityTally(run);
  const commits = createGroupCommit(db, health, activity);
  let closed = false;

  return {
    all,
    get: (sql, ...params) => prepared(sql).get(...params) as Row | undefined,
    run,
    write: commits.write,
    activity,
    health,
    runner: {
      dialect: 'sqlite',
      rows: async (sql, params = []) => all(sql, ...params),
      change: (sql, params = []) => commits.write(() => Number(run(sql, ...params).changes)),
      returning: (sql, params = []) => commits.write(() => all(sql, ...params)),
      wake: () => undefined,
    },
    close() {
      if (closed) return;
      closed = true;
      commits.close();
      db.close();
    },
  };
}
