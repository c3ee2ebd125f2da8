/*
 * Sources (facts only): Absorb "Integration API" v2 overview at docs.myabsorb.com — "Pagination"
 * (_offset is a page number from 0, _limit at most 1000), "Sorting", "Filtering".
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { collection, QueryError } from './sandbox-api-query.ts';

const users = Array.from({ length: 25 }, (_, index) => ({
  id: `0000000${index % 10}-aaaa-4bbb-8ccc-${String(index).padStart(12, '0')}`,
  lastName: `Name${String(index).padStart(2, '0')}`,
  dateAdded: `2026-10-${String(index + 1).padStart(2, '0')}T00:00:00.000`,
  customFields: { string1: index % 2 === 0 ? 'even' : 'odd' },
}));

const page = (query: string) => collection(new URLSearchParams(query), 'users', users);
const Page = z.object({ users: z.array(z.object({ lastName: z.string() })) });
const namesOf = (answer: unknown) => Page.parse(answer).users.map((user) => user.lastName);

describe('the emulated Absorb API collection query', () => {
  it('pages by page number: _offset 2 with _limit 10 answers the 21st record on', () => {
    const answer = page('_limit=10&_offset=2');
    expect(answer).toMatchObject({ totalItems: 25, returnedItems: 5, limit: 10, offset: 2 });
    expect(namesOf(answer)[0]).toBe('Name20');
  });

  it('answers 20 records by default and holds _limit between 1 and 1000', () => {
    expect(page('')).toMatchObject({ returnedItems: 20, limit: 20 });
    expect(page('_limit=0')).toMatchObject({ limit: 1 });
    expect(page('_limit=5000')).toMatchObject({ limit: 1000 });
  });

  it('refuses a _limit that is not a number and an _offset past 65535', () => {
    expect(() => page('_limit=ten')).toThrow(QueryError);
    expect(() => page('_offset=65536')).toThrow(QueryError);
  });

  it('matches property names ignoring case, through nested paths', () => {
    const answer = page(`_filter=${encodeURIComponent("CustomFields/String1 eq 'odd'")}&_sort=-LASTNAME&_limit=3`);
    expect(answer).toMatchObject({ totalItems: 12 });
    expect(namesOf(answer)).toEqual(['Name23', 'Name21', 'Name19']);
  });

  it('compares GUIDs ignoring case and zoneless times as UTC', () => {
    const wanted = users[3]?.id.toUpperCase() ?? '';
    expect(page(`_filter=${encodeURIComponent(`id eq guid'${wanted}'`)}`)).toMatchObject({ totalItems: 1 });
    expect(page(`_filter=${encodeURIComponent("dateAdded ge datetime'2026-10-24T00:00:00Z'")}`)).toMatchObject({ totalItems: 2 });
  });

  it('refuses to sort or filter by a property the resources do not have', () => {
    expect(() => page('_sort=shoeSize')).toThrow(QueryError);
    expect(() => page(`_filter=${encodeURIComponent("shoeSize eq '9'")}`)).toThrow(QueryError);
  });
});
