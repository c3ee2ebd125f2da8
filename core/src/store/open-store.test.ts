import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../config.ts';
import { dropSchema, postgresUnavailable, TEST_DATABASE_URL, testSchemaName, withClient } from '../testing/postgres.ts';
import { openStore } from './open-store.ts';
import { PG_MIGRATIONS } from './postgres-migrations.ts';
import { MIGRATIONS } from './sqlite-migrations.ts';

const KEY = Buffer.alloc(32, 7).toString('base64');
const pgSkip = await postgresUnavailable();

describe('opening the store', () => {
  it('names LEARNHOOK_DATA and what to do when the embedded file cannot be made there', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'learnhook-open-'));
    const notAFolder = path.join(dir, 'a-file');
    writeFileSync(notAFolder, 'x');
    const config = readConfig({ LEARNHOOK_DATA: path.join(notAFolder, 'data', 'learnhook.db') });
    const opening = openStore(config, { owner: true });
    await expect(opening).rejects.toThrow(ConfigError);
    await expect(opening).rejects.toThrow(
      /^LEARNHOOK_DATA: cannot open the embedded store at .*a-file\/data\/learnhook\.db \(.+\)\. Point LEARNHOOK_DATA at a file/,
    );
  });

  it('refuses an embedded store written by a newer learnhook, naming the setting, both versions and what to do, and leaves it as it was', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'learnhook-newer-')), 'learnhook.db');
    (await openStore(readConfig({ LEARNHOOK_DATA: file }), { owner: true })).close();
    const raw = new DatabaseSync(file);
    raw.exec(`PRAGMA user_version = ${MIGRATIONS.length + 1}`);
    raw.close();
    const opening = openStore(readConfig({ LEARNHOOK_DATA: file }), { owner: true });
    await expect(opening).rejects.toThrow(ConfigError);
    await expect(opening).rejects.toThrow(
      new RegExp(
        `^LEARNHOOK_DATA: the embedded store at .* cannot be used: it was written by a newer learnhook \\(store version ${MIGRATIONS.length + 1}; this one knows up to ${MIGRATIONS.length}\\)\\. Run that version`,
      ),
    );
    const after = new DatabaseSync(file);
    expect(after.prepare('PRAGMA user_version').get()).toEqual({ user_version: MIGRATIONS.length + 1 });
    after.close();
  });

  it.skipIf(pgSkip !== null)(
    `refuses a PostgreSQL schema a newer learnhook migrated, naming DATABASE_URL${pgSkip ? ` (skipped: ${pgSkip})` : ''}`,
    async () => {
      const schema = testSchemaName('lh_newer');
      const env = { DATABASE_URL: TEST_DATABASE_URL, LEARNHOOK_PG_SCHEMA: schema, LEARNHOOK_SECRET_KEY: KEY };
      try {
        await (await openStore(readConfig(env), { owner: true })).close();
        await withClient(null, (client) =>
          client.query(`INSERT INTO "${schema}".schema_migrations (version, applied_at) VALUES ($1, $2)`, [PG_MIGRATIONS.length + 1, Date.now()]),
        );
        await expect(openStore(readConfig(env), { owner: true })).rejects.toThrow(
          new RegExp(
            `^DATABASE_URL: the store in schema ${schema} cannot be used: it was written by a newer learnhook \\(store version ${PG_MIGRATIONS.length + 1}`,
          ),
        );
      } finally {
        await dropSchema(schema);
      }
    },
  );
});
