import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { CATALOG, CATALOG_VERSION } from '../../catalog/index.ts';
import type { AuditItem, ConnectionAnswer } from '../../operations/schemas.ts';
import {
  ADMIN_KEY,
  COURSE_ID,
  completionRequest,
  type Receiver,
  sendToIngest,
  startReceiver,
  startTestHub,
  type TestHub,
  USER_ID,
} from '../../testing/index.ts';

/** /v1/me, /v1/catalog, /v1/lookup/* and /v1/audit over real HTTP on loopback, against a test hub. */

type AuditEntry = z.infer<typeof AuditItem>;

const logLines: string[] = [];
let hub: TestHub;
let receiver: Receiver;
let integrationKey: string;

beforeAll(async () => {
  hub = await startTestHub({}, undefined, { logDestination: { write: (line: string) => void logLines.push(line) } });
  receiver = await startReceiver();
  integrationKey = await hub.createKey('--label', 'zapier', '--scope', 'hooks', '--scope', 'events');
});
afterAll(async () => {
  await hub.close();
  await receiver.close();
});

async function keyId(key: string): Promise<string> {
  const me = await hub.api<{ key_id: string }>('GET', '/v1/me', undefined, key);
  expect(me.status).toBe(200);
  return me.body.key_id;
}

async function ingestedEventId(connection: ConnectionAnswer, n: number): Promise<string> {
  const answer = await sendToIngest(connection.ingest_url, completionRequest('absorb', connection.inbound, n));
  expect(answer.status).toBe(202);
  const {
    event_ids: [eventId],
  } = (await answer.json()) as { event_ids: string[] };
  if (!eventId) throw new Error('the hub answered no event id');
  return eventId;
}

describe('/v1/me', () => {
  it("answers any valid key with its id, label and scopes and the hub's version and URL", async () => {
    const me = await hub.api('GET', '/v1/me', undefined, integrationKey);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      key_id: expect.any(String),
      label: 'zapier',
      scopes: ['hooks', 'events'],
      hub: { version: expect.any(String), url: hub.url },
    });
    expect(JSON.stringify(me.body)).not.toContain(integrationKey);
  });
});

describe('/v1/catalog', () => {
  it('answers every catalog event type with its schema and sample', async () => {
    const catalog = await hub.api<{ version: number; data: Array<{ type: string; sample: { type: string } }> }>(
      'GET',
      '/v1/catalog',
      undefined,
      integrationKey,
    );
    expect(catalog.status).toBe(200);
    expect(catalog.body.version).toBe(CATALOG_VERSION);
    expect(catalog.body.data.map((entry) => entry.type)).toEqual(CATALOG.map((entry) => entry.type));
    for (const entry of catalog.body.data) expect(entry.sample.type, entry.type).toBe(entry.type);
  });
});

describe('/v1/lookup', () => {
  it('answers the courses and learners recent events named when the connection has no LMS API, filtered by q', async () => {
    const connection = await hub.api<ConnectionAnswer>('POST', '/v1/connections', { name: 'lookup-absorb', vendor: 'absorb' });
    expect(connection.status).toBe(201);
    await ingestedEventId(connection.body, 901);
    const courses = await hub.api<{ data: Array<{ id: string }>; next_cursor: null }>(
      'GET',
      '/v1/lookup/courses?connection=lookup-absorb',
      undefined,
      integrationKey,
    );
    expect(courses.status).toBe(200);
    expect(courses.body).toMatchObject({ data: [{ id: COURSE_ID }], next_cursor: null });
    const users = await hub.api<{ data: Array<{ id: string }> }>(
      'GET',
      `/v1/lookup/users?connection=lookup-absorb&q=${USER_ID.slice(0, 8)}`,
      undefined,
      integrationKey,
    );
    expect(users.body.data.map((user) => user.id)).toEqual([USER_ID]);
    const none = await hub.api<{ data: unknown[] }>('GET', '/v1/lookup/users?connection=lookup-absorb&q=nobody-by-this-name', undefined, integrationKey);
    expect(none.body.data).toEqual([]);
  });

  it('answers 404 naming the lookups there are to an unknown kind', async () => {
    const unknown = await hub.api('GET', '/v1/lookup/teams', undefined, integrationKey);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toContain('use courses or users');
  });
});

describe('audit trail', () => {
  it('records hook, connection and replay actions newest first with the acting key, and logs each as a structured line', async () => {
    const integrationId = await keyId(integrationKey);
    const adminId = await keyId(ADMIN_KEY);

    const hook = await hub.api('POST', '/v1/hooks', { url: `${receiver.url}/audit`, events: ['*'], filter: { connection: 'audit-absorb' } }, integrationKey);
    expect(hook.status).toBe(201);
    expect((await hub.api('PATCH', `/v1/hooks/${hook.body.id}`, { description: 'CRM sync' }, integrationKey)).status).toBe(200);
    const connection = await hub.api<ConnectionAnswer>('POST', '/v1/connections', { name: 'audit-absorb', vendor: 'absorb' });
    expect(connection.status).toBe(201);
    expect((await hub.api('PATCH', `/v1/connections/${connection.body.id}`, { description: 'Acme portal' })).status).toBe(200);
    const eventId = await ingestedEventId(connection.body, 501);
    await receiver.waitFor(1);
    await hub.hub.fanOut.idle();
    const replay = await hub.api('POST', `/v1/events/${eventId}/replay`, undefined, integrationKey);
    expect(replay.status).toBe(202);
    expect(replay.body.deliveries).toHaveLength(1);
    expect((await hub.api('DELETE', `/v1/hooks/${hook.body.id}`, undefined, integrationKey)).status).toBe(204);

    const expected = [
      { action: 'hook.created', actor: integrationId, target: hook.body.id },
      { action: 'hook.changed', actor: integrationId, target: hook.body.id },
      { action: 'connection.created', actor: adminId, target: connection.body.id },
      { action: 'connection.changed', actor: adminId, target: connection.body.id },
      { action: 'event.replayed', actor: integrationId, target: eventId },
      { action: 'hook.deleted', actor: integrationId, target: hook.body.id },
    ];
    const targets = new Set([hook.body.id, connection.body.id, eventId]);

    const audit = await hub.api<{ data: AuditEntry[] }>('GET', '/v1/audit?limit=100');
    expect(audit.status).toBe(200);
    const mine = audit.body.data.filter((entry) => entry.target !== null && targets.has(entry.target));
    expect(mine.map(({ action, actor, target }) => ({ action, actor, target }))).toEqual([...expected].reverse());
    const times = mine.map((entry) => Date.parse(entry.at));
    expect(times).toEqual([...times].sort((a, b) => b - a));

    const logged = logLines
      .map((line) => JSON.parse(line) as { audit?: { action: string; actor: string; target: string | null } })
      .flatMap((line) => (line.audit?.target && targets.has(line.audit.target) ? [line.audit] : []))
      .map(({ action, actor, target }) => ({ action, actor, target }));
    expect(logged).toEqual(expected);
    for (const secret of [integrationKey, ADMIN_KEY, String(hook.body.secret)]) {
      expect(logLines.some((line) => line.includes(secret))).toBe(false);
    }
  });

  it('is for admin keys only', async () => {
    const refused = await hub.api('GET', '/v1/audit', undefined, integrationKey);
    expect(refused.status).toBe(403);
  });
});
