import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../config.ts';
import { CliError } from '../errors.ts';
import { openSqliteStore } from '../store/sqlite.ts';
import { runCli } from '../testing/cli.ts';
import { startTestHub } from '../testing/test-hub.ts';
import { BACKUP_USAGE, runBackup } from './backup.ts';
import { RESTORE_USAGE, runRestore } from './restore.ts';

const folder = (name: string) => mkdtempSync(path.join(os.tmpdir(), `learnhook-${name}-`));
const configFor = (dir: string, env: Record<string, string> = {}) => readConfig({ LEARNHOOK_DATA: path.join(dir, 'learnhook.db'), ...env });

/** Runs `learnhook backup|restore` in this process (so a hub here keeps answering); answers the code and what it printed. */
async function run(command: typeof runBackup, args: string[], dir: string, env: Record<string, string> = {}) {
  let out = '';
  const code = await command(args, configFor(dir, env), (text) => (out += text));
  return { code, out };
}

describe('learnhook backup and restore', () => {
  it('print their help and exit 0 on --help, and exit 2 with it when FILE is missing', async () => {
    const dir = folder('help');
    expect(await run(runBackup, ['--help'], dir)).toEqual({ code: 0, out: BACKUP_USAGE });
    expect(await run(runBackup, [], dir)).toEqual({ code: 2, out: BACKUP_USAGE });
    expect(await run(runRestore, ['-h'], dir)).toEqual({ code: 0, out: RESTORE_USAGE });
    expect(await run(runRestore, [], dir)).toEqual({ code: 2, out: RESTORE_USAGE });
    const wired = await runCli(['backup', '--help']);
    expect(wired).toMatchObject({ code: 0, stdout: BACKUP_USAGE });
  });

  it('copies a running hub’s store and its key, and a hub restored from them has the same connections, hooks and API keys', async () => {
    const source = await startTestHub();
    const backups = folder('backups');
    let key: string;
    let hookId: string;
    try {
      expect((await source.api('POST', '/v1/connections', { name: 'acme', vendor: 'standard' })).status).toBe(201);
      hookId = (await source.api('POST', '/v1/hooks', { url: 'http://127.0.0.1:9/hook', events: ['*'] })).body.id;
      key = await source.createKey('--label', 'zapier');
      // While the hub runs; FILE a folder: the copy is named for its time.
      const backup = await run(runBackup, [backups], source.dataDir);
      expect(backup.code).toBe(0);
      expect(backup.out).toContain('Restore with: learnhook restore');
    } finally {
      await source.close();
    }
    const [file] = readdirSync(backups).filter((name) => name.endsWith('.db'));
    expect(file).toMatch(/^learnhook-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.db$/);
    const backupFile = path.join(backups, file ?? '');
    expect(readFileSync(`${backupFile}.secret.key`, 'utf8')).toBe(readFileSync(path.join(source.dataDir, 'secret.key'), 'utf8'));
    expect(statSync(`${backupFile}.secret.key`).mode & 0o777).toBe(0o600);

    const target = folder('restored');
    const restored = await run(runRestore, [backupFile], target);
    expect(restored.code).toBe(0);
    expect(restored.out).toContain('It holds 1 connections, 1 hooks');
    expect(readFileSync(path.join(target, 'secret.key'), 'utf8')).toBe(readFileSync(`${backupFile}.secret.key`, 'utf8'));
    const hub = await startTestHub({}, target);
    try {
      const connections = await hub.api('GET', '/v1/connections');
      expect(connections.body.data.map((c: { name: string }) => c.name)).toEqual(['acme']);
      // The connection's sealed secrets open with the restored key: its ingest URL is shown again.
      expect(connections.body.data[0].ingest_url).toMatch(/\/ingest\/acme\//);
      expect((await hub.api('GET', `/v1/hooks/${hookId}`)).status).toBe(200);
      expect((await hub.api('GET', '/v1/me', undefined, key)).body).toMatchObject({ label: 'zapier' });
    } finally {
      await hub.close();
    }
  }, 30_000);

  it('refuses to restore over a store a running hub has open, and changes nothing', async () => {
    const hub = await startTestHub();
    const backups = folder('backups');
    try {
      expect((await run(runBackup, [path.join(backups, 'copy.db')], hub.dataDir)).code).toBe(0);
      await hub.api('POST', '/v1/connections', { name: 'after-backup', vendor: 'standard' });
      const refused = run(runRestore, [path.join(backups, 'copy.db')], hub.dataDir);
      await expect(refused).rejects.toThrow(CliError);
      await expect(refused).rejects.toThrow(/has .*learnhook\.db open\. Stop it first/);
      expect((await hub.api('GET', '/v1/connections/after-backup')).status).toBe(200);
      expect(readdirSync(hub.dataDir).filter((name) => name.includes('restor'))).toEqual([]);
    } finally {
      await hub.close();
    }
  });

  it('refuses a file that is not a learnhook backup, or a key that does not open its secrets, and leaves the store as it was', async () => {
    const dir = folder('store');
    const hub = await startTestHub({}, dir);
    await hub.api('POST', '/v1/connections', { name: 'acme', vendor: 'standard' });
    await hub.close();
    const backups = folder('backups');
    expect((await run(runBackup, [path.join(backups, 'good.db')], dir)).code).toBe(0);
    const before = readFileSync(path.join(dir, 'learnhook.db'));

    writeFileSync(path.join(backups, 'notes.db'), 'not a database at all, but long enough to look like one '.repeat(100));
    await expect(run(runRestore, [path.join(backups, 'notes.db')], dir)).rejects.toThrow(/is not a learnhook backup.*Nothing was changed/);
    const wrongKey = { LEARNHOOK_SECRET_KEY: randomBytes(32).toString('base64') };
    await expect(run(runRestore, [path.join(backups, 'good.db')], dir, wrongKey)).rejects.toThrow(/LEARNHOOK_SECRET_KEY .* does not open the secrets/);

    expect(readFileSync(path.join(dir, 'learnhook.db')).equals(before)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['learnhook.db', 'secret.key']);
  });

  it('keeps the store it replaces beside it, with its key', async () => {
    const dir = folder('store');
    await (await startTestHub({}, dir)).close();
    const other = await startTestHub();
    await other.api('POST', '/v1/connections', { name: 'other', vendor: 'standard' });
    const backups = folder('backups');
    await run(runBackup, [path.join(backups, 'other.db')], other.dataDir);
    await other.close();
    const restored = await run(runRestore, [path.join(backups, 'other.db')], dir);
    const kept = readdirSync(dir).filter((name) => name.includes('.before-restore-'));
    expect(kept.map((name) => name.replace(/-[\dT-]+$/, ''))).toEqual(['learnhook.db.before-restore', 'secret.key.before-restore']);
    expect(restored.out).toContain('delete them once the hub works');
  });

  it('shows its progress while it copies a big store', async () => {
    const dir = folder('big');
    const store = openSqliteStore({ file: path.join(dir, 'learnhook.db') });
    const body = Buffer.alloc(1024 * 1024, 'x');
    for (let i = 0; i < 12; i += 1) {
      await store.ingest({ connection_id: 'c', request: { method: 'POST', route: 'webhook', headers: {}, body, received_at: Date.now() }, events: [] });
    }
    await store.close();
    const backup = await run(runBackup, [path.join(folder('backups'), 'big.db')], dir);
    expect(backup.out).toMatch(/Copied: 30% \(1,000 of [\d,]+ pages\)\nCopied: 60% \(2,000 of [\d,]+ pages\)/);
    expect(backup.out).toContain('The store holds no secrets yet');
  });

  it('send a person on PostgreSQL to pg_dump and pg_restore', async () => {
    const env = { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', LEARNHOOK_SECRET_KEY: randomBytes(32).toString('base64') };
    await expect(run(runBackup, ['x.dump'], folder('pg'), env)).rejects.toThrow(/pg_dump/);
    await expect(run(runRestore, ['x.dump'], folder('pg'), env)).rejects.toThrow(/pg_restore/);
    expect(existsSync('x.dump')).toBe(false);
  });
});
