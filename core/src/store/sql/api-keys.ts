import { toApiKey } from '../rows.ts';
import type { Store } from '../store.ts';
import { findById } from './reads.ts';
import type { SqlRunner } from './runner.ts';

export type ApiKeyMethods = Pick<Store, 'insertApiKey' | 'getApiKey' | 'listApiKeys' | 'revokeApiKey' | 'touchApiKey'>;

export function apiKeyMethods(runner: SqlRunner): ApiKeyMethods {
  return {
    async insertApiKey(key) {
      await runner.change('INSERT INTO api_keys (id, label, scopes, secret_hash, created_at, revoked_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
        key.id,
        key.label,
        JSON.stringify(key.scopes),
        key.secret_hash,
        key.created_at,
        key.revoked_at,
        key.last_used_at,
      ]);
    },

    getApiKey: (id) => findById(runner, 'api_keys', id, toApiKey),

    async listApiKeys() {
      return (await runner.rows('SELECT * FROM api_keys ORDER BY created_at')).map(toApiKey);
    },

    async revokeApiKey(id, at) {
      return (await runner.change('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [at, id])) > 0;
    },

    async touchApiKey(id, at) {
      await runner.change('UPDATE api_keys SET last_used_at = ? WHERE id = ?', [at, id]);
    },
  };
}
