import { decodeCursor, toPage } from '../cursor.ts';
import { type Row, rowSeq } from '../rows.ts';
import type { Page, PageQuery } from '../store.ts';
import type { SqlRunner, SqlValue } from './runner.ts';

/** The tables read by their public id. */
type Table = 'api_keys' | 'connections' | 'events' | 'hooks' | 'deliveries';

export async function findById<T>(runner: SqlRunner, table: Table, id: string, map: (row: Row) => T): Promise<T | null> {
  const [row] = await runner.rows(`SELECT * FROM ${table} WHERE id = ?`, [id]);
  return row ? map(row) : null;
}

/**
 * One page of a table, newest first, below the cursor, where each given column equals its value
 * (columns without a value are not filtered on), and each `where` condition holds. One row more
 * than asked is read: it only says there is a next page.
 */
export async function pageOf<T>(
  runner: SqlRunner,
  table: Table | 'audit',
  query: PageQuery,
  filters: Record<string, string | undefined>,
  map: (row: Row) => T,
  where: readonly { sql: string; params: readonly SqlValue[] }[] = [],
): Promise<Page<T>> {
  const conditions = ['seq < ?'];
  const params: SqlValue[] = [decodeCursor(query.cursor)];
  for (const [column, value] of Object.entries(filters)) {
    if (!value) continue;
    conditions.push(`${column} = ?`);
    params.push(value);
  }
  for (const condition of where) {
    conditions.push(condition.sql);
    params.push(...condition.params);
  }
  const rows = await runner.rows(`SELECT * FROM ${table} WHERE ${conditions.join(' AND ')} ORDER BY seq DESC LIMIT ?`, [...params, query.limit + 1]);
  return toPage(rows, query.limit, map, rowSeq);
}
