import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../lib/hub-process.ts';
import { startTestHub, type TestHub } from '@learnhook/core/testing';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'learnhook-keys-'));
const env = { ...process.env, LEARNHOOK_DATA: path.join(dataDir, 'learnhook.db') };
const keys = (...args: string[]) => spawnSync(process.execPath, [CLI, 'keys', ...args], { env, encoding: 'utf8' });

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub({}, dataDir);
});
afterAll(() => hub.close());

describe('learnhook keys', () => {
  it('creates a scoped key that the running hub accepts at once, and shows it only once', async () => {
    const created = keys('create', '--scope', 'events', '--label', 'reporting');
    expect(created.status).toBe(0);
    const key = created.stdout.split('\n')[0] ?? '';
    expect(created.stdout).toContain('only time it is shown');
    const me = await hub.api('GET', '/v1/me', undefined, key);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ label: 'reporting', scopes: ['events'] });
    expect(keys('list').stdout).not.toContain(key);
  });

  it('gives a key without --scope what the Zapier app and n8n node need', async () => {
    const key = keys('create').stdout.split('\n')[0] ?? '';
    expect((await hub.api('GET', '/v1/me', undefined, key)).body.scopes).toEqual(['hooks', 'events']);
    expect((await hub.api('GET', '/v1/connections', undefined, key)).status).toBe(403);
  });

  it('revokes a key so its very next request is refused', async () => {
    const key = keys('create', '--label', 'leaked').stdout.split('\n')[0] ?? '';
    const me = await hub.api('GET', '/v1/me', undefined, key);
    expect(me.status).toBe(200);
    expect(keys('revoke', me.body.key_id).status).toBe(0);
    const after = await hub.api('GET', '/v1/me', undefined, key);
    expect(after.status).toBe(401);
    expect(keys('list').stdout).toMatch(/leaked.*REVOKED/);
    const audit = await hub.api('GET', '/v1/audit');
    expect(audit.body.data.map((entry: { action: string }) => entry.action)).toContain('key.revoked');
  });

  it('refuses an unknown scope and an unknown key with a clear message', () => {
    const badScope = keys('create', '--scope', 'root');
    expect(badScope.status).toBe(1);
    expect(badScope.stderr).toContain('Unknown scope root');
    const badRevoke = keys('revoke', 'nope');
    expect(badRevoke.status).toBe(1);
    expect(badRevoke.stderr).toContain('No active key nope');
  });

  it('prints its help', () => {
    const help = keys('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('learnhook keys create');
  });
});
