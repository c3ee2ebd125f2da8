import type { Config } from '../config.ts';
import { openPostgresStore } from './postgres.ts';
import { openSqliteStore } from './sqlite.ts';
import type { Store } from './store.ts';

export interface OpenStoreOptions {
  /**
   * Whether this process runs delivery. On the embedded store it then hands back what its own
   * crash left in flight; a CLI command beside a running hub must not. PostgreSQL leases expire
   * instead, whoever opens it.
   */
  owner: boolean;
  /** Told when the PostgreSQL wake listener loses its connection (it reconnects by itself). */
  onListenError?: (error: unknown) => void;
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
    });
  }
  return openSqliteStore({ file: config.LEARNHOOK_DATA, recoverInFlight: options.owner });
}
