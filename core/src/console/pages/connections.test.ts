import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type ConsoleBrowser,
  completionRequest,
  emulatedApi,
  sendToIngest,
  serveEmulator,
  signedInOwner,
  signedInViewer,
  startTestHub,
  type TestHub,
} from '../../testing/index.ts';
import { VENDOR_REGISTRY } from '../../vendors/registry.ts';

/** The connection id a saved form's page links to. */
const connectionIdIn = (page: string) => /\/connections\/(con_[\w-]+)\/arrivals/.exec(page)?.[1] ?? '';
const pasted = (page: string, label: string) =>
  new RegExp(`<span class="paste-label">${label}</span>\\s*<span class="copyable"><code id="paste-\\d+">([^<]+)</code>`).exec(page)?.[1] ?? '';

describe('the console connection pages', () => {
  let hub: TestHub;
  let owner: ConsoleBrowser;
  beforeEach(async () => {
    hub = await startTestHub();
    owner = await signedInOwner(hub);
  });
  afterEach(() => hub.close());

  it('offer every supported LMS in the gallery, say which card fits an LMS not listed, and build each form from its schemas', async () => {
    const gallery = await owner.request('GET', '/connections/new');
    for (const { inbound } of Object.values(VENDOR_REGISTRY)) expect(gallery.text).toContain(`href="/connections/new/${inbound.vendor}"`);
    // A person whose LMS has no card of its own is told which of the two open cards to pick.
    const lead = /<p>Choose your LMS\.([^<]*(?:<\/?strong>[^<]*)*)<\/p>/.exec(gallery.text)?.[1] ?? '';
    expect(lead).toContain('Not listed?');
    expect(lead).toContain('<strong>Any other LMS (custom mapping)</strong> fits any other LMS that sends JSON webhooks');
    expect(lead).toContain('<strong>Standard Webhooks / xAPI</strong>');
    const absorb = await owner.request('GET', '/connections/new/absorb');
    expect(absorb.text).toContain('name="api.base_url"');
    expect(absorb.text).toContain('Leave empty for https://rest.myabsorb.com.');
    expect(absorb.text).toMatch(/name="api.password" type="password"/);
    const alm = await owner.request('GET', '/connections/new/adobe-alm');
    expect(alm.text).toMatch(/<select id="f-auth" name="auth"><option value="none"[^>]*>none<\/option><option value="basic"/);
  });

  it("show the API's error beside the field it concerns and save nothing", async () => {
    const refused = await owner.submit('/connections/new/absorb', '/connections/new/absorb', { name: 'Not A Slug', 'api.base_url': 'not a url' });
    expect(refused.status).toBe(400);
    expect(refused.text).toMatch(/id="f-name-error">Use lower-case letters/);
    expect(refused.text).toContain('id="f-api-base_url-error"');
    expect(refused.text).toContain('value="Not A Slug"');
    expect((await hub.hub.store.listConnections({ limit: 10 })).data).toEqual([]);
  });

  it('save a connection and show its setup steps with the URL and the generated secret once, escaping what was typed', async () => {
    const saved = await owner.submit('/connections/new/learn365', '/connections/new/learn365', {
      name: 'acme-learn365',
      description: '<img src=x onerror=alert(1)>',
    });
    expect(saved.status).toBe(201);
    expect(saved.text).not.toContain('<img src=x');
    expect(saved.text).toContain('&lt;img src=x onerror=alert(1)&gt;');
    const url = pasted(saved.text, 'WebHookUri');
    expect(url).toMatch(new RegExp(`^${hub.url}/ingest/acme-learn365/\\S+$`));
    const secret = pasted(saved.text, 'Secret');
    expect(secret).toHaveLength(48);
    const later = await owner.request('GET', `/connections/${connectionIdIn(saved.text)}`);
    expect(later.text).not.toContain(secret);
    expect(later.text).toContain(`…${secret.slice(-4)}`);
  });

  it('turn the live check green when the LMS reaches the URL, and say in plain words why a request was refused', async () => {
    const saved = await owner.submit('/connections/new/learn365', '/connections/new/learn365', { name: 'acme' });
    const id = connectionIdIn(saved.text);
    const url = pasted(saved.text, 'WebHookUri');
    const secret = pasted(saved.text, 'Secret');
    expect((await owner.request('GET', `/connections/${id}/arrivals`)).text).toContain('Waiting for your LMS');

    const forged = await sendToIngest(url, completionRequest('learn365', { secret: 'x'.repeat(40) }));
    expect(forged.status).toBe(401);
    const refused = await owner.request('GET', `/connections/${id}/arrivals`);
    expect(refused.text).toContain('class="arrivals bad"');
    expect(refused.text).toContain('the signature does not match');

    expect((await sendToIngest(url, completionRequest('learn365', { secret }))).status).toBe(202);
    const accepted = await owner.request('GET', `/connections/${id}/arrivals`);
    expect(accepted.text).toContain('class="arrivals ok"');
    expect(accepted.text).toMatch(/Accepted: 1 new event \(enrollment\.completed\)/);
    expect((await owner.request('GET', `/connections/${id}`)).text).toContain('Last 7 days: 1 received, 0 delivered, 0 failed.');
    expect((await owner.request('GET', '/')).text).toContain('Last 7 days: 1 received');
  });

  it('issue a new URL on request: the old one stops working and the check says why', async () => {
    const saved = await owner.submit('/connections/new/learn365', '/connections/new/learn365', { name: 'acme' });
    const id = connectionIdIn(saved.text);
    const oldUrl = pasted(saved.text, 'WebHookUri');
    const secret = pasted(saved.text, 'Secret');
    const rotated = await owner.submit(`/connections/${id}`, `/connections/${id}/rotate`, {});
    expect(rotated.text).toContain('the old one stopped working');
    const newUrl = pasted(rotated.text, 'WebHookUri');
    expect(newUrl).not.toBe(oldUrl);
    expect((await sendToIngest(oldUrl, completionRequest('learn365', { secret }))).status).toBe(404);
    expect((await owner.request('GET', `/connections/${id}/arrivals`)).text).toContain('not the connection&#39;s current ingest URL');
    expect((await sendToIngest(newUrl, completionRequest('learn365', { secret }))).status).toBe(202);
  });

  it('change settings without showing secrets, keeping the ones left empty', async () => {
    const saved = await owner.submit('/connections/new/learn365', '/connections/new/learn365', { name: 'acme', description: 'first' });
    const id = connectionIdIn(saved.text);
    const url = pasted(saved.text, 'WebHookUri');
    const secret = pasted(saved.text, 'Secret');
    const form = await owner.request('GET', `/connections/${id}/edit`);
    expect(form.text).toContain('value="first"');
    expect(form.text).not.toContain(secret);
    const changed = await owner.submit(`/connections/${id}/edit`, `/connections/${id}/edit`, { description: 'second', secret: '' });
    expect(changed.status).toBe(303);
    expect((await hub.hub.store.getConnection(id))?.description).toBe('second');
    expect((await sendToIngest(url, completionRequest('learn365', { secret }))).status).toBe(202);
    const tooShort = await owner.submit(`/connections/${id}/edit`, `/connections/${id}/edit`, { description: 'third', secret: 'short' });
    expect(tooShort.status).toBe(400);
    expect(tooShort.text).toContain('id="f-secret-error"');
  });

  it('show every credential the schemas mark as a password input, never with its value, whatever its name', async () => {
    const signingKey = 'thinkific-site-api-key-0b5e7f3a';
    const saved = await owner.submit('/connections/new/thinkific', '/connections/new/thinkific', { name: 'school', signing_key: signingKey });
    expect(saved.status).toBe(201);
    const id = connectionIdIn(saved.text);
    expect((await owner.request('GET', `/connections/${id}`)).text).not.toContain(signingKey);
    const form = await owner.request('GET', `/connections/${id}/edit`);
    expect(form.text).toMatch(/name="signing_key" type="password"/);
    expect(form.text).toMatch(/name="api.access_token" type="password"/);
    expect(form.text).not.toContain(signingKey);
    const learnWorlds = await owner.request('GET', '/connections/new/learnworlds');
    expect(learnWorlds.text).toMatch(/name="signature" type="password"/);
    const custom = await owner.request('GET', '/connections/new/custom');
    expect(custom.text).toMatch(/name="verify.secret" type="password"/);
  });

  it('delete a connection only after its name is typed', async () => {
    const saved = await owner.submit('/connections/new/absorb', '/connections/new/absorb', { name: 'acme-absorb' });
    const id = connectionIdIn(saved.text);
    const wrong = await owner.submit(`/connections/${id}/delete`, `/connections/${id}/delete`, { confirm: 'acme' });
    expect(wrong.status).toBe(400);
    expect(await hub.hub.store.getConnection(id)).not.toBeNull();
    const gone = await owner.submit(`/connections/${id}/delete`, `/connections/${id}/delete`, { confirm: 'acme-absorb' });
    expect(gone.status).toBe(303);
    expect(await hub.hub.store.getConnection(id)).toBeNull();
  });

  it('show a viewer the connections without their URLs, and refuse them every change', async () => {
    const saved = await owner.submit('/connections/new/absorb', '/connections/new/absorb', { name: 'acme-absorb' });
    const id = connectionIdIn(saved.text);
    const viewer = await signedInViewer(hub, owner);
    const page = await viewer.request('GET', `/connections/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('(shown to admins)');
    expect(page.text).not.toContain('/ingest/acme-absorb/');
    expect((await viewer.submit('/connections', '/connections/new/absorb', { name: 'other' })).status).toBe(403);
    expect((await viewer.submit(`/connections/${id}`, `/connections/${id}/rotate`, {})).status).toBe(403);
  });

  it("test API access for real: the emulated LMS answers with learners, and wrong credentials get the LMS's refusal", async () => {
    const lms = await serveEmulator(emulatedApi('absorb'));
    const fields = Object.fromEntries(Object.entries(lms.settings).map(([key, value]) => [`api.${key}`, String(value)]));
    const saved = await owner.submit('/connections/new/absorb', '/connections/new/absorb', { name: 'acme-absorb', ...fields, 'api.base_url': lms.base });
    expect(saved.status).toBe(201);
    // Saving API settings tries them at once: the page says so without a click.
    expect(saved.text).toContain('it lists learners');
    const id = connectionIdIn(saved.text);
    const ok = await owner.submit(`/connections/${id}`, `/connections/${id}/test-api`, {}, { 'hx-request': 'true' });
    expect(ok.text).toContain('notice ok');
    expect(ok.text).toContain('it lists learners');
    const changed = await owner.submit(`/connections/${id}/edit`, `/connections/${id}/edit`, { 'api.password': 'wrong password' });
    expect(changed.text).toMatch(/The Absorb LMS API refused or failed/);
    const refused = await owner.submit(`/connections/${id}`, `/connections/${id}/test-api`, {});
    expect(refused.text).toContain('notice error');
    expect(refused.text).toMatch(/The Absorb LMS API refused or failed/);
    expect(refused.text).toMatch(/Calls made<\/dt><dd>[1-9]/);
  });
});
