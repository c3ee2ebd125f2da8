import { PayloadError } from '../errors.ts';
import type { Page } from './store.ts';

/** Cursors are opaque to callers: base64url of the last row's sequence number. */
export function encodeCursor(seq: number): string {
  return Buffer.from(String(seq)).toString('base64url');
}

/** The sequence number to page below; Infinity for the first page. A cursor not of ours is a 400. */
export function decodeCursor(cursor: string | undefined): number {
  if (!cursor) return Number.MAX_SAFE_INTEGER;
  const seq = Number(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!Number.isSafeInteger(seq) || seq <= 0)
    throw new PayloadError('The cursor is not one this API gave out.', [{ path: 'cursor', message: 'Invalid cursor' }]);
  return seq;
}

/** Rows fetched with limit + 1, newest first: the extra row only says there is a next page. */
export function toPage<R, T>(rows: R[], limit: number, map: (row: R) => T, seqOf: (row: R) => number): Page<T> {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { data: page.map(map), next_cursor: rows.length > limit && last !== undefined ? encodeCursor(seqOf(last)) : null };
}
