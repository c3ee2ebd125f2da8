import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  completionRequest,
  dropSchema,
  postgresUnavailable,
  TEST_DATABASE_URL,
  testSchemaName,
  eventually,
  startReceiver,
  startTestHub,
  type TestHub,
} from '@learnhook/core/testing';
import { CLI } from '../lib/hub-process.ts';

/**
 * Two hubs on one PostgreSQL schema (issue 10): whatever one is told, the other knows, and
 * retries, replay and 410 behave as on the embedded store. The three-process load and crash run
 * is scale-out.test.ts.
 */

const pgUnavailable = await postgresUnavailable();
if (pgUnavailable) console.warn(`SKIPPED the PostgreSQL e2e tests: ${pgUnavailable}`);

const schema = testSchemaName('lh_e2e');
const env = { DATABASE_URL: `${TEST_DATABASE_URL}?schema=${schema}`, LEARNHOOK_SECRET_KEY: randomBytes(32).toString('base64') };
const keys = (...args: string[]) => spawnSync(process.execPath, [CLI, 'keys', ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });

let a: TestHub;
let b: TestHub;

describe.skipIf(pgUnavailable)('two hubs on one PostgreSQL', () => {
  beforeAll(async () => {
    // Started together: both seed the same admin key and race to create the schema.
    [a, b] = await Promise.all([startTestHub(env), startTestHub(env)]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await dropSchema(schema);
  });

  async function almConnection(name: string) {
    const created = await a.api<{ ingest_url: string; inbound: Record<string, unknown> }>('POST', '/v1/connections', { name, vendor: 'adobe-alm' });
    expect(created.status).toBe(201);
    const ingestPath = new URL(created.body.ingest_url).pathname;
    return async (hub: TestHub, n: number) => {
      const request = completionRequest('adobe-alm', created.body.inbound, n);
      const response = await fetch(hub.url + ingestPath + request.path, { method: 'POST', headers: request.headers, body: request.body });
      expect(response.status).toBe(202);
      return ((await response.json()) as { event_ids: string[] }).event_ids[0] ?? '';
    };
  }

  it('has each hub count the other, so each takes half of every LMS rate limit', async () => {
    await eventually(async () => a.hub.processes() === 2 && b.hub.processes() === 2, 15_000, 'both hubs to count two processes');
  });

  it('refuses to start on PostgreSQL without LEARNHOOK_SECRET_KEY, which every process must share', async () => {
    await expect(startTestHub({ DATABASE_URL: env.DATABASE_URL })).rejects.toThrow(/LEARNHOOK_SECRET_KEY/);
  });

  it('creates keys from the CLI that both hubs accept, and a revoke on the CLI is seen by both at once', async () => {
    const created = keys('create', '--label', 'shared');
    expect(created.stderr).toBe('');
    expect(created.status).toBe(0);
    const key = created.stdout.split('\n')[0] ?? '';
    for (const hub of [a, b]) expect((await hub.api('GET', '/v1/me', undefined, key)).body).toMatchObject({ label: 'shared' });
    const id = (await a.api('GET', '/v1/me', undefined, key)).body.key_id as string;
    expect(keys('revoke', id).status).toBe(0);
    for (const hub of [a, b]) expect((await hub.api('GET', '/v1/me', undefined, key)).status).toBe(401);
  });

  it('delivers an event ingested at one hub to a hook created at the other, and replays it from either', async () => {
    const receiver = await startReceiver();
    try {
      const send = await almConnection('pg-shared');
      const hook = await a.api('POST', '/v1/hooks', { url: `${receiver.url}/hook`, events: ['enrollment.completed'], filter: { connection: ['pg-shared'] } });
      expect(hook.status).toBe(201);
      const eventId = await send(b, 1);
      const [delivered] = await receiver.waitFor(1, 20_000);
      expect(JSON.parse(delivered?.body ?? '{}')).toMatchObject({ id: eventId, type: 'enrollment.completed', source: { connection: 'pg-shared' } });
      expect(delivered?.headers['webhook-signature']).toMatch(/^v1,/);
      expect((await b.api('GET', `/v1/events/${eventId}`)).body).toMatchObject({ id: eventId });

      expect((await b.api('POST', `/v1/events/${eventId}/replay`, {})).status).toBe(202);
      await receiver.waitFor(2, 20_000);
      expect(receiver.received.map((request) => JSON.parse(request.body).id)).toEqual([eventId, eventId]);
      const deliveries = async () => (await a.api<{ data: Array<{ status: string; reason: string }> }>('GET', `/v1/deliveries?event_id=${eventId}`)).body.data;
      await eventually(async () => (await deliveries()).every((delivery) => delivery.status === 'succeeded'), 10_000, 'both deliveries recorded as succeeded');
      expect((await deliveries()).map((delivery) => delivery.reason).sort()).toEqual(['event', 'replay']);
    } finally {
      await receiver.close();
    }
  });

  it('retries a failed delivery, and deletes the hook for both hubs when its target answers 410', async () => {
    const receiver = await startReceiver((_, index) => ({ status: index === 0 ? 500 : 410 }));
    try {
      const send = await almConnection('pg-gone');
      const hook = await b.api<{ id: string }>('POST', '/v1/hooks', { url: `${receiver.url}/gone`, events: ['*'], filter: { connection: ['pg-gone'] } });
      const eventId = await send(a, 2);
      // The 500 is retried on the schedule (5 s, with jitter); the retry meets the 410.
      await receiver.waitFor(2, 25_000);
      await eventually(async () => (await a.api('GET', `/v1/hooks/${hook.body.id}`)).status === 404, 10_000, 'the hook to be deleted');
      expect((await b.api('GET', `/v1/hooks/${hook.body.id}`)).status).toBe(404);
      expect(receiver.received.map((request) => JSON.parse(request.body).id)).toEqual([eventId, eventId]);
      const audit = await b.api<{ data: Array<{ action: string; target: string }> }>('GET', '/v1/audit?limit=20');
      expect(audit.body.data.some((entry) => entry.action === 'hook.deleted' && entry.target === hook.body.id)).toBe(true);
    } finally {
      await receiver.close();
    }
  });
});
