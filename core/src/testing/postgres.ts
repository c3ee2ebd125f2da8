import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The local PostgreSQL the tests use (trust auth); TEST_DATABASE_URL points them elsewhere. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Why PostgreSQL tests cannot run here, or null when the database answers. */
export async function postgresUnavailable(url = TEST_DATABASE_URL): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    return `PostgreSQL at ${url.replace(/\/\/[^@]*@/, '//')} is unreachable (${error instanceof Error ? error.message : String(error)})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A schema name of its own for one test run, so runs in parallel never meet. */
export function testSchemaName(prefix = 'lh_test'): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

/**
 * Runs `fn` on a connection of its own, then closes it; with a schema, that schema is its
 * search_path (it need not exist yet), with null the database's default.
 */
export async function withClient<T>(schema: string | null, fn: (client: pg.Client) => Promise<T>, url = TEST_DATABASE_URL): Promise<T> {
  const client = new pg.Client({ connectionString: url, ...(schema === null ? {} : { options: `-c search_path=${schema}` }) });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Drops a test's schema and everything in it. */
export async function dropSchema(schema: string, url = TEST_DATABASE_URL): Promise<void> {
  await withClient(null, (client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`), url);
}
