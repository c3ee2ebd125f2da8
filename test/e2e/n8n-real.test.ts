import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger, type SandboxSession, startSandbox } from '@learnhook/core';
import { eventually, freePort } from '@learnhook/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ACTION_TYPE,
  activateLearnhookWorkflow,
  editorNodeTypes,
  installCommunityPackage,
  logIn,
  type N8nProcess,
  n8nApi,
  n8nUnavailable,
  packCommunityPackage,
  setUpOwner,
  startN8n,
  TRIGGER_TYPE,
} from '../lib/n8n.ts';

/**
 * The community package in a real n8n 2.x, installed the way self-hosted n8n users install it: the
 * packed tarball, `npm install`ed in the user folder's `nodes` directory (n8n's manual install),
 * then n8n started. Its nodes are listed; activation subscribes once, an LMS event becomes one
 * execution through the trigger and the action node, a badly signed request none, a restart keeps
 * one subscription, deactivation none. Needs n8n installed by n8n-node/scripts/install-n8n.mjs and
 * the package built.
 */
const unavailable = n8nUnavailable();
if (unavailable) console.warn(`skipping the real-n8n test: ${unavailable}`);

const WEBHOOK_ID = randomUUID();
let session: SandboxSession;
let n8n: N8nProcess;
let apiKey: string;
let userFolder: string;
let port: number;
let workflowId: string;
let install: { installedDir: string; npmOutput: string };

const webhookUrl = () => `${n8n.url}/webhook/${WEBHOOK_ID}/webhook`;

async function hubHooks(): Promise<Array<{ id: string; url: string }>> {
  const response = await fetch(`${session.hub.url}/v1/hooks?limit=100`, { headers: { authorization: `Bearer ${session.apiKey}` } });
  const body = (await response.json()) as { data: Array<{ id: string; url: string }> };
  return body.data.filter((hook) => hook.url === webhookUrl());
}

async function executions(): Promise<any[]> {
  const answer = await n8nApi({ url: n8n.url, apiKey }, 'GET', `/executions?workflowId=${workflowId}&includeData=true`);
  return answer.body?.data ?? [];
}

describe.skipIf(unavailable !== null)('the n8n community node in a real n8n', () => {
  beforeAll(async () => {
    session = await startSandbox({
      env: { HOST: '127.0.0.1', LEARNHOOK_RATE_LIMIT: '10000', LEARNHOOK_HYDRATION_MAX_WAIT_MS: '2000', LEARNHOOK_ALLOW_PRIVATE_TARGETS: 'true' },
      port: 0,
      dir: mkdtempSync(path.join(os.tmpdir(), 'learnhook-n8n-sandbox-')),
      logger: createLogger({ level: 'silent' }),
      progress: () => {},
    });
    userFolder = mkdtempSync(path.join(os.tmpdir(), 'learnhook-n8n-'));
    const tarball = packCommunityPackage(mkdtempSync(path.join(os.tmpdir(), 'learnhook-n8n-pack-')));
    install = installCommunityPackage(userFolder, tarball);
    port = await freePort();
    n8n = await startN8n(userFolder, port);
    apiKey = await setUpOwner(n8n.url);
  }, 180_000);

  afterAll(async () => {
    await n8n?.stop();
    await session?.close();
  }, 30_000);

  it("n8n's manual install puts the package, and nothing else, in the user folder's nodes directory", () => {
    const nodesModules = path.join(userFolder, '.n8n', 'nodes', 'node_modules');
    const packages = readdirSync(nodesModules, { withFileTypes: true }).filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'));
    // n8n supplies n8n-workflow: the optional peer keeps npm from installing a second copy here.
    expect(packages.map((entry) => entry.name)).toEqual(['n8n-nodes-learnhook']);
    expect(install.npmOutput).toMatch(/added 1 package/);
    const manifest = JSON.parse(readFileSync(path.join(install.installedDir, 'package.json'), 'utf8'));
    expect(manifest).toMatchObject({ name: 'n8n-nodes-learnhook', version: expect.any(String) });
    for (const file of [...manifest.n8n.nodes, ...manifest.n8n.credentials]) expect(existsSync(path.join(install.installedDir, file)), file).toBe(true);
    expect(existsSync(path.join(install.installedDir, 'nodes')), 'no TypeScript sources').toBe(false);
  });

  it("n8n lists the package's trigger, its action node and that node as an AI agent tool in the editor's nodes panel", async () => {
    const types = await editorNodeTypes(n8n.url, await logIn(n8n.url));
    const ours = types.filter((type) => type.name.startsWith('n8n-nodes-learnhook.'));
    expect(ours.map((type) => [type.name, type.displayName]).sort()).toEqual([
      [ACTION_TYPE, 'Learnhook'],
      // usableAsTool: n8n derives the tool variant from the action node.
      [`${ACTION_TYPE}Tool`, 'Learnhook Tool'],
      [TRIGGER_TYPE, 'Learnhook Trigger'],
    ]);
  });

  it('activating the workflow creates exactly one hub subscription', async () => {
    workflowId = await activateLearnhookWorkflow(
      { url: n8n.url, apiKey },
      { url: session.hub.url, apiKey: session.apiKey },
      { name: 'Learnhook e2e', webhookId: WEBHOOK_ID },
    );
    await eventually(async () => (await hubHooks()).length === 1, 15_000, 'one subscription');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await hubHooks()).toHaveLength(1);
  }, 60_000);

  it('an event sent by the sandbox LMS produces one execution: the trigger outputs the hydrated event, the action node gets it again', async () => {
    const result = await session.lms.emit({ vendor: 'absorb', event: 'Enrollment Completed by Learner' });
    const done = await eventually(
      async () => {
        const list = await executions();
        return list.length > 0 && list[0].finished ? list : undefined;
      },
      30_000,
      'an n8n execution',
    );
    expect(done).toHaveLength(1);
    const output = done[0].data.resultData.runData['Learnhook Trigger'][0].data.main[0][0].json;
    expect(output).toMatchObject({ type: 'enrollment.completed', learner: { email: result.user.email } });
    expect(output.hydration).toBeDefined();
    expect(output.raw).toBeUndefined();
    const fetched = done[0].data.resultData.runData['Get Event'][0].data.main[0][0].json;
    expect(fetched).toMatchObject({ id: output.id, type: 'enrollment.completed', learner: { email: result.user.email } });
  }, 60_000);

  it('a badly signed request is refused with 401 and starts no execution', async () => {
    const body = JSON.stringify({ id: 'evt_forged', type: 'enrollment.completed' });
    const response = await fetch(webhookUrl(), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': 'msg_forged',
        'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
        'webhook-signature': `v1,${Buffer.alloc(32).toString('base64')}`,
      },
      body,
    });
    expect(response.status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await executions()).toHaveLength(1);
  }, 30_000);

  it('restarting n8n leaves one subscription', async () => {
    await n8n.stop();
    n8n = await startN8n(userFolder, port);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await hubHooks()).toHaveLength(1);
  }, 150_000);

  it('deactivating removes the subscription', async () => {
    const deactivated = await n8nApi({ url: n8n.url, apiKey }, 'POST', `/workflows/${workflowId}/deactivate`);
    expect(deactivated.status, JSON.stringify(deactivated.body)).toBe(200);
    await eventually(async () => (await hubHooks()).length === 0, 15_000, 'no subscription');
  }, 30_000);
});
