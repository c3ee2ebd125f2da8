import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { SAMPLES, signStandardWebhook } from '@learnhook/core';
import { ADMIN_KEY, startTestHub, type TestHub } from '@learnhook/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type BuildResult, buildZips } from '../scripts/zapier-cli.mts';

/**
 * The Zapier CLI steps CI runs, offline: `validate --without-style`, `build --skip-dep-install`,
 * then build.zip unzipped into a temporary folder and its handler called as Zapier's runtime does,
 * in a Node process of its own.
 */

const run = promisify(execFile);
/** A test here starts fresh Node processes (about 1 s each): the default 5 s is too close on a busy machine. */
const SPAWNING = 30_000;
const HandlerAnswer = z.union([z.object({ results: z.unknown() }), z.object({ error: z.string() })]);

let build: BuildResult;
let unzipped: string;
let hub: TestHub;

beforeAll(async () => {
  build = await buildZips();
  unzipped = mkdtempSync(path.join(os.tmpdir(), 'learnhook-zapier-unzipped-'));
  await run('unzip', ['-q', build.buildZip, '-d', unzipped]);
  hub = await startTestHub();
}, 120_000);
afterAll(async () => {
  if (unzipped) rmSync(unzipped, { recursive: true, force: true });
  await hub?.close();
});

/** Calls the unzipped handler with one `execute` event, in a fresh process, and answers its output. */
async function invoke(method: string, bundle: object): Promise<z.infer<typeof HandlerAnswer>> {
  const script = `require('./zapierwrapper.js').handler({ command: 'execute', method: process.argv[1], bundle: JSON.parse(process.argv[2]) })
    .then((answer) => process.stdout.write(JSON.stringify({ results: answer.results })), (error) => process.stdout.write(JSON.stringify({ error: error.message })));`;
  // NODE_ENV=test keeps the runtime's ZID/RSSMEM log lines off stdout.
  const { stdout } = await run(process.execPath, ['-e', script, method, JSON.stringify(bundle)], { cwd: unzipped, env: { ...process.env, NODE_ENV: 'test' } });
  return HandlerAnswer.parse(JSON.parse(stdout));
}

describe('the Zapier CLI checks', { timeout: SPAWNING }, () => {
  it('validate the app offline with validate --without-style', () => {
    expect(build.output).toContain('This project is structurally sound!');
    expect(build.output).toContain('Build complete!');
  });

  it('zip the bundled app and zapier-platform-core, but not the hub', async () => {
    const { stdout } = await run('unzip', ['-Z1', build.buildZip]);
    const files = stdout.split('\n');
    expect(files).toEqual(
      expect.arrayContaining([
        'index.js',
        'zapierwrapper.js',
        'dist/index.js',
        'node_modules/zapier-platform-core/index.js',
        'node_modules/async-function/require.mjs',
      ]),
    );
    expect(files.some((file) => file.startsWith('node_modules/express/') || file.startsWith('node_modules/@learnhook/'))).toBe(false);
    // The bundle holds the catalog and the verifier, not the hub's store, server or HTTP client.
    const bundled = readFileSync(path.join(unzipped, 'dist', 'index.js'), 'utf8');
    expect(bundled).toContain('Course Completed');
    expect(bundled).not.toMatch(/require\("(node:sqlite|express|undici|pino)"\)/);
  });

  it("build a zip whose handler runs a trigger's perform on a signed delivery", async () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const content = JSON.stringify(SAMPLES['enrollment.completed']);
    const signed = signStandardWebhook({ id: 'dlv_zip', timestampSeconds: Date.now() / 1000, body: content, secret });
    const headers = {
      'Content-Type': 'application/json',
      'Http-Webhook-Id': signed['webhook-id'],
      'Http-Webhook-Timestamp': signed['webhook-timestamp'],
      'Http-Webhook-Signature': signed['webhook-signature'],
    };
    const bundle = {
      authData: {},
      subscribeData: { id: 'hook_zip', secret },
      rawRequest: { method: 'POST', querystring: '', headers, content },
      cleanedRequest: JSON.parse(content),
    };
    expect(await invoke('triggers.enrollment_completed.operation.perform', bundle)).toEqual({ results: [SAMPLES['enrollment.completed']] });

    const forged = { ...bundle, rawRequest: { ...bundle.rawRequest, content: content.replace('Maya', 'Mara') } };
    const refused = await invoke('triggers.enrollment_completed.operation.perform', forged);
    expect(refused).toEqual({ error: expect.stringContaining('did not come from your learnhook hub') });
  });

  it('build a zip whose handler talks to a real hub: the auth test and the sample list', async () => {
    const authData = { hub_url: hub.url, api_key: ADMIN_KEY };
    expect(await invoke('authentication.test', { authData })).toEqual({ results: expect.objectContaining({ scopes: ['admin'] }) });
    expect(await invoke('triggers.certificate_awarded.operation.performList', { authData, inputData: {} })).toEqual({
      results: [SAMPLES['certificate.awarded']],
    });
  });
});
