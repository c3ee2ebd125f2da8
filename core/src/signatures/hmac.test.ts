import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeHex, hmacKey, hmacSha256 } from './hmac.ts';

describe('HMAC keys and digests', () => {
  it('reuses one key object per secret and encoding, and signs exactly as the raw secret does', () => {
    const key = hmacKey('learn365-secret-0123456789abcdef0123', 'utf8');
    expect(hmacKey('learn365-secret-0123456789abcdef0123', 'utf8')).toBe(key);
    expect(hmacKey('learn365-secret-0123456789abcdef0123', 'base64')).not.toBe(key);
    const expected = createHmac('sha256', 'learn365-secret-0123456789abcdef0123').update('body').digest();
    expect(hmacSha256(key, 'body').equals(expected)).toBe(true);
  });

  it('signs several parts exactly as their concatenation', () => {
    const key = hmacKey('learn365-secret-0123456789abcdef0123', 'utf8');
    const joined = hmacSha256(key, Buffer.from('msg_1.1700000000.{"a":"é"}'));
    expect(hmacSha256(key, 'msg_1.1700000000.', Buffer.from('{"a":"é"}')).equals(joined)).toBe(true);
    expect(hmacSha256(key, 'msg_1.', '1700000000.', '{"a":"é"}').equals(joined)).toBe(true);
    expect(hmacSha256(key, 'msg_1.1700000000.', '{"a":"e"}').equals(joined)).toBe(false);
  });

  it('decodes hex of either case and refuses what is not whole bytes of hex', () => {
    expect(decodeHex('0aFF')?.equals(Buffer.from([10, 255]))).toBe(true);
    expect(decodeHex('abc')).toBeNull();
    expect(decodeHex('zz')).toBeNull();
  });
});
