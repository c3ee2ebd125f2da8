import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliError } from '../errors.ts';
import { emulatedApi, serveEmulator } from '../testing/index.ts';
import { refusedUrl } from '../testing/listen.ts';
import { ADMIN_KEY, startTestHub, type TestHub } from '../testing/test-hub.ts';
import { CONNECTIONS_USAGE, runConnections } from './connections.ts';

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(() => hub.close());

/** `learnhook connections ...args` against the test hub with its admin key unless `env` says otherwise; answers the exit code and what it printed. */
async function connections(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await runConnections(args, { LEARNHOOK_URL: hub.url, LEARNHOOK_API_KEY: ADMIN_KEY, ...env }, (text) => (out += text));
  return { code, out };
}

describe('learnhook connections', () => {
  it('prints its help and exits 0 on --help, and exits 2 with the help when no action is given', async () => {
    expect(await connections(['--help'])).toEqual({ code: 0, out: CONNECTIONS_USAGE });
    expect(await connections([])).toEqual({ code: 2, out: CONNECTIONS_USAGE });
  });

  it('answers an unknown action with the help and exit code 2', async () => {
    expect(await connections(['remove'])).toEqual({ code: 2, out: `learnhook connections: unknown action "remove".\n\n${CONNECTIONS_USAGE}` });
  });

  it('adds a connection and prints its ingest URL, its generated inbound secrets and that no LMS API is set', async () => {
    const added = await connections(['add', 'acme-absorb', '--vendor', 'absorb', '--description', 'Acme Absorb']);
    expect(added.code).toBe(0);
    expect(added.out).toContain('Connection acme-absorb (absorb) created.');
    expect(added.out).toMatch(new RegExp(`Ingest URL, for the LMS's webhook settings:\\n {2}${hub.url}/ingest/acme-absorb/\\S+\\n`));
    expect(added.out).toMatch(/Inbound settings \(secrets are shown only this once\):\n\{/);
    expect(added.out).toContain('No LMS API configured');
  });

  it('says an LMS API given with --api is configured, and lists connections with whether they have one', async () => {
    const added = await connections(['add', 'acme-api', '--vendor', 'absorb', '--api', JSON.stringify({ private_key: 'pk', username: 'u', password: 'p' })]);
    expect(added.out).toContain('LMS API configured: events are filled in (hydrated) from it.');
    const listed = await connections(['list']);
    expect(listed.code).toBe(0);
    expect(listed.out).toMatch(new RegExp(`^acme-api\\s+absorb\\s+api\\s+${hub.url}/ingest/acme-api/`, 'm'));
    expect(listed.out).not.toContain('"password"');
  });

  it('changes, rotates and deletes a connection by name, saying what happened', async () => {
    const added = await connections(['add', 'acme-change', '--vendor', 'absorb']);
    const oldUrl = /Ingest URL, for the LMS's webhook settings:\n {2}(\S+)/.exec(added.out)?.[1] ?? '';
    const lms = await serveEmulator(emulatedApi('absorb'));
    const changed = await connections([
      'update',
      'acme-change',
      '--description',
      'Acme, moved',
      '--api',
      JSON.stringify({ ...lms.settings, base_url: lms.base, password: 'a wrong password' }),
    ]);
    expect(changed.code).toBe(0);
    expect(changed.out).toMatch(
      /^Connection acme-change changed; LMS API configured\.\nAPI access FAILED: The Absorb LMS API refused or failed \(HTTP 40\d\): .+\nThe settings are saved; fix them with: learnhook connections update acme-change --api/,
    );
    expect((await hub.hub.store.getConnection('acme-change'))?.description).toBe('Acme, moved');
    await expect(connections(['update', 'acme-change'])).rejects.toThrow(new CliError('Say what to change: --description, --inbound or --api.'));

    const rotated = await connections(['rotate', 'acme-change']);
    const newUrl = /paste this one into the LMS\):\n {2}(\S+)/.exec(rotated.out)?.[1] ?? '';
    expect(newUrl).toMatch(new RegExp(`^${hub.url}/ingest/acme-change/`));
    expect(newUrl).not.toBe(oldUrl);
    expect((await fetch(oldUrl, { method: 'POST', body: '{}' })).status).toBe(404);

    await expect(connections(['delete', 'acme-change'])).rejects.toThrow(/run again with --yes/);
    expect(await hub.hub.store.getConnection('acme-change')).not.toBeNull();
    expect((await connections(['delete', 'acme-change', '--yes'])).out).toContain('Connection acme-change deleted');
    expect(await hub.hub.store.getConnection('acme-change')).toBeNull();
    await expect(connections(['rotate', 'acme-change'])).rejects.toThrow(/The hub answered 404/);
  });

  it('says the hub has no connections yet', async () => {
    const empty = await startTestHub();
    try {
      expect(await connections(['list'], { LEARNHOOK_URL: empty.url })).toEqual({
        code: 0,
        out: 'No connections yet: learnhook connections add <name> --vendor <vendor>\n',
      });
    } finally {
      await empty.close();
    }
  });

  it('asks for a key, a name and a vendor before calling the hub', async () => {
    await expect(connections(['list'], { LEARNHOOK_API_KEY: '' })).rejects.toThrow(/An admin API key is needed: pass --key or set LEARNHOOK_API_KEY/);
    await expect(connections(['add'])).rejects.toThrow(new CliError('Name the connection: learnhook connections add <name> --vendor <vendor>.'));
    await expect(connections(['add', 'acme-x'])).rejects.toThrow(/Say which LMS sends to it: --vendor absorb\|/);
  });

  it('refuses --api or --inbound that is not a JSON object', async () => {
    await expect(connections(['add', 'acme-y', '--vendor', 'absorb', '--api', '{nope'])).rejects.toThrow(/--api must be a JSON object, e\.g\./);
    await expect(connections(['add', 'acme-y', '--vendor', 'absorb', '--inbound', '[1]'])).rejects.toThrow(new CliError('--inbound must be a JSON object.'));
  });

  it('says what the hub refused, in its words, and creates nothing', async () => {
    await expect(connections(['add', 'acme-x', '--vendor', 'moodle'])).rejects.toThrow(/^The hub answered 400: /);
    await expect(connections(['list'], { LEARNHOOK_API_KEY: 'not-a-key-of-this-hub' })).rejects.toThrow(/^The hub answered 401: /);
    const names = (await hub.api<{ data: Array<{ name: string }> }>('GET', '/v1/connections')).body.data.map((connection) => connection.name);
    expect(names).not.toContain('acme-x');
  });

  it('registers the URL at Learn365 with --register --events, prints what was registered, and removes it on delete', async () => {
    const lms = await serveEmulator(emulatedApi('learn365'));
    const held = async () => {
      const response = await fetch(`${lms.base}/webhooks/registrations`, {
        headers: { authorization: `Basic ${Buffer.from(`api:${String(lms.settings.api_key)}`).toString('base64')}` },
      });
      return (await response.json()) as Array<{ Id: string; WebHookUri: string; Filters: string[] }>;
    };
    const added = await connections([
      'add',
      'acme-365',
      '--vendor',
      'learn365',
      '--api',
      JSON.stringify(lms.settings),
      '--register',
      '--events',
      'CourseCompleted, CourseEnrollment',
    ]);
    expect(added.code).toBe(0);
    const [registration] = await held();
    expect(registration?.Filters).toEqual(['CourseCompleted', 'CourseEnrollment']);
    expect(added.out).toContain(`Registered at the LMS for CourseCompleted, CourseEnrollment (registration ${registration?.Id}): nothing to paste.`);
    expect(added.out).toContain(`  ${registration?.WebHookUri}\n`);
    const deleted = await connections(['delete', 'acme-365', '--yes']);
    expect(deleted.out).toBe('Connection acme-365 deleted: its ingest URL no longer answers. Events already received stay.\n');
    expect(await held()).toEqual([]);
  });

  it('says why a registration failed, and that --events needs --register', async () => {
    const lms = await serveEmulator(emulatedApi('learn365'));
    const added = await connections([
      'add',
      'acme-365-key',
      '--vendor',
      'learn365',
      '--api',
      JSON.stringify({ ...lms.settings, api_key: 'wrong' }),
      '--register',
    ]);
    expect(added.code).toBe(0);
    expect(added.out).toMatch(/Registration FAILED: Not registered at Learn365 \(Zensai\): Learn365 refused the webhook registration \(HTTP 401\)/);
    await expect(connections(['add', 'acme-365-x', '--vendor', 'learn365', '--events', 'CourseCompleted'])).rejects.toThrow(
      new CliError('--events says what to register at the LMS: give --register too.'),
    );
  });

  it('names the hub it could not reach and how to start one, and a server that is not a hub', async () => {
    const down = await refusedUrl();
    await expect(connections(['list', '--hub', down])).rejects.toThrow(`No hub answers at ${down}; start it with \`npm start\` or pass --hub URL.`);
    await expect(connections(['list', '--hub', `${hub.url}/healthz?`])).rejects.toThrow(/answered, but not as a learnhook hub does; check --hub\./);
  });
});
