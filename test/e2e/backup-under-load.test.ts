import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { completionRequest, openSqliteStore, runCli, startTestHub } from '@learnhook/core/testing';
import { describe, expect, it } from 'vitest';

/**
 * Issue 17 §2: `learnhook backup` of a hub that keeps ingesting. Every request answered 2xx before
 * the backup began is in the copy, and a hub restored from it has each of those events.
 */

const folder = (name: string) => mkdtempSync(path.join(os.tmpdir(), `learnhook-${name}-`));

describe('learnhook backup under load', () => {
  it('copies every event acknowledged before it began, while the hub goes on acknowledging more, and a restored hub has them all', async () => {
    const dataDir = folder('loaded');
    // A store of some size first (12 MB of stored requests), so the copy takes many steps while the hub commits between them.
    const filler = openSqliteStore({ file: path.join(dataDir, 'learnhook.db') });
    for (let i = 0; i < 12; i += 1) {
      await filler.ingest({
        connection_id: 'old',
        request: { method: 'POST', route: 'webhook', headers: {}, body: Buffer.alloc(1024 * 1024, 'x'), received_at: Date.now() },
        events: [],
      });
    }
    await filler.close();

    const hub = await startTestHub({}, dataDir);
    const acknowledged: Array<{ id: string; at: number }> = [];
    let backupBegan = Number.POSITIVE_INFINITY;
    let stop = false;
    try {
      const connection = await hub.api('POST', '/v1/connections', { name: 'acme', vendor: 'standard' });
      let n = 0;
      const sender = async () => {
        while (!stop) {
          n += 1;
          const request = completionRequest('standard', connection.body.inbound, n);
          const response = await fetch(connection.body.ingest_url, { method: 'POST', headers: request.headers, body: request.body });
          const body = (await response.json()) as { event_ids: string[] };
          if (response.status === 202) for (const id of body.event_ids) acknowledged.push({ id, at: Date.now() });
        }
      };
      const senders = Array.from({ length: 6 }, sender);
      while (acknowledged.length < 200) await new Promise((resolve) => setTimeout(resolve, 20));

      backupBegan = Date.now();
      const backupFile = path.join(folder('backups'), 'under-load.db');
      const backup = await runCli(['backup', backupFile], { dataDir });
      const ackedWhileCopying = acknowledged.filter(({ at }) => at > backupBegan).length;
      stop = true;
      await Promise.all(senders);
      expect(backup.stderr).toBe('');
      expect(backup.code).toBe(0);
      // The hub really was acknowledging while the copy ran.
      expect(ackedWhileCopying).toBeGreaterThan(0);

      const restoredDir = folder('restored');
      const restore = await runCli(['restore', backupFile], { dataDir: restoredDir });
      expect(restore.stderr).toBe('');
      expect(restore.code).toBe(0);
      const restored = await startTestHub({}, restoredDir);
      try {
        const before = acknowledged.filter(({ at }) => at < backupBegan).map(({ id }) => id);
        expect(before.length).toBeGreaterThanOrEqual(200);
        const missing: string[] = [];
        for (let i = 0; i < before.length; i += 50) {
          const answers = await Promise.all(before.slice(i, i + 50).map((id) => restored.api('GET', `/v1/events/${id}`)));
          answers.forEach((answer, index) => {
            if (answer.status !== 200) missing.push(before[i + index] ?? '');
          });
        }
        expect(missing).toEqual([]);
      } finally {
        await restored.close();
      }
    } finally {
      stop = true;
      await hub.close();
    }
  }, 120_000);
});
