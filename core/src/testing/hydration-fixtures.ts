import type { HydrationNeeds } from '../catalog/hydration-needs.ts';
import type { CatalogEvent, Course, Enrollment, EventType, Learner } from '../catalog/index.ts';
import { LmsApiError, type LmsApiClient } from '../hydrate/client.ts';
import { buildEvent, type EventParts } from '../vendors/build-event.ts';

/*
 * Fixtures for the hydrator's tests: what a fake LMS answers for an id, a fake LMS that records
 * its calls, and lean events as the Absorb adapter builds them.
 */

export const learnerFrom = (id: string): Learner => ({
  id: `api-${id}`,
  email: `${id}@example.com`,
  username: id,
  first_name: 'Ann',
  last_name: 'Lee',
  name: 'Ann Lee',
  department: 'Sales',
});

export const courseFrom = (id: string): Course => ({
  id: `api-${id}`,
  title: `Course ${id}`,
  kind: 'online_course',
  url: `https://lms.example.com/courses/${id}`,
});

export const enrollmentFrom = (id: string | undefined): Enrollment => ({
  id: id ?? 'e-api',
  status: 'completed',
  progress: 100,
  score: 92,
  passed: true,
  enrolled_at: '2025-03-01T09:00:00.000Z',
  completed_at: '2025-03-04T10:00:00.000Z',
});

export interface FakeLmsCall {
  method: 'user' | 'course' | 'enrollment';
  id: string;
  at: number;
}

/** An LMS that records every call; `behave` may replace any answer (resolving null: no such thing). */
export function fakeLms(options: { now?: () => number; behave?: (call: FakeLmsCall, nth: number) => Promise<unknown> | undefined } = {}) {
  const now = options.now ?? (() => Date.now());
  const calls: FakeLmsCall[] = [];
  function record(method: FakeLmsCall['method'], id: string): Promise<unknown> | undefined {
    const call = { method, id, at: now() };
    calls.push(call);
    return options.behave?.(call, calls.filter((c) => c.method === method && c.id === id).length);
  }
  const client: LmsApiClient = {
    async user(id) {
      const answer = record('user', id);
      return answer === undefined ? learnerFrom(id) : (await answer) === null ? null : learnerFrom(id);
    },
    async course(id) {
      const answer = record('course', id);
      return answer === undefined ? courseFrom(id) : (await answer) === null ? null : courseFrom(id);
    },
    async enrollment(ref) {
      const answer = record('enrollment', `${ref.user}/${ref.course}`);
      return answer === undefined ? enrollmentFrom(ref.id) : (await answer) === null ? null : enrollmentFrom(ref.id);
    },
    searchCourses: async () => [],
    searchUsers: async () => [],
  };
  return { client, calls, count: (method: FakeLmsCall['method']) => calls.filter((call) => call.method === method).length };
}

/** The LMS is down: every call fails as a 503 would. */
export const down = () => Promise.reject(new LmsApiError('The LMS failed GET /users/1 (503)', { status: 503 }));

let counter = 0;

/** A lean event as the Absorb adapter builds it: ids only, everything else to be hydrated. */
export function leanEvent(options: { type?: EventType; user?: string; course?: string; needs?: HydrationNeeds; parts?: Partial<EventParts> } = {}): {
  event: CatalogEvent;
  needs: HydrationNeeds;
} {
  const user = options.user ?? 'u1';
  const course = options.course ?? 'c1';
  const type = options.type ?? 'enrollment.completed';
  const needs = options.needs ?? { user, course: { id: course }, enrollment: { user, course } };
  const mapped = buildEvent(
    {
      type,
      vendor: 'absorb',
      vendorEvent: 'Enrollment Completed by Learner',
      vendorEventId: null,
      dedupeKey: `k${++counter}`,
      learner: { id: user },
      course: type.startsWith('user.') ? undefined : { id: course },
      enrollment: type.startsWith('enrollment.') ? { status: 'completed' } : undefined,
      raw: {},
      hydration: needs,
      ...options.parts,
    },
    { connection: 'acme', receivedAt: new Date('2025-03-04T10:00:05.000Z') },
  );
  return { event: mapped.event, needs };
}
