import { createHash, randomBytes } from 'node:crypto';
import { constantTimeEqual } from '../signatures/constant-time.ts';
import type { ApiKeyRecord, ApiScope } from '../store/store.ts';
import type { OperationsContext } from './context.ts';

/**
 * API keys look like `lh_<id>_<secret>`: the id finds the record with one indexed read, the secret
 * is stored only as its sha256 and compared in constant time. A leaked database holds no usable key.
 */

export const API_SCOPES: readonly ApiScope[] = ['admin', 'hooks', 'events'];
/** What the Zapier app and the n8n node need: subscribe, read events and dropdowns. */
export const INTEGRATION_SCOPES: readonly ApiScope[] = ['hooks', 'events'];

const KEY_PATTERN = /^lh_([A-Za-z0-9]{16})_([A-Za-z0-9_-]{43})$/;

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

function randomId(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(16), (byte) => alphabet[byte % alphabet.length]).join('');
}

/** A new key: the record to store and the key to show once to its owner. */
export function newApiKey(input: { label: string; scopes: readonly ApiScope[]; now: number }): { record: ApiKeyRecord; key: string } {
  const id = randomId();
  const secret = randomBytes(32).toString('base64url');
  return {
    key: `lh_${id}_${secret}`,
    record: { id, label: input.label, scopes: [...input.scopes], secret_hash: hashSecret(secret), created_at: input.now, revoked_at: null, last_used_at: null },
  };
}

/** A key given in full (LEARNHOOK_API_KEY) becomes a record with that exact value. */
export function apiKeyRecordFor(key: string, input: { label: string; scopes: readonly ApiScope[]; now: number }): ApiKeyRecord | null {
  const parsed = parseApiKey(key);
  if (!parsed) return null;
  return {
    id: parsed.id,
    label: input.label,
    scopes: [...input.scopes],
    secret_hash: hashSecret(parsed.secret),
    created_at: input.now,
    revoked_at: null,
    last_used_at: null,
  };
}

/** Keys a person chose (LEARNHOOK_API_KEY in a container's environment) need not look like ours. */
const CHOSEN_KEY = /^[\x21-\x7e]{16,256}$/;

/**
 * The id of a key in the form the hub issues (`lh_<id>_<secret>`), null for anything else. A
 * chosen key's id is a digest of the whole key, so every guess has another one: only an issued
 * key's id names the same key across attempts.
 */
export function issuedKeyId(key: string): string | null {
  return KEY_PATTERN.exec(key)?.[1] ?? null;
}

export function parseApiKey(key: string): { id: string; secret: string } | null {
  const match = KEY_PATTERN.exec(key);
  if (match?.[1] && match[2]) return { id: match[1], secret: match[2] };
  // A chosen key is found by a digest of itself, so it still costs one indexed read.
  if (CHOSEN_KEY.test(key)) return { id: `ext_${hashSecret(key).slice(0, 16)}`, secret: key };
  return null;
}

/** True when the secret belongs to the record and the key is not revoked. */
export function apiKeyMatches(record: ApiKeyRecord, secret: string): boolean {
  const matches = constantTimeEqual(record.secret_hash, hashSecret(secret));
  return matches && record.revoked_at === null;
}

/** Admin may do everything; other keys only what one of their scopes allows. */
export function hasScope(granted: readonly ApiScope[], needed: readonly ApiScope[]): boolean {
  return granted.includes('admin') || needed.some((scope) => granted.includes(scope));
}

/** What creating and revoking keys needs: the CLI gives it without a running hub. */
export type KeyContext = Pick<OperationsContext, 'store' | 'now' | 'audit'>;

/** A new key, stored and audited; the key itself is answered once and never kept. */
export async function createApiKey(
  ctx: KeyContext,
  actor: string,
  input: { label: string; scopes: readonly ApiScope[] },
): Promise<{ key: string; record: ApiKeyRecord }> {
  const created = newApiKey({ ...input, now: ctx.now() });
  await ctx.store.insertApiKey(created.record);
  await ctx.audit(actor, 'key.created', created.record.id, { label: created.record.label, scopes: created.record.scopes });
  return created;
}

/** Revokes a key at once; false when there is no such active key. */
export async function revokeApiKey(ctx: KeyContext, actor: string, id: string): Promise<boolean> {
  if (!(await ctx.store.revokeApiKey(id, ctx.now()))) return false;
  await ctx.audit(actor, 'key.revoked', id, {});
  return true;
}
