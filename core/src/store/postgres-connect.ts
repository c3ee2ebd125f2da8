import pg from 'pg';
import { ConfigError, PgSchemaNameSchema } from '../config.ts';
import { migratePostgres, quoteIdent } from './postgres-migrations.ts';
import type { Row } from './rows.ts';
import { numberPlaceholders } from './sql/dialect.ts';
import type { SqlRunner } from './sql/runner.ts';
import type { WakeTopic } from './store.ts';
import { NewerStoreError } from './store-version.ts';
import { createWriteHealth, type StoreWriteHealth, type WriteHealth } from './write-health.ts';

export interface PostgresConnectOptions {
  /** postgres://...; a `schema` query parameter names the schema (overridden by `schema`). */
  url: string;
  schema?: string | undefined;
  poolMax?: number;
  connectTimeoutMs?: number;
  statementTimeoutMs?: number;
  idleTimeoutMs?: number;
  /** Hears the database turn unable to write (disk full 53100, read-only 25006) and able again. */
  onWriteHealth?: ((health: StoreWriteHealth) => void) | undefined;
}

/** A pool on an up-to-date schema. Statements here are PostgreSQL's own, with numbered placeholders. */
export interface PostgresDatabase {
  pool: pg.Pool;
  /** What the pool's connections are opened with, for a connection of one's own (the wake listener). */
  clientConfig: pg.ClientConfig;
  schema: string;
  query(sql: string, params?: unknown[]): Promise<Row[]>;
  one(sql: string, params?: unknown[]): Promise<Row | undefined>;
  changed(sql: string, params?: unknown[]): Promise<number>;
  /**
   * Whether the database takes writes: every failure to write is recorded by query(); a write that
   * succeeds (the heartbeat every few seconds, an ingest, any shared write) says it does again.
   */
  health: WriteHealth;
}

const INT8_OID = 20;

/** Splits `?schema=` off the URL (pg would send it to the server as a setting) and checks the name. */
export function postgresTarget(url: string, schema?: string): { connectionString: string; schema: string } {
  const parsed = new URL(url);
  const fromUrl = parsed.searchParams.get('schema');
  parsed.searchParams.delete('schema');
  const name = schema ?? fromUrl ?? 'public';
  if (!PgSchemaNameSchema.safeParse(name).success) throw new ConfigError(`The PostgreSQL schema "${name}" must be lower-case letters, digits and underscores.`);
  return { connectionString: parsed.toString(), schema: name };
}

/** Opens the pool and brings the schema up to date; either failure names the server, without its password. */
export async function connectPostgres(options: PostgresConnectOptions): Promise<PostgresDatabase> {
  const { connectionString, schema } = postgresTarget(options.url, options.schema);
  const clientConfig: pg.ClientConfig = {
    connectionString,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    statement_timeout: options.statementTimeoutMs ?? 30_000,
    options: `-c search_path=${quoteIdent(schema)}`,
    // Times and sequence numbers are BIGINT; every one fits a JS number (epoch ms, row counts).
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
    application_name: 'learnhook',
  };
  const pool = new pg.Pool({ ...clientConfig, max: options.poolMax ?? 10, idleTimeoutMillis: options.idleTimeoutMs ?? 10_000 });
  // An idle client losing its connection (a server restart) must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  // Named without its password: this message is printed and logged.
  const where = (() => {
    const parsed = new URL(connectionString);
    return `${parsed.hostname}:${parsed.port || 5432}${parsed.pathname}`;
  })();
  const setup = await pool.connect().catch(async (error: unknown) => {
    await pool.end();
    throw new Error(`Could not connect to PostgreSQL at ${where}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  });
  try {
    await migratePostgres(setup, schema);
  } catch (error) {
    setup.release();
    await pool.end();
    // Not a failure to migrate: there is nothing this version may do to that schema.
    if (error instanceof NewerStoreError) throw error;
    throw new Error(`Could not bring the PostgreSQL schema "${schema}" at ${where} up to date: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  setup.release();

  const health = createWriteHealth({ onChange: options.onWriteHealth });
  // A full disk or a read-only database becomes StoreUnavailableError here, for every statement.
  const result = (sql: string, params: unknown[]) => pool.query(sql, params).catch((error: unknown) => Promise.reject(health.failed(error)));
  const query = async (sql: string, params: unknown[] = []): Promise<Row[]> => (await result(sql, params)).rows as Row[];
  return {
    pool,
    clientConfig,
    schema,
    query,
    one: async (sql, params = []) => (await query(sql, params))[0],
    changed: async (sql, params = []) => (await result(sql, params)).rowCount ?? 0,
    health,
  };
}

/** The shared statements' way in: their `?` placeholders numbered, and `wake` after a commit that made work. */
export function postgresRunner(database: PostgresDatabase, wake: (topic: WakeTopic) => void): SqlRunner {
  return {
    dialect: 'postgres',
    rows: (sql, params = []) => database.query(numberPlaceholders(sql), [...params]),
    change: (sql, params = []) => database.changed(numberPlaceholders(sql), [...params]).then(wrote(database)),
    returning: (sql, params = []) => database.query(numberPlaceholders(sql), [...params]).then(wrote(database)),
    wake,
  };
}

/** Passes a write's result on, noting that the database took a write. */
export function wrote(database: PostgresDatabase): <T>(value: T) => T {
  return (value) => {
    database.health.succeeded();
    return value;
  };
}
