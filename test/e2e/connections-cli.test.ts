import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completionRequest, ADMIN_KEY, startTestHub, type TestHub } from '@learnhook/core/testing';
import { CLI } from '../lib/hub-process.ts';

/** `learnhook connections` (DESIGN §4 CLI) against a running hub, as an admin would use it. */

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(() => hub.close());

async function connections(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, 'connections', ...args], {
      env: { ...process.env, LEARNHOOK_URL: hub.url, LEARNHOOK_API_KEY: ADMIN_KEY, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('learnhook connections', () => {
  it('adds a connection whose printed ingest URL takes the LMS\'s signed webhooks at once', async () => {
    const secret = 'a-learn365-secret-of-32-characters-or-more';
    const added = await connections(['add', 'acme-learn365', '--vendor', 'learn365', '--inbound', JSON.stringify({ secret })]);
    expect(added.code).toBe(0);
    const ingestUrl = /Ingest URL[^\n]*\n\s+(\S+)/.exec(added.stdout)?.[1] ?? '';
    expect(ingestUrl).toContain(`${hub.url}/ingest/acme-learn365/`);
    expect(added.stdout).toContain(secret);
    expect(added.stdout).toContain('No LMS API configured');

    const request = completionRequest('learn365', { secret }, 1);
    const answer = await fetch(ingestUrl + request.path, { method: 'POST', headers: request.headers, body: request.body });
    expect(answer.status).toBe(202);

    const listed = await connections(['list']);
    expect(listed.stdout).toMatch(/acme-learn365\s+learn365/);
    expect(listed.stdout).not.toContain(secret);
  });

  it('says what the hub refused, in its words, and changes nothing', async () => {
    const badVendor = await connections(['add', 'acme-x', '--vendor', 'moodle']);
    expect(badVendor.code).toBe(1);
    expect(badVendor.stderr).toContain('The hub answered 400');
    const badKey = await connections(['list'], { LEARNHOOK_API_KEY: 'not-a-key-of-this-hub' });
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toContain('The hub answered 401');
    const badJson = await connections(['add', 'acme-y', '--vendor', 'absorb', '--api', '{nope']);
    expect(badJson.code).toBe(1);
    expect(badJson.stderr).toContain('--api must be a JSON object');
    expect((await hub.api<{ data: Array<{ name: string }> }>('GET', '/v1/connections')).body.data.map((connection) => connection.name)).not.toContain('acme-x');
  });

  it('names the hub it could not reach and how to start one', async () => {
    const down = await connections(['list'], { LEARNHOOK_URL: 'http://127.0.0.1:9' });
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('No hub answers at http://127.0.0.1:9');
  });
});
