import { closeSync, copyFileSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.ts';
import { createSecretBox, type Keyring, keyIdOf, parseSecretKey } from '../store/secret-box.ts';
import { KEY_FILE, keyringFor, PREVIOUS_KEY_FILE } from '../store/secret-keys.ts';

/**
 * The key files that travel with a backup of the embedded store: without the key that sealed its
 * secrets a backup restores a hub that cannot open a single connection or hook secret. They are
 * written beside the backup as `<backup>.secret.key` (and `<backup>.secret.key.previous` during a
 * rotation), so the pair is easy to keep together and easy to keep apart.
 */
export const KEY_FILES = [KEY_FILE, PREVIOUS_KEY_FILE] as const;

/** Where a backup keeps a copy of one of the data folder's key files. */
export function keyFileOfBackup(backupFile: string, name: string): string {
  return `${backupFile}.${name}`;
}

/** Copies a file whole and readable only by its owner, through a temporary name, so a reader never sees half a key. */
export function copyPrivateFile(from: string, to: string): void {
  const temporary = `${to}.${process.pid}.tmp`;
  try {
    copyFileSync(from, temporary);
    const fd = openSync(temporary, 'r+');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, to);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/** The key files in a data folder, or beside a backup: those that exist, by their data-folder name. */
export function existingKeyFiles(fileOf: (name: string) => string): Array<{ name: string; file: string }> {
  return KEY_FILES.map((name) => ({ name, file: fileOf(name) })).filter(({ file }) => existsSync(file));
}

/** The keyring the key files beside a backup hold, or null when it has none. */
export function keyringOfBackup(backupFile: string): Keyring | null {
  const read = (name: string) => {
    const file = keyFileOfBackup(backupFile, name);
    return existsSync(file) ? parseSecretKey(readFileSync(file, 'utf8'), `The key file ${file}`) : null;
  };
  const current = read(KEY_FILE);
  if (!current) return null;
  const previous = read(PREVIOUS_KEY_FILE);
  return { current, others: previous ? [previous] : [] };
}

/** The keyring LEARNHOOK_SECRET_KEY (and its PREVIOUS/NEXT) give, or null when it is not set. */
export function keyringFromEnvironment(config: Config): Keyring | null {
  if (!config.LEARNHOOK_SECRET_KEY) return null;
  const ring = keyringFor(config, path.dirname(path.resolve(config.LEARNHOOK_DATA)));
  return typeof ring === 'function' ? ring() : ring;
}

/** Whether every sealed value opens with the keyring: a restore with the wrong key is refused before it replaces anything. */
export function keyringOpens(ring: Keyring, sealed: readonly string[]): boolean {
  const box = createSecretBox(ring);
  return sealed.every((value) => {
    try {
      box.open(value);
      return true;
    } catch {
      return false;
    }
  });
}

/** The printable id of a keyring's current key (never the key). */
export function keyIdOfRing(ring: Keyring): string {
  return keyIdOf(ring.current);
}
