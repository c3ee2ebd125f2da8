import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../logger.ts';
import type { ConnectionAnswer } from '../../operations/schemas.ts';
import type { RunningSandbox } from '../../sandbox/server.ts';
import { emulatedApi, openLmsData, receiverForTest, startSandboxLms, startTestHub, type TestHub } from '../../testing/index.ts';
import { THINKIFIC_SANDBOX_APP } from './sandbox-api.ts';

/**
 * Thinkific auto-registration (issue 16 §5) end to end over real HTTP, against the sandbox LMS's
 * emulation of Thinkific's Webhooks API v2 (its OpenAPI "Thinkific Webhooks API" 2.0.1: `POST
 * /webhooks {topic, target_url}` answering 201 with the webhook, `DELETE /webhooks/{id}` 204, an
 * OAuth access token as the only auth). The hub registers through an installed app's token, the
 * sandbox sends its events to the webhooks signed with the app's client secret (as "Using Webhooks",
 * https://support.thinkific.dev/hc/en-us/articles/4422685850775, says app-made webhooks are), the
 * hub delivers them, and deleting the connection removes the webhooks.
 */

let hub: TestHub;
let lms: RunningSandbox;
let dir: string;

const logger = createLogger({ level: 'silent' });

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'learnhook-thinkific-registration-'));
  hub = await startTestHub();
});
afterAll(async () => {
  await hub.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  lms = await startSandboxLms({ data: await openLmsData(path.join(dir, `lms-${Math.random()}.json`), logger), port: 0, host: '127.0.0.1', logger });
});
afterEach(() => lms.close());

/** The API settings that reach the sandbox LMS's Thinkific (the app's token among them), with `override` laid over them. */
function thinkificApi(override: Record<string, unknown> = {}) {
  const base = lms.apiBase('thinkific');
  if (!base) throw new Error('the sandbox serves no Thinkific API');
  return { ...emulatedApi('thinkific').sandboxSettings(base), ...override };
}

interface WebhookAnswer {
  id: string;
  topic: string;
  target_url: string;
  status: string;
}

/** The webhooks the emulated Thinkific holds, asked over its Webhooks API with the app's token. */
async function webhooksAtThinkific(): Promise<WebhookAnswer[]> {
  const response = await fetch(`${lms.apiBase('thinkific')}/api/v2/webhooks?limit=100`, {
    headers: { authorization: `Bearer ${THINKIFIC_SANDBOX_APP.access_token}` },
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { items: WebhookAnswer[] }).items;
}

describe('auto-registration at the emulated Thinkific', { timeout: 30_000 }, () => {
  it('makes a webhook per topic through the app token, receives what Thinkific then sends signed with the app secret, and removes the webhooks when the connection is deleted', async () => {
    const created = await hub.api<ConnectionAnswer>('POST', '/v1/connections', {
      name: 'thinkific-sandbox',
      vendor: 'thinkific',
      signing_key: THINKIFIC_SANDBOX_APP.client_secret,
      api: thinkificApi(),
      register: true,
      events: ['enrollment.completed', 'order.created'],
    });
    expect(created.status).toBe(201);
    expect(created.body.registration).toMatchObject({ state: 'registered', events: ['enrollment.completed', 'order.created'] });
    const ids = created.body.registration?.remote_id?.split(',') ?? [];
    expect(ids).toHaveLength(2);
    expect((await webhooksAtThinkific()).map(({ id, topic, target_url, status }) => ({ id, topic, target_url, status }))).toEqual([
      { id: ids[0], topic: 'enrollment.completed', target_url: created.body.ingest_url, status: 'active' },
      { id: ids[1], topic: 'order.created', target_url: created.body.ingest_url, status: 'active' },
    ]);

    const receiver = await receiverForTest();
    const hook = await hub.api('POST', '/v1/hooks', { url: receiver.url, events: ['enrollment.completed'], filter: { connection: 'thinkific-sandbox' } });
    expect(hook.status).toBe(201);
    const emitted = await lms.emit({ vendor: 'thinkific', event: 'enrollment.completed' });
    // 202: the hub verified the signature with the app's client secret.
    expect(emitted.responses.map((response) => response.status)).toEqual([202]);
    const [delivery] = await receiver.waitFor(1);
    const event = JSON.parse(delivery?.body ?? '{}') as { type: string; source: unknown; learner: { email: string } };
    expect(event).toMatchObject({
      type: 'enrollment.completed',
      source: { vendor: 'thinkific', connection: 'thinkific-sandbox', event: 'enrollment.completed' },
    });
    expect(event.learner.email).toBe(emitted.user.email);
    // user.signup was not picked: Thinkific has no webhook to send it to.
    await expect(lms.emit({ vendor: 'thinkific', event: 'user.signup' })).rejects.toThrow(/no thinkific connection/);

    expect((await hub.api('DELETE', '/v1/connections/thinkific-sandbox')).status).toBe(204);
    expect(await webhooksAtThinkific()).toEqual([]);
    await expect(lms.emit({ vendor: 'thinkific', event: 'enrollment.completed' })).rejects.toThrow(/no thinkific connection/);
  });

  it('saves the connection unregistered, saying what is missing, when the API settings hold only the API key', async () => {
    const { access_token: _token, ...keyOnly } = thinkificApi();
    const created = await hub.api<ConnectionAnswer>('POST', '/v1/connections', {
      name: 'thinkific-key-only',
      vendor: 'thinkific',
      api: keyOnly,
      register: true,
    });
    expect(created.status).toBe(201);
    // No topics picked: every one the adapter maps.
    expect(created.body.registration).toMatchObject({ state: 'failed', remote_id: null });
    expect(created.body.registration?.events).toContain('lead.created');
    expect(created.body.registration?.message).toMatch(/Webhooks API takes an app's OAuth access token, not the API key: add the API setting access_token/);
    expect(await webhooksAtThinkific()).toEqual([]);
  });

  it('says Thinkific refused a token it does not know, and makes no webhook', async () => {
    const created = await hub.api<ConnectionAnswer>('POST', '/v1/connections', {
      name: 'thinkific-bad-token',
      vendor: 'thinkific',
      api: thinkificApi({ access_token: 'expired-token' }),
      register: true,
      events: ['enrollment.created'],
    });
    expect(created.body.registration?.state).toBe('failed');
    expect(created.body.registration?.message).toMatch(
      /Thinkific refused the webhook for enrollment\.created \(HTTP 401\): Authentication Error.*Check the app access token/,
    );
    expect(await webhooksAtThinkific()).toEqual([]);
  });
});
