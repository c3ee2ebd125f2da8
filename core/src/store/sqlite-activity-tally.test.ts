import { describe, expect, it } from 'vitest';
import { HOUR_MS } from './sql/activity.ts';
import { openSqliteDatabase } from './sqlite-database.ts';

describe("the embedded store's activity tally", () => {
  it('writes one row per hour and connection for a whole group of writes, and nothing for a write that failed', async () => {
    const database = openSqliteDatabase({ file: ':memory:' });
    const at = 10 * HOUR_MS;
    const counted = (received: number) => () => database.activity.add({ at, connection_id: 'con_1', received });
    const failing = () => {
      database.activity.add({ at, connection_id: 'con_1', received: 100 });
      database.run(`INSERT INTO activity (hour, connection_id, received) VALUES (99, 'con_9', 1)`);
      throw new Error('this write fails after counting and a statement');
    };
    const results = await Promise.allSettled([
      database.write(counted(2)),
      database.write(failing),
      database.write(counted(3)),
      database.write(() => database.activity.add({ at: at + HOUR_MS, connection_id: 'con_1', delivered: 1, failed: 1 })),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(database.all('SELECT hour, connection_id, received, delivered, failed FROM activity ORDER BY hour').map((row) => ({ ...row }))).toEqual([
      { hour: 10, connection_id: 'con_1', received: 5, delivered: 0, failed: 0 },
      { hour: 11, connection_id: 'con_1', received: 0, delivered: 1, failed: 1 },
    ]);
    await database.close();
  });
});
