import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { dropSchema, postgresUnavailable, TEST_DATABASE_URL, testSchemaName, withClient } from '../testing/postgres.ts';
import { sealV1 } from '../testing/sealed-values.ts';
import { hookRecord } from '../testing/store-fixtures.ts';
import { openPostgresStore } from './postgres.ts';
import { createSecretBox } from './secret-box.ts';
import { resealSecrets, surveySecrets } from './secret-rotation.ts';
import { openSqliteStore } from './sqlite.ts';
import { SEALED_COLUMNS, type Store } from './store.ts';

/** Re-sealing stored secrets under a new key (issue 17 §3), on both stores. */

const pgUnavailable = await postgresUnavailable();
if (pgUnavailable) console.warn(`SKIPPED the PostgreSQL secret rotation tests: ${pgUnavailable}`);

interface Place {
  store: Store;
  /** Every `table.column` of the schema whose name ends in _enc. */
  encColumns(): Promise<string[]>;
  cleanup(): Promise<void>;
}

const KINDS = [
  {
    kind: 'sqlite',
    skip: null,
    async place(): Promise<Place> {
      const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'learnhook-rotation-')), 'learnhook.db');
      const store = openSqliteStore({ file });
      return {
        store,
        async encColumns() {
          const database = new DatabaseSync(file, { readOnly: true });
          try {
            const tables = database.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all();
            return tables.flatMap(({ name }) =>
              database
                .prepare(`SELECT name FROM pragma_table_info(?)`)
                .all(String(name))
                .map((column) => `${String(name)}.${String(column.name)}`)
                .filter((column) => column.endsWith('_enc')),
            );
          } finally {
            database.close();
          }
        },
        cleanup: () => store.close(),
      };
    },
  },
  {
    kind: 'postgres',
    skip: pgUnavailable,
    async place(): Promise<Place> {
      const schema = testSchemaName('lh_rotation');
      const store = await openPostgresStore({ url: TEST_DATABASE_URL, schema, poolMax: 4 });
      return {
        store,
        async encColumns() {
          const { rows } = await withClient(null, (client) =>
            client.query<{ name: string }>(
              `SELECT table_name || '.' || column_name AS name FROM information_schema.columns WHERE table_schema = $1 AND column_name LIKE '%\\_enc'`,
              [schema],
            ),
          );
          return rows.map((row) => row.name);
        },
        async cleanup() {
          await store.close();
          await dropSchema(schema);
        },
      };
    },
  },
] as const;

const oldKey = randomBytes(32);
const newKey = randomBytes(32);
const before = createSecretBox(oldKey);
const during = createSecretBox({ current: newKey, others: [oldKey] });
const after = createSecretBox(newKey);

describe.each(KINDS)('rotating the secret key on the $kind store', ({ skip, place: newPlace }) => {
  let place: Place | null = null;
  afterEach(async () => {
    await place?.cleanup();
    place = null;
  });
  const test = skip ? it.skip : it;

  /** Hooks hk_0 .. hk_<count-1>, each with a secret sealed with the old key and every other one with a previous secret in the format before key ids. */
  async function hooksSealedWithTheOldKey(count: number): Promise<Store> {
    place = await newPlace();
    for (let n = 0; n < count; n++) {
      await place.store.insertHook(
        hookRecord(`hk_${n}`, {
          secret_enc: before.seal(`secret-${n}`),
          previous_secret_enc: n % 2 === 0 ? sealV1(oldKey, `previous-${n}`) : null,
          previous_secret_until: n % 2 === 0 ? Date.now() + 60_000 : null,
        }),
      );
    }
    return place.store;
  }

  async function secretsOf(store: Store, count: number, box = after): Promise<string[]> {
    const opened: string[] = [];
    for (let n = 0; n < count; n++) {
      const hook = await store.getHook(`hk_${n}`);
      if (!hook) throw new Error(`hk_${n} is gone`);
      opened.push(box.open(hook.secret_enc));
      if (hook.previous_secret_enc) opened.push(box.open(hook.previous_secret_enc));
    }
    return opened;
  }

  test('lists every column of the schema that holds a sealed secret, so a rotation misses none', async () => {
    place = await newPlace();
    expect((await place.encColumns()).sort()).toEqual([...SEALED_COLUMNS].sort());
  });

  test('re-seals what the old key and the format before key ids sealed, so only the new key opens it', async () => {
    const store = await hooksSealedWithTheOldKey(5);
    const expected = ['secret-0', 'previous-0', 'secret-1', 'secret-2', 'previous-2', 'secret-3', 'secret-4', 'previous-4'];
    expect(await surveySecrets(store, during, 2)).toEqual({ total: 8, current: 0, stale: 8, unreadable: [] });

    expect(await resealSecrets({ store, box: during, batchSize: 2 })).toEqual({ resealed: 8, changedMeanwhile: 0 });

    expect(await surveySecrets(store, after, 2)).toEqual({ total: 8, current: 8, stale: 0, unreadable: [] });
    expect(await secretsOf(store, 5, after)).toEqual(expected);
    await expect(secretsOf(store, 5, before)).rejects.toThrow(/LEARNHOOK_SECRET_KEY/);
    // Nothing else of the hook moved.
    expect(await store.getHook('hk_0')).toMatchObject({ previous_secret_until: expect.any(Number), status: 'active', updated_at: 1 });
  });

  test('a pass stopped after its first batch is finished by the next, which touches only what is left', async () => {
    const store = await hooksSealedWithTheOldKey(4);
    const stop = new Error('interrupted');
    await expect(
      resealSecrets({
        store,
        box: during,
        batchSize: 1,
        onBatch: () => {
          throw stop;
        },
      }),
    ).rejects.toBe(stop);
    expect(await surveySecrets(store, during)).toMatchObject({ current: 1, stale: 5 });

    expect(await resealSecrets({ store, box: during, batchSize: 1 })).toEqual({ resealed: 5, changedMeanwhile: 0 });
    expect(await resealSecrets({ store, box: during, batchSize: 1 })).toEqual({ resealed: 0, changedMeanwhile: 0 });
    expect(await secretsOf(store, 4, after)).toEqual(['secret-0', 'previous-0', 'secret-1', 'secret-2', 'previous-2', 'secret-3']);
  });

  test('leaves a secret a hub replaced while the rotation ran as the hub wrote it', async () => {
    const store = await hooksSealedWithTheOldKey(1);
    const rotatedByTheHub = during.seal('rotated meanwhile');
    const racing: Store = Object.create(store);
    racing.sealedValues = async (column, afterId, limit) => {
      const batch = await store.sealedValues(column, afterId, limit);
      if (column === 'hooks.secret_enc' && batch.length > 0) await store.updateHook('hk_0', { secret_enc: rotatedByTheHub });
      return batch;
    };

    expect(await resealSecrets({ store: racing, box: during, batchSize: 10 })).toEqual({ resealed: 1, changedMeanwhile: 1 });
    expect((await store.getHook('hk_0'))?.secret_enc).toBe(rotatedByTheHub);
  });

  test('names the rows that none of the keys given open', async () => {
    const store = await hooksSealedWithTheOldKey(2);
    expect(await surveySecrets(store, createSecretBox({ current: newKey, others: [randomBytes(32)] }))).toEqual({
      total: 3,
      current: 0,
      stale: 0,
      unreadable: [
        { column: 'hooks.secret_enc', id: 'hk_0' },
        { column: 'hooks.secret_enc', id: 'hk_1' },
        { column: 'hooks.previous_secret_enc', id: 'hk_0' },
      ],
    });
  });
});
