import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { KEY_BYTES, type Keyring, parseSecretKey, parseSecretKeys } from './secret-box.ts';

/** The key settings, as config.ts declares them. */
export interface KeySettings {
  LEARNHOOK_SECRET_KEY?: string | undefined;
  LEARNHOOK_SECRET_KEY_PREVIOUS?: string | undefined;
  LEARNHOOK_SECRET_KEY_NEXT?: string | undefined;
}

/** The embedded store's own key, generated beside the data file on first start. */
export const KEY_FILE = 'secret.key';
/** The key a rotation on the embedded store is retiring; kept until every value is re-sealed. */
export const PREVIOUS_KEY_FILE = 'secret.key.previous';

function readKeyFile(file: string): Buffer {
  return parseSecretKey(readFileSync(file, 'utf8'), `The key file ${file}`);
}

/** Replaces a key file whole (a reader sees the old content or the new, never half), readable only by its owner. */
function writeKeyFile(file: string, key: Buffer): void {
  const temporary = `${file}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w', 0o600);
  try {
    writeSync(fd, `${key.toString('base64')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
}

/**
 * The hub's keys. From the environment when LEARNHOOK_SECRET_KEY is set (PREVIOUS and NEXT only
 * open); otherwise from the key files beside the data file, `secret.key` generated (mode 0600) on
 * first start so a new user has nothing to set up, read again whenever the box asks, so that a
 * running hub follows `learnhook secrets rotate` on the embedded store.
 */
export function keyringFor(settings: KeySettings, dataDir: string): Keyring | (() => Keyring) {
  if (settings.LEARNHOOK_SECRET_KEY) {
    return {
      current: parseSecretKey(settings.LEARNHOOK_SECRET_KEY, 'LEARNHOOK_SECRET_KEY'),
      others: [
        ...parseSecretKeys(settings.LEARNHOOK_SECRET_KEY_PREVIOUS, 'LEARNHOOK_SECRET_KEY_PREVIOUS'),
        ...parseSecretKeys(settings.LEARNHOOK_SECRET_KEY_NEXT, 'LEARNHOOK_SECRET_KEY_NEXT'),
      ],
    };
  }
  const file = path.join(dataDir, KEY_FILE);
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    try {
      writeFileSync(file, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      // Another process made it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return () => keyFiles(dataDir);
}

/** The keyring the key files beside the data file hold now. */
export function keyFiles(dataDir: string): Keyring {
  const previous = path.join(dataDir, PREVIOUS_KEY_FILE);
  return { current: readKeyFile(path.join(dataDir, KEY_FILE)), others: existsSync(previous) ? [readKeyFile(previous)] : [] };
}

/**
 * The first step of a rotation on the key files: the current key is kept as secret.key.previous,
 * then a fresh key replaces secret.key. Each write is whole, and the order leaves the files usable
 * at every moment, so a run that stops anywhere is resumed by the next (answers 'resumed') with
 * the key it already made.
 */
export function beginKeyFileRotation(dataDir: string): 'started' | 'resumed' {
  const currentFile = path.join(dataDir, KEY_FILE);
  const previousFile = path.join(dataDir, PREVIOUS_KEY_FILE);
  if (!existsSync(currentFile)) {
    throw new Error(`There is no ${KEY_FILE} in ${dataDir}: no hub has stored a secret with this LEARNHOOK_DATA yet, so there is nothing to rotate.`);
  }
  const current = readKeyFile(currentFile);
  const resumed = existsSync(previousFile);
  if (!resumed) writeKeyFile(previousFile, current);
  else if (!readKeyFile(previousFile).equals(current)) return 'resumed';
  // Stopped between the two writes last time, or starting now: the fresh key goes in.
  writeKeyFile(currentFile, randomBytes(KEY_BYTES));
  return resumed ? 'resumed' : 'started';
}

/** The last step: once nothing is sealed with the old key, it goes. */
export function finishKeyFileRotation(dataDir: string): void {
  rmSync(path.join(dataDir, PREVIOUS_KEY_FILE), { force: true });
}
