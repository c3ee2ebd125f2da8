import { randomBytes } from 'node:crypto';
import { dropSchema, TEST_DATABASE_URL, testSchemaName } from '@learnhook/core/testing';

/**
 * A fresh schema in the test database for one measurement's hubs, and the settings that point
 * `learnhook serve` at it: every process started with `env` shares the schema and the secret key
 * (each must open the hook secrets the others sealed). `drop()` removes the schema afterwards.
 */
export function postgresSchema(): { env: Record<string, string>; drop(): Promise<void> } {
  const schema = testSchemaName('lh_bench');
  return {
    env: {
      DATABASE_URL: `${TEST_DATABASE_URL}?schema=${schema}`,
      LEARNHOOK_SECRET_KEY: randomBytes(32).toString('base64'),
      LEARNHOOK_PG_POOL_MAX: '8',
    },
    drop: () => dropSchema(schema),
  };
}
