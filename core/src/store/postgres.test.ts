import { afterEach, describe, expect, it } from 'vitest';
import { dropSchema, postgresUnavailable, TEST_DATABASE_URL, testSchemaName, withClient } from '../testing/postgres.ts';
import { hookRecord, ingestInput } from '../testing/store-fixtures.ts';
import { eventually } from '../testing/wait.ts';
import { openPostgresStore } from './postgres.ts';
import { PG_HOT_QUERIES } from './postgres-claims.ts';
import { PG_MIGRATIONS } from './postgres-migrations.ts';
import type { Store, WakeTopic } from './store.ts';

/** What only the PostgreSQL store does; the Store contract both keep is tested in store.test.ts. */

const pgUnavailable = await postgresUnavailable();
if (pgUnavailable) console.warn(`SKIPPED the PostgreSQL-only store tests: ${pgUnavailable}`);

const opened: Store[] = [];
const schemas: string[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
  for (const schema of schemas.splice(0)) await dropSchema(schema);
});

function newSchema(): string {
  const schema = testSchemaName('lh_pg');
  schemas.push(schema);
  return schema;
}

async function open(schema: string, url = TEST_DATABASE_URL): Promise<Store> {
  const store = await openPostgresStore({ url, schema, poolMax: 3 });
  opened.push(store);
  return store;
}

describe.skipIf(pgUnavailable)('the postgres store', () => {
  it('runs each migration once when several processes open a new schema together', async () => {
    const schema = newSchema();
    await Promise.all(Array.from({ length: 4 }, () => open(schema, `${TEST_DATABASE_URL}?schema=${schema}`)));
    const versions = await withClient(
      schema,
      async (client) => (await client.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')).rows,
    );
    expect(versions.map((row) => row.version)).toEqual(PG_MIGRATIONS.map((_, index) => index + 1));
    // A store opened later finds the schema current and works on it.
    const later = await open(schema);
    expect(await later.ingest(ingestInput('x'))).toEqual({ inserted: ['evt_x'], duplicates: [], ids: ['evt_x'] });
  });

  it('keeps each schema to itself', async () => {
    const [a, b] = [await open(newSchema()), await open(newSchema())];
    await a.ingest(ingestInput('only-a'));
    expect((await b.listEvents({ limit: 5 })).data).toEqual([]);
    expect((await a.listEvents({ limit: 5 })).data.map((event) => event.id)).toEqual(['evt_only-a']);
  });

  it('wakes the other processes on the schema after work is committed, and not itself', async () => {
    const schema = newSchema();
    const [a, b] = [await open(schema), await open(schema)];
    const heardByA: WakeTopic[] = [];
    const heardByB: WakeTopic[] = [];
    a.onWake((topic) => heardByA.push(topic));
    b.onWake((topic) => heardByB.push(topic));
    // Listening starts with a wake for everything, in case work came while nobody listened.
    await eventually(async () => heardByB.length >= 3 && heardByA.length >= 3, 10_000, 'both listeners to connect');
    heardByA.length = 0;
    heardByB.length = 0;

    await a.insertHook(hookRecord('h1'));
    await a.ingest(ingestInput('1'));
    await a.insertDeliveries([{ id: 'dlv_1', event_id: 'evt_1', hook_id: 'h1', next_attempt_at: 1, reason: 'event' }]);
    await eventually(
      async () => ['hooks', 'events', 'deliveries'].every((topic) => heardByB.includes(topic as WakeTopic)),
      10_000,
      'b to hear hooks, events and deliveries',
    );
    expect(heardByA).toEqual([]);

    // A resent event stores nothing new, so nobody is woken for it.
    await a.ingest(ingestInput('1'));
    await b.ingest(ingestInput('2'));
    await eventually(async () => heardByA.includes('events'), 10_000, 'a to hear b ingest');
    expect(heardByA).toEqual(['events']);
  });

  it('listens again by itself after its listening connection is cut, and looks for missed work then', async () => {
    const schema = newSchema();
    const errors: unknown[] = [];
    const a = await open(schema);
    const b = await openPostgresStore({ url: TEST_DATABASE_URL, schema, poolMax: 2, onListenError: (error) => errors.push(error) });
    opened.push(b);
    const heard: WakeTopic[] = [];
    b.onWake((topic) => heard.push(topic));
    await eventually(async () => heard.length >= 3, 10_000, 'the listener to connect');
    const cut = await withClient(
      schema,
      async (client) => (await client.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'LISTEN "learnhook_${schema}"'`)).rowCount,
    );
    expect(cut).toBe(1);
    heard.length = 0;
    // On reconnecting it wakes everything once, in case work came while it was not listening.
    await eventually(async () => heard.length >= 3, 10_000, 'the listener to reconnect');
    expect(errors.length).toBeGreaterThan(0);
    heard.length = 0;
    await a.ingest(ingestInput('after'));
    await eventually(async () => heard.includes('events'), 10_000, 'the reconnected listener to hear new events');
  });

  it('answers every hot-path query from an index in its order, without sorting the backlog', async () => {
    const schema = newSchema();
    await open(schema);
    const plans = await withClient(schema, async (client) => {
      // On empty tables a sequential scan is cheapest; what is checked is that an index answers
      // each query in its order when the tables are large, so the planner is told scans and sorts cost.
      await client.query('SET enable_seqscan = off');
      await client.query('SET enable_sort = off');
      const params: Record<keyof typeof PG_HOT_QUERIES, unknown[]> = { claimEvents: [1, 10, 2], dueHooks: [1], claimDeliveries: ['h1', 1, 10, 2], nextDue: [] };
      const result: Record<string, string> = {};
      for (const [name, sql] of Object.entries(PG_HOT_QUERIES)) {
        const rows = (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, params[name as keyof typeof PG_HOT_QUERIES])).rows;
        result[name] = rows.map((row) => row['QUERY PLAN']).join('\n');
      }
      return result;
    });
    expect(plans.claimEvents).toMatch(/Index (Only )?Scan using events_received/);
    expect(plans.dueHooks).toMatch(/Index (Only )?Scan using deliveries_due/);
    expect(plans.claimDeliveries).toMatch(/Index (Only )?Scan using deliveries_due/);
    expect(plans.nextDue).toMatch(/Index (Only )?Scan using deliveries_waiting/);
    for (const [name, plan] of Object.entries(plans)) {
      expect(plan, name).not.toMatch(/Seq Scan on (events|deliveries)/);
      // The only sort allowed puts the claimed batch (at most `limit` rows) in order.
      expect(
        [...plan.matchAll(/Sort Key: (.*)/g)].map((match) => match[1]),
        name,
      ).toEqual(name === 'claimDeliveries' ? ['c.seq'] : []);
    }
  });
});
