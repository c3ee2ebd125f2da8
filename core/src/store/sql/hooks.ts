import { HOOK_COLUMNS, toHook } from '../rows.ts';
import type { Store } from '../store.ts';
import { patchRow } from './patch.ts';
import { findById, pageOf } from './reads.ts';
import type { SqlRunner } from './runner.ts';

/** Migration: a rotated signing secret keeps signing beside the new one for a while (Standard Webhooks' space-separated signatures). */
export const HOOK_SECRET_OVERLAP = `
  ALTER TABLE hooks ADD COLUMN previous_secret_enc TEXT;
  ALTER TABLE hooks ADD COLUMN previous_secret_until BIGINT;
`;

export type HookMethods = Pick<Store, 'insertHook' | 'getHook' | 'listHooks' | 'matchableHooks' | 'updateHook'>;

export function hookMethods(runner: SqlRunner): HookMethods {
  return {
    async insertHook(hook) {
      await runner.change(
        `INSERT INTO hooks (id, url, events, filter, description, secret_enc, previous_secret_enc, previous_secret_until, status, status_reason,
                            failing_since, created_by, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          hook.id,
          hook.url,
          JSON.stringify(hook.events),
          JSON.stringify(hook.filter),
          hook.description,
          hook.secret_enc,
          hook.previous_secret_enc,
          hook.previous_secret_until,
          hook.status,
          hook.status_reason,
          hook.failing_since,
          hook.created_by,
          hook.created_at,
          hook.updated_at,
        ],
      );
      runner.wake('hooks');
    },

    getHook: (id) => findById(runner, 'hooks', id, toHook),

    listHooks: (query) => pageOf(runner, 'hooks', query, { created_by: query.created_by }, toHook),

    async matchableHooks() {
      return (await runner.rows(`SELECT * FROM hooks WHERE status != 'disabled' ORDER BY seq`)).map(toHook);
    },

    async updateHook(id, patch) {
      const row = await patchRow(runner, 'hooks', HOOK_COLUMNS, id, patch);
      if (!row) return null;
      runner.wake('hooks');
      // A resumed hook's held deliveries are due: the other dispatchers may take them too.
      if (patch.status === 'active') runner.wake('deliveries');
      return toHook(row);
    },
  };
}
