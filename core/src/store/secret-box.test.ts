import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sealV1 } from '../testing/sealed-values.ts';
import { createSecretBox, type Keyring, keyIdOf, parseSecretKey, parseSecretKeys } from './secret-box.ts';

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
    const flipped = [...parts.slice(0, 4), Buffer.from('other').toString('base64url')].join('.');
    expect(() => box.open(flipped)).toThrow(/could not be decrypted/);
    expect(() => createSecretBox(randomBytes(32)).open(sealed)).toThrow(/LEARNHOOK_SECRET_KEY/);
    expect(() => box.open('plain')).toThrow(/format/);
  });
});

describe('a box with several keys (a key rotation)', () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);

  it('names the key each value is sealed with, seals with the current key and opens what any of its keys sealed', () => {
    const before = createSecretBox(oldKey).seal('hook-secret');
    const during = createSecretBox({ current: newKey, others: [oldKey] });
    const after = during.seal('hook-secret');
    expect(before.split('.').slice(0, 2)).toEqual(['v2', keyIdOf(oldKey)]);
    expect(after.split('.').slice(0, 2)).toEqual(['v2', keyIdOf(newKey)]);
    expect(during.open(before)).toBe('hook-secret');
    expect(during.isCurrent(before)).toBe(false);
    expect(during.isCurrent(after)).toBe(true);
    // Once the old key is dropped, only what the new key sealed opens.
    expect(createSecretBox(newKey).open(after)).toBe('hook-secret');
    expect(() => createSecretBox(newKey).open(before)).toThrow(/LEARNHOOK_SECRET_KEY_PREVIOUS/);
  });

  it('still opens values stored before key ids, with whichever key sealed them, and counts them as due for re-sealing', () => {
    const legacy = sealV1(oldKey, 'api-password');
    const during = createSecretBox({ current: newKey, others: [oldKey] });
    expect(during.open(legacy)).toBe('api-password');
    expect(createSecretBox(oldKey).isCurrent(legacy)).toBe(false);
    expect(() => createSecretBox(newKey).open(legacy)).toThrow(/LEARNHOOK_SECRET_KEY/);
  });

  it('refuses a value whose key id was changed to another of its keys', () => {
    const during = createSecretBox({ current: newKey, others: [oldKey] });
    const [, , ...rest] = createSecretBox(oldKey).seal('token').split('.');
    expect(() => during.open(['v2', keyIdOf(newKey), ...rest].join('.'))).toThrow(/changed after it was sealed/);
  });

  it('reads its keys again before sealing and when a value names a key it lacks', () => {
    let ring: Keyring = { current: oldKey, others: [] };
    const reads: Keyring[] = [];
    const box = createSecretBox(() => {
      reads.push(ring);
      return ring;
    });
    const sealedByAnother = createSecretBox(newKey).seal('from the rotation');
    ring = { current: newKey, others: [oldKey] };
    expect(box.open(sealedByAnother)).toBe('from the rotation');
    expect(box.seal('x').split('.')[1]).toBe(keyIdOf(newKey));
    expect(reads.length).toBe(3);
  });
});

describe('reading keys from settings', () => {
  it('names the setting a malformed key came from', () => {
    const key = randomBytes(32);
    expect(parseSecretKey(` ${key.toString('base64')}\n`, 'LEARNHOOK_SECRET_KEY').equals(key)).toBe(true);
    expect(() => parseSecretKey('c2hvcnQ=', 'LEARNHOOK_SECRET_KEY')).toThrow(/^LEARNHOOK_SECRET_KEY must be base64 of exactly 32 bytes/);
    expect(() => parseSecretKeys(`${key.toString('base64')},nope`, 'LEARNHOOK_SECRET_KEY_PREVIOUS')).toThrow(
      /LEARNHOOK_SECRET_KEY_PREVIOUS \(key 2\) must be base64/,
    );
    expect(parseSecretKeys(undefined, 'LEARNHOOK_SECRET_KEY_PREVIOUS')).toEqual([]);
  });
});
