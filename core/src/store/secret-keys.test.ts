import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { beginKeyFileRotation, finishKeyFileRotation, KEY_FILE, keyFiles, keyringFor, PREVIOUS_KEY_FILE } from './secret-keys.ts';

const tempDir = () => path.join(mkdtempSync(path.join(os.tmpdir(), 'learnhook-key-')), 'data');
const fileKey = (dir: string, name: string) => Buffer.from(readFileSync(path.join(dir, name), 'utf8').trim(), 'base64');

describe('the hub keys', () => {
  it('generates a key file readable only by its owner on first start, and reuses it', () => {
    const dataDir = tempDir();
    const source = keyringFor({}, dataDir);
    expect(typeof source).toBe('function');
    const first = keyFiles(dataDir).current;
    expect(first).toHaveLength(32);
    expect(statSync(path.join(dataDir, KEY_FILE)).mode & 0o777).toBe(0o600);
    keyringFor({}, dataDir);
    expect(keyFiles(dataDir).current.equals(first)).toBe(true);
  });

  it('takes LEARNHOOK_SECRET_KEY with its previous and next keys, and names the variable of one that is wrong', () => {
    const [key, previous, next] = [randomBytes(32), randomBytes(32), randomBytes(32)];
    const ring = keyringFor(
      {
        LEARNHOOK_SECRET_KEY: key.toString('base64'),
        LEARNHOOK_SECRET_KEY_PREVIOUS: previous.toString('base64'),
        LEARNHOOK_SECRET_KEY_NEXT: next.toString('base64'),
      },
      '/nonexistent',
    );
    expect(ring).toEqual({ current: key, others: [previous, next] });
    expect(() => keyringFor({ LEARNHOOK_SECRET_KEY: 'c2hvcnQ=' }, '/nonexistent')).toThrow(/LEARNHOOK_SECRET_KEY must be base64/);
    expect(() => keyringFor({ LEARNHOOK_SECRET_KEY: key.toString('base64'), LEARNHOOK_SECRET_KEY_PREVIOUS: 'old' }, '/nonexistent')).toThrow(
      /LEARNHOOK_SECRET_KEY_PREVIOUS must be base64/,
    );
  });

  it('names the key file when it holds no key', () => {
    const dataDir = tempDir();
    keyringFor({}, dataDir);
    writeFileSync(path.join(dataDir, KEY_FILE), 'garbage\n');
    expect(() => keyFiles(dataDir)).toThrow(/secret\.key must be base64/);
  });
});

describe('a rotation on the key files', () => {
  it('keeps the old key beside a fresh one until it finishes', () => {
    const dataDir = tempDir();
    keyringFor({}, dataDir);
    const old = fileKey(dataDir, KEY_FILE);
    expect(beginKeyFileRotation(dataDir)).toBe('started');
    const fresh = fileKey(dataDir, KEY_FILE);
    expect(fresh.equals(old)).toBe(false);
    expect(keyFiles(dataDir)).toEqual({ current: fresh, others: [old] });
    expect(statSync(path.join(dataDir, KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(dataDir, PREVIOUS_KEY_FILE)).mode & 0o777).toBe(0o600);
    // Run again before it finished: the same new key, not a third one.
    expect(beginKeyFileRotation(dataDir)).toBe('resumed');
    expect(keyFiles(dataDir)).toEqual({ current: fresh, others: [old] });
    finishKeyFileRotation(dataDir);
    expect(existsSync(path.join(dataDir, PREVIOUS_KEY_FILE))).toBe(false);
    expect(keyFiles(dataDir)).toEqual({ current: fresh, others: [] });
  });

  it('goes on after a stop between keeping the old key and writing the new one', () => {
    const dataDir = tempDir();
    keyringFor({}, dataDir);
    const old = fileKey(dataDir, KEY_FILE);
    writeFileSync(path.join(dataDir, PREVIOUS_KEY_FILE), `${old.toString('base64')}\n`, { mode: 0o600 });
    expect(beginKeyFileRotation(dataDir)).toBe('resumed');
    expect(fileKey(dataDir, KEY_FILE).equals(old)).toBe(false);
    expect(keyFiles(dataDir).others).toEqual([old]);
  });
});
