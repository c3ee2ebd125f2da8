import { closeSync, copyFileSync, existsSync, fsyncSync, openSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { backup, DatabaseSync } from 'node:sqlite';
import { num, type Row, str } from './rows.ts';
import { MIGRATIONS } from './sqlite-migrations.ts';

/**
 * Online backup and restore of the embedded store (issue 17 §2). A backup is one consistent
 * snapshot taken while the hub keeps writing; a restore never leaves a half-written store behind:
 * both write a temporary file beside their target and rename it into place.
 */

export interface CopyProgress {
  copiedPages: number;
  totalPages: number;
}

/** Pages per backup step (4 KiB each): a step is a few milliseconds, so progress moves visibly on a big file. */
const PAGES_PER_STEP = 1_000;

/** Makes a rename durable: the directory entry is on disk, not only the file. */
function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function syncFile(file: string): void {
  const fd = openSync(file, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Copies the store at `source` to `target` while a hub may be writing it. The copy is the store as
 * it was when the copy began: one read transaction is held across every step, so the hub's commits
 * meanwhile neither restart the copy (as they would between steps) nor appear half in it; in WAL
 * mode that reader never blocks the hub's writes. Answers the number of pages copied.
 */
export async function backupSqliteFile(source: string, target: string, onProgress?: (progress: CopyProgress) => void): Promise<number> {
  const temporary = `${target}.partial-${process.pid}`;
  const db = new DatabaseSync(source);
  try {
    db.exec('PRAGMA busy_timeout = 5000');
    db.exec('BEGIN');
    // The snapshot starts with the transaction's first read: every commit acknowledged before this line is in it.
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    const pages = await backup(db, temporary, {
      rate: PAGES_PER_STEP,
      progress: ({ totalPages, remainingPages }) => onProgress?.({ copiedPages: totalPages - remainingPages, totalPages }),
    });
    db.exec('COMMIT');
    syncFile(temporary);
    renameSync(temporary, target);
    syncDirectory(path.dirname(target));
    return pages;
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  } finally {
    db.close();
  }
}

/** What a restore checks in a backup before it replaces anything. */
export interface BackupContents {
  /** The schema version (PRAGMA user_version); the hub brings an older one up to date when it starts. */
  version: number;
  events: number;
  hooks: number;
  connections: number;
  /** A few sealed secrets, to check the key a restore will use opens them. */
  sealedSample: string[];
}

/** Why a file cannot be restored, in words for the person restoring it. */
export class NotRestorableError extends Error {}

/**
 * Reads a copy of a backup and answers what it holds, or throws NotRestorableError: not a SQLite
 * file, damaged, not a learnhook store, or made by a newer learnhook than this one.
 */
export function inspectBackup(file: string): BackupContents {
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(file);
  } catch (error) {
    throw new NotRestorableError(`cannot be opened (${error instanceof Error ? error.message : String(error)})`);
  }
  try {
    const check = (() => {
      try {
        return db.prepare('PRAGMA quick_check').all() as Row[];
      } catch (error) {
        throw new NotRestorableError(`is not a learnhook backup: ${error instanceof Error ? error.message : String(error)}`);
      }
    })();
    const verdict = check.map((row) => str(row.quick_check)).join('; ');
    if (verdict !== 'ok') throw new NotRestorableError(`is damaged (SQLite's quick_check: ${verdict.slice(0, 300)})`);
    const version = num((db.prepare('PRAGMA user_version').get() as Row | undefined)?.user_version ?? 0);
    const tables = new Set((db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as Row[]).map((row) => str(row.name)));
    if (version === 0 || !['events', 'hooks', 'connections', 'api_keys'].every((table) => tables.has(table))) {
      throw new NotRestorableError('is a SQLite file but not a learnhook store');
    }
    if (version > MIGRATIONS.length) {
      throw new NotRestorableError(
        `was made by a newer learnhook (store version ${version}; this one knows up to ${MIGRATIONS.length}): restore it with that version or a later one`,
      );
    }
    const count = (table: string) => num((db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as Row | undefined)?.n ?? 0);
    const sealedSample = (
      db
        .prepare(
          `SELECT sealed FROM (SELECT token_enc AS sealed FROM connections LIMIT 3) UNION ALL SELECT sealed FROM (SELECT secret_enc AS sealed FROM hooks LIMIT 3)`,
        )
        .all() as Row[]
    ).map((row) => str(row.sealed));
    return { version, events: count('events'), hooks: count('hooks'), connections: count('connections'), sealedSample };
  } finally {
    db.close();
  }
}

/**
 * Whether some process has the store open: a hub, or a `learnhook` command beside it. Each of them
 * holds a shared lock on the file for as long as it has it open (WAL mode), so an exclusive lock
 * taken without waiting fails exactly while one does, and a hub that crashed leaves no stale mark.
 * Taking the lock also folds a crashed hub's WAL into the file, so the file alone is the whole store.
 */
export function storeInUse(file: string): boolean {
  if (!existsSync(file)) return false;
  const db = new DatabaseSync(file);
  try {
    db.exec('PRAGMA busy_timeout = 0');
    db.exec('PRAGMA locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('COMMIT');
    return false;
  } catch (error) {
    if (typeof error === 'object' && error !== null && 'errcode' in error && error.errcode === 5) return true; // SQLITE_BUSY
    throw error;
  } finally {
    db.close();
  }
}

/** Copies a backup beside the store it will replace, as a temporary file a restore checks before it swaps it in. */
export function stageRestore(backupFile: string, target: string): string {
  const staged = `${target}.restoring-${process.pid}`;
  try {
    copyFileSync(backupFile, staged);
    syncFile(staged);
  } catch (error) {
    rmSync(staged, { force: true });
    throw error;
  }
  return staged;
}

/**
 * Puts the staged copy in the store's place; the store it replaces is kept beside it as
 * `<file>.before-restore-<time>` (answered), or null when there was none. WAL and shared-memory
 * files left by a hub belong to the replaced file, so they go with it.
 */
export function swapInRestore(staged: string, target: string, stamp: string): string | null {
  let replaced: string | null = null;
  if (existsSync(target)) {
    replaced = `${target}.before-restore-${stamp}`;
    for (const suffix of ['-wal', '-shm']) if (existsSync(target + suffix)) renameSync(target + suffix, replaced + suffix);
    renameSync(target, replaced);
  }
  renameSync(staged, target);
  syncDirectory(path.dirname(target));
  return replaced;
}
