import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { hookRecord as hook, ingestInput } from '../testing/store-fixtures.ts';
import { HOT_QUERIES } from './sqlite-claims.ts';
import { openSqliteStore } from './sqlite.ts';
import type { Store } from './store.ts';

/** What only the embedded store does; the Store contract both keep is tested in store.test.ts. */

const opened: Store[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
});

function tempFile(): string {
  return path.join(mkdtempSync(path.join(os.tmpdir(), 'learnhook-store-')), 'nested', 'learnhook.db');
}

describe('the sqlite store', () => {
  it('hands deliveries and events left claimed by a crash back when the hub reopens it, and only then', async () => {
    const file = tempFile();
    const first = openSqliteStore({ file });
    await first.insertHook(hook('h1'));
    await first.ingest(ingestInput('d', 'e'));
    await first.insertDeliveries([{ id: 'dlv_h1_0', event_id: 'evt_d', hook_id: 'h1', next_attempt_at: 100, reason: 'event' }]);
    await first.claimDeliveries('h1', 200, 1, 3_600_000);
    expect(await first.claimEvents(Date.now(), 10, 3_600_000)).toHaveLength(2);
    await first.close();
    const beside = openSqliteStore({ file });
    expect(await beside.getDelivery('dlv_h1_0')).toMatchObject({ status: 'in_flight' });
    expect(await beside.claimEvents(Date.now(), 10, 1000)).toEqual([]);
    await beside.close();
    const second = openSqliteStore({ file, recoverInFlight: true });
    opened.push(second);
    expect(await second.getDelivery('dlv_h1_0')).toMatchObject({ status: 'pending' });
    expect(await second.hooksWithDueDeliveries(Date.now() + 1)).toEqual(['h1']);
    expect((await second.claimEvents(Date.now(), 10, 1000)).map((event) => event.id)).toEqual(['evt_d', 'evt_e']);
  });

  it('answers every delivery hot-path query from an index in its order, never sorting or scanning the backlog', async () => {
    const file = tempFile();
    await openSqliteStore({ file }).close();
    const db = new DatabaseSync(file);
    try {
      for (const [name, sql] of Object.entries(HOT_QUERIES)) {
        const plan = (
          db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...Array.from({ length: (sql.match(/\?/g) ?? []).length }, () => 1)) as Array<{ detail: string }>
        )
          .map((step) => step.detail)
          .join(' | ');
        expect(plan, name).not.toMatch(/TEMP B-TREE/);
        expect(plan, name).toMatch(/deliveries_(due|pending)/);
      }
    } finally {
      db.close();
    }
  });
});
