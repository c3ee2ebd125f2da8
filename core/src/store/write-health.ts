import { type StoreFailure, StoreUnavailableError } from '../errors.ts';

/**
 * Whether the store can write (issue 17 §7): a store that cannot (disk full, read-only, I/O error)
 * refuses with StoreUnavailableError, which the API answers 503 with Retry-After, and says so here
 * for /healthz. It is writable again as soon as one write succeeds: nothing needs a restart.
 */
export type StoreWriteHealth =
  | { writable: true }
  | {
      writable: false;
      reason: StoreFailure;
      /** When writes started failing (epoch ms). */
      since: number;
      /** The latest refused write (epoch ms). */
      last_failure_at: number;
      /** What the database said, for the person fixing it. */
      detail: string;
    };

/** SQLite's primary result codes (https://www.sqlite.org/rescode.html) that mean the storage takes no writes. */
const SQLITE_FAILURES: ReadonlyMap<number, StoreFailure> = new Map([
  [13, 'disk_full'], // SQLITE_FULL
  [8, 'read_only'], // SQLITE_READONLY
  [10, 'io_error'], // SQLITE_IOERR
]);

/** PostgreSQL's SQLSTATEs (https://www.postgresql.org/docs/current/errcodes-appendix.html) for the same. */
const POSTGRES_FAILURES: ReadonlyMap<string, StoreFailure> = new Map([
  ['53100', 'disk_full'],
  ['25006', 'read_only'],
  ['58030', 'io_error'],
]);

/** The system's own, when a file write reports them directly. */
const SYSTEM_FAILURES: ReadonlyMap<string, StoreFailure> = new Map([
  ['ENOSPC', 'disk_full'],
  ['EDQUOT', 'disk_full'],
  ['EROFS', 'read_only'],
  ['EIO', 'io_error'],
]);

/** Which storage failure an error from node:sqlite, pg or the file system is, or null for any other error. */
export function storeFailureOf(error: unknown): StoreFailure | null {
  if (error instanceof StoreUnavailableError) return error.reason;
  if (typeof error !== 'object' || error === null) return null;
  // node:sqlite: code ERR_SQLITE_ERROR with SQLite's result code in errcode (extended codes keep the primary in the low byte).
  if ('errcode' in error && typeof error.errcode === 'number') return SQLITE_FAILURES.get(error.errcode & 0xff) ?? null;
  if ('code' in error && typeof error.code === 'string') return POSTGRES_FAILURES.get(error.code) ?? SYSTEM_FAILURES.get(error.code) ?? null;
  return null;
}

export interface WriteHealth {
  state(): StoreWriteHealth;
  /** A write became durable: the store writes again. */
  succeeded(): void;
  /** A write failed: answers the StoreUnavailableError to raise for a storage failure, else the error as it was. */
  failed(error: unknown): unknown;
}

/** Tracks the store's writes; `onChange` hears each turn from writable to not and back, once. */
export function createWriteHealth(options: { now?: () => number; onChange?: ((health: StoreWriteHealth) => void) | undefined } = {}): WriteHealth {
  const now = options.now ?? Date.now;
  let health: StoreWriteHealth = { writable: true };
  return {
    state: () => health,
    succeeded() {
      if (health.writable) return;
      health = { writable: true };
      options.onChange?.(health);
    },
    failed(error) {
      const reason = storeFailureOf(error);
      if (!reason) return error;
      const at = now();
      const detail =
        error instanceof StoreUnavailableError && error.cause instanceof Error ? error.cause.message : error instanceof Error ? error.message : String(error);
      const turned = health.writable;
      health = { writable: false, reason, since: health.writable ? at : health.since, last_failure_at: at, detail };
      if (turned) options.onChange?.(health);
      return error instanceof StoreUnavailableError ? error : new StoreUnavailableError(reason, { cause: error });
    },
  };
}
