import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Config } from '../config.ts';
import { CliError } from '../errors.ts';
import { backupSqliteFile, type CopyProgress, inspectBackup } from '../store/sqlite-backup.ts';
import { copyPrivateFile, existingKeyFiles, keyFileOfBackup, keyIdOfRing, keyringFromEnvironment, keyringOfBackup, keyringOpens } from './backup-keys.ts';

export const BACKUP_USAGE = `Usage: learnhook backup FILE

Copies the embedded store (LEARNHOOK_DATA, default ./.learnhook/learnhook.db) to FILE while the
hub keeps running: the copy is the store as it was when the backup began, everything the hub had
acknowledged by then included. FILE may be a folder: the copy is then named learnhook-<time>.db.

The secrets in the store are sealed with a key. Unless LEARNHOOK_SECRET_KEY is set, that key is
the secret.key file beside the data file, and the backup copies it to FILE.secret.key: keep the two
together (and both safe: the key opens every stored secret). With LEARNHOOK_SECRET_KEY set, keep
that value with the backup yourself; it is not written anywhere.

Run it as the user the hub runs as. Restore with: learnhook restore FILE

On PostgreSQL (DATABASE_URL) use pg_dump instead (README: "Backup and restore").

Options:
  -h, --help   Show this help.
`;

/** A backup named for when it was taken, with only characters every file system accepts. */
export function backupName(at: Date): string {
  return `learnhook-${at.toISOString().slice(0, 19).replace(/:/g, '-')}.db`;
}

/** Prints progress at each tenth of a copy that takes several steps (a big file); a small one just finishes. */
export function progressPrinter(out: (text: string) => void, verb: string): (progress: CopyProgress) => void {
  let shown = 0;
  return ({ copiedPages, totalPages }) => {
    const tenth = Math.floor((copiedPages / Math.max(1, totalPages)) * 10);
    if (tenth <= shown || tenth >= 10) return;
    shown = tenth;
    out(`${verb}: ${tenth * 10}% (${copiedPages.toLocaleString('en')} of ${totalPages.toLocaleString('en')} pages)\n`);
  };
}

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** `learnhook backup FILE`: answers the exit code; writes what a person reads to `out`. */
export async function runBackup(args: string[], config: Config, out: (text: string) => void): Promise<number> {
  let values: { help?: boolean | undefined };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args, allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } }));
  } catch (error) {
    throw new CliError(`${error instanceof Error ? error.message : String(error)}\n\n${BACKUP_USAGE}`);
  }
  const [target, extra] = positionals;
  if (values.help || !target || extra !== undefined) {
    out(BACKUP_USAGE);
    return values.help ? 0 : 2;
  }
  if (config.DATABASE_URL) {
    throw new CliError(
      'This hub stores its data in PostgreSQL (DATABASE_URL), which learnhook backup does not copy. Use pg_dump, e.g.\n  pg_dump --format=custom --file=learnhook.dump "$DATABASE_URL_WITHOUT_SCHEMA" --schema=<your schema>\nand keep LEARNHOOK_SECRET_KEY with it (README: "Backup and restore").',
    );
  }
  const source = path.resolve(config.LEARNHOOK_DATA);
  if (!existsSync(source)) {
    throw new CliError(`There is no embedded store at ${source}. Run this where the hub runs, with its LEARNHOOK_DATA.`);
  }
  const resolved = path.resolve(target);
  const file = existsSync(resolved) && statSync(resolved).isDirectory() ? path.join(resolved, backupName(new Date())) : resolved;
  if (file === source) throw new CliError('FILE is the store itself; name a file elsewhere (another disk is best).');
  if (!existsSync(path.dirname(file))) throw new CliError(`The folder ${path.dirname(file)} does not exist; create it first.`);

  out(`Backing up ${source} to ${file} ...\n`);
  const started = Date.now();
  let pages: number;
  try {
    pages = await backupSqliteFile(source, file, progressPrinter(out, 'Copied'));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CliError(`The backup failed and nothing was written to ${file}: ${reason}. If the disk is full, free space or back up to another disk.`);
  }
  out(`Copied ${pages.toLocaleString('en')} pages (${megabytes(statSync(file).size)}) in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`);

  const contents = inspectBackup(file);
  const fromEnvironment = keyringFromEnvironment(config);
  if (fromEnvironment) {
    out(
      `The stored secrets are sealed with LEARNHOOK_SECRET_KEY (key id ${keyIdOfRing(fromEnvironment)}), which is not in the backup: keep that value with it, or the restored hub cannot open them.\n`,
    );
    return 0;
  }
  const dataDir = path.dirname(source);
  const keys = existingKeyFiles((name) => path.join(dataDir, name));
  for (const { name, file: keyFile } of keys) copyPrivateFile(keyFile, keyFileOfBackup(file, name));
  const ring = keyringOfBackup(file);
  if (!ring) {
    if (contents.sealedSample.length > 0) throw new CliError(`There is no secret.key beside ${source}, so the secrets in this backup cannot be opened.`);
    out('The store holds no secrets yet, so there is no key to keep.\n');
    return 0;
  }
  if (!keyringOpens(ring, contents.sealedSample)) {
    throw new CliError(
      `The backup is written, but the secret.key beside ${source} does not open the secrets stored in it: find the key the hub runs with (LEARNHOOK_SECRET_KEY?) and keep it with the backup.`,
    );
  }
  out(
    `Key: ${keys.map(({ name }) => keyFileOfBackup(file, name)).join(', ')} (key id ${keyIdOfRing(ring)}). Keep it with the backup and safe: it opens every stored secret.\n`,
  );
  out(`Restore with: learnhook restore ${file}\n`);
  return 0;
}
