import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli, startTestHub, type TestHub } from '@learnhook/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'learnhook-keys-'));
const keys = (...args: string[]) => runCli(['keys', ...args], { dataDir });

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub({}, dataDir);
});
afterAll(() => hub.close());

/** `learnhook keys` as its own process beside a running hub on the same store; the command alone is tested in core/src/cli/keys.test.ts. */
describe('learnhook keys', () => {
  it('creates a scoped key that the running hub accepts at once, and shows it only once', async () => {
    const created = await keys('create', '--scope', 'events', '--label', 'reporting');
    expect(created.code).toBe(0);
    const key = created.stdout.split('\n')[0] ?? '';
    expect(created.stdout).toContain('only time it is shown');
    const me = await hub.api('GET', '/v1/me', undefined, key);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ label: 'reporting', scopes: ['events'] });
    expect((await keys('list')).stdout).not.toContain(key);
  });

  it('gives a key without --scope what the Zapier app and n8n node need', async () => {
    const key = (await keys('create')).stdout.split('\n')[0] ?? '';
    expect((await hub.api('GET', '/v1/me', undefined, key)).body.scopes).toEqual(['hooks', 'events']);
    expect((await hub.api('GET', '/v1/connections', undefined, key)).status).toBe(403);
  });

  it('revokes a key so its very next request is refused', async () => {
    const key = (await keys('create', '--label', 'leaked')).stdout.split('\n')[0] ?? '';
    const me = await hub.api('GET', '/v1/me', undefined, key);
    expect(me.status).toBe(200);
    expect((await keys('revoke', me.body.key_id)).code).toBe(0);
    const after = await hub.api('GET', '/v1/me', undefined, key);
    expect(after.status).toBe(401);
    expect((await keys('list')).stdout).toMatch(/leaked.*REVOKED/);
    const audit = await hub.api('GET', '/v1/audit');
    expect(audit.body.data.map((entry: { action: string }) => entry.action)).toContain('key.revoked');
  });
});
