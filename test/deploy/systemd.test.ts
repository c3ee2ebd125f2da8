import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readConfig } from '@learnhook/core';
import { eventually, freePort } from '@learnhook/core/testing';
import { describe, expect, it } from 'vitest';
import { envFile, environmentAssignments, hasTool, hubSettingNames, ROOT, readRepoFile, runHub, startCommand, unitEntries } from './deploy-files.ts';

const SETTINGS = hubSettingNames();

/** deploy/learnhook.service expects the repository at /opt/learnhook; here it is ROOT. */
const INSTALL_DIR = '/opt/learnhook';
const unitText = readRepoFile('deploy/learnhook.service');
const entries = unitEntries(unitText);
const service = (key: string): string[] => entries.filter((entry) => entry.section === 'Service' && entry.key === key).map((entry) => entry.value);
const unitEnv = (): Record<string, string> => Object.assign({}, ...service('Environment').map(environmentAssignments));

describe('deploy/learnhook.service', () => {
  it('runs package.json start script on the Node 24 scripts/install.sh provisions', () => {
    const [execStart = ''] = service('ExecStart');
    const [binary, ...args] = execStart.split(/\s+/);
    expect(binary).toBe(`${INSTALL_DIR}/node_modules/.bin/node`);
    expect(['node', ...args]).toEqual(startCommand());
    expect(service('WorkingDirectory')).toEqual([INSTALL_DIR]);
  });

  it('keeps the store in its state directory, listens on loopback, and sets only hub settings', () => {
    const env = unitEnv();
    expect(path.dirname(env.LEARNHOOK_DATA ?? '')).toBe(`/var/lib/${service('StateDirectory')[0]}`);
    expect(env.HOST).toBe('127.0.0.1');
    const example = envFile(readRepoFile('deploy/learnhook.env'));
    const names = [...Object.keys(env), ...Object.keys(example)];
    expect(names.filter((name) => !SETTINGS.has(name))).toEqual([]);
    // The example env file with its commented lines filled in is a valid configuration.
    const commented = envFile(
      readRepoFile('deploy/learnhook.env')
        .split('\n')
        .map((line) => line.replace(/^#(?=[A-Z_]+=)/, ''))
        .join('\n'),
    );
    expect(Object.keys(commented)).toEqual(expect.arrayContaining(['DATABASE_URL', 'LEARNHOOK_SECRET_KEY', 'LEARNHOOK_ALLOWED_TARGETS']));
    expect(() => readConfig({ ...env, ...commented, LEARNHOOK_SECRET_KEY: Buffer.alloc(32, 7).toString('base64') })).not.toThrow();
  });

  it('has the README print the setup link as the unit runs the hub: its user, directory, node, store and env file', () => {
    const command = /sudo systemd-run ((?:[^\n\\]|\\\n)*)/.exec(readRepoFile('README.md'))?.[1]?.replace(/\\\n\s*/g, ' ') ?? '';
    const [execStart = ''] = service('ExecStart');
    expect(command).toContain(`--uid=${service('User')[0]}`);
    expect(command).toContain(`--working-directory=${service('WorkingDirectory')[0]}`);
    expect(command).toContain(`-E LEARNHOOK_DATA=${unitEnv().LEARNHOOK_DATA}`);
    expect(command).toContain(`-p EnvironmentFile=${service('EnvironmentFile')[0]}`);
    expect(command).toContain(`${execStart.split(/\s+/)[0]} core/src/cli.ts setup-link`);
  });

  it('gives the hub longer to stop than one delivery attempt may take', () => {
    const deliveryTimeoutMs = readConfig({}).LEARNHOOK_DELIVERY_TIMEOUT_MS;
    expect(Number(service('TimeoutStopSec')[0]) * 1000).toBeGreaterThan(deliveryTimeoutMs);
  });

  it.skipIf(!hasTool('systemd-analyze'))('passes systemd-analyze verify without a warning (skipped without systemd: apt-get install systemd)', () => {
    // verify checks that ExecStart's program exists: point the unit at this checkout.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'learnhook-unit-'));
    const unit = path.join(dir, 'learnhook.service');
    writeFileSync(unit, unitText.replaceAll(INSTALL_DIR, ROOT));
    const result = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
    // An unknown key or a bad value is only a warning on stderr, with exit status 0.
    expect(`${result.stdout}${result.stderr}`).toBe('');
    expect(result.status).toBe(0);
  });

  it('runs the hub from its ExecStart, working directory and environment, answering /healthz until SIGTERM stops it with 0', async () => {
    const stateDir = mkdtempSync(path.join(os.tmpdir(), 'learnhook-state-'));
    const port = String(await freePort());
    const [execStart = ''] = service('ExecStart');
    const env: Record<string, string> = {
      ...unitEnv(),
      ...envFile(readRepoFile('deploy/learnhook.env')),
      PORT: port,
      LEARNHOOK_DATA: unitEnv().LEARNHOOK_DATA?.replace('/var/lib/learnhook', stateDir) ?? '',
    };
    const argv = execStart.replaceAll(INSTALL_DIR, ROOT).split(/\s+/);
    const hub = await runHub(argv, { cwd: ROOT, env, url: `http://127.0.0.1:${port}` });
    const answer = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(await answer.json()).toMatchObject({ status: 'ok' });
    // The journal gets no setup link (whoever reads it could claim the console), only the command that prints one.
    await eventually(async () => hub.output.join('').includes('learnhook setup-link'), 10_000, 'the setup-link hint');
    expect(hub.output.join('')).not.toContain('/setup/');
    // That command, run as the README says (the unit's node, directory and environment), prints a link to the public URL.
    const [node = '', ...args] = argv;
    const cli = args.filter((arg) => arg.endsWith('cli.ts'));
    const printed = spawnSync(node, [...cli, 'setup-link'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });
    expect(printed.stderr).toBe('');
    expect(printed.stdout).toContain(`${envFile(readRepoFile('deploy/learnhook.env')).LEARNHOOK_PUBLIC_URL}/setup/`);
    expect(await hub.stop()).toBe(0);
  }, 40_000);
});
