import { randomBytes } from 'node:crypto';
import { completionRequest, eventually, postgresUnavailable, startReceiver, startTestHub, TEST_DATABASE_URL, withClient } from '@learnhook/core/testing';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';

/**
 * Issue 17 §7 on PostgreSQL: a database that turns read-only (SQLSTATE 25006) makes ingest answer
 * 503 with Retry-After, and the hub takes writes again once it is writable. The test makes a
 * database of its own read-only (ALTER DATABASE ... SET default_transaction_read_only), the way a
 * failover to a standby looks to the hub, and drops it afterwards: nothing else is touched.
 */

const pgUnavailable = await postgresUnavailable();
if (pgUnavailable) console.warn(`SKIPPED the PostgreSQL read-only test: ${pgUnavailable}`);

const admin = <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => withClient(null, work);

/** Ends the hub's connections, so the ones its pool opens next start with the database's new defaults. */
const reconnect = (database: string) =>
  admin((client) => client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]));

describe.skipIf(pgUnavailable)('a hub on a PostgreSQL database that turns read-only', () => {
  it('answers 503 with Retry-After and says read-only while it is, then takes and delivers again once it is writable', async () => {
    const database = `lh_ro_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
    await admin((client) => client.query(`CREATE DATABASE ${database}`));
    const url = new URL(TEST_DATABASE_URL);
    url.pathname = `/${database}`;
    const receiver = await startReceiver();
    const hub = await startTestHub({ DATABASE_URL: url.toString(), LEARNHOOK_SECRET_KEY: randomBytes(32).toString('base64') });
    try {
      const connection = await hub.api('POST', '/v1/connections', { name: 'acme', vendor: 'standard' });
      expect((await hub.api('POST', '/v1/hooks', { url: `${receiver.url}/hook`, events: ['*'] })).status).toBe(201);
      let n = 0;
      const send = async () => {
        n += 1;
        const request = completionRequest('standard', connection.body.inbound, n);
        const response = await fetch(connection.body.ingest_url, { method: 'POST', headers: request.headers, body: request.body });
        return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, any> };
      };
      const acknowledged: string[] = [];
      const first = await send();
      expect(first.status).toBe(202);
      acknowledged.push(...first.body.event_ids);

      await admin((client) => client.query(`ALTER DATABASE ${database} SET default_transaction_read_only = on`));
      await reconnect(database);
      const refused = await eventually(
        async () => {
          const answer = await send();
          if (answer.status === 202) acknowledged.push(...answer.body.event_ids);
          return answer.status === 503 ? answer : undefined;
        },
        15_000,
        'an ingest refused with 503',
      );
      expect(refused.headers.get('retry-after')).toBe('30');
      expect(refused.body.error).toMatchObject({ code: 'store_unavailable', details: { reason: 'read_only' } });
      expect((await send()).status).toBe(503);
      const health = await fetch(`${hub.url}/healthz`);
      expect(health.status).toBe(503);
      expect(await health.json()).toMatchObject({ store: { writable: false, reason: 'read_only' } });

      await admin((client) => client.query(`ALTER DATABASE ${database} RESET default_transaction_read_only`));
      await reconnect(database);
      const accepted = await eventually(
        async () => {
          const answer = await send();
          return answer.status === 202 ? answer : undefined;
        },
        15_000,
        'an ingest accepted again',
      );
      acknowledged.push(...accepted.body.event_ids);
      await eventually(async () => (await fetch(`${hub.url}/healthz`)).status === 200, 10_000, '/healthz to answer 200 again');
      await eventually(
        async () => {
          const delivered = new Set(receiver.received.map((request) => (JSON.parse(request.body) as { id: string }).id));
          return acknowledged.every((id) => delivered.has(id));
        },
        20_000,
        'every acknowledged event to be delivered',
      );
    } finally {
      await hub.close();
      await receiver.close();
      await admin((client) => client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
    }
  }, 90_000);
});
