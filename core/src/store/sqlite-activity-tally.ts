import type { SQLInputValue, StatementResultingChanges } from 'node:sqlite';
import { ACTIVITY_UPSERT, HOUR_MS } from './sql/activity.ts';
import type { GroupWork } from './sqlite-group-commit.ts';

/** What one write adds to the activity counts of one hour and connection. */
export interface ActivityDelta {
  at: number;
  connection_id: string;
  received?: number;
  delivered?: number;
  failed?: number;
}

/**
 * The embedded store's activity counts (sql/activity.ts), added once per group commit instead of
 * once per write: every ingest and every finished attempt adds to the same few rows, and an upsert
 * per write cost about 20 µs each (bench row 13, two per delivered event). The group commit drops
 * what a failed write added (its savepoint rolled back) and writes the sums before its COMMIT, in
 * the same transaction, so counts and the writes they count commit or fail together.
 */
export interface ActivityTally extends GroupWork {
  add(delta: ActivityDelta): void;
}

export function createActivityTally(run: (sql: string, ...params: SQLInputValue[]) => StatementResultingChanges): ActivityTally {
  let deltas: ActivityDelta[] = [];
  return {
    add(delta) {
      deltas.push(delta);
    },
    mark: () => deltas.length,
    rollbackTo(mark) {
      deltas.length = mark;
    },
    write() {
      const sums = new Map<string, { hour: number; connection_id: string; received: number; delivered: number; failed: number }>();
      for (const delta of deltas) {
        const hour = Math.floor(delta.at / HOUR_MS);
        const key = `${hour}\0${delta.connection_id}`;
        const sum = sums.get(key) ?? { hour, connection_id: delta.connection_id, received: 0, delivered: 0, failed: 0 };
        sum.received += delta.received ?? 0;
        sum.delivered += delta.delivered ?? 0;
        sum.failed += delta.failed ?? 0;
        sums.set(key, sum);
      }
      deltas = [];
      for (const sum of sums.values()) {
        run(
          `INSERT INTO activity (hour, connection_id, received, delivered, failed) VALUES (?, ?, ?, ?, ?) ${ACTIVITY_UPSERT}`,
          sum.hour,
          sum.connection_id,
          sum.received,
          sum.delivered,
          sum.failed,
        );
      }
    },
  };
}
