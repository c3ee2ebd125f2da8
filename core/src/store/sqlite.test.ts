import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { SAMPLES } from '../catalog/index.ts';
import { hookRecord as hook, ingestInput } from '../testing/store-fixtures.ts';
import { openSqliteStore } from './sqlite.ts';
import { HOT_QUERIES } from './sqlite-claims.ts';
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
  it('hands deliveries left in flight by a crash back when the hub reopens it, and only then; event claims start afresh with every opening', async () => {
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
    await beside.close();
    const second = openSqliteStore({ file, recoverInFlight: true });
    opened.push(second);
    expect(await second.getDelivery('dlv_h1_0')).toMatchObject({ status: 'pending' });
    expect(await second.hooksWithDueDeliveries(Date.now() + 1)).toEqual(['h1']);
    expect((await second.claimEvents(Date.now(), 10, 1000)).map((event) => event.id)).toEqual(['evt_d', 'evt_e']);
  });

  it('leases events in memory: none is handed out twice while leased, even past events completed meanwhile, and one left received is handed out again when its lease runs out', async () => {
    const store = openSqliteStore({ file: tempFile() });
    opened.push(store);
    await store.ingest(ingestInput('a', 'b', 'c'));
    expect((await store.claimEvents(100, 2, 1000)).map((event) => event.id)).toEqual(['evt_a', 'evt_b']);
    expect(await store.completeEvent('evt_a', { ...SAMPLES['enrollment.completed'], id: 'evt_a' }, [])).toBe(true);
    await store.ingest(ingestInput('d'));
    expect((await store.claimEvents(200, 10, 1000)).map((event) => event.id)).toEqual(['evt_c', 'evt_d']);
    expect(await store.claimEvents(1099, 10, 1000)).toEqual([]);
    // evt_a was completed: only evt_b, still received, comes back.
    expect((await store.claimEvents(1100, 10, 1000)).map((event) => event.id)).toEqual(['evt_b']);
  });

  it('hands out again from the first received event once no lease is left, so an event whose seq pruning freed and SQLite reused is handed out', async () => {
    const file = tempFile();
    const store = openSqliteStore({ file });
    opened.push(store);
    await store.ingest(ingestInput('a', 'b'));
    expect(await store.claimEvents(100, 10, 1000)).toHaveLength(2);
    for (const id of ['evt_a', 'evt_b']) await store.completeEvent(id, { ...SAMPLES['enrollment.completed'], id }, []);
    // Pruning removes the newest row; SQLite gives its seq to the next event.
    const beside = new DatabaseSync(file);
    beside.exec(`DELETE FROM events WHERE id = 'evt_b'`);
    beside.close();
    await store.ingest(ingestInput('c'));
    expect((await store.claimEvents(1100, 10, 1000)).map((event) => event.id)).toEqual(['evt_c']);
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
