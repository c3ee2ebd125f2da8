import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startHubProcess } from '../lib/hub-process.ts';
import { hasTool } from './deploy-files.ts';

/** The README's backup of the embedded store today (before `learnhook backup`): sqlite3's online .backup plus secret.key. */
const KEY = 'deploy-backup-test-admin-key';

describe('the README backup of the embedded store', () => {
  it.skipIf(!hasTool('sqlite3'))(
    "sqlite3's .backup of a running hub, with secret.key, starts a hub that has its connections (skipped without sqlite3: apt-get install sqlite3)",
    async () => {
      const hub = await startHubProcess({ LEARNHOOK_API_KEY: KEY });
      const restoredDir = mkdtempSync(path.join(os.tmpdir(), 'learnhook-restored-'));
      try {
        const created = await fetch(`${hub.url}/v1/connections`, {
          method: 'POST',
          headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'acme', vendor: 'standard' }),
        });
        expect(created.status).toBe(201);
        // While the hub runs, as the README says.
        const backup = spawnSync('sqlite3', [path.join(hub.dataDir, 'learnhook.db'), `.backup '${path.join(restoredDir, 'learnhook.db')}'`], {
          encoding: 'utf8',
        });
        expect(backup.stderr).toBe('');
        expect(backup.status).toBe(0);
        copyFileSync(path.join(hub.dataDir, 'secret.key'), path.join(restoredDir, 'secret.key'));
      } finally {
        await hub.stop();
      }
      const restored = await startHubProcess({ LEARNHOOK_API_KEY: KEY }, { dataDir: restoredDir });
      try {
        const listed = await fetch(`${restored.url}/v1/connections`, { headers: { authorization: `Bearer ${KEY}` } });
        expect(JSON.stringify(await listed.json())).toContain('"acme"');
      } finally {
        await restored.stop();
      }
    },
    40_000,
  );
});
