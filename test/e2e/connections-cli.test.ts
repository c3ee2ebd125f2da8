import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completionRequest, ADMIN_KEY, runCli, startTestHub, type TestHub } from '@learnhook/core/testing';

/**
 * `learnhook connections` (DESIGN §4 CLI) as its own process against a running hub, as an admin
 * would use it; the command's refusals and output are tested in core/src/cli/connections.test.ts.
 */

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(() => hub.close());

const connections = (args: string[]) => runCli(['connections', ...args], { env: { LEARNHOOK_URL: hub.url, LEARNHOOK_API_KEY: ADMIN_KEY } });

describe('learnhook connections', () => {
  it("adds a connection whose printed ingest URL takes the LMS's signed webhooks at once", async () => {
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
});
