import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ConsoleBrowser, emulatedApi, type ServedEmulator, serveEmulator, signedInOwner, startTestHub, type TestHub } from '../../testing/index.ts';

/** Auto-registration in the console (issue 16 §5), over real HTTP against the emulated Learn365. */

const connectionIdIn = (page: string) => /\/connections\/(con_[\w-]+)\/arrivals/.exec(page)?.[1] ?? '';

/** The registrations the emulated Learn365 holds, asked over its registration API. */
async function heldAt(lms: ServedEmulator): Promise<Array<{ Id: string; WebHookUri: string; Filters: string[] }>> {
  const response = await fetch(`${lms.base}/webhooks/registrations`, {
    headers: { authorization: `Basic ${Buffer.from(`api:${String(lms.settings.api_key)}`).toString('base64')}` },
  });
  return (await response.json()) as Array<{ Id: string; WebHookUri: string; Filters: string[] }>;
}

describe('registering the URL from the console', () => {
  let hub: TestHub;
  let owner: ConsoleBrowser;
  beforeEach(async () => {
    hub = await startTestHub();
    owner = await signedInOwner(hub);
  });
  afterEach(() => hub.close());

  it('offers "Register the URL in Learn365 for me" with its events, unticked, and nothing of the kind where the URL is pasted', async () => {
    const learn365 = await owner.request('GET', '/connections/new/learn365');
    expect(learn365.text).toContain('<input type="checkbox" name="register" value="yes"> Register the URL in Learn365 (Zensai) for me');
    expect(learn365.text).toContain('<input type="checkbox" name="events" value="CourseCompleted" checked> <code>CourseCompleted</code>');
    const absorb = await owner.request('GET', '/connections/new/absorb');
    expect(absorb.text).not.toContain('name="register"');
  });

  it('registers the URL for the events ticked and says so on the connection page; deleting removes it at Learn365', async () => {
    const lms = await serveEmulator(emulatedApi('learn365'));
    const saved = await owner.submit('/connections/new/learn365', '/connections/new/learn365', {
      name: 'acme-365',
      'api.base_url': lms.base,
      'api.api_key': String(lms.settings.api_key),
      register: 'yes',
      events: 'CourseCompleted',
    });
    expect(saved.status).toBe(201);
    const [held] = await heldAt(lms);
    expect(held?.Filters).toEqual(['CourseCompleted']);
    expect(held?.WebHookUri).toMatch(new RegExp(`^${hub.url}/ingest/acme-365/`));
    expect(saved.text).toContain(`Yes: Learn365 (Zensai) sends CourseCompleted to this connection&#39;s URL (its registration ${held?.Id}). Nothing to paste.`);
    const id = connectionIdIn(saved.text);
    expect((await owner.request('GET', `/connections/${id}`)).text).toContain('Registered in Learn365 (Zensai)?');
    const gone = await owner.submit(`/connections/${id}/delete`, `/connections/${id}/delete`, { confirm: 'acme-365' });
    expect(gone.status).toBe(303);
    expect(await heldAt(lms)).toEqual([]);
  });

  it('shows why Learn365 refused, with the connection saved, and refuses a registration without API settings', async () => {
    const lms = await serveEmulator(emulatedApi('learn365'));
    const refused = await owner.submit('/connections/new/learn365', '/connections/new/learn365', {
      name: 'acme-key',
      'api.base_url': lms.base,
      'api.api_key': 'not-the-key',
      register: 'yes',
      events: 'CourseCompleted',
    });
    expect(refused.status).toBe(201);
    expect(refused.text).toMatch(/Not registered at Learn365 \(Zensai\): Learn365 refused the webhook registration \(HTTP 401\)/);
    expect(await heldAt(lms)).toEqual([]);
    const noApi = await owner.submit('/connections/new/learn365', '/connections/new/learn365', {
      name: 'acme-no-api',
      register: 'yes',
      events: 'CourseCompleted',
    });
    expect(noApi.status).toBe(400);
    expect(noApi.text).toContain('<p class="error">Registering the URL goes through the LMS API: give its settings too</p>');
    expect(noApi.text).toContain('<input type="checkbox" name="register" value="yes" checked>');
    expect(await hub.hub.store.getConnection('acme-no-api')).toBeNull();
  });

  it('says what to remove in Learn365 by hand when it cannot be reached at deletion', async () => {
    const lms = await serveEmulator(emulatedApi('learn365'));
    const saved = await owner.submit('/connections/new/learn365', '/connections/new/learn365', {
      name: 'acme-gone',
      'api.base_url': lms.base,
      'api.api_key': String(lms.settings.api_key),
      register: 'yes',
      events: 'CourseCompleted',
    });
    const [held] = await heldAt(lms);
    const id = connectionIdIn(saved.text);
    // The LMS now refuses the key: it cannot be asked to remove the registration.
    await hub.api('PATCH', `/v1/connections/${id}`, { api: { base_url: lms.base, api_key: 'revoked-key' } });
    const gone = await owner.submit(`/connections/${id}/delete`, `/connections/${id}/delete`, { confirm: 'acme-gone' });
    expect(gone.status).toBe(200);
    expect(gone.text).toContain('The connection is deleted, but its registration is still in the LMS.');
    expect(gone.text).toContain(`Remove the registration ${held?.Id} in Learn365 (Zensai) by hand`);
    expect(await hub.hub.store.getConnection(id)).toBeNull();
  });
});
