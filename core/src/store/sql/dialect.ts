import type { Store } from '../store.ts';

/** The SQL a store speaks: the two stores share their statements and render them per dialect. */
export type Dialect = Store['kind'];

const numbered = new Map<string, string>();

/**
 * Shared statements are written once with `?` placeholders (none inside a string literal);
 * PostgreSQL wants them numbered, `$1`, `$2`, ... Each text is numbered once and remembered: the
 * texts are the shared statements and their few filter combinations.
 */
export function numberPlaceholders(sql: string): string {
  let text = numbered.get(sql);
  if (text === undefined) {
    let n = 0;
    text = sql.replaceAll('?', () => `$${++n}`);
    numbered.set(sql, text);
  }
  return text;
}

/**
 * A text value inside a JSON column, by path (both stores keep event bodies as JSON text). An LMS
 * may send a NUL character, which the body keeps as a \u0000 escape and PostgreSQL refuses to read
 * as jsonb, failing the whole statement: read as U+FFFD there, such a body is filtered like any other.
 */
export function jsonText(dialect: Dialect, column: string, path: readonly string[]): string {
  return dialect === 'postgres'
    ? `(replace(${column}, '\\u0000', '\\ufffd')::jsonb #>> '{${path.join(',')}}')`
    : `json_extract(${column}, '$.${path.join('.')}')`;
}
