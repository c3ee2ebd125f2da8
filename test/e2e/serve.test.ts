import { runCli } from '@learnhook/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { type HubProcess, startHubProcess } from '../lib/hub-process.ts';

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
