import { existsSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Config } from '../config.ts';
import { CliError } from '../errors.ts';
import type { Keyring } from '../store/secret-box.ts';
import { keyFiles } from '../store/secret-keys.ts';
import { inspectBackup, NotRestorableError, stageRestore, storeInUse, swapInRestore } from '../store/sqlite-backup.ts';
import {
  copyPrivateFile,
  existingKeyFiles,
  KEY_FILES,
  keyFileOfBackup,
  keyIdOfRing,
  keyringFromEnvironment,
  keyringOfBackup,
  keyringOpens,
} from './backup-keys.ts';

export const RESTORE_USAGE = `Usage: learnhook restore FILE

Puts a backup made by learnhook backup in place of the embedded store (LEARNHOOK_DATA, default
./.learnhook/learnhook.db). Stop the hub first: the restore refuses while a hub, or another
learnhook command, has the store open.

The backup's key (FILE.secret.key, written by learnhook backup) becomes the hub's secret.key.
With LEARNHOOK_SECRET_KEY set, that key is used instead. Either way the restore checks that the
key opens the backup's secrets before it changes anything.

Nothing is lost by a restore: the store it replaces (and its key files) are kept beside it as
<name>.before-restore-<time>; delete them once the restored hub works. The backup is checked and
copied beside the store before anything is replaced, so a failed or interrupted restore leaves the
store as it was.

On PostgreSQL (DATABASE_URL) use pg_restore instead (README: "Backup and restore").

Options:
  -h, --help   Show this help.
`;

/** Which keys the restored hub will open its secrets with, and where they come from. */
function restoreKeyring(config: Config, backupFile: string, dataDir: string): { ring: Keyring; from: 'environment' | 'backup' | 'data folder' } {
  const fromEnvironment = keyringFromEnvironment(config);
  if (fromEnvironment) return { ring: fromEnvironment, from: 'environment' };
  const fromBackup = keyringOfBackup(backupFile);
  if (fromBackup) return { ring: fromBackup, from: 'backup' };
  if (existsSync(path.join(dataDir, KEY_FILES[0]))) return { ring: keyFiles(dataDir), from: 'data folder' };
  throw new CliError(
    `There is no key for this backup: no ${keyFileOfBackup(backupFile, KEY_FILES[0])} beside it, no LEARNHOOK_SECRET_KEY and no secret.key in ${dataDir}. Put the key file learnhook backup wrote beside the backup, or set LEARNHOOK_SECRET_KEY to the key the hub ran with.`,
  );
}

/** `learnhook restore FILE`: answers the exit code; writes what a person reads to `out`. */
export async function runRestore(args: string[], config: Config, out: (text: string) => void): Promise<number> {
  let values: { help?: boolean | undefined };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args, allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } }));
  } catch (error) {
    throw new CliError(`${error instanceof Error ? error.message : String(error)}\n\n${RESTORE_USAGE}`);
  }
  const [source, extra] = positionals;
  if (values.help || !source || extra !== undefined) {
    out(RESTORE_USAGE);
    return values.help ? 0 : 2;
  }
  if (config.DATABASE_URL) {
    throw new CliError(
      'This hub stores its data in PostgreSQL (DATABASE_URL), which learnhook restore does not write. Stop the hubs and use pg_restore, e.g.\n  pg_restore --clean --if-exists --dbname=<database> learnhook.dump\nwith the LEARNHOOK_SECRET_KEY the dump was made under (README: "Backup and restore").',
    );
  }
  const backupFile = path.resolve(source);
  if (!existsSync(backupFile)) throw new CliError(`There is no backup at ${backupFile}.`);
  const target = path.resolve(config.LEARNHOOK_DATA);
  if (backupFile === target) throw new CliError('FILE is the store itself; name the backup to restore.');
  const dataDir = path.dirname(target);
  if (!existsSync(dataDir)) throw new CliError(`The folder ${dataDir} (of LEARNHOOK_DATA) does not exist; create it, owned by the hub's user.`);
  if (storeInUse(target)) {
    throw new CliError(
      `A hub, or another learnhook command, has ${target} open. Stop it first (e.g. systemctl stop learnhook), then run this again. Nothing was changed.`,
    );
  }
  const { ring, from } = restoreKeyring(config, backupFile, dataDir);

  out(`Checking ${backupFile} ...\n`);
  const staged = stageRestore(backupFile, target);
  let replaced: string | null;
  const stamp = new Date().toISOString().slice(0, 19).replace(/:/g, '-');
  const keysAside: Array<{ file: string; aside: string }> = [];
  try {
    const contents = (() => {
      try {
        return inspectBackup(staged);
      } catch (error) {
        if (error instanceof NotRestorableError) throw new CliError(`${backupFile} ${error.message}. Nothing was changed.`);
        throw error;
      }
    })();
    if (!keyringOpens(ring, contents.sealedSample)) {
      const which =
        from === 'environment' ? 'LEARNHOOK_SECRET_KEY' : from === 'backup' ? keyFileOfBackup(backupFile, KEY_FILES[0]) : path.join(dataDir, KEY_FILES[0]);
      throw new CliError(
        `${which} (key id ${keyIdOfRing(ring)}) does not open the secrets in this backup: it was made under another key. Find that key; nothing was changed.`,
      );
    }
    out(`It holds ${contents.connections} connections, ${contents.hooks} hooks and ${contents.events.toLocaleString('en')} events.\n`);
    // Checked again right before the swap: a hub started while the backup was being checked must not have its file replaced under it.
    if (storeInUse(target)) throw new CliError(`A hub started on ${target} meanwhile. Stop it, then run this again. Nothing was changed.`);
    if (from === 'backup') {
      // The backup's keys are staged first, so the swap below is renames only.
      for (const name of KEY_FILES) {
        const current = path.join(dataDir, name);
        if (existsSync(current)) {
          keysAside.push({ file: current, aside: `${current}.before-restore-${stamp}` });
          renameSync(current, `${current}.before-restore-${stamp}`);
        }
      }
      for (const { name, file } of existingKeyFiles((name) => keyFileOfBackup(backupFile, name))) copyPrivateFile(file, path.join(dataDir, name));
    }
    replaced = swapInRestore(staged, target, stamp);
  } catch (error) {
    rmSync(staged, { force: true });
    // The store was not swapped: its own keys go back where they were.
    for (const { file, aside } of keysAside) renameSync(aside, file);
    throw error;
  }
  out(`Restored ${backupFile} to ${target}${from === 'backup' ? ', with its key' : ''} (key id ${keyIdOfRing(ring)}).\n`);
  if (replaced)
    out(
      `The store it replaced is kept as ${replaced}${keysAside.length ? `, its key as ${keysAside.map(({ aside }) => aside).join(', ')}` : ''}: delete them once the hub works.\n`,
    );
  out('Start the hub now (e.g. systemctl start learnhook).\n');
  return 0;
}
