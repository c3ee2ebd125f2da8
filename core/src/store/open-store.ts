import { type Config, ConfigError } from '../config.ts';
import { openPostgresStore } from './postgres.ts';
import { openSqliteStore } from './sqlite.ts';
import type { Store } from './store.ts';
import { NewerStoreError } from './store-version.ts';
import type { StoreWriteHealth } from './write-health.ts';

export interface OpenStoreOptions {
  /**
   * Whether this process runs delivery. On the embedded store it then hands back what its own
   * crash left in flight; a CLI command beside a running hub must not. PostgreSQL leases expire
   * instead, whoever opens it.
   */
  owner: boolean;
  /** Told when the PostgreSQL wake listener loses its connection (it reconnects by itself). */
  onListenError?: (error: unknown) => void;
  /** Told when the store turns unable to write (disk full, read-only) and able again (issue 17 §7). */
  onWriteHealth?: (health: StoreWriteHealth) => void;
}

/** The one place a store is chosen (DESIGN §4): PostgreSQL when DATABASE_URL is set, else the embedded file. */
export async function openStore(config: Config, options: OpenStoreOptions): Promise<Store> {
  if (config.DATABASE_URL) {
    return openPostgresStore({
      url: config.DATABASE_URL,
      schema: config.LEARNHOOK_PG_SCHEMA,
      poolMax: config.LEARNHOOK_PG_POOL_MAX,
      connectTimeoutMs: config.LEARNHOOK_PG_CONNECT_TIMEOUT_MS,
      statementTimeoutMs: config.LEARNHOOK_PG_STATEMENT_TIMEOUT_MS,
      idleTimeoutMs: config.LEARNHOOK_PG_IDLE_TIMEOUT_MS,
      onListenError: options.onListenError,
      onWriteHealth: options.onWriteHealth,
    }).catch((error: unknown) => {
      if (error instanceof NewerStoreError)
        throw new ConfigError(`DATABASE_URL: the store in schema ${config.LEARNHOOK_PG_SCHEMA} cannot be used: ${error.message}`, { cause: error });
      throw error;
    });
  }
  try {
    return openSqliteStore({ file: config.LEARNHOOK_DATA, recoverInFlight: options.owner, onWriteHealth: options.onWriteHealth });
  } catch (error) {
    if (error instanceof NewerStoreError)
      throw new ConfigError(`LEARNHOOK_DATA: the embedded store at ${config.LEARNHOOK_DATA} cannot be used: ${error.message}`, { cause: error });
    // The raw error names a path or a SQLite code; say which setting points there and what to do.
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(
      `LEARNHOOK_DATA: cannot open the embedded store at ${config.LEARNHOOK_DATA} (${reason}). Point LEARNHOOK_DATA at a file in a folder this user may write, or set DATABASE_URL for PostgreSQL.`,
      { cause: error },
    );
  }
}
