/*
 * Sources: RFC 9110 "HTTP Semantics" §15.5.30 429 Too Many Requests / §10.2.3 Retry-After; the
 * vendors' published API rate limits are the `rateLimit` each VendorApi gives (see
 * /work/shared/notes/vendors.md); the behaviour asked for is DESIGN §4 Hydration. The LMS here is a
 * fake LmsApiClient: HTTP itself is covered in http-json.test.ts.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Course, Learner } from '../catalog/index.ts';
import { createLogger } from '../logger.ts';
import { courseFrom, down, enrollmentFrom, fakeLms, leanEvent, learnerFrom } from '../testing/hydration-fixtures.ts';
import { type LmsApiClient, LmsApiError } from './client.ts';
import { type ConnectionClient, createHydrator, type HydratorOptions } from './create-hydrator.ts';

afterEach(() => {
  vi.useRealTimers();
});

function hydratorFor(client: LmsApiClient, options: Partial<HydratorOptions> & { rateLimit?: ConnectionClient['rateLimit'] } = {}) {
  const { rateLimit = { capacity: 1000, perSecond: 1000 }, ...rest } = options;
  return createHydrator({ clientFor: async () => ({ client, rateLimit }), ...rest });
}

describe('createHydrator', () => {
  it('fills learner, course and enrollment, keeping what the payload had and the ids as sent', async () => {
    const lms = fakeLms();
    const { event, needs } = leanEvent({ parts: { learner: { id: 'u1', email: 'payload@example.com' }, enrollment: { status: 'completed', score: 75 } } });
    const hydrated = await hydratorFor(lms.client).hydrate(event, needs, 'conn_1');
    expect(hydrated.hydration).toEqual({ status: 'complete', missing: [] });
    expect(hydrated.learner).toEqual({ ...learnerFrom('u1'), id: 'u1', email: 'payload@example.com' });
    expect(hydrated.course).toEqual({ ...courseFrom('c1'), id: 'c1' });
    expect(hydrated.enrollment).toEqual({ ...enrollmentFrom(undefined), score: 75 });
    expect(hydrated.id).toBe(event.id);
    expect(hydrated.raw).toEqual(event.raw);
  });

  it('makes one user call for 50 concurrent events about one learner', async () => {
    const lms = fakeLms();
    const hydrator = hydratorFor(lms.client);
    const events = Array.from({ length: 50 }, () => leanEvent({ needs: { user: 'u1', course: { id: 'c1' } } }));
    const hydrated = await Promise.all(events.map(({ event, needs }) => hydrator.hydrate(event, needs, 'conn_1')));
    expect(hydrated.every((event) => event.hydration.status === 'complete')).toBe(true);
    expect(lms.count('user')).toBe(1);
    expect(lms.count('course')).toBe(1);
    expect(hydrator.stats()).toEqual({ apiCalls: 2, warmCalls: 0, cacheHits: 98 });
  });

  it('answers later events from the cache until the TTL runs out', async () => {
    let time = 0;
    const lms = fakeLms({ now: () => time });
    const hydrator = hydratorFor(lms.client, { now: () => time, cacheTtlMs: 60_000 });
    const needs = { user: 'u1' };
    await hydrator.hydrate(leanEvent({ needs }).event, needs, 'conn_1');
    time = 59_999;
    await hydrator.hydrate(leanEvent({ needs }).event, needs, 'conn_1');
    expect(lms.count('user')).toBe(1);
    time = 60_000;
    await hydrator.hydrate(leanEvent({ needs }).event, needs, 'conn_1');
    expect(lms.count('user')).toBe(2);
  });

  it('keeps connections apart in the cache', async () => {
    const lms = fakeLms();
    const hydrator = hydratorFor(lms.client);
    const needs = { user: 'u1' };
    await hydrator.hydrate(leanEvent({ needs }).event, needs, 'conn_1');
    await hydrator.hydrate(leanEvent({ needs }).event, needs, 'conn_2');
    expect(lms.count('user')).toBe(2);
  });

  it('reads the learner again for an event about a change to the learner', async () => {
    const lms = fakeLms();
    const hydrator = hydratorFor(lms.client);
    const needs = { user: 'u1' };
    await hydrator.hydrate(leanEvent({ needs }).event, needs, 'conn_1');
    await hydrator.hydrate(leanEvent({ type: 'user.updated', needs }).event, needs, 'conn_1');
    expect(lms.count('user')).toBe(2);
  });

  it('reads the enrollment again for every enrollment event, but once for concurrent ones', async () => {
    const lms = fakeLms();
    const hydrator = hydratorFor(lms.client);
    const burst = Array.from({ length: 10 }, () => leanEvent());
    await Promise.all(burst.map(({ event, needs }) => hydrator.hydrate(event, needs, 'conn_1')));
    expect(lms.count('enrollment')).toBe(1);
    const later = leanEvent();
    await hydrator.hydrate(later.event, later.needs, 'conn_1');
    expect(lms.count('enrollment')).toBe(2);
    expect(lms.count('user')).toBe(1);
  });

  it('retries a 429 after the Retry-After the LMS asked for, then completes', async () => {
    const lms = fakeLms({
      behave: (call, nth) =>
        call.method === 'user' && nth === 1 ? Promise.reject(new LmsApiError('rate limited', { status: 429, retryAfterMs: 80 })) : undefined,
    });
    const hydrator = hydratorFor(lms.client, { maxWaitMs: 2_000 });
    const { event, needs } = leanEvent();
    const hydrated = await hydrator.hydrate(event, needs, 'conn_1');
    expect(hydrated.hydration).toEqual({ status: 'complete', missing: [] });
    const userCalls = lms.calls.filter((call) => call.method === 'user');
    expect(userCalls).toHaveLength(2);
    expect((userCalls[1]?.at ?? 0) - (userCalls[0]?.at ?? 0)).toBeGreaterThanOrEqual(75);
  });

  it('holds every call on the connection back while a 429 Retry-After runs', async () => {
    vi.useFakeTimers();
    const lms = fakeLms({
      behave: (call, nth) =>
        call.id === 'u1' && nth === 1 ? Promise.reject(new LmsApiError('rate limited', { status: 429, retryAfterMs: 1_000 })) : undefined,
    });
    const hydrator = hydratorFor(lms.client, { maxWaitMs: 1_500 });
    const started = Date.now();
    const first = hydrator.hydrate(leanEvent({ needs: { user: 'u1' } }).event, { user: 'u1' }, 'conn_1');
    await vi.advanceTimersByTimeAsync(10);
    const second = hydrator.hydrate(leanEvent({ needs: { user: 'u2' } }).event, { user: 'u2' }, 'conn_1');
    await vi.runAllTimersAsync();
    expect((await Promise.all([first, second])).map((event) => event.hydration.status)).toEqual(['complete', 'complete']);
    const u2 = lms.calls.find((call) => call.id === 'u2');
    expect((u2?.at ?? 0) - started).toBeGreaterThanOrEqual(1_000);
  });

  it('lets the event go out partial, listing what is missing, when the LMS stays down', async () => {
    const lms = fakeLms({ behave: down });
    const hydrator = hydratorFor(lms.client, { maxWaitMs: 300 });
    const { event, needs } = leanEvent();
    const started = Date.now();
    const hydrated = await hydrator.hydrate(event, needs, 'conn_1');
    expect(Date.now() - started).toBeLessThan(300 + 100);
    expect(hydrated.hydration).toEqual({ status: 'partial', missing: ['learner', 'course', 'enrollment'] });
    expect(hydrated.learner).toEqual(event.learner);
    expect(lms.count('user')).toBeGreaterThan(1);
  });

  it('lets go of a call that never settles soon after the bound, and asks again next time', async () => {
    let hung = true;
    const lms = fakeLms({ behave: (call) => (call.method === 'user' && hung ? new Promise(() => {}) : undefined) });
    const hydrator = hydratorFor(lms.client, { maxWaitMs: 100, graceMs: 100 });
    const first = leanEvent({ needs: { user: 'u1' } });
    const started = Date.now();
    expect((await hydrator.hydrate(first.event, first.needs, 'conn_1')).hydration).toEqual({ status: 'partial', missing: ['learner'] });
    expect(Date.now() - started).toBeLessThan(100 + 100 + 150);
    hung = false;
    const second = leanEvent({ needs: { user: 'u1' } });
    expect((await hydrator.hydrate(second.event, second.needs, 'conn_1')).hydration.status).toBe('complete');
  });

  it('gives up at once on an error that will not go away', async () => {
    const lms = fakeLms({
      behave: (call) => (call.method === 'course' ? Promise.reject(new LmsApiError('forbidden', { status: 403 })) : undefined),
    });
    const { event, needs } = leanEvent();
    const started = Date.now();
    const hydrated = await hydratorFor(lms.client, { maxWaitMs: 5_000 }).hydrate(event, needs, 'conn_1');
    expect(Date.now() - started).toBeLessThan(200);
    expect(lms.count('course')).toBe(1);
    expect(hydrated.hydration).toEqual({ status: 'partial', missing: ['course'] });
  });

  it('does not retry a bug in a client (an error that is not an LmsApiError)', async () => {
    const lms = fakeLms({ behave: (call) => (call.method === 'user' ? Promise.reject(new TypeError('bad parse')) : undefined) });
    const hydrated = await hydratorFor(lms.client).hydrate(leanEvent().event, leanEvent().needs, 'conn_1');
    expect(lms.count('user')).toBe(1);
    expect(hydrated.hydration.missing).toEqual(['learner']);
  });

  it('does not keep a failure: the next event asks again and completes', async () => {
    let up = false;
    const lms = fakeLms({ behave: () => (up ? undefined : down()) });
    const hydrator = hydratorFor(lms.client, { maxWaitMs: 50 });
    const first = leanEvent({ needs: { user: 'u1' } });
    expect((await hydrator.hydrate(first.event, first.needs, 'conn_1')).hydration.status).toBe('partial');
    up = true;
    const second = leanEvent({ needs: { user: 'u1' } });
    expect((await hydrator.hydrate(second.event, second.needs, 'conn_1')).hydration.status).toBe('complete');
  });

  it('goes out as sent, marked partial, for a connection without an API client', async () => {
    const hydrator = createHydrator({ clientFor: async () => null });
    const { event, needs } = leanEvent();
    const hydrated = await hydrator.hydrate(event, needs, 'conn_1');
    expect(hydrated).toEqual({ ...event, hydration: { status: 'partial', missing: ['learner', 'course', 'enrollment'] } });
  });

  it('treats a client that cannot be built like no client', async () => {
    const hydrator = createHydrator({
      clientFor: () => Promise.reject(new Error('cannot decrypt settings')),
    });
    const { event, needs } = leanEvent({ needs: { user: 'u1' } });
    expect((await hydrator.hydrate(event, needs, 'conn_1')).hydration).toEqual({ status: 'partial', missing: ['learner'] });
  });

  describe('from memory (before the ingest answers)', () => {
    const needs = { user: 'u1', course: { id: 'c1' } };

    it('answers nothing and calls nobody until every part is cached, then what hydrate answers', async () => {
      const lms = fakeLms();
      const hydrator = hydratorFor(lms.client, { warmMaxEntries: 0 });
      expect(await hydrator.fromMemory(leanEvent({ needs }).event, needs, 'conn_1')).toBeNull();
      expect(lms.calls).toHaveLength(0);
      await hydrator.hydrate(leanEvent({ needs: { user: 'u1' } }).event, { user: 'u1' }, 'conn_1');
      expect(await hydrator.fromMemory(leanEvent({ needs }).event, needs, 'conn_1')).toBeNull();
      await hydrator.hydrate(leanEvent({ needs }).event, needs, 'conn_1');
      const { event } = leanEvent({ needs });
      expect(await hydrator.fromMemory(event, needs, 'conn_1')).toEqual(await hydrator.hydrate(event, needs, 'conn_1'));
      expect(lms.calls.map((call) => call.method)).toEqual(['user', 'course']);
    });

    it('answers nothing for an event about a part it would read afresh, cached or not', async () => {
      const lms = fakeLms();
      const hydrator = hydratorFor(lms.client, { warmMaxEntries: 0 });
      await hydrator.hydrate(leanEvent({ needs }).event, needs, 'conn_1');
      expect(await hydrator.fromMemory(leanEvent({ type: 'user.updated', needs: { user: 'u1' } }).event, { user: 'u1' }, 'conn_1')).toBeNull();
      const withEnrollment = { ...needs, enrollment: { user: 'u1', course: 'c1' } };
      expect(await hydrator.fromMemory(leanEvent({ needs: withEnrollment }).event, withEnrollment, 'conn_1')).toBeNull();
    });

    it('answers an event of a connection without an API client as hydrate does', async () => {
      const hydrator = createHydrator({ clientFor: async () => null });
      const { event } = leanEvent({ needs });
      expect(await hydrator.fromMemory(event, needs, 'conn_1')).toEqual({ ...event, hydration: { status: 'partial', missing: ['learner', 'course'] } });
    });
  });

  it('is complete at once when nothing needs filling in', async () => {
    const lms = fakeLms();
    const { event } = leanEvent({ needs: {} });
    const hydrated = await hydratorFor(lms.client).hydrate(event, {}, 'conn_1');
    expect(hydrated.hydration).toEqual({ status: 'complete', missing: [] });
    expect(lms.calls).toHaveLength(0);
  });

  it('lets an event go out partial rather than wait past its bound for a token', async () => {
    vi.useFakeTimers();
    const lms = fakeLms();
    const hydrator = hydratorFor(lms.client, { rateLimit: { capacity: 1, perSecond: 1 }, maxWaitMs: 500 });
    const all = Promise.all(['u1', 'u2'].map((user) => hydrator.hydrate(leanEvent({ needs: { user } }).event, { user }, 'conn_1')));
    await vi.runAllTimersAsync();
    const [first, second] = await all;
    expect(first?.hydration.status).toBe('complete');
    expect(second?.hydration).toEqual({ status: 'partial', missing: ['learner'] });
    expect(lms.calls).toHaveLength(1);
  });
});

/** An LMS whose lists hold learners u0..u(users-1) and courses c0..c(courses-1), as its lookups answer them. */
function listingLms(options: { users: number; courses: number; pageSize?: number; listing?: (cursor: string | null) => Promise<void> }) {
  const pageSize = options.pageSize ?? 10;
  const learner = (id: string): Learner => ({ ...learnerFrom(id), id });
  const course = (id: string): Course => ({ ...courseFrom(id), id });
  const calls: string[] = [];
  function page<T>(total: number, make: (index: number) => T) {
    return async (cursor: string | null) => {
      await options.listing?.(cursor);
      const start = Number(cursor ?? '0');
      const end = Math.min(total, start + pageSize);
      return { items: Array.from({ length: end - start }, (_, index) => make(start + index)), next: end < total ? String(end) : null };
    };
  }
  const listUsers = page(options.users, (index) => learner(`u${index}`));
  const listCourses = page(options.courses, (index) => course(`c${index}`));
  const client: LmsApiClient = {
    async user(id) {
      calls.push(`user ${id}`);
      return learner(id);
    },
    async course(id) {
      calls.push(`course ${id}`);
      return course(id);
    },
    async enrollment(ref) {
      calls.push(`enrollment ${ref.user}/${ref.course}`);
      return enrollmentFrom(ref.id);
    },
    searchCourses: async () => [],
    searchUsers: async () => [],
    async listUsers(cursor) {
      calls.push(`listUsers ${cursor ?? ''}`);
      return listUsers(cursor);
    },
    async listCourses(cursor) {
      calls.push(`listCourses ${cursor ?? ''}`);
      return listCourses(cursor);
    },
  };
  return { client, calls, lookups: () => calls.filter((call) => !call.startsWith('list')) };
}

describe('createHydrator warming from the LMS lists', () => {
  it('answers learners and courses never looked up from the warm-up, for any course kind', async () => {
    const lms = listingLms({ users: 35, courses: 12 });
    const hydrator = hydratorFor(lms.client);
    await hydrator.warm('conn_1');
    expect(hydrator.stats().warmCalls).toBe(4 + 2);
    const events = [
      leanEvent({ needs: { user: 'u34', course: { id: 'c11' } } }),
      leanEvent({ needs: { user: 'u0', course: { id: 'c3', kind: 'curriculum' } } }),
      leanEvent({ needs: { user: 'u17', course: { id: 'c3', kind: 'online_course' } } }),
    ];
    const hydrated = await Promise.all(events.map(({ event, needs }) => hydrator.hydrate(event, needs, 'conn_1')));
    expect(lms.lookups()).toEqual([]);
    expect(hydrated.map((event) => [event.learner?.email, event.course?.title])).toEqual([
      ['u34@example.com', 'Course c11'],
      ['u0@example.com', 'Course c3'],
      ['u17@example.com', 'Course c3'],
    ]);
    // Someone the lists did not hold is looked up as before.
    const { event, needs } = leanEvent({ needs: { user: 'u99' } });
    expect((await hydrator.hydrate(event, needs, 'conn_1')).hydration.status).toBe('complete');
    expect(lms.lookups()).toEqual(['user u99']);
  });

  it('warms a connection on its first event, and still reads what that event is about afresh', async () => {
    const lms = listingLms({ users: 5, courses: 2 });
    const hydrator = hydratorFor(lms.client);
    const first = leanEvent({ type: 'user.updated', needs: { user: 'u1' } });
    await hydrator.hydrate(first.event, first.needs, 'conn_1');
    await hydrator.warm('conn_1');
    expect(lms.calls.filter((call) => call.startsWith('list'))).toEqual(['listCourses ', 'listUsers ']);
    const updated = leanEvent({ type: 'user.updated', needs: { user: 'u2' } });
    await hydrator.hydrate(updated.event, updated.needs, 'conn_1');
    expect(lms.lookups()).toEqual(['user u1', 'user u2']);
  });

  it('lets every waiting event call go before the next warm-up page', async () => {
    let releaseFirstPage: () => void = () => {};
    const firstPage = new Promise<void>((resolve) => (releaseFirstPage = resolve));
    const lms = listingLms({ users: 30, courses: 0, listing: (cursor) => (cursor === null ? firstPage : Promise.resolve()) });
    const hydrator = hydratorFor(lms.client, { rateLimit: { capacity: 2, perSecond: 100 } });
    const warming = hydrator.warm('conn_1');
    const events = Array.from({ length: 8 }, (_, index) => leanEvent({ needs: { user: `new${index}` } }));
    const hydrating = Promise.all(events.map(({ event, needs }) => hydrator.hydrate(event, needs, 'conn_1')));
    releaseFirstPage();
    await Promise.all([warming, hydrating]);
    const order = lms.calls.filter((call) => call !== 'listCourses ');
    // The first page was under way before the events came; the next ones wait for all eight lookups.
    expect(order.indexOf('listUsers 10')).toBeGreaterThan(Math.max(...events.map((_, index) => order.indexOf(`user new${index}`))));
  });

  it('hydrates one lookup at a time when the LMS cannot list', async () => {
    const lms = listingLms({ users: 30, courses: 3, listing: () => down() });
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', destination: { write: (line: string) => void lines.push(line) } });
    const hydrator = hydratorFor(lms.client, { sleep: async () => {}, logger });
    await hydrator.warm('conn_1');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('hydration warm-up failed');
    const { event, needs } = leanEvent({ needs: { user: 'u3', course: { id: 'c1' } } });
    const hydrated = await hydrator.hydrate(event, needs, 'conn_1');
    expect(hydrated.hydration.status).toBe('complete');
    expect(lms.lookups()).toEqual(['user u3', 'course c1']);
  });

  it('never evicts a looked-up value to make room for warmed ones', async () => {
    const lms = listingLms({ users: 100, courses: 0 });
    // Room for 5 looked-up learners and 10 warmed ones; 100 listed.
    const hydrator = hydratorFor(lms.client, { maxEntries: 5, warmMaxEntries: 10 });
    const live = Array.from({ length: 5 }, (_, index) => leanEvent({ needs: { user: `live${index}` } }));
    // The first event starts the warm-up; the others come while and after it runs.
    for (const { event, needs } of live) await hydrator.hydrate(event, needs, 'conn_1');
    await hydrator.warm('conn_1');
    // Other connections' warm-ups find the room taken.
    await Promise.all([hydrator.warm('conn_2'), hydrator.warm('conn_3')]);
    const again = Array.from({ length: 5 }, (_, index) => leanEvent({ needs: { user: `live${index}` } }));
    for (const { event, needs } of again) await hydrator.hydrate(event, needs, 'conn_1');
    const warmed = leanEvent({ needs: { user: 'u0' } });
    await hydrator.hydrate(warmed.event, warmed.needs, 'conn_1');
    expect(lms.lookups()).toEqual(['user live0', 'user live1', 'user live2', 'user live3', 'user live4']);
  });

  it('leaves room for as many lookups as maxEntries after warming, so lookups then evict nothing', async () => {
    const lms = listingLms({ users: 100, courses: 0 });
    const hydrator = hydratorFor(lms.client, { maxEntries: 5, warmMaxEntries: 10 });
    await hydrator.warm('conn_1');
    await hydrator.warm('conn_2');
    const users = ['new0', 'new1', 'new2', 'new3', 'new4', 'u0', 'new0'];
    for (const user of users) {
      const { event, needs } = leanEvent({ needs: { user } });
      await hydrator.hydrate(event, needs, 'conn_1');
    }
    expect(lms.lookups()).toEqual(['user new0', 'user new1', 'user new2', 'user new3', 'user new4']);
  });

  it('warms within a limit of one call at a time', async () => {
    const lms = listingLms({ users: 30, courses: 0 });
    const hydrator = hydratorFor(lms.client, { rateLimit: { capacity: 1, perSecond: 200 } });
    await hydrator.warm('conn_1');
    expect(lms.calls).toEqual(['listCourses ', 'listUsers ', 'listUsers 10', 'listUsers 20']);
  });

  it('warms nothing with warming off', async () => {
    const lms = listingLms({ users: 10, courses: 2 });
    const hydrator = hydratorFor(lms.client, { warmMaxEntries: 0 });
    await hydrator.warm('conn_1');
    expect(lms.calls).toEqual([]);
  });
});
