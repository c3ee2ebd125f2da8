import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../config.ts';
import { openStore } from './open-store.ts';

describe('opening the store', () => {
  it('names LEARNHOOK_DATA and what to do when the embedded file cannot be made there', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'learnhook-open-'));
    const notAFolder = path.join(dir, 'a-file');
    writeFileSync(notAFolder, 'x');
    const config = readConfig({ LEARNHOOK_DATA: path.join(notAFolder, 'data', 'learnhook.db') });
    const opening = openStore(config, { owner: true });
    await expect(opening).rejects.toThrow(ConfigError);
    await expect(opening).rejects.toThrow(
      /^LEARNHOOK_DATA: cannot open the embedded store at .*a-file\/data\/learnhook\.db \(.+\)\. Point LEARNHOOK_DATA at a file/,
    );
  });
});
