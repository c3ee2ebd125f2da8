import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../config.ts';
import { CliError } from '../errors.ts';
import { consoleBrowser, ownerThrough, startTestHub } from '../testing/index.ts';
import { runSetupLink, SETUP_LINK_USAGE } from './setup-link.ts';

/** `learnhook setup-link` with `env` as its settings; what it prints is collected. */
async function setupLink(env: Record<string, string>): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await runSetupLink([], readConfig(env), (text) => (out += text));
  return { code, out };
}

describe('learnhook setup-link', { timeout: 20_000 }, () => {
  it('prints a link beside a running hub that creates the owner, replacing the one the hub made at start, and then refuses', async () => {
    const hub = await startTestHub();
    try {
      const env = { LEARNHOOK_DATA: path.join(hub.dataDir, 'learnhook.db'), LEARNHOOK_PUBLIC_URL: 'https://learnhook.example.com' };
      const printed = await setupLink(env);
      expect(printed.code).toBe(0);
      const link = /https:\/\/learnhook\.example\.com\/setup\/[\w-]{43}/.exec(printed.out)?.[0] ?? '';
      expect(printed.out).toBe(`Open this link to create the console's owner account (it works once, for 24 hours):\n  ${link}\n`);
      // The hub's own link (kept out of a service's log) is spent; the printed one creates the owner.
      const stale = await consoleBrowser(hub.url).request('GET', new URL(hub.hub.setupLink ?? '').pathname);
      expect(stale.status).toBe(410);
      await ownerThrough(hub.url, link);
      await expect(setupLink(env)).rejects.toThrow(
        new CliError('The console has an account already: sign in at https://learnhook.example.com/sign-in; an owner or admin invites others from Users.'),
      );
    } finally {
      await hub.close();
    }
  });

  it('starts the link with the hub address from HOST and PORT when no public URL is set', async () => {
    const hub = await startTestHub();
    try {
      const printed = await setupLink({ LEARNHOOK_DATA: path.join(hub.dataDir, 'learnhook.db'), HOST: '0.0.0.0', PORT: '9123' });
      expect(printed.out).toMatch(/^ {2}http:\/\/localhost:9123\/setup\/[\w-]{43}$/m);
    } finally {
      await hub.close();
    }
  });

  it('refuses a store no hub made, rather than create one whose link opens nothing', async () => {
    const data = path.join(mkdtempSync(path.join(os.tmpdir(), 'learnhook-setup-link-')), 'learnhook.db');
    await expect(setupLink({ LEARNHOOK_DATA: data })).rejects.toThrow(/^No store at .*learnhook\.db: run this where the hub runs, as its user/);
  });

  it('prints its help on --help', async () => {
    let out = '';
    expect(await runSetupLink(['--help'], readConfig({}), (text) => (out += text))).toBe(0);
    expect(out).toBe(SETUP_LINK_USAGE);
  });
});
