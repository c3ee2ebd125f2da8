import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, startHubProcess, type HubProcess } from '../lib/hub-process.ts';

let hub: HubProcess | undefined;
afterEach(async () => {
  await hub?.stop('SIGKILL');
  hub = undefined;
});

describe('learnhook serve', () => {
  it('runs on Node 24, the runtime the project provisions for itself', () => {
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(24);
  });

  it('answers /healthz over HTTP once it says it listens', async () => {
    hub = await startHubProcess();
    const response = await fetch(`${hub.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
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
    const second = spawnSync(process.execPath, [CLI, 'serve'], { env: { ...process.env, PORT: port, HOST: '127.0.0.1' }, encoding: 'utf8' });
    expect(second.status).toBe(1);
    expect(second.stderr).toContain(`Port ${port} is already in use`);
  });

  it('refuses a bad setting by naming it', () => {
    const run = spawnSync(process.execPath, [CLI, 'serve'], { env: { ...process.env, PORT: 'eighty' }, encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('PORT');
  });

  it('prints help for the command and for serve, listing its settings', () => {
    const top = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
    expect(top.status).toBe(0);
    expect(top.stdout).toContain('serve');
    const serve = spawnSync(process.execPath, [CLI, 'serve', '--help'], { encoding: 'utf8' });
    expect(serve.stdout).toContain('LEARNHOOK_DATA');
  });

  it('rejects an unknown command with usage and exit code 2', () => {
    const run = spawnSync(process.execPath, [CLI, 'frobnicate'], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('unknown command "frobnicate"');
  });
});
