import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../config.ts';
import { CliError } from '../errors.ts';
import { openStore } from '../store/open-store.ts';
import { KEYS_USAGE, runKeys } from './keys.ts';

/** `learnhook keys` on a fresh embedded store of its own; what it prints is collected. */
function keysCli() {
  const config = readConfig({ LEARNHOOK_DATA: path.join(mkdtempSync(path.join(os.tmpdir(), 'learnhook-keys-')), 'learnhook.db') });
  let printed = '';
  return {
    config,
    printed: () => printed,
    async run(...args: string[]): Promise<{ code: number; out: string }> {
      const before = printed.length;
      const code = await runKeys(args, config, (text) => (printed += text));
      return { code, out: printed.slice(before) };
    },
  };
}

describe('learnhook keys', () => {
  it('prints its help and exits 0 on --help, and exits 2 with the help when no action is given', async () => {
    const cli = keysCli();
    expect(await cli.run('--help')).toEqual({ code: 0, out: KEYS_USAGE });
    expect(await cli.run()).toEqual({ code: 2, out: KEYS_USAGE });
    expect(KEYS_USAGE).toContain('learnhook keys create');
  });

  it('says which store it wrote the key to, and warns when that store is new, so no hub uses it yet', async () => {
    const cli = keysCli();
    const first = await cli.run('create');
    expect(first.out).toContain(`Stored in the embedded store ${cli.config.LEARNHOOK_DATA}.`);
    expect(first.out).toContain('Warning: that store did not exist until now');
    const second = await cli.run('create');
    expect(second.out).toContain('Stored in the embedded store');
    expect(second.out).not.toContain('Warning');
  });

  it('creates a key, prints it once on its own first line, and records it as created by the cli', async () => {
    const cli = keysCli();
    const created = await cli.run('create', '--scope', 'events', '--label', 'reporting');
    expect(created.code).toBe(0);
    const key = created.out.split('\n')[0] ?? '';
    expect(key.length).toBeGreaterThan(20);
    expect(created.out).toMatch(/Key \S+ \(events\) created\. This is the only time it is shown/);

    const listed = await cli.run('list');
    expect(listed.out).toMatch(/reporting\s+events\s+created \d{4}-\d{2}-\d{2} /);
    expect(listed.out).not.toContain(key);

    const store = await openStore(cli.config, { owner: false });
    try {
      expect((await store.listAudit({ limit: 10 })).data.map((entry) => [entry.actor, entry.action])).toEqual([['cli', 'key.created']]);
    } finally {
      await store.close();
    }
  });

  it('gives a key without --scope the hooks and events scopes, and reads scopes repeated or comma-separated', async () => {
    const cli = keysCli();
    expect((await cli.run('create')).out).toContain('(hooks, events) created');
    expect((await cli.run('create', '--scope', 'admin,hooks', '--scope', 'hooks')).out).toContain('(admin, hooks) created');
  });

  it('revokes a key and marks it revoked in the list', async () => {
    const cli = keysCli();
    await cli.run('create', '--label', 'leaked');
    const id = /Key (\S+) /.exec(cli.printed())?.[1] ?? '';
    expect(await cli.run('revoke', id)).toEqual({ code: 0, out: `Key ${id} revoked; its next request is refused.\n` });
    expect((await cli.run('list')).out).toMatch(/leaked.*REVOKED/);
  });

  it('says when there are no keys yet', async () => {
    expect((await keysCli().run('list')).out).toBe('No API keys yet: learnhook keys create\n');
  });

  it('refuses an unknown scope, a revoke without a key and an unknown key, naming what is wrong', async () => {
    const cli = keysCli();
    await expect(cli.run('create', '--scope', 'root')).rejects.toThrow(new CliError('Unknown scope root; use admin, hooks, events.'));
    await expect(cli.run('revoke')).rejects.toThrow(/Name the key to revoke/);
    await expect(cli.run('revoke', 'nope')).rejects.toThrow(new CliError('No active key nope; see learnhook keys list.'));
  });

  it('answers an unknown action with the help and exit code 2', async () => {
    expect(await keysCli().run('rotate')).toEqual({ code: 2, out: `learnhook keys: unknown action "rotate".\n\n${KEYS_USAGE}` });
  });
});
