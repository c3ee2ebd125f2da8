import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../logger.ts';
import type { ConnectionAnswer } from '../../operations/schemas.ts';
import type { RunningSandbox } from '../../sandbox/server.ts';
import { emulatedApi, listenForTest, openLmsData, receiverForTest, startSandboxLms, startTestHub, type TestHub } from '../../testing/index.ts';

/**
 * Kajabi auto-registration (issue 16 §5) over real HTTP, with the hooks API as its reference
 * describes it (https://developers.kajabi.com/api-reference/webhooks/create-hook, list-hooks,
 * delete-hook: JSON:API `{data: {type: "hooks", attributes: {event, target_url}, relationships:
 * {site}}}`, 201 with the hook, 204 on delete; https://developers.kajabi.com/api-reference/sites/list-sites).
 * End to end against the sandbox LMS's emulated Kajabi: the hub registers, the sandbox sends its
 * events to the hooks, the hub delivers them, and deleting the connection removes the hooks. A small
 * server in this test plays the cases the emulator does not produce (a refused event, several sites).
 */

let hub: TestHub;
let lms: RunningSandbox;
let dir: string;

const logger = createLogger({ level: 'silent' });

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'learnhook-kajabi-registration-'));
  hub = await startTestHub();
});
afterAll(async () => {
  await hub.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The API settings that reach the sandbox LMS's Kajabi, with `override` laid over them. */
function kajabiApi(override: Record<string, unknown> = {}) {
  const base = lms.apiBase('kajabi');
  if (!base) throw new Error('the sandbox serves no Kajabi API');
  return { ...emulatedApi('kajabi').sandboxSettings(base), ...override };
}

interface HookAnswer {
  id: string;
  attributes: { event: string; target_url: string };
  relationships: { site: { data: { id: string } } };
}

/** One exchange with the emulated Kajabi, which keeps Kajabi's rate limit (shared with the hub's calls): waits as it asks. */
async function ask(url: string, init: RequestInit): Promise<Response> {
  let response = await fetch(url, init);
  for (let tries = 0; response.status === 429 && tries < 5; tries += 1) {
    await new Promise((resolve) => setTimeout(resolve, Number(response.headers.get('retry-after') ?? '1') * 1000));
    response = await fetch(url, init);
  }
  return response;
}

/** The test's own token, asked for once: token requests share one small bucket with the hub's. */
let testToken: Promise<string> | undefined;

/** The hooks the emulated Kajabi holds, asked over its own API as any client would. */
async function hooksAtKajabi(): Promise<HookAnswer[]> {
  const settings = kajabiApi();
  testToken ??= ask(`${String(settings.base_url)}/v1/oauth/token`, {
    method: 'POST',
    body: new URLSearchParams({ client_id: String(settings.client_id), client_secret: String(settings.client_secret), grant_type: 'client_credentials' }),
  }).then(async (response) => ((await response.json()) as { access_token: string }).access_token);
  const response = await ask(`${String(settings.base_url)}/v1/hooks?page[size]=100`, { headers: { authorization: `Bearer ${await testToken}` } });
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: HookAnswer[] }).data;
}

describe('auto-registration at the emulated Kajabi', { timeout: 30_000 }, () => {
  /**
   * A sandbox LMS of its own for each test: the emulated Kajabi keeps one small bucket for every
   * token request (Kajabi's limit is unpublished), which the hub's API check and warm-up share.
   */
  beforeEach(async () => {
    lms = await startSandboxLms({ data: await openLmsData(path.join(dir, `lms-${Math.random()}.json`), logger), port: 0, host: '127.0.0.1', logger });
    testToken = undefined;
  });
  afterEach(() => lms.close());

  it('says the credentials were refused, and makes no hook', async () => {
    const before = (await hooksAtKajabi()).length;
    const created = await hub.api<ConnectionAnswer>('POST', '/v1/connections', {
      name: 'kajabi-bad-secret',
      vendor: 'kajabi',
      api: kajabiApi({ client_secret: 'wrong' }),
      register: true,
    });
    expect(created.status).toBe(201);
    expect(created.body.registration).toMatchObject({ state: 'failed', remote_id: null });
    expect(created.body.registration?.message).toMatch(/Kajabi refused the client credentials \(HTTP 401\)\. Check the client ID and secret/);
    expect(await hooksAtKajabi()).toHaveLength(before);
  });

  it('makes a hook per event for the ingest URL on the key’s site, receives what Kajabi then sends, and removes the hooks when the connection is deleted', async () => {
    const created = await hub.api<ConnectionAnswer>('POST', '/v1/connections', {
      name: 'kajabi-sandbox',
      vendor: 'kajabi',
      api: kajabiApi(),
      register: true,
      events: ['purchase', 'form_submission'],
    });
    expect(created.status).toBe(201);
    expect(created.body.registration).toMatchObject({ state: 'registered', events: ['purchase', 'form_submission'] });
    const ids = created.body.registration?.remote_id?.split(',') ?? [];
    expect(ids).toHaveLength(2);
    const held = (await hooksAtKajabi()).filter((hook) => ids.includes(hook.id));
    expect(held.map((hook) => [hook.attributes.event, hook.attributes.target_url, hook.relationships.site.data.id])).toEqual([
      ['purchase', created.body.ingest_url, '2'],
      ['form_submission', created.body.ingest_url, '2'],
    ]);

    const receiver = await receiverForTest();
    expect((await hub.api('POST', '/v1/hooks', { url: receiver.url, events: ['order.created'], filter: { connection: 'kajabi-sandbox' } })).status).toBe(201);
    const emitted = await lms.emit({ vendor: 'kajabi', event: 'purchase' });
    expect(emitted.responses.map((response) => response.status)).toEqual([202]);
    const [delivery] = await receiver.waitFor(1);
    expect(JSON.parse(delivery?.body ?? '{}')).toMatchObject({
      type: 'order.created',
      source: { vendor: 'kajabi', connection: 'kajabi-sandbox', event: 'purchase' },
    });
    // tag_added was not picked: Kajabi has no hook to send it to.
    await expect(lms.emit({ vendor: 'kajabi', event: 'tag_added' })).rejects.toThrow(/no kajabi connection/);

    expect((await hub.api('DELETE', '/v1/connections/kajabi-sandbox')).status).toBe(204);
    expect((await hooksAtKajabi()).filter((hook) => ids.includes(hook.id))).toEqual([]);
    await expect(lms.emit({ vendor: 'kajabi', event: 'purchase' })).rejects.toThrow(/no kajabi connection/);
  });
});

/** A Kajabi whose hooks API refuses `refuse` and whose key reaches `sites`. */
async function fakeKajabi(options: { refuse?: string; sites?: Array<{ id: string; title: string }> } = {}) {
  const hooks = new Map<string, { event: string; site: string }>();
  let next = 100;
  const app = express();
  app.post('/v1/oauth/token', express.urlencoded({ extended: false }), (_req, res) => {
    res.json({ access_token: 'token-1', expires_in: 3600 });
  });
  app.get('/v1/sites', (_req, res) => {
    res.json({ data: (options.sites ?? [{ id: '7', title: 'Only' }]).map(({ id, title }) => ({ id, type: 'sites', attributes: { title } })) });
  });
  app.post('/v1/hooks', express.json({ type: 'application/vnd.api+json' }), (req, res) => {
    const event = req.body?.data?.attributes?.event;
    if (event === options.refuse) return res.status(422).json({ errors: [{ status: '422', detail: `Event ${event} is not available on this plan` }] });
    const id = String(next++);
    hooks.set(id, { event, site: req.body?.data?.relationships?.site?.data?.id });
    res.status(201).json({ data: { id, type: 'hooks', attributes: { event, target_url: req.body?.data?.attributes?.target_url } } });
  });
  app.delete('/v1/hooks/:id', (req, res) => (hooks.delete(req.params.id) ? res.status(204).end() : res.status(404).json({ errors: [{ title: 'Not Found' }] })));
  const server = await listenForTest(app);
  return { url: server.url, hooks };
}

describe('Kajabi auto-registration, where Kajabi answers what the emulator does not', { timeout: 20_000 }, () => {
  it('leaves no hook behind when Kajabi refuses one of the events, and says which and why', async () => {
    const kajabi = await fakeKajabi({ refuse: 'tag_added' });
    const created = await hub.api<ConnectionAnswer>('POST', '/v1/connections', {
      name: 'kajabi-half',
      vendor: 'kajabi',
      api: { base_url: kajabi.url, client_id: 'id', client_secret: 'secret' },
      register: true,
      events: ['purchase', 'tag_added'],
    });
    expect(created.body.registration?.state).toBe('failed');
    expect(created.body.registration?.message).toContain('Kajabi refused the hook for tag_added (HTTP 422): Event tag_added is not available on this plan');
    expect(kajabi.hooks.size).toBe(0);
  });

  it('asks which site when the key reaches several, and registers on the one the site_id setting names', async () => {
    const kajabi = await fakeKajabi({
      sites: [
        { id: '7', title: 'Yoga' },
        { id: '9', title: 'Pilates' },
      ],
    });
    const api = { base_url: kajabi.url, client_id: 'id', client_secret: 'secret' };
    const unsure = await hub.api<ConnectionAnswer>('POST', '/v1/connections', {
      name: 'kajabi-sites',
      vendor: 'kajabi',
      api,
      register: true,
      events: ['purchase'],
    });
    expect(unsure.body.registration?.message).toContain('The Kajabi key reaches 2 sites (Yoga: 7, Pilates: 9): set the API setting site_id');
    expect(kajabi.hooks.size).toBe(0);
    const chosen = await hub.api<ConnectionAnswer>('POST', '/v1/connections', {
      name: 'kajabi-site-9',
      vendor: 'kajabi',
      api: { ...api, site_id: '9' },
      register: true,
      events: ['purchase'],
    });
    expect(chosen.body.registration?.state).toBe('registered');
    expect([...kajabi.hooks.values()]).toEqual([{ event: 'purchase', site: '9' }]);
  });
});
