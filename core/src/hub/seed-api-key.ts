import { ConfigError } from '../config.ts';
import type { Logger } from '../logger.ts';
import { apiKeyRecordFor } from '../operations/api-keys.ts';
import type { Store } from '../store/store.ts';

/** Seeds LEARNHOOK_API_KEY as an admin key, so a script or container can start headless. */
export async function seedApiKey(store: Store, key: string | undefined, logger: Logger): Promise<void> {
  if (!key) return;
  const record = apiKeyRecordFor(key, { label: 'LEARNHOOK_API_KEY', scopes: ['admin'], now: Date.now() });
  if (!record) throw new ConfigError('LEARNHOOK_API_KEY must be 16 to 256 printable characters without spaces.');
  const existing = await store.getApiKey(record.id);
  if (existing?.revoked_at) logger.warn({ key_id: record.id }, 'LEARNHOOK_API_KEY was revoked; it stays revoked');
  if (existing) return;
  try {
    await store.insertApiKey(record);
  } catch (error) {
    // Hubs sharing PostgreSQL start together: another one seeding the same key first is fine.
    if (await store.getApiKey(record.id)) return;
    throw error;
  }
  await store.appendAudit({ at: Date.now(), actor: 'env', action: 'key.created', target: record.id, details: { label: record.label, scopes: record.scopes } });
}
