import { str } from '../rows.ts';
import type { SealedColumn, Store } from '../store.ts';
import type { SqlRunner } from './runner.ts';

export type SealedSecretMethods = Pick<Store, 'sealedValues' | 'resealValue'>;

/** The table and column of a SEALED_COLUMNS entry: identifiers from that fixed list only, so safe to put in SQL. */
function place(column: SealedColumn): { table: string; name: string } {
  const [table = '', name = ''] = column.split('.');
  return { table, name };
}

/** What `learnhook secrets rotate` reads and writes (issue 17 §3); both stores, one text. */
export function sealedSecretMethods(runner: SqlRunner): SealedSecretMethods {
  return {
    async sealedValues(column, afterId, limit) {
      const { table, name } = place(column);
      // Ids are never empty, so '' starts before the first.
      const rows = await runner.rows(`SELECT id, ${name} AS sealed FROM ${table} WHERE ${name} IS NOT NULL AND id > ? ORDER BY id LIMIT ?`, [
        afterId ?? '',
        limit,
      ]);
      return rows.map((row) => ({ id: str(row.id), sealed: str(row.sealed) }));
    },

    async resealValue(column, id, from, to) {
      const { table, name } = place(column);
      // Compare-and-set: a value a running hub replaced meanwhile (a rotated hook secret, a changed connection) is left as it is.
      return (await runner.change(`UPDATE ${table} SET ${name} = ? WHERE id = ? AND ${name} = ?`, [to, id, from])) > 0;
    },
  };
}
