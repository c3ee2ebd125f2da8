import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../logger.ts';
import type { RunningSandbox } from '../sandbox/server.ts';
import { type ApiErrorBody, emulatedApi, issuePaths, openLmsData, receiverForTest, startSandboxLms, startTestHub, type TestHub } from '../testing/index.ts';
import type { ConnectionAnswer } from './schemas.ts';

/**
 * Auto-registration (issue 16 §5) end to end over real HTTP: a test hub registers connections at
 * the sandbox LMS's emulated Learn365 registration API, the sandbox LMS then sends its events to
 * the registered URL (signed with the registered secret), and deleting the connection removes the
 * registration.
 */

let hub: TestHub;
let lms: RunningSandbox;
let dir: string;

const logger = createLogger({ level: 'silent' });

async function startLms(): Promise<RunningSandbox> {
  return startSandboxLms({ data: await openLmsData(path.join(dir, `lms-${Math.random()}.json`), logger), port: 0, host: '127.0.0.1', logger });
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'learnhook-registration-'));
  hub = await startTestHub();
  lms = await startLms();
});
afterAll(async () => {
  await lms.close();
  await hub.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The Learn365 API settings that reach the sandbox LMS `at`, with `override` laid over them. */
function learn365Api(at: RunningSandbox, override: Record<string, unknown> = {}) {
  const base = at.apiBase('learn365');
  if (!base) throw new Error('the sandbox serves no Learn365 API');
  return { ...emulatedApi('learn365').sandboxSettings(base), ...override };
}

/** What the emulated Learn365 holds, asked over its own registration API. */
async function registrationsAt(at: RunningSandbox): Promise<Array<{ Id: string; WebHookUri: string; Secret: string; Filters: string[] }>> {
  const settings = learn365Api(at);
  const ask = () =>
    fetch(`${String(settings.base_url)}/webhooks/registrations`, {
      headers: { authorization: `Basic ${Buffer.from(`api:${String(settings.api_key)}`).toString('base64')}` },
    });
  let response = await ask();
  // The emulator keeps Learn365's rate limit, which the hub's calls share: wait as it asks.
  for (let tries = 0; response.status === 429 && tries < 5; tries += 1) {
    await new Promise((resolve) => setTimeout(resolve, Number(response.headers.get('retry-after') ?? '1') * 1000));
    response = await ask();
  }
  expect(response.status).toBe(200);
  return (await response.json()) as Array<{ Id: string; WebHookUri: string; Secret: string; Filters: string[] }>;
}

describe('auto-registration at Learn365', { timeout: 30_000 }, () => {
  it('registers the ingest URL at Learn365 with the connection secret for the events picked, and says so', async () => {
    const { status, body } = await hub.api<ConnectionAnswer>('POST', '/v1/connections', {
      name: 'reg-picked',
      vendor: 'learn365',
      api: learn365Api(lms),
      register: true,
      events: ['coursecompleted', 'CourseEnrollment'],
    });
    expect(status).toBe(201);
    expect(body.registration).toMatchObject({ state: 'registered', events: ['CourseCompleted', 'CourseEnrollment'] });
    expect(body.registration?.message).toContain('CourseCompleted, CourseEnrollment');
    const held = (await registrationsAt(lms)).find((registration) => registration.Id === body.registration?.remote_id);
    expect(held).toMatchObject({ WebHookUri: body.ingest_url, Secret: body.inbound.secret, Filters: ['CourseCompleted', 'CourseEnrollment'] });
    // Later answers show the same registration.
    expect((await hub.api<ConnectionAnswer>('GET', '/v1/connections/reg-picked')).body.registration).toEqual(body.registration);
  });

  it('receives what the LMS then sends for a registered event and delivers it to a subscriber; other events are not sent', async () => {
    const receiver = await receiverForTest();
    const hook = await hub.api('POST', '/v1/hooks', { url: receiver.url, events: ['enrollment.completed'], filter: { connection: 'reg-picked' } });
    expect(hook.status).toBe(201);
    const emitted = await lms.emit({ vendor: 'learn365', event: 'CourseCompleted' });
    expect(emitted.responses.map((response) => response.status)).toEqual([202]);
    const [delivery] = await receiver.waitFor(1);
    const event = JSON.parse(delivery?.body ?? '{}') as { type: string; source: { connection: string } };
    expect(event).toMatchObject({ type: 'enrollment.completed', source: { connection: 'reg-picked' } });
    // CourseStarted was not picked: the LMS has nowhere to send it.
    await expect(lms.emit({ vendor: 'learn365', event: 'CourseStarted' })).rejects.toThrow(/no learn365 connection/);
  });

  it('removes the registration at Learn365 when the connection is deleted', async () => {
    const created = await hub.api<ConnectionAnswer>('POST', '/v1/connections', {
      name: 'reg-deleted',
      vendor: 'learn365',
      api: learn365Api(lms),
      register: true,
    });
    // No events picked: every Action Learn365 offers.
    expect(created.body.registration?.events).toContain('CourseUnpublished');
    const remoteId = created.body.registration?.remote_id;
    expect((await registrationsAt(lms)).map((registration) => registration.Id)).toContain(remoteId);
    const deleted = await hub.api('DELETE', '/v1/connections/reg-deleted');
    expect(deleted.status).toBe(204);
    expect((await registrationsAt(lms)).map((registration) => registration.Id)).not.toContain(remoteId);
    expect((await hub.api('GET', '/v1/connections/reg-deleted')).status).toBe(404);
  });

  it('saves the connection unregistered when Learn365 refuses the API key, and says why and what to do', async () => {
    const before = (await registrationsAt(lms)).length;
    const { status, body } = await hub.api<ConnectionAnswer>('POST', '/v1/connections', {
      name: 'reg-bad-key',
      vendor: 'learn365',
      api: learn365Api(lms, { api_key: 'not-the-key' }),
      register: true,
      events: ['CourseCompleted'],
    });
    expect(status).toBe(201);
    expect(body.registration).toMatchObject({ state: 'failed', remote_id: null, events: ['CourseCompleted'] });
    expect(body.registration?.message).toMatch(/HTTP 401.*API key.*paste its URL/s);
    expect(await registrationsAt(lms)).toHaveLength(before);
    expect((await hub.api('GET', '/v1/connections/reg-bad-key')).status).toBe(200);
    // Nothing was registered, so deleting asks nothing of Learn365.
    expect((await hub.api('DELETE', '/v1/connections/reg-bad-key')).status).toBe(204);
  });

  it('deletes the connection even when Learn365 cannot be reached to unregister, and says what to remove by hand', async () => {
    const other = await startLms();
    const created = await hub.api<ConnectionAnswer>('POST', '/v1/connections', {
      name: 'reg-lms-gone',
      vendor: 'learn365',
      api: learn365Api(other),
      register: true,
    });
    expect(created.body.registration?.state).toBe('registered');
    await other.close();
    const deleted = await hub.api<{ deleted: boolean; registration: { removed: boolean; message: string } }>('DELETE', '/v1/connections/reg-lms-gone');
    expect(deleted.status).toBe(200);
    expect(deleted.body.deleted).toBe(true);
    expect(deleted.body.registration.removed).toBe(false);
    expect(deleted.body.registration.message).toContain(`Remove the registration ${created.body.registration?.remote_id} in Learn365 (Zensai) by hand`);
    expect((await hub.api('GET', '/v1/connections/reg-lms-gone')).status).toBe(404);
  });

  it('refuses, saving nothing, a registration the vendor cannot make, one without API settings and an event the vendor does not offer', async () => {
    const cases = [
      { body: { name: 'reg-no-api-vendor', vendor: 'standard', register: true }, path: 'register', message: /no webhook registration API/ },
      { body: { name: 'reg-no-settings', vendor: 'learn365', register: true }, path: 'api', message: /API settings/ },
      {
        body: { name: 'reg-unknown', vendor: 'learn365', api: learn365Api(lms), register: true, events: ['CourseExploded'] },
        path: 'events',
        message: /"CourseExploded"/,
      },
      { body: { name: 'reg-events-only', vendor: 'learn365', events: ['CourseCompleted'] }, path: 'events', message: /register/ },
    ];
    for (const { body, path: issuePath, message } of cases) {
      const answer = await hub.api<ApiErrorBody>('POST', '/v1/connections', body);
      expect(answer.status, body.name).toBe(400);
      expect(answer.body.error.message).toMatch(message);
      expect(issuePaths(answer.body)).toContain(issuePath);
      expect((await hub.api('GET', `/v1/connections/${body.name}`)).status).toBe(404);
    }
  });
});
