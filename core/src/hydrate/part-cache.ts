import type { HydrationNeeds } from '../catalog/hydration-needs.ts';
import type { CatalogEvent, Course, Enrollment, Learner } from '../catalog/index.ts';
import type { Logger } from '../logger.ts';
import { createTtlCache, type TtlCache } from './cache.ts';
import type { Answers } from './merge.ts';

/**
 * The hydrator's caches of learners, courses and enrollments (DESIGN §4 Hydration): one lookup per
 * thing for all the events that name it, a failed lookup answered as a missing part. Warm-ups put
 * learners and courses under the very keys lookups ask for, in places of their own.
 */

export interface PartCacheOptions {
  ttlMs: number;
  /** Bound on looked-up values of each kind. */
  maxEntries: number;
  /** Places in the learner and course caches for warmed values, which never take those of looked-up ones. */
  warmMaxEntries: number;
  now: () => number;
  logger?: Pick<Logger, 'warn'> | undefined;
}

/** Reads a part from the LMS: null when it has no such thing; throws when it could not say. */
type Load<T> = () => Promise<T | null>;

export interface PartCache {
  /** Each answers null when the LMS has no such thing or could not say in time; `fresh` skips a cached value. */
  learner(connectionId: string, id: string, fresh: boolean, load: Load<Learner>): Promise<Learner | null>;
  /** `anyKind`: the client answers a course alike for every kind (it lists courses), so one entry serves them all. */
  course(connectionId: string, course: NonNullable<HydrationNeeds['course']>, anyKind: boolean, fresh: boolean, load: Load<Course>): Promise<Course | null>;
  enrollment(connectionId: string, ref: NonNullable<HydrationNeeds['enrollment']>, fresh: boolean, load: Load<Enrollment>): Promise<Enrollment | null>;
  /**
   * The answers to every part `needs` names, from memory alone: null when one is not cached, or is
   * one the event is about (`fresh`, read from the LMS again). Never loads, never waits.
   */
  cached(connectionId: string, needs: HydrationNeeds, anyKind: boolean, fresh: ReturnType<typeof freshParts>): Answers | null;
  /** Keep a warmed value; false once its places are full. */
  keepLearner(connectionId: string, learner: Learner): boolean;
  /** Kept for every kind: only clients that list courses warm them. */
  keepCourse(connectionId: string, course: Course): boolean;
  /** Parts answered without a load of their own: from the cache or from a load already in flight. */
  readonly hits: number;
}

/**
 * Which parts an event is about: those are read from the LMS again, not from the cache, so a
 * user.updated event carries the updated profile. Unknown events (lms.event) may be about anything.
 */
export function freshParts(type: CatalogEvent['type']): { learner: boolean; course: boolean; enrollment: boolean } {
  const all = type === 'lms.event';
  return {
    learner: all || type.startsWith('user.'),
    course: all || type.startsWith('course.'),
    enrollment: all || type.startsWith('enrollment.') || type.startsWith('session.'),
  };
}

// Keys: the connection, then the ids the need names, NUL-separated so no id can mimic another.
const key = (...parts: string[]) => parts.join('\u0000');
const learnerKey = (connectionId: string, id: string) => key(connectionId, id);
const courseKey = (connectionId: string, course: NonNullable<HydrationNeeds['course']>, anyKind: boolean) =>
  key(connectionId, anyKind ? '' : (course.kind ?? ''), course.id);
const enrollmentKey = (connectionId: string, ref: NonNullable<HydrationNeeds['enrollment']>) => key(connectionId, ref.user, ref.course, ref.id ?? '');

export function createPartCache(options: PartCacheOptions): PartCache {
  const looked = { ttlMs: options.ttlMs, maxEntries: options.maxEntries, now: options.now };
  const warmable = { ...looked, maxEntries: options.maxEntries + options.warmMaxEntries };
  const learners = createTtlCache<Learner | null>(warmable);
  const courses = createTtlCache<Course | null>(warmable);
  const enrollments = createTtlCache<Enrollment | null>(looked);
  let hits = 0;

  async function part<T>(
    cache: TtlCache<T | null>,
    at: string,
    what: { connectionId: string; kind: string },
    fresh: boolean,
    load: Load<T>,
  ): Promise<T | null> {
    let loaded = false;
    try {
      const value = await cache.getOrLoad(
        at,
        async () => {
          loaded = true;
          try {
            return await load();
          } catch (error) {
            options.logger?.warn({ err: error, connection_id: what.connectionId, kind: what.kind }, 'LMS lookup failed; events waiting for it go out partial');
            throw error;
          }
        },
        { fresh },
      );
      if (!loaded) hits++;
      return value;
    } catch {
      return null;
    }
  }

  /** A needed part's cached answer (null: the LMS has none), or undefined when it must be asked for. */
  function known<T>(cache: TtlCache<T | null>, at: string | undefined, fresh: boolean): T | null | undefined {
    if (at === undefined) return null;
    return fresh ? undefined : cache.peek(at);
  }

  return {
    learner: (connectionId, id, fresh, load) => part(learners, learnerKey(connectionId, id), { connectionId, kind: 'user' }, fresh, load),
    course: (connectionId, course, anyKind, fresh, load) =>
      part(courses, courseKey(connectionId, course, anyKind), { connectionId, kind: 'course' }, fresh, load),
    enrollment: (connectionId, ref, fresh, load) => part(enrollments, enrollmentKey(connectionId, ref), { connectionId, kind: 'enrollment' }, fresh, load),
    cached(connectionId, needs, anyKind, fresh) {
      const { user, course, enrollment } = needs;
      const answers = {
        learner: known(learners, user === undefined ? undefined : learnerKey(connectionId, user), fresh.learner),
        course: known(courses, course === undefined ? undefined : courseKey(connectionId, course, anyKind), fresh.course),
        enrollment: known(enrollments, enrollment === undefined ? undefined : enrollmentKey(connectionId, enrollment), fresh.enrollment),
      };
      if (answers.learner === undefined || answers.course === undefined || answers.enrollment === undefined) return null;
      hits += [user, course, enrollment].filter((need) => need !== undefined).length;
      return { learner: answers.learner, course: answers.course, enrollment: answers.enrollment };
    },
    keepLearner: (connectionId, learner) => learners.offer(learnerKey(connectionId, learner.id), learner, options.maxEntries),
    keepCourse: (connectionId, course) => courses.offer(courseKey(connectionId, { id: course.id }, true), course, options.maxEntries),
    get hits() {
      return hits;
    },
  };
}
