import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Encryption at rest for connection secrets, LMS API credentials and hook signing secrets:
 * AES-256-GCM with a fresh 96-bit IV per value, so the store file alone reveals none of them.
 *
 * Format: "v2.<key id>.<iv>.<tag>.<ciphertext>", base64url parts. The key id (a hash prefix of the
 * key, never the key) says which key opens a value, so a hub holding several keys during a
 * rotation (issue 17 §3) opens each value with one decryption instead of trying them all; the
 * version and id are the GCM additional data, so a value cannot be relabelled. Values stored before
 * key ids, "v1.<iv>.<tag>.<ciphertext>", still open: each key is tried, the auth tag tells which.
 */
export interface SecretBox {
  /** Seals with the current key. */
  seal(plaintext: string): string;
  /** Opens with whichever of the box's keys the value was sealed with; throws SecretBoxError otherwise. */
  open(sealed: string): string;
  /**
   * Whether the value is sealed with the current key in the current format: a rotation re-seals
   * every value for which this is false. Never decrypts.
   */
  isCurrent(sealed: string): boolean;
  /** The id of the key seal() uses now (printable: it says which key, not what it is). */
  currentKeyId(): string;
}

/** The keys a box works with: `current` seals and opens; each of `others` only opens. */
export interface Keyring {
  current: Buffer;
  /** The old key while a rotation re-seals what it sealed, or the next key just before one (README "Rotating the secret key"). */
  others: readonly Buffer[];
}

/** A stored secret this box cannot open: the message says which setting to look at, never the value. */
export class SecretBoxError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SecretBoxError';
  }
}

export const KEY_BYTES = 32;

/** A key's public name: 8 base64url characters of a hash of it (48 bits say nothing useful about a 256-bit key). */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update('learnhook secret key id\0').update(key).digest('base64url').slice(0, 8);
}

interface IdentifiedKey {
  id: string;
  key: Buffer;
}

function identified(keyring: Keyring): { current: IdentifiedKey; all: Map<string, Buffer> } {
  for (const key of [keyring.current, ...keyring.others]) {
    if (key.length !== KEY_BYTES) throw new SecretBoxError(`The secret key must be ${KEY_BYTES} bytes (base64 of 32 random bytes).`);
  }
  const current = { id: keyIdOf(keyring.current), key: keyring.current };
  const all = new Map([[current.id, current.key]]);
  for (const key of keyring.others) if (!all.has(keyIdOf(key))) all.set(keyIdOf(key), key);
  return { current, all };
}

function decrypt(key: Buffer, iv: string, tag: string, ciphertext: string, additionalData: string | null): string | null {
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  if (additionalData !== null) decipher.setAAD(Buffer.from(additionalData, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  try {
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}

const UNKNOWN_KEY =
  'A stored secret could not be decrypted: LEARNHOOK_SECRET_KEY is not the key it was stored with (during a key rotation, set the old key in LEARNHOOK_SECRET_KEY_PREVIOUS).';

/**
 * A box over fixed keys (one key, or a keyring), or over a keyring read again before each seal and
 * whenever a value names a key the box lacks: how a hub on the embedded store follows
 * `learnhook secrets rotate` rewriting the key files beside it without a restart.
 */
export function createSecretBox(keys: Buffer | Keyring | (() => Keyring)): SecretBox {
  const read = typeof keys === 'function' ? keys : () => (Buffer.isBuffer(keys) ? { current: keys, others: [] } : keys);
  const reloads = typeof keys === 'function';
  let ring = identified(read());
  const reload = () => {
    ring = identified(read());
  };

  function open(sealed: string): string {
    const parts = sealed.split('.');
    if (parts[0] === 'v2' && parts.length === 5) {
      const [, id = '', iv = '', tag = '', ciphertext = ''] = parts;
      if (!ring.all.has(id) && reloads) reload();
      const key = ring.all.get(id);
      if (!key) throw new SecretBoxError(`${UNKNOWN_KEY} Its key id is ${id}; this hub has ${[...ring.all.keys()].join(', ')}.`);
      const plaintext = decrypt(key, iv, tag, ciphertext, `v2.${id}`);
      if (plaintext === null) throw new SecretBoxError('A stored secret could not be decrypted: it was changed after it was sealed.');
      return plaintext;
    }
    if (parts[0] === 'v1' && parts.length === 4) {
      const [, iv = '', tag = '', ciphertext = ''] = parts;
      for (const key of ring.all.values()) {
        const plaintext = decrypt(key, iv, tag, ciphertext, null);
        if (plaintext !== null) return plaintext;
      }
      throw new SecretBoxError(UNKNOWN_KEY);
    }
    throw new SecretBoxError('A stored secret is not in a format this hub can read.');
  }

  return {
    seal(plaintext) {
      // A seal is rare (a connection or hook saved): read the keys afresh so nothing is sealed with a key a rotation has retired.
      if (reloads) reload();
      const { id, key } = ring.current;
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(`v2.${id}`, 'utf8'));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return ['v2', id, ...[iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString('base64url'))].join('.');
    },
    open,
    isCurrent(sealed) {
      return sealed.startsWith(`v2.${ring.current.id}.`);
    },
    currentKeyId: () => ring.current.id,
  };
}

/**
 * Reads a key as the settings give it (base64 of 32 bytes); `setting` names where it came from in
 * the error, so a person knows which variable or file to fix.
 */
export function parseSecretKey(text: string, setting: string): Buffer {
  const trimmed = text.trim();
  const key = Buffer.from(trimmed, 'base64');
  if (key.length !== KEY_BYTES || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) {
    throw new SecretBoxError(`${setting} must be base64 of exactly ${KEY_BYTES} bytes (try: openssl rand -base64 32).`);
  }
  return key;
}

/** A comma-separated list of keys (LEARNHOOK_SECRET_KEY_PREVIOUS, LEARNHOOK_SECRET_KEY_NEXT); none when unset. */
export function parseSecretKeys(text: string | undefined, setting: string): Buffer[] {
  if (!text?.trim()) return [];
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part, index, all) => parseSecretKey(part, all.length > 1 ? `${setting} (key ${index + 1})` : setting));
}
