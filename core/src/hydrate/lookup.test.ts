/*
 * The dynamic dropdowns of DESIGN §4 (GET /v1/lookup/courses|users); no vendor document applies:
 * the LMS side is a fake LmsApiClient, whose searches the vendor clients implement.
 */
import { describe, expect, it } from 'vitest';
import type { Course, Learner } from '../catalog/index.ts';
import { type LmsApiClient, LmsApiError } from './client.ts';
import { type Lookup, type LookupQuery, lookupFromClients } from './lookup.ts';

const course = (id: string, title: string): Course => ({ id, title, kind: 'online_course', url: null });
const learner = (id: string): Learner => ({ id, email: `${id}@example.com`, username: id, first_name: null, last_name: null, name: null, department: null });

function fakeClient(overrides: Partial<LmsApiClient> = {}) {
  const searches: Array<{ what: 'courses' | 'users'; q: string | undefined; limit: number }> = [];
  const client: LmsApiClient = {
    user: async () => null,
    course: async () => null,
    enrollment: async () => null,
    async searchCourses(q, limit) {
      searches.push({ what: 'courses', q, limit });
      return [course('c1', 'Safety 101'), course('c2', 'Safety 201'), course('c3', 'Safety 301')];
    },
    async searchUsers(q, limit) {
      searches.push({ what: 'users', q, limit });
      return [learner('u1')];
    },
    ...overrides,
  };
  return { client, searches };
}

function fallback(): Lookup & { asked: LookupQuery[] } {
  const asked: LookupQuery[] = [];
  return {
    asked,
    async courses(query) {
      asked.push(query);
      return [course('recent', 'From recent events')];
    },
    async users(query) {
      asked.push(query);
      return [learner('recent')];
    },
  };
}

describe('lookupFromClients', () => {
  it('searches the LMS of the connection the query names', async () => {
    const { client, searches } = fakeClient();
    const recent = fallback();
    const lookup = lookupFromClients(async (id) => (id === 'conn_1' ? { client } : null), recent);
    expect(await lookup.courses({ q: 'safety', connection: 'conn_1', limit: 10 })).toHaveLength(3);
    expect(await lookup.users({ q: 'ann', connection: 'conn_1', limit: 10 })).toEqual([learner('u1')]);
    expect(searches).toEqual([
      { what: 'courses', q: 'safety', limit: 10 },
      { what: 'users', q: 'ann', limit: 10 },
    ]);
    expect(recent.asked).toHaveLength(0);
  });

  it('never answers more than the limit, whatever the LMS sends', async () => {
    const { client } = fakeClient();
    const lookup = lookupFromClients(async () => ({ client }), fallback());
    expect((await lookup.courses({ connection: 'conn_1', limit: 2 })).map((found) => found.id)).toEqual(['c1', 'c2']);
  });

  it('answers from the fallback when no connection is named', async () => {
    const { client, searches } = fakeClient();
    const recent = fallback();
    const lookup = lookupFromClients(async () => ({ client }), recent);
    expect(await lookup.courses({ q: 'x', limit: 5 })).toEqual([course('recent', 'From recent events')]);
    expect(searches).toHaveLength(0);
    expect(recent.asked).toEqual([{ q: 'x', limit: 5 }]);
  });

  it('answers from the fallback for a connection without an API client', async () => {
    const recent = fallback();
    const lookup = lookupFromClients(async () => null, recent);
    expect(await lookup.users({ connection: 'conn_1', limit: 5 })).toEqual([learner('recent')]);
  });

  it('answers from the fallback when the LMS cannot answer', async () => {
    const { client } = fakeClient({
      searchCourses: () => Promise.reject(new LmsApiError('The LMS failed GET /courses (503)', { status: 503 })),
    });
    const lookup = lookupFromClients(async () => ({ client }), fallback());
    expect(await lookup.courses({ q: 'safety', connection: 'conn_1', limit: 5 })).toEqual([course('recent', 'From recent events')]);
  });

  it('answers from the fallback when the client cannot be built', async () => {
    const lookup = lookupFromClients(() => Promise.reject(new Error('cannot decrypt settings')), fallback());
    expect(await lookup.users({ connection: 'conn_1', limit: 5 })).toEqual([learner('recent')]);
  });
});
