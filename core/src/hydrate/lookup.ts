import type { Course, Learner } from '../catalog/index.ts';
import type { Store } from '../store/store.ts';
import type { LmsApiClient } from './client.ts';

/**
 * The dynamic dropdowns and searches of the Zapier app and the n8n node (GET /v1/lookup/*).
 * LMS API clients answer from the LMS; without one, the hub answers from what its recent events
 * named, which is what a user filtering "the course my LMS just sent" needs.
 */
export interface Lookup {
  courses(query: LookupQuery): Promise<Course[]>;
  users(query: LookupQuery): Promise<Learner[]>;
}

export interface LookupQuery {
  q?: string | undefined;
  /** A connection id, to search one LMS only. */
  connection?: string | undefined;
  limit: number;
}

/** How many recent events the fallback reads: bounded, so a lookup never costs O(history). */
const RECENT_EVENTS = 500;

function matches(q: string | undefined, ...fields: Array<string | null>): boolean {
  if (!q) return true;
  const needle = q.toLowerCase();
  return fields.some((field) => field?.toLowerCase().includes(needle));
}

export function lookupFromRecentEvents(store: Store): Lookup {
  async function collect<T extends { id: string }>(
    query: LookupQuery,
    pick: (event: Awaited<ReturnType<Store['listEvents']>>['data'][number]['event']) => T | null,
    keep: (item: T) => boolean,
  ): Promise<T[]> {
    const page = await store.listEvents({ limit: RECENT_EVENTS, connection: query.connection });
    const seen = new Map<string, T>();
    for (const stored of page.data) {
      const item = pick(stored.event);
      if (item && !seen.has(item.id) && keep(item)) seen.set(item.id, item);
      if (seen.size >= query.limit) break;
    }
    return [...seen.values()];
  }
  return {
    courses: (query) =>
      collect(
        query,
        (event) => event.course,
        (course) => matches(query.q, course.id, course.title),
      ),
    users: (query) =>
      collect(
        query,
        (event) => event.learner,
        (learner) => matches(query.q, learner.id, learner.email, learner.name, learner.username),
      ),
  };
}

/**
 * Lookups answered by the connection's LMS when the query names a connection with an API client;
 * otherwise, and whenever the LMS cannot answer (down, rate limited, refusing), by `fallback`: a
 * dropdown should show something rather than an error.
 */
export function lookupFromClients(clientFor: (connectionId: string) => Promise<{ client: LmsApiClient } | null>, fallback: Lookup): Lookup {
  async function ask<T>(query: LookupQuery, search: (client: LmsApiClient) => Promise<T[]>, otherwise: () => Promise<T[]>): Promise<T[]> {
    if (!query.connection) return otherwise();
    let answer: T[];
    try {
      const found = await clientFor(query.connection);
      if (!found) return otherwise();
      answer = await search(found.client);
    } catch {
      return otherwise();
    }
    return answer.slice(0, query.limit);
  }
  return {
    courses: (query) =>
      ask(
        query,
        (client) => client.searchCourses(query.q, query.limit),
        () => fallback.courses(query),
      ),
    users: (query) =>
      ask(
        query,
        (client) => client.searchUsers(query.q, query.limit),
        () => fallback.users(query),
      ),
  };
}
