import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../errors.ts';
import { mountSmallDisk } from '../testing/small-disk.ts';
import { createGroupCommit } from './sqlite-group-commit.ts';
import { createWriteHealth } from './write-health.ts';

const disk = mountSmallDisk(2 * 1024 * 1024);
const noDisk = typeof disk === 'string' ? disk : null;
if (noDisk) console.warn(`SKIPPED the full-disk group commit test: ${noDisk}`);
afterAll(() => {
  if (typeof disk !== 'string') disk.unmount();
});

function walDatabase(file: string): DatabaseSync {
  const db = new DatabaseSync(file);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = FULL');
  db.exec('CREATE TABLE IF NOT EXISTS t (x TEXT)');
  return db;
}

describe('the embedded store when it cannot write', () => {
  it.skipIf(noDisk !== null)(
    'refuses every write of a group commit the full disk cannot take with store_unavailable (disk_full), and takes writes again once space returns',
    async () => {
      if (typeof disk === 'string') return;
      const db = walDatabase(path.join(disk.dir, 'full.db'));
      const changes: boolean[] = [];
      const health = createWriteHealth({ onChange: (state) => changes.push(state.writable) });
      const commits = createGroupCommit(db, health);
      const insert = () => commits.write(() => db.prepare('INSERT INTO t VALUES (?)').run('x'.repeat(4000)));
      await insert();
      disk.fill();
      let refusal: unknown = null;
      for (let i = 0; i < 2_000 && refusal === null; i += 1) {
        const group = await Promise.allSettled([insert(), insert(), insert()]);
        const failed = group.filter((outcome) => outcome.status === 'rejected');
        if (failed.length > 0) {
          // One transaction: the writes of a group fail together, none half-kept.
          expect(failed).toHaveLength(3);
          refusal = (failed[0] as PromiseRejectedResult).reason;
        }
      }
      expect(refusal).toBeInstanceOf(StoreUnavailableError);
      expect(refusal).toMatchObject({ status: 503, code: 'store_unavailable', reason: 'disk_full' });
      expect(health.state()).toMatchObject({ writable: false, reason: 'disk_full' });
      const stored = Number((db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n);

      disk.free();
      await insert();
      expect(health.state()).toEqual({ writable: true });
      expect(Number((db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n)).toBe(stored + 1);
      expect(changes).toEqual([false, true]);
      commits.close();
      db.close();
    },
    60_000,
  );

  it('refuses a write to a read-only store with store_unavailable (read_only), naming what SQLite said', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'learnhook-readonly-')), 'ro.db');
    walDatabase(file).close();
    const db = new DatabaseSync(file, { readOnly: true });
    const health = createWriteHealth();
    const commits = createGroupCommit(db, health);
    const refusal = await commits.write(() => db.prepare('INSERT INTO t VALUES (?)').run('x')).catch((error: unknown) => error);
    expect(refusal).toMatchObject({ code: 'store_unavailable', reason: 'read_only', details: { reason: 'read_only', retry_after_seconds: 30 } });
    expect((refusal as Error).message).toContain('read-only');
    expect(health.state()).toMatchObject({ writable: false, reason: 'read_only', detail: expect.stringContaining('readonly') });
    commits.close();
    db.close();
  });
});
