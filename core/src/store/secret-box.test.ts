import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSecretBox, loadSecretKey } from './secret-box.ts';

describe('the secret box', () => {
  const box = createSecretBox(randomBytes(32));

  it('gives back what it sealed, and never the plaintext in the sealed form', () => {
    const sealed = box.seal('learn365-webhook-secret-0123456789abcdef');
    expect(sealed).not.toContain('learn365');
    expect(box.open(sealed)).toBe('learn365-webhook-secret-0123456789abcdef');
  });

  it('seals the same value differently each time', () => {
    expect(box.seal('x')).not.toBe(box.seal('x'));
  });

  it('refuses a tampered value and a value sealed under another key', () => {
    const sealed = box.seal('secret');
    const parts = sealed.split('.');
    const flipped = [parts[0], parts[1], parts[2], Buffer.from('other').toString('base64url')].join('.');
    expect(() => box.open(flipped)).toThrow(/could not be decrypted/);
    expect(() => createSecretBox(randomBytes(32)).open(sealed)).toThrow(/LEARNHOOK_SECRET_KEY/);
    expect(() => box.open('plain')).toThrow(/format/);
  });
});

describe('loading the secret key', () => {
  it('generates a key file readable only by its owner on first start, and reuses it', () => {
    const dataDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'learnhook-key-')), 'data');
    const first = loadSecretKey({ fromEnv: undefined, dataDir });
    expect(first).toHaveLength(32);
    expect(statSync(path.join(dataDir, 'secret.key')).mode & 0o777).toBe(0o600);
    expect(loadSecretKey({ fromEnv: undefined, dataDir }).equals(first)).toBe(true);
    expect(readFileSync(path.join(dataDir, 'secret.key'), 'utf8').trim()).toBe(first.toString('base64'));
  });

  it('takes LEARNHOOK_SECRET_KEY when set and rejects one of the wrong size', () => {
    const key = randomBytes(32);
    expect(loadSecretKey({ fromEnv: key.toString('base64'), dataDir: '/nonexistent' }).equals(key)).toBe(true);
    expect(() => loadSecretKey({ fromEnv: 'c2hvcnQ=', dataDir: '/nonexistent' })).toThrow(/32 bytes/);
  });
});
