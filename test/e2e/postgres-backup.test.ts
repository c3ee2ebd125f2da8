import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  completionRequest,
  dropSchema,
  eventually,
  postgresUnavailable,
  startReceiver,
  startTestHub,
  TEST_DATABASE_URL,
  testSchemaName,
  withClient,
} from '@learnhook/core/testing';
import { describe, expect, it } from 'vitest';
import { CLI } from '../lib/hub-process.ts';

/**
 * Issue 17 §2 on PostgreSQL: the README's pg_dump / pg_restore, run for real. A hub restored from
 * the dump serves the same hooks and API keys and sends the delivery that was still pending.
 */

const pgUnavailable = await postgresUnavailable();
const noTools = ['pg_dump', 'pg_restore'].find((tool) => spawnSync('which', [tool]).status !== 0);
const skip = pgUnavailable ?? (noTools ? `${noTools} is not installed (apt-get install postgresql-client)` : null);
if (skip) console.warn(`SKIPPED the PostgreSQL backup test: ${skip}`);

async function admin(sql: string): Promise<void> {
  await withClient(null, (client) => client.query(sql));
}

describe.skipIf(skip !== null)('PostgreSQL backup with pg_dump and pg_restore', () => {
  it('restores into another database a hub that has the same hooks and API keys and sends the delivery that was pending', async () => {
    const schema = testSchemaName('lh_dump');
    const restoredDb = `lh_restored_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
    const secretKey = randomBytes(32).toString('base64');
    const dump = path.join(mkdtempSync(path.join(os.tmpdir(), 'learnhook-pgdump-')), 'learnhook.dump');
    const receiver = await startReceiver();
    try {
      const env = { DATABASE_URL: `${TEST_DATABASE_URL}?schema=${schema}`, LEARNHOOK_SECRET_KEY: secretKey };
      const source = await startTestHub(env);
      let hookId: string;
      let eventId: string;
      let key: string;
      try {
        const connection = await source.api('POST', '/v1/connections', { name: 'acme', vendor: 'standard' });
        hookId = (await source.api('POST', '/v1/hooks', { url: `${receiver.url}/hook`, events: ['*'] })).body.id;
        // Paused: the event's delivery is created and held, pending, until the hook is active again.
        expect((await source.api('PATCH', `/v1/hooks/${hookId}`, { status: 'paused' })).status).toBe(200);
        const keys = spawnSync(process.execPath, [CLI, 'keys', 'create', '--label', 'n8n'], { env: { ...process.env, ...env }, encoding: 'utf8' });
        key = keys.stdout.split('\n')[0] ?? '';
        const request = completionRequest('standard', connection.body.inbound, 1);
        const ingested = await fetch(connection.body.ingest_url, { method: 'POST', headers: request.headers, body: request.body });
        eventId = ((await ingested.json()) as { event_ids: string[] }).event_ids[0] ?? '';
        await eventually(
          async () => (await source.api('GET', `/v1/deliveries?hook_id=${hookId}`)).body.data.some((d: { status: string }) => d.status === 'pending'),
          10_000,
          'a pending delivery',
        );
      } finally {
        await source.close();
      }

      // As the README says: the schema with pg_dump, into a new database with pg_restore.
      const dumped = spawnSync('pg_dump', ['--format=custom', `--schema=${schema}`, `--file=${dump}`, TEST_DATABASE_URL], { encoding: 'utf8' });
      expect(dumped.stderr).toBe('');
      expect(dumped.status).toBe(0);
      await admin(`CREATE DATABASE ${restoredDb}`);
      const restoredUrl = new URL(TEST_DATABASE_URL);
      restoredUrl.pathname = `/${restoredDb}`;
      const restoredRun = spawnSync('pg_restore', ['--no-owner', `--dbname=${restoredUrl}`, dump], { encoding: 'utf8' });
      expect(restoredRun.stderr).toBe('');
      expect(restoredRun.status).toBe(0);

      const restored = await startTestHub({ DATABASE_URL: `${restoredUrl}?schema=${schema}`, LEARNHOOK_SECRET_KEY: secretKey });
      try {
        expect((await restored.api('GET', '/v1/hooks')).body.data.map((hook: { id: string }) => hook.id)).toEqual([hookId]);
        expect((await restored.api('GET', '/v1/me', undefined, key)).body).toMatchObject({ label: 'n8n' });
        expect((await restored.api('GET', '/v1/connections/acme')).status).toBe(200);
        expect((await restored.api('PATCH', `/v1/hooks/${hookId}`, { status: 'active' })).status).toBe(200);
        const [delivery] = await receiver.waitFor(1, 15_000);
        expect((JSON.parse(delivery?.body ?? '{}') as { id: string }).id).toBe(eventId);
      } finally {
        await restored.close();
      }
    } finally {
      await receiver.close();
      await dropSchema(schema);
      await admin(`DROP DATABASE IF EXISTS ${restoredDb} WITH (FORCE)`);
    }
  }, 90_000);
});
