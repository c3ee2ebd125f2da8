import type { Request } from 'express';
import { queryOf } from '../../sandbox/api/common.ts';
import type { Resource } from './sandbox-api-resources.ts';

/*
 * How the emulated ALM API reads a list's query and answers one page of it: page[limit] (10 by
 * default; at most 10 with `include`, 100 without), page[offset] or the cursor links.next
 * carries, comma-separated ids and filters. A query it cannot read throws ApiError, which the
 * router answers with that status.
 */

const DEFAULT_PAGE = 10;
const MAX_PAGE_WITH_INCLUDE = 10;
const MAX_PAGE = 100;

/** A query the API cannot read, with the status it answers. */
export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** The request's own URL, as a document's links.self. */
export function selfLink(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? 'localhost'}${req.originalUrl}`;
}

/** One page of a list as a JSON:API document, with links.next holding the cursor for the rest. */
export function list(req: Request, all: Resource[], maxOffset?: number): Resource {
  const query = queryOf(req);
  const number = (name: string, fallback: number) => {
    const raw = query.get(name);
    if (raw === null || raw === '') return fallback;
    if (!/^\d+$/.test(raw)) throw new ApiError(400, `${name} must be a non-negative integer.`);
    return Number(raw);
  };
  const max = query.get('include') ? MAX_PAGE_WITH_INCLUDE : MAX_PAGE;
  const limit = Math.min(Math.max(number('page[limit]', DEFAULT_PAGE), 1), max);
  // The cursor is opaque to clients; here it is the offset of the next record.
  const offset = query.has('page[cursor]') ? number('page[cursor]', 0) : number('page[offset]', 0);
  if (maxOffset !== undefined && offset > maxOffset) throw new ApiError(400, `page[offset] may be at most ${maxOffset}; use the jobs API for more.`);
  const data = all.slice(offset, offset + limit);
  const links: Record<string, string> = { self: selfLink(req) };
  if (offset + limit < all.length) {
    const next = new URL(selfLink(req));
    next.searchParams.delete('page[offset]');
    next.searchParams.set('page[cursor]', String(offset + limit));
    links.next = next.toString();
  }
  return { links, data };
}

/** A comma-separated query value, or null when absent. */
export function listOf(query: URLSearchParams, name: string): string[] | null {
  const raw = query.get(name);
  return raw === null
    ? null
    : raw
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean);
}

/** The `sort` query ALM's lists take: by id, or by id descending with `-id`. */
export function sortById(resources: Resource[], sort: string | null): Resource[] {
  if (sort === '-id') return resources.toReversed();
  return resources;
}
