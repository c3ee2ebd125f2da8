import { evaluateFilter, type FilterDialect, type Literal, literalOf, parseFilter } from '../../sandbox/api/odata-filter.ts';

/**
 * How the emulated Absorb API reads a collection's query: `_filter` (OData v2 style), `_sort`
 * (comma-separated, `-` for descending), `_limit` and `_offset` (a page number), and the page it
 * answers. Pure: the router hands in the query and the resources and answers a QueryError as 422.
 */

/** An Absorb resource as JSON: camelCase properties, primitives, arrays or nested objects. */
type Resource = Record<string, unknown>;

/** Paging bounds from the Integration API overview ("Pagination"). */
const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 1000;
const MAX_OFFSET = 65_535;

/** A query the API cannot read: answered 422, as Absorb does. */
export class QueryError extends Error {}

/*
 * A reader for Absorb's `_filter`: OData v2 style, enough for what integrations ask. Literals are
 * 'text' ('' for a quote), guid'…', datetime'…', numbers, true, false, null; property paths may
 * nest with "/" (customFields/string1). Property and function names match ignoring case, as in
 * the docs' own examples (`startsWith(lastname,'leb')`). Anything else answers 422.
 */

/** A property of a resource by a case-insensitive, possibly nested path; QueryError when absent. */
function propertyOf(resource: Resource, path: readonly string[]): unknown {
  let current: unknown = resource;
  for (const part of path) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) throw new QueryError(`Could not find a property named '${path.join('/')}'.`);
    const key = Object.keys(current).find((candidate) => candidate.toLowerCase() === part.toLowerCase());
    if (key === undefined) throw new QueryError(`Could not find a property named '${path.join('/')}'.`);
    current = Object.getOwnPropertyDescriptor(current, key)?.value;
  }
  return current;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}(?:T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

/** Orders two values the way a SQL-backed API would: numbers and times by value, GUIDs ignoring case, text as written. */
function compare(left: Literal, right: Literal): number | null {
  if (left === null || right === null) return left === right ? 0 : null;
  if (typeof left === 'number' && typeof right === 'number') return left - right;
  if (typeof left === 'string' && typeof right === 'string') {
    if (GUID.test(left) && GUID.test(right)) return left.toLowerCase().localeCompare(right.toLowerCase());
    if (DATE_TIME.test(left) && DATE_TIME.test(right)) {
      const zoned = (value: string) => (/T/.test(value) && !/(?:Z|[+-]\d{2}:?\d{2})$/i.test(value) ? `${value}Z` : value);
      return Date.parse(zoned(left)) - Date.parse(zoned(right));
    }
    return left < right ? -1 : left > right ? 1 : 0;
  }
  return left === right ? 0 : null;
}

const FILTER: FilterDialect = {
  option: '_filter',
  token:
    /\s*(?:(?<prefix>guid|datetime)'(?<typed>[^']*)'|(?<string>'(?:[^']|'')*')|(?<number>-?\d+(?:\.\d+)?)|(?<word>[A-Za-z_][A-Za-z0-9_]*(?:\/[A-Za-z_][A-Za-z0-9_]*)*)|(?<punct>[(),]))/y,
  functions: { substringof: 2, startswith: 2, endswith: 2, tolower: 1, toupper: 1 },
  comparisons: new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']),
  error: QueryError,
  property: propertyOf,
  compare(operator, left, right) {
    const order = compare(left, right);
    switch (operator) {
      case 'eq':
        return order === 0;
      case 'ne':
        return order !== 0;
      case 'gt':
        return order !== null && order > 0;
      case 'ge':
        return order !== null && order >= 0;
      case 'lt':
        return order !== null && order < 0;
      default:
        return order !== null && order <= 0;
    }
  },
};

function sortBy(resources: Resource[], sort: string | null): Resource[] {
  if (!sort) return resources;
  const keys = sort
    .split(',')
    .map((key) => key.trim())
    .filter(Boolean)
    .map((key) => ({ descending: key.startsWith('-'), path: key.replace(/^-/, '').split('/') }));
  // Reading every key first surfaces an unknown property as a 422 rather than mid-sort.
  const rows = resources.map((resource) => ({ resource, values: keys.map((key) => literalOf(propertyOf(resource, key.path))) }));
  rows.sort((a, b) => {
    for (const [index, key] of keys.entries()) {
      const order = compare(a.values[index] ?? null, b.values[index] ?? null) ?? 0;
      if (order !== 0) return key.descending ? -order : order;
    }
    return 0;
  });
  return rows.map((row) => row.resource);
}

function count(value: string | null, name: string, fallback: number): number {
  if (value === null || value === '') return fallback;
  if (!/^\d+$/.test(value)) throw new QueryError(`${name} must be a non-negative integer.`);
  return Number(value);
}

/** One page of a collection, shaped as Absorb answers every list. */
export function collection(query: URLSearchParams, name: string, all: Resource[]): Resource {
  const filterText = query.get('_filter');
  const filter = filterText ? parseFilter(filterText, FILTER) : null;
  const limit = Math.min(Math.max(count(query.get('_limit'), '_limit', DEFAULT_LIMIT), 1), MAX_LIMIT);
  const offset = count(query.get('_offset'), '_offset', 0);
  if (offset > MAX_OFFSET) throw new QueryError(`_offset may be at most ${MAX_OFFSET}.`);
  const matching = sortBy(
    all.filter((resource) => !filter || evaluateFilter(filter, resource, FILTER) === true),
    query.get('_sort'),
  );
  // _offset counts pages, not records (Integration API overview, "Pagination").
  const items = matching.slice(offset * limit, (offset + 1) * limit);
  return { totalItems: matching.length, returnedItems: items.length, limit, offset, [name]: items };
}
