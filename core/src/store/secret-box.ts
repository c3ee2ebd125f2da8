import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Encryption at rest for connection secrets, LMS API credentials and hook signing secrets:
 * AES-256-GCM with a fresh 96-bit IV per value, so the store file alone reveals none of them.
 * Format: "v1.<iv>.<tag>.<ciphertext>", base64url parts; the version leaves room for key rotation.
 */
export interface SecretBox {
  seal(plaintext: string): string;
  open(sealed: string): string;
}

const KEY_BYTES = 32;

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== KEY_BYTES) throw new Error(`The secret key must be ${KEY_BYTES} bytes (base64 of 32 random bytes).`);
  return {
    seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return ['v1', iv, cipher.getAuthTag(), ciphertext].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
    },
    open(sealed) {
      const [version, iv, tag, ciphertext] = sealed.split('.');
      if (version !== 'v1' || iv === undefined || tag === undefined || ciphertext === undefined) {
        throw new Error('A stored secret is not in a format this hub can read.');
      }
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      try {
        return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        throw new Error('A stored secret could not be decrypted: LEARNHOOK_SECRET_KEY is not the key it was stored with.');
      }
    },
  };
}

/**
 * The key comes from LEARNHOOK_SECRET_KEY (base64 of 32 bytes), or from `secret.key` beside the
 * data file, generated (mode 0600) on first start so a new user has nothing to set up.
 */
export function loadSecretKey(options: { fromEnv: string | undefined; dataDir: string }): Buffer {
  if (options.fromEnv) {
    const key = Buffer.from(options.fromEnv, 'base64');
    if (key.length !== KEY_BYTES) throw new Error('LEARNHOOK_SECRET_KEY must be base64 of exactly 32 bytes (try: openssl rand -base64 32).');
    return key;
  }
  const file = path.join(options.dataDir, 'secret.key');
  if (existsSync(file)) return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  mkdirSync(options.dataDir, { recursive: true });
  const key = randomBytes(KEY_BYTES);
  writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}
