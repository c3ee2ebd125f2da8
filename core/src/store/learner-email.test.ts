import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { SAMPLES } from '../catalog/index.ts';
import { dropSchema, postgresUnavailable, TEST_DATABASE_URL, testSchemaName, withClient } from '../testing/postgres.ts';
import { createLearnerEmailBackfill } from './learner-email-backfill.ts';
import { openPostgresStore } from './postgres.ts';
import { PG_MIGRATIONS } from './postgres-migrations.ts';
import { numberPlaceholders } from './sql/dialect.ts';
import { openSqliteStore } from './sqlite.ts';
import { MIGRATIONS } from './sqlite-migrations.ts';
import type { Store } from './store.ts';

/**
 * A store upgraded to the learner_email column (issue 18): its events processed before it are
 * filled in the background, after which the events list finds them as it finds new ones, and its
 * schema is a fresh store's. Each place holds the schema one migration before it, with events
 * written as the previous version wrote them.
 */

const pgUnavailable = await postgresUnavailable();
if (pgUnavailable) console.warn(`SKIPPED the PostgreSQL learner-email tests: ${pgUnavailable}`);

const sample = SAMPLES['enrollment.completed'];

/** Events as the version before stored them: processed ones with their final body, and one still received. */
interface OldEvent {
  key: string;
  state: 'processed' | 'received';
  email: string | null;
  note?: string;
}
const OLD_EVENTS: OldEvent[] = [
  ...Array.from({ length: 25 }, (_, n): OldEvent => ({ key: `p${n}`, state: 'processed', email: `Learner.${n % 5}@Acme.example` })),
  { key: 'nobody', state: 'processed', email: null },
  // PostgreSQL cannot read this body as JSON text; the backfill must pass it by, not stop at it.
  { key: 'nul', state: 'processed', email: 'Learner.0@Acme.example', note: 'a\u0000b' },
  { key: 'received', state: 'received', email: 'Learner.0@Acme.example' },
];

function oldRow(event: OldEvent): string[] {
  const body = { ...sample, id: `evt_${event.key}`, learner: { ...sample.learner, email: event.email }, data: { ...sample.data, note: event.note ?? null } };
  return [`evt_${event.key}`, 'con_1', event.key, 'enrollment.completed', event.state, JSON.stringify(body), '{}'];
}
const INSERT_OLD = 'INSERT INTO events (id, connection_id, dedupe_key, type, state, body, needs) VALUES (?, ?, ?, ?, ?, ?, ?)';

interface Place {
  /** Writes the schema one migration before learner_email, holding OLD_EVENTS. */
  writeOld(): Promise<void>;
  open(): Promise<Store>;
  /** Every table, column and index, as the database describes them. */
  schema(): Promise<string[]>;
  cleanup(): Promise<void>;
}

function sqlitePlace(): Place {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'learnhook-learner-email-')), 'learnhook.db');
  return {
    async writeOld() {
      const db = new DatabaseSync(file);
      for (const migration of MIGRATIONS.slice(0, -1)) db.exec(migration);
      db.exec(`PRAGMA user_version = ${MIGRATIONS.length - 1}`);
      for (const event of OLD_EVENTS) db.prepare(INSERT_OLD).run(...oldRow(event));
      db.close();
    },
    open: async () => openSqliteStore({ file }),
    async schema() {
      const db = new DatabaseSync(file, { readOnly: true });
      try {
        return db
          .prepare(`SELECT type || ' ' || name || ': ' || sql AS line FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type, name`)
          .all()
          .map((row) => String(row.line).replace(/\s+/g, ' '));
      } finally {
        db.close();
      }
    },
    cleanup: async () => {},
  };
}

function postgresPlace(): Place {
  const schema = testSchemaName('lh_learner');
  const client = <T>(fn: (c: pg.Client) => Promise<T>) => withClient(schema, fn);
  return {
    writeOld: () =>
      client(async (c) => {
        await c.query(`CREATE SCHEMA ${schema}`);
        await c.query('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
        for (const [index, migration] of PG_MIGRATIONS.slice(0, -1).entries()) {
          await c.query(migration);
          await c.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, 0)', [index + 1]);
        }
        for (const event of OLD_EVENTS) await c.query(numberPlaceholders(INSERT_OLD), oldRow(event));
      }),
    open: () => openPostgresStore({ url: TEST_DATABASE_URL, schema, poolMax: 3 }),
    schema: () =>
      client(async (c) => {
        const columns = await c.query(
          `SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable AS line FROM information_schema.columns WHERE table_schema = $1`,
          [schema],
        );
        const indexes = await c.query(`SELECT indexdef AS line FROM pg_indexes WHERE schemaname = $1`, [schema]);
        return [...columns.rows, ...indexes.rows].map((row) => String(row.line).replaceAll(schema, 'S')).sort();
      }),
    cleanup: () => dropSchema(schema),
  };
}

const KINDS = [
  { kind: 'sqlite', skip: null, place: sqlitePlace },
  { kind: 'postgres', skip: pgUnavailable, place: postgresPlace },
] as const;

describe.each(KINDS)('the learner_email column on an upgraded $kind store', ({ skip, place: newPlace }) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const test = skip ? it.skip : it;

  async function placeOf(): Promise<Place> {
    const place = newPlace();
    cleanups.push(() => place.cleanup());
    return place;
  }
  async function open(place: Place): Promise<Store> {
    const store = await place.open();
    cleanups.push(() => store.close());
    return store;
  }
  const found = async (store: Store, email: string) => (await store.listEvents({ limit: 50, learner_email: email })).data.map((event) => event.id).sort();

  test('finds the events processed before the upgrade by email, in any case, once the backfill has run', async () => {
    const place = await placeOf();
    await place.writeOld();
    const store = await open(place);
    expect(await found(store, 'learner.0@acme.example')).toEqual([]);
    const filled = await createLearnerEmailBackfill({ store, span: 7, pauseMs: 0, dutyCycle: 1 }).run();
    // The body with a \u0000 escape is filled where it can be read (SQLite), passed by where not.
    expect(filled).toBe(store.kind === 'sqlite' ? 26 : 25);
    const zeros = ['evt_p0', 'evt_p10', 'evt_p15', 'evt_p20', 'evt_p5'];
    expect(await found(store, 'LEARNER.0@acme.example')).toEqual(store.kind === 'sqlite' ? ['evt_nul', ...zeros] : zeros);
    expect(await found(store, 'learner.3@ACME.example')).toEqual(['evt_p13', 'evt_p18', 'evt_p23', 'evt_p3', 'evt_p8']);
    // The event still received is found once fan-out completes it, as any new one.
    const received = await store.getEvent('evt_received');
    await store.completeEvent('evt_received', received?.event ?? sample, []);
    expect(await found(store, 'learner.0@acme.example')).toContain('evt_received');
    // Done: the walk ends at once from now on.
    expect(await store.backfillLearnerEmails(7)).toBeNull();
  });

  test('ends with the schema of a store created fresh', async () => {
    const upgraded = await placeOf();
    await upgraded.writeOld();
    await (await open(upgraded)).close();
    const fresh = await placeOf();
    await (await open(fresh)).close();
    expect(await upgraded.schema()).toEqual(await fresh.schema());
  });

  test('fills every event when processes sharing the store run the backfill at once', async () => {
    const place = await placeOf();
    await place.writeOld();
    const stores = [await open(place), await open(place)];
    const filled = await Promise.all(
      stores.map((store) => {
        return createLearnerEmailBackfill({ store, span: 3, pauseMs: 0, dutyCycle: 1 }).run();
      }),
    );
    const [first] = stores;
    expect(filled.reduce((sum, n) => sum + n, 0)).toBe(first?.kind === 'sqlite' ? 26 : 25);
    expect(await found(stores[1] as Store, 'learner.4@acme.example')).toEqual(['evt_p14', 'evt_p19', 'evt_p24', 'evt_p4', 'evt_p9']);
  });
});
