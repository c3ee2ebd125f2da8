import type { DatabaseSync } from 'node:sqlite';
import { createWriteHealth, type WriteHealth } from './write-health.ts';

/**
 * Group commit for the embedded store: every write asked for in the same turn of the event loop
 * shares one transaction and one fsync, which is what lets one process acknowledge thousands of
 * durable ingests a second. Each write runs in its own savepoint, so one failing write does not
 * undo the others in its group. A group the disk cannot take (full, read-only) fails as a whole
 * with StoreUnavailableError; the next group tries again, so writing resumes once space returns.
 */
export interface GroupCommit {
  /** Queues a write for the next group commit; resolves once it is durable. */
  write<T>(fn: () => T): Promise<T>;
  /** Commits what is queued now; later writes are refused. */
  close(): void;
}

interface PendingWrite {
  run: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * What the writes of a group gather to write once for the whole group (sqlite-activity-tally.ts):
 * a failed write's share is dropped with its savepoint, and `write` runs inside the group's
 * transaction just before its COMMIT (if it throws, the group fails as a whole).
 */
export interface GroupWork {
  mark(): number;
  rollbackTo(mark: number): void;
  write(): void;
}

export function createGroupCommit(db: DatabaseSync, health: WriteHealth = createWriteHealth(), gathered?: GroupWork): GroupCommit {
  let queue: PendingWrite[] = [];
  let closed = false;

  function flush(): void {
    const batch = queue;
    queue = [];
    if (batch.length === 0) return;
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      db.exec('BEGIN IMMEDIATE');
      for (const write of batch) {
        db.exec('SAVEPOINT write');
        const mark = gathered?.mark() ?? 0;
        try {
          outcomes.push({ ok: true, value: write.run() });
          db.exec('RELEASE write');
        } catch (error) {
          gathered?.rollbackTo(mark);
          db.exec('ROLLBACK TO write');
          db.exec('RELEASE write');
          outcomes.push({ ok: false, error: health.failed(error) });
        }
      }
      gathered?.write();
      db.exec('COMMIT');
    } catch (error) {
      // The group is undone as a whole: so is what its writes gathered.
      gathered?.rollbackTo(0);
      try {
        if (db.isTransaction) db.exec('ROLLBACK');
      } catch {
        // SQLite rolls back by itself after some failed commits (SQLITE_FULL, SQLITE_IOERR): nothing is left to undo.
      }
      const refusal = health.failed(error);
      for (const write of batch) write.reject(refusal);
      return;
    }
    // A group whose every write failed wrote nothing (its COMMIT is empty): that says nothing of the disk.
    if (outcomes.some((outcome) => outcome.ok)) health.succeeded();
    batch.forEach((write, index) => {
      const outcome = outcomes[index];
      if (outcome?.ok) write.resolve(outcome.value);
      else write.reject(outcome?.error);
    });
  }

  return {
    write<T>(fn: () => T): Promise<T> {
      if (closed) return Promise.reject(new Error('The store is closed.'));
      return new Promise<T>((resolve, reject) => {
        if (queue.length === 0) setImmediate(flush);
        queue.push({ run: fn, resolve: resolve as (value: unknown) => void, reject });
      });
    },

    close() {
      flush();
      closed = true;
    },
  };
}
