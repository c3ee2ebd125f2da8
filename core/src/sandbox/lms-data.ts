import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import type { Logger } from '../logger.ts';
import { SandboxData, demoData } from './demo-data.ts';

/**
 * The sandbox organisation in a lowdb JSON file that people edit by hand, even while the sandbox
 * runs: a changed file is read again on the next request (checked at most once a second), and a
 * file that no longer fits the schema is reported and the last good data kept.
 */
export interface LmsData {
  /** The current organisation. */
  current(): SandboxData;
  /** Changes the organisation and writes the file, as the LMS itself would record what happened. */
  change(mutate: (data: SandboxData) => void): Promise<void>;
  file: string;
}

export async function openLmsData(file: string, logger: Logger): Promise<LmsData> {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Low<unknown>(new JSONFile<unknown>(file), null);
  await db.read();
  if (db.data === null) {
    db.data = demoData();
    await db.write();
  }
  const first = SandboxData.safeParse(db.data);
  if (!first.success) {
    throw new Error(
      `The sandbox data file ${file} does not fit the sandbox schema: ${first.error.issues[0]?.path.join('.')}: ${first.error.issues[0]?.message}. Fix it, or delete it to start again from the demo organisation.`,
    );
  }
  let data = first.data;
  let mtime = statSync(file).mtimeMs;
  let checkedAt = Date.now();
  let reloading = false;

  async function reload(): Promise<void> {
    reloading = true;
    try {
      await db.read();
      const parsed = SandboxData.safeParse(db.data);
      if (parsed.success) {
        data = parsed.data;
        logger.info({ file }, 'sandbox data reloaded');
      } else {
        logger.warn({ file, issue: parsed.error.issues[0] }, 'sandbox data file does not fit the schema; keeping the last good data');
      }
    } finally {
      reloading = false;
    }
  }

  return {
    file,
    async change(mutate) {
      const next = structuredClone(data);
      mutate(next);
      data = SandboxData.parse(next);
      db.data = data;
      await db.write();
      // Our own write is not a hand edit: do not read it back.
      mtime = statSync(file).mtimeMs;
    },
    current() {
      const now = Date.now();
      if (now - checkedAt > 1000 && !reloading) {
        checkedAt = now;
        const changed = statSync(file, { throwIfNoEntry: false })?.mtimeMs;
        if (changed !== undefined && changed !== mtime) {
          mtime = changed;
          void reload();
        }
      }
      return data;
    },
  };
}
