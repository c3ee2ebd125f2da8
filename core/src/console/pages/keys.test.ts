import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ConsoleBrowser, callApi, signedInOwner, signedInViewer, startTestHub, type TestHub } from '../../testing/index.ts';

const keyIn = (page: string) => /<code id="new-key">([^<]+)<\/code>/.exec(page)?.[1] ?? '';

describe('the console API keys page', () => {
  let hub: TestHub;
  let owner: ConsoleBrowser;
  beforeEach(async () => {
    hub = await startTestHub();
    owner = await signedInOwner(hub);
  });
  afterEach(() => hub.close());

  it('creates a Zapier key shown once, with the steps for Zapier, that subscribes but cannot administer', async () => {
    const made = await owner.submit('/keys', '/keys', { purpose: 'zapier', label: 'Zapier: training team' });
    expect(made.status).toBe(201);
    expect(made.text).toContain('choose the <strong>learnhook</strong> app');
    // The trigger's name as the Zap editor lists it, from the catalog the Zapier app is built from.
    expect(made.text).toContain('Pick an event such as "Course Completed"');
    expect(made.text).toContain(`<code>${hub.url}</code>`);
    const key = keyIn(made.text);
    expect((await callApi(hub.url, 'GET', '/v1/me', undefined, key)).body).toMatchObject({ label: 'Zapier: training team', scopes: ['hooks', 'events'] });
    expect((await callApi(hub.url, 'GET', '/v1/connections', undefined, key)).status).toBe(403);
    const later = await owner.request('GET', '/keys');
    expect(later.text).toContain('Zapier: training team');
    expect(later.text).not.toContain(key);
  });

  it('refuses a key without a name, beside the field, and creates nothing', async () => {
    const before = (await hub.hub.store.listApiKeys()).length;
    const refused = await owner.submit('/keys', '/keys', { purpose: 'n8n', label: ' ' });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('id="f-label-error"');
    expect(await hub.hub.store.listApiKeys()).toHaveLength(before);
  });

  it('revokes a key: its next request is refused, and the audit log names who did it', async () => {
    const key = keyIn((await owner.submit('/keys', '/keys', { purpose: 'n8n', label: 'n8n' })).text);
    const id = key.split('_')[1] ?? '';
    expect((await owner.submit('/keys', `/keys/${id}/revoke`, {})).status).toBe(303);
    expect((await callApi(hub.url, 'GET', '/v1/me', undefined, key)).status).toBe(401);
    const audit = await callApi<{ data: { action: string; actor: string }[] }>(hub.url, 'GET', '/v1/audit');
    expect(audit.body.data.map((entry) => entry.action)).toEqual(expect.arrayContaining(['key.created', 'key.revoked']));
    expect(audit.body.data.find((entry) => entry.action === 'key.revoked')?.actor).toMatch(/^usr_/);
  });

  it('is for admins only: a viewer neither sees it in the navigation nor opens it', async () => {
    const viewer = await signedInViewer(hub, owner);
    expect((await viewer.request('GET', '/')).text).not.toContain('href="/keys"');
    expect((await viewer.request('GET', '/keys')).status).toBe(403);
  });
});
