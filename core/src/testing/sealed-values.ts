import { createCipheriv, randomBytes } from 'node:crypto';

/** A value as hubs sealed it before key ids ("v1.<iv>.<tag>.<ciphertext>"), for tests that prove such stores still open and get re-sealed. */
export function sealV1(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', ...[iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString('base64url'))].join('.');
}
