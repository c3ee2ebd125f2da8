import type { HydrationNeeds } from '../catalog/hydration-needs.ts';
import type { CatalogEvent } from '../catalog/index.ts';
import type { Logger } from '../logger.ts';
import type { LmsApiClient } from './client.ts';
import { type Hydrator, withoutHydration } from './hydrator.ts';
import { mergeAnswers } from './merge.ts';
import { createPartCache, freshParts } from './part-cache.ts';
import { createRateQueues, type RateLimit } from './rate-queue.ts';
import { withRetries } from './retry.ts';
import { createWarmer } from './warm-up.ts';

/**
 * The vendor-neutral hydrator (DESIGN §4 Hydration): answers from a TTL cache, shares one
 * in-flight call per thing asked for (part-cache.ts), keeps every connection under its LMS's
 * published rate (rate-queue.ts), retries what may work later (retry.ts), and lets an event go
 * out partial once its time is up. This file only wires them for each event and warm-up.
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
  /** Whether the connection's LMS API is known to be down (its circuit breaker is open): partial events say so. */
  lmsUnavailable?(connectionId: string): boolean;
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

/** Tries of one warm-up page before the warm-up gives up (events then look up one by one). */
const WARM_TRIES = 3;

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
  const ttlMs = options.cacheTtlMs ?? 5 * 60_000;
  const warmMaxEntries = options.warmMaxEntries ?? 50_000;
  const parts = createPartCache({ ttlMs, maxEntries: options.maxEntries ?? 10_000, warmMaxEntries, now, logger: options.logger });
  const clock = { now, sleep };
  const queues = createRateQueues({ ...clock, processes: options.processes });
  const calls = { apiCalls: 0, warmCalls: 0 };

  /** A warm-up call: a spare token, a few tries for what may work later. */
  const warmCall = <T>(connectionId: string, fetch: () => Promise<T>) =>
    withRetries(fetch, {
      async turn() {
        const queue = queues.current(connectionId);
        if (!queue) throw new Error('The connection has no LMS API client any more.');
        await queue.takeSpare();
        calls.warmCalls++;
        return queue;
      },
      timeoutMs: () => maxWaitMs + graceMs,
      tries: WARM_TRIES,
      ...clock,
    });

  const warmer = createWarmer({
    maxEntries: warmMaxEntries,
    ttlMs,
    call: warmCall,
    keepLearner: parts.keepLearner,
    keepCourse: parts.keepCourse,
    now,
    ...(options.logger ? { logger: options.logger } : {}),
  });

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
    const fresh = freshParts(event.type);
    // Each part's call: a token ahead of warm-ups, retried while it may work later and time is left.
    const run =
      <T>(fetch: () => Promise<T>) =>
      () =>
        withRetries(fetch, {
          async turn() {
            await queue.take(deadline);
            calls.apiCalls++;
            return queue;
          },
          timeoutMs: () => Math.max(0, deadline - now()) + graceMs,
          deadline,
          ...clock,
        });

    const { user, course, enrollment } = needs;
    const [learner, courseFound, enrollmentFound] = await Promise.all([
      user === undefined
        ? null
        : parts.learner(
            connectionId,
            user,
            fresh.learner,
            run(() => client.user(user)),
          ),
      course === undefined
        ? null
        : parts.course(
            connectionId,
            course,
            Boolean(client.listCourses),
            fresh.course,
            run(() => client.course(course.id, course.kind)),
          ),
      enrollment === undefined
        ? null
        : parts.enrollment(
            connectionId,
            enrollment,
            fresh.enrollment,
            run(() => client.enrollment(enrollment)),
          ),
    ]);

    return merged(connectionId, mergeAnswers(event, needs, { learner, course: courseFound, enrollment: enrollmentFound }));
  }

  /** A partial event says so when the LMS is known to be down. */
  function merged(connectionId: string, event: CatalogEvent): CatalogEvent {
    if (event.hydration.status !== 'partial' || !options.lmsUnavailable?.(connectionId)) return event;
    return { ...event, hydration: { ...event.hydration, reason: 'lms_unavailable' } };
  }

  async function fromMemory(event: CatalogEvent, needs: HydrationNeeds, connectionId: string): Promise<CatalogEvent | null> {
    const found = await clientOf(connectionId, true);
    if (!found) return withoutHydration.hydrate(event, needs, connectionId);
    const answers = parts.cached(connectionId, needs, Boolean(found.client.listCourses), freshParts(event.type));
    return answers && merged(connectionId, mergeAnswers(event, needs, answers));
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
    fromMemory,
    stats: () => ({ ...calls, cacheHits: parts.hits }),
    async warm(connectionId) {
      if (await clientOf(connectionId, false)) await warmer.settled(connectionId);
    },
    stopWarming: () => warmer.stop(),
  };
}
