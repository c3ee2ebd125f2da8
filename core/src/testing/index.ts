/** Test helpers shared by core's tests and the cross-package tests in test/. Not part of the hub. */

/** The embedded store, for tests and benchmarks that fill a data file before a hub opens it. */
export { openSqliteStore } from '../store/sqlite.ts';
/** The embedded store's group commit, for the bench's durable floor (the least a durable receiver does). */
export { createGroupCommit } from '../store/sqlite-group-commit.ts';
/** The embedded store's migrations, in order: tests build data files at older schema versions from them. */
export { MIGRATIONS as SQLITE_MIGRATIONS } from '../store/sqlite-migrations.ts';
export * from './cli.ts';
export * from './console-browser.ts';
export * from './custom-lms.ts';
export * from './emulated-lms.ts';
export * from './errors.ts';
export * from './hub-api.ts';
export * from './ingest-request.ts';
export * from './listen.ts';
export * from './postgres.ts';
export * from './recording-server.ts';
export * from './sealed-values.ts';
export * from './small-disk.ts';
export * from './store-fixtures.ts';
export * from './test-hub.ts';
export * from './vendor-requests.ts';
export * from './wait.ts';
