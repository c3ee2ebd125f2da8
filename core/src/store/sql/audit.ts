import { toAuditEntry } from '../rows.ts';
import type { Store } from '../store.ts';
import { pageOf } from './reads.ts';
import type { SqlRunner } from './runner.ts';

export type AuditMethods = Pick<Store, 'appendAudit' | 'listAudit'>;

export function auditMethods(runner: SqlRunner): AuditMethods {
  return {
    async appendAudit(entry) {
      await runner.change('INSERT INTO audit (at, actor, action, target, details) VALUES (?, ?, ?, ?, ?)', [
        entry.at,
        entry.actor,
        entry.action,
        entry.target,
        JSON.stringify(entry.details),
      ]);
    },

    listAudit: (query) => pageOf(runner, 'audit', query, {}, toAuditEntry),
  };
}
