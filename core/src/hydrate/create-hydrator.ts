import type { HydrationNeeds } from '../catalog/hydration-needs.ts';
import type { CatalogEvent, Course, Enrollment, Learner } from '../catalog/index.ts';
import type { Logger } from '../logger.ts';
import { createTtlCache, type TtlCache } from './cache.ts';
import type { LmsApiClient } from './client.ts';
import { settleWithin } from './deadline.ts';
import { isRetryable } from './http-json.ts';
import { withoutHydration, type Hydrator } from './hydrator.ts';
import { mergeAnswers } from './merge.ts';
import { createRateQueues, type RateLimit, type RateQueue } from './rate-queue.ts';
import { createWarmer } from './warm-up.ts';

/**
 * The vendor-neutral hydrator (DESIGN §4 Hydration): answers from a TTL cache, shares one
 * in-flight call per thing asked for, keeps every connection under its LMS's published rate,
 * retries what may work later, and lets an event go out partial once its time is up.
 */

/** What a connection with an LMS API gives the hydrator. */
export interface ConnectionClient {
  client: LmsApiClient;
  /** The LMS's published limit. */
  rateLimit: RateLimit;
}

export interface HydratorOptions {
  /**
   * How many hub processes share each LMS's published limit (several hubs on one PostgreSQL):
   * each takes that share of the rate and the burst, so together they stay under it. Default 1.
   */
  processes?: () => number;
  /**
   * The API client of a connection, or null when it has none. Called for every event: answer the
   * same client while the connection's settings stay the same, since some LMSs (Absorb) cancel a
   * token when the same user authenticates again.
   */
  clientFor(connectionId: string): Promise<ConnectionClient | null>;
  /** How long a learner, course or enrollment is answered from memory. Default 5 minutes. */
  cacheTtlMs?: number;
  /**
   * Bound on cached values of each kind that events looked up. Default 10,000. The learner and
   * course caches hold `warmMaxEntries` more, for warm-ups, which never take the places of these.
   */
  maxEntries?: number;
  /**
   * Most learners and courses a warm-up reads ahead from the LMS's lists per connection
   * (warm-up.ts); 0 turns warming off. Default 50,000. A cached learner costs about 230 bytes of
   * heap with its key (10,000 learners: about 2.2 MiB, measured on Node 24).
   */
  warmMaxEntries?: number;
  /**
   * How long one event's hydration may take, from its start, before it goes out partial; a call
   * already sent may add one LMS request timeout. Default 30 seconds.
   */
  maxWaitMs?: number;
  /**
   * Backstop for a client call that never settles: given up this long after the bound. LmsHttp's
   * own request timeout normally ends such a call first. Default 10 seconds.
   */
  graceMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Told why a part could not be filled (once per failed call, not per waiting event), and of warm-ups. */
  logger?: Pick<Logger, 'warn' | 'info'>;
}

export interface HydratorStats {
  /** Calls made to LMS API clients for events, retries included. */
  apiCalls: number;
  /** List calls made to warm the caches, retries included. */
  warmCalls: number;
  /** Parts answered without a call of their own: from the cache or from a call already in flight. */
  cacheHits: number;
}

const FIRST_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 5_000;
/** Tries of one warm-up page before the warm-up gives up (events then look up one by one). */
const WARM_TRIES = 3;

/** Backoff after the n-th failed try (1-based): doubling from 250 ms to 5 s, jittered to 50–100 %. */
function backoff(attempt: number): number {
  const base = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (attempt - 1));
  return Math.round(base * (0.5 + Math.random() / 2));
}

/**
 * Which parts an event is about: those are read from the LMS again, not from the cache, so a
 * user.updated event carries the updated profile. Unknown events (lms.event) may be about anything.
 */
function subjectsOf(type: CatalogEvent['type']): { learner: boolean; course: boolean; enrollment: boolean } {
  const all = type === 'lms.event';
  return {
    learner: all || type.startsWith('user.'),
    course: all || type.startsWith('course.'),
    enrollment: all || type.startsWith('enrollment.') || type.startsWith('session.'),
  };
}

/** Creates the hydrator the fan-out calls for every received event. */
export function createHydrator(options: HydratorOptions): Hydrator & {
  stats(): HydratorStats;
  /** Starts warming the connection's caches unless done or under way; settles when that warm-up ends. */
  warm(connectionId: string): Promise<void>;
  /** Stops warming (the hub is stopping): warm-ups under way end at their next page. */
  stopWarming(): void;
} {
  const now = options.now ?? (() => Date.now());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const maxWaitMs = options.maxWaitMs ?? 30_000;
  const graceMs = options.graceMs ?? 10_000;
  const cacheOptions = { ttlMs: options.cacheTtlMs ?? 5 * 60_000, maxEntries: options.maxEntries ?? 10_000, now };
  const warmMaxEntries = options.warmMaxEntries ?? 50_000;
  const warmable = { ...cacheOptions, maxEntries: cacheOptions.maxEntries + warmMaxEntries };
  const learners = createTtlCache<Learner | null>(warmable);
  const courses = createTtlCache<Course | null>(warmable);
  const enrollments = createTtlCache<Enrollment | null>(cacheOptions);
  const queues = createRateQueues({ now, sleep, processes: options.processes });
  const stats: HydratorStats = { apiCalls: 0, warmCalls: 0, cacheHits: 0 };

  /** One LMS call with its token, retried while it may work later and time is left. */
  async function call<T>(queue: RateQueue, deadline: number, fetch: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      await queue.take(deadline);
      stats.apiCalls++;
      try {
        return await settleWithin(fetch(), Math.max(0, deadline - now()) + graceMs);
      } catch (error) {
        if (!isRetryable(error)) throw error;
        const wait = error.retryAfterMs ?? backoff(attempt);
        // Everyone on this connection holds off, not only this call: the limit is the LMS's, not ours.
        if (error.status === 429) queue.holdOff(wait);
        if (now() + wait > deadline) throw error;
        await sleep(wait);
      }
    }
  }

  /** One warm-up call: a spare token, a few tries for what may work later. */
  async function warmCall<T>(connectionId: string, fetch: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const queue = queues.current(connectionId);
      if (!queue) throw new Error('The connection has no LMS API client any more.');
      await queue.takeSpare();
      stats.warmCalls++;
      try {
        return await settleWithin(fetch(), maxWaitMs + graceMs);
      } catch (error) {
        if (!isRetryable(error) || attempt >= WARM_TRIES) throw error;
        const wait = error.retryAfterMs ?? backoff(attempt);
        if (error.status === 429) queue.holdOff(wait);
        await sleep(wait);
      }
    }
  }

  // Warm keys are the keys hydrate() asks for: a course under no kind, since a client that lists courses answers alike for every kind.
  const warmer = createWarmer({
    maxEntries: warmMaxEntries,
    ttlMs: cacheOptions.ttlMs,
    call: warmCall,
    keepLearner: (connectionId, learner) => learners.offer(`${connectionId}\u0000${learner.id}`, learner, cacheOptions.maxEntries),
    keepCourse: (connectionId, course) => courses.offer(`${connectionId}\u0000\u0000${course.id}`, course, cacheOptions.maxEntries),
    now,
    ...(options.logger ? { logger: options.logger } : {}),
  });

  /** A part through the cache; null when the LMS has no such thing or could not say in time. */
  async function part<T>(
    cache: TtlCache<T | null>,
    what: { connectionId: string; kind: 'user' | 'course' | 'enrollment'; key: string },
    fresh: boolean,
    fetch: () => Promise<T | null>,
  ): Promise<T | null> {
    let loaded = false;
    try {
      const value = await cache.getOrLoad(
        `${what.connectionId}\u0000${what.key}`,
        async () => {
          loaded = true;
          try {
            return await fetch();
          } catch (error) {
            options.logger?.warn(
              { err: error, connection_id: what.connectionId, kind: what.kind },
              'LMS lookup failed; events waiting for it go out partial',
            );
            throw error;
          }
        },
        { fresh },
      );
      if (!loaded) stats.cacheHits++;
      return value;
    } catch {
      return null;
    }
  }

  /** The connection's client; a new one (or one whose warmed values expired while in use) is warmed. */
  async function clientOf(connectionId: string, used: boolean): Promise<ConnectionClient | null> {
    try {
      const found = await options.clientFor(connectionId);
      if (found) {
        queues.queueFor(connectionId, found.rateLimit);
        warmer.seen(connectionId, found.client, used);
      }
      return found;
    } catch (error) {
      // A connection whose client cannot be built (bad settings) is one without an API for now.
      options.logger?.warn({ err: error, connection_id: connectionId }, 'no LMS API client for the connection');
      return null;
    }
  }

  async function hydrate(event: CatalogEvent, needs: HydrationNeeds, connectionId: string): Promise<CatalogEvent> {
    const deadline = now() + maxWaitMs;
    const found = await clientOf(connectionId, true);
    if (!found) return withoutHydration.hydrate(event, needs, connectionId);
    const { client } = found;
    const queue = queues.queueFor(connectionId, found.rateLimit);
    const fresh = subjectsOf(event.type);
    const run = <T>(fetch: () => Promise<T>) => () => call(queue, deadline, fetch);

    const { user, course, enrollment } = needs;
    // Cache keys: connection, then the ids the need names, NUL-separated so no id can mimic another.
    const [learner, courseFound, enrollmentFound] = await Promise.all([
      user === undefined ? null : part(learners, { connectionId, kind: 'user', key: user }, fresh.learner, run(() => client.user(user))),
      course === undefined
        ? null
        : part(
            courses,
            // A client that lists courses answers alike for every kind: one entry, warmed or looked up, serves them all.
            { connectionId, kind: 'course', key: `${client.listCourses ? '' : (course.kind ?? '')}\u0000${course.id}` },
            fresh.course,
            run(() => client.course(course.id, course.kind)),
          ),
      enrollment === undefined
        ? null
        : part(
            enrollments,
            { connectionId, kind: 'enrollment', key: `${enrollment.user}\u0000${enrollment.course}\u0000${enrollment.id ?? ''}` },
            fresh.enrollment,
            run(() => client.enrollment(enrollment)),
          ),
    ]);

    return mergeAnswers(event, needs, { learner, course: courseFound, enrollment: enrollmentFound });
  }

  return {
    async hydrate(event, needs, connectionId) {
      try {
        return await hydrate(event, needs, connectionId);
      } catch (error) {
        // Only a bug gets here (LMS trouble is handled per part); the event still goes out.
        options.logger?.warn({ err: error, event_id: event.id }, 'hydration failed; the event goes out partial');
        return withoutHydration.hydrate(event, needs, connectionId);
      }
    },
    stats: () => ({ ...stats }),
    async warm(connectionId) {
      if (await clientOf(connectionId, false)) await warmer.settled(connectionId);
    },
    stopWarming: () => warmer.stop(),
  };
}
