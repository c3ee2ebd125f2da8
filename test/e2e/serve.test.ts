import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HUB_NODE_FLAGS } from '@learnhook/core';
import { eventually, freePort, ownerThrough, runCli } from '@learnhook/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, type HubProcess, startHubProcess } from '../lib/hub-process.ts';

let hub: HubProcess | undefined;
afterEach(async () => {
  await hub?.stop('SIGKILL');
  hub = undefined;
});

/** `learnhook serve` as a running process; its help, refusals and the command dispatch are tested in core/src/cli.test.ts. */
describe('learnhook serve', () => {
  it('runs on Node 24, the runtime the project provisions for itself', () => {
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(24);
  });

  it('answers /healthz over HTTP once it says it listens', async () => {
    hub = await startHubProcess();
    const response = await fetch(`${hub.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', version: expect.stringMatching(/^\d+\.\d+\.\d+/), store: { writable: true } });
  });

  it('stops on SIGTERM with exit code 0', async () => {
    hub = await startHubProcess();
    const code = await hub.stop('SIGTERM');
    expect(code, hub.output.join('\n')).toBe(0);
    hub = undefined;
  });

  it('fails with a clear message when the port is taken', async () => {
    hub = await startHubProcess();
    const port = new URL(hub.url).port;
    const second = await runCli(['serve'], { env: { PORT: port, HOST: '127.0.0.1' } });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`Port ${port} is already in use`);
  });
});

/** util-linux `script` runs a command on a pseudo-terminal: the hub then sees what `npm start` in a terminal sees. */
const hasScript = spawnSync('script', ['--version']).status === 0;
const SETUP_LINK = /http:\/\/\S+\/setup\/[\w-]{43}/;

describe('the console setup link at first start', () => {
  it('stays out of a service log: the hub logs which command prints one, and that command prints a link that works', async () => {
    hub = await startHubProcess();
    const running = hub;
    await eventually(async () => running.output.some((line) => line.includes('learnhook setup-link')), 5_000, 'the setup-link hint');
    expect(running.output.join('\n')).not.toMatch(/\/setup\//);
    const printed = await runCli(['setup-link'], { dataDir: running.dataDir, env: { LEARNHOOK_PUBLIC_URL: running.url } });
    expect(printed.code, printed.stderr).toBe(0);
    const link = SETUP_LINK.exec(printed.stdout)?.[0] ?? '';
    expect(link.startsWith(`${running.url}/setup/`)).toBe(true);
    await ownerThrough(running.url, link);
  });

  it.skipIf(!hasScript)('is printed to a terminal, as npm start on a new machine shows it (skipped without util-linux script)', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'learnhook-tty-'));
    const port = await freePort();
    const command = [process.execPath, ...HUB_NODE_FLAGS, CLI, 'serve'].join(' ');
    const child = spawn('script', ['--quiet', '--return', '--command', command, '/dev/null'], {
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LEARNHOOK_DATA: path.join(dataDir, 'learnhook.db') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const link = await eventually(async () => SETUP_LINK.exec(output)?.[0], 15_000, 'the setup link on the terminal');
      expect(output).toContain('First run: open this link to create the owner account');
      await ownerThrough(`http://127.0.0.1:${port}`, link);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});
