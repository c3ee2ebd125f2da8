import { JSON_COLUMNS, type Row } from '../rows.ts';
import type { SqlRunner, SqlValue } from './runner.ts';

/**
 * Sets the patch's fields that name one of `columns` on one row and answers the row as it is now
 * (undefined when there is none); a patch with none of them only reads it.
 */
export async function patchRow(
  runner: SqlRunner,
  table: 'hooks' | 'connections',
  columns: readonly string[],
  id: string,
  patch: Record<string, unknown>,
): Promise<Row | undefined> {
  const entries = Object.entries(patch).filter(([key, value]) => columns.includes(key) && value !== undefined);
  if (entries.length === 0) return (await runner.rows(`SELECT * FROM ${table} WHERE id = ?`, [id]))[0];
  const sets = entries.map(([key]) => `${key} = ?`).join(', ');
  // The record types say what each column holds: scalars, and JSON for the JSON columns.
  const values = entries.map(([key, value]) => (JSON_COLUMNS.has(key) ? JSON.stringify(value) : (value as SqlValue)));
  return (await runner.returning(`UPDATE ${table} SET ${sets} WHERE id = ? RETURNING *`, [...values, id]))[0];
}
