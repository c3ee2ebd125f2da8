import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { CliError } from '../errors.ts';
import { createLogger } from '../logger.ts';
import { runSandbox, SANDBOX_USAGE } from './sandbox.ts';

/** `learnhook sandbox ...args` in this process, on loopback; answers the session (null when it did not start) and what it printed. */
async function sandbox(args: string[]) {
  let out = '';
  const session = await runSandbox(args, { HOST: '127.0.0.1' }, createLogger({ level: 'silent' }), (text) => (out += text));
  if (session) onTestFinished(() => session.close());
  return { session, out };
}

describe('learnhook sandbox', () => {
  it('prints its help, which says where the LMS data lives, and starts nothing', async () => {
    expect(await sandbox(['--help'])).toEqual({ session: null, out: SANDBOX_USAGE });
    expect(SANDBOX_USAGE).toContain('DIR/lms.json');
  });

  it('refuses a port that is not a port number, naming the flag', async () => {
    await expect(sandbox(['--port', 'eighty'])).rejects.toThrow(new CliError('--port must be a port number, not "eighty".'));
    await expect(sandbox(['--port', '0', '--lms-port', '70000'])).rejects.toThrow(new CliError('--lms-port must be a port number, not "70000".'));
  });

  it('shows each step, then the hub, the LMS and an admin key that works against the hub it printed', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'learnhook-sandbox-'));
    const { session, out } = await sandbox(['--port', '0', '--dir', dir]);
    expect(session).not.toBeNull();
    expect(out).toContain(`[1/4] Starting the hub (store: ${path.join(dir, 'hub.db')}) ...\n`);
    expect(out).toContain(`[2/4] Starting the sandbox LMS (data: ${path.join(dir, 'lms.json')}) ...\n`);
    expect(out).toMatch(/\[3\/4\] Creating an API key \.\.\.\n\[4\/4\] Connecting \d+ LMS formats \.\.\.\n/);
    const hub = /^ {2}Hub {8}(\S+)$/m.exec(out)?.[1] ?? '';
    const key = /^ {2}API key {4}(\S+)/m.exec(out)?.[1] ?? '';
    expect(hub).toBe(session?.hub.url);
    expect(out).toContain(`  LMS        ${session?.lms.url}`);
    expect(out.trimEnd().endsWith('Stop with Ctrl-C.')).toBe(true);
    const me = await fetch(`${hub}/v1/me`, { headers: { authorization: `Bearer ${key}` } });
    expect(await me.json()).toMatchObject({ label: 'sandbox', scopes: ['admin'] });
  });
});
