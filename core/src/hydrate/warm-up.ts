import type { Course, Learner } from '../catalog/index.ts';
import type { Logger } from '../logger.ts';
import type { ListPage, LmsApiClient } from './client.ts';

/**
 * Warming the hydration caches from the LMS's list endpoints (issue 8, row 8): a lookup per
 * learner costs one call each, a page of a list a thousand learners at once. So when a
 * connection's client starts, its courses and then its users are read page by page into the same
 * caches `user(id)` and `course(id)` fill, through the connection's rate limit at lower priority
 * than events. Enrollments are not warmed: events about them read them fresh anyway.
 */

/** What the warm-up needs from the hydrator: its low-priority calls and its caches. */
export interface WarmUpOptions {
  /** Most learners and courses (together) one warm-up keeps per connection; 0 turns warming off. */
  maxEntries: number;
  /** How long warmed values stay fresh: the hydrator's cache TTL. */
  ttlMs: number;
  /**
   * One list call through the connection's rate limit, after any event's call and leaving room
   * for events to come; retries what may work later, a few times.
   */
  call<T>(connectionId: string, fetch: () => Promise<T>): Promise<T>;
  /** Keeps a learner or course in the cache; false once the cache has no room left for warming. */
  keepLearner(connectionId: string, learner: Learner): boolean;
  keepCourse(connectionId: string, course: Course): boolean;
  now?: () => number;
  logger?: Pick<Logger, 'info' | 'warn'>;
}

export interface WarmUpResult {
  learners: number;
  courses: number;
  calls: number;
  /** Why it ended before the lists did: the cap, a full cache (or a newer client), or null when every page was read. */
  stopped: 'cap' | 'cache full' | null;
}

export interface Warmer {
  /**
   * Told which client a connection has whenever it is asked for: a new client (first use, or the
   * settings changed) is warmed; so is one whose warmed values expired, if an event used it since
   * the last warm-up (`used`). An idle connection is not read again.
   */
  seen(connectionId: string, client: LmsApiClient, used: boolean): void;
  /** Settles when the connection's warm-up in progress, if any, has ended. */
  settled(connectionId: string): Promise<void>;
  /** Warm-ups under way stop at their next page, and none starts again: the hub is stopping. */
  stop(): void;
}

/**
 * Reads one list to its end, the cap or the first item `keep` refuses. Pure apart from what it is
 * given: `list` is the client's paging call, `call` what a call costs.
 */
export async function readList<T>(options: {
  list: (cursor: string | null) => Promise<ListPage<T>>;
  call: <R>(fetch: () => Promise<R>) => Promise<R>;
  keep: (item: T) => boolean;
  max: number;
}): Promise<{ kept: number; stopped: WarmUpResult['stopped'] }> {
  let kept = 0;
  let cursor: string | null = null;
  do {
    if (kept >= options.max) return { kept, stopped: 'cap' };
    const at: string | null = cursor;
    const page: ListPage<T> = await options.call(() => options.list(at));
    for (const item of page.items) {
      if (kept >= options.max) return { kept, stopped: 'cap' };
      if (!options.keep(item)) return { kept, stopped: 'cache full' };
      kept++;
    }
    cursor = page.next;
  } while (cursor !== null);
  return { kept, stopped: null };
}

const MAX_CONNECTIONS = 10_000;

/** The connection has a newer client than the one warming. */
class Superseded extends Error {
  constructor() {
    super('A newer client warms the connection.');
    this.name = 'Superseded';
  }
}

interface WarmState {
  client: LmsApiClient;
  startedAt: number;
  /** Whether an event asked for this client since the warm-up started. */
  used: boolean;
  running: Promise<void> | null;
}

export function createWarmer(options: WarmUpOptions): Warmer {
  const now = options.now ?? Date.now;
  const states = new Map<string, WarmState>();
  let stopped = false;

  async function warm(connectionId: string, client: LmsApiClient): Promise<void> {
    const started = now();
    options.logger?.info({ connection_id: connectionId }, "hydration warm-up started: reading the LMS's course and user lists");
    const result: WarmUpResult = { learners: 0, courses: 0, calls: 0, stopped: null };
    // A newer client (the settings changed) warms afresh: this one stops at its next page or item.
    const current = () => states.get(connectionId)?.client === client;
    const call = <R>(fetch: () => Promise<R>) => {
      if (!current()) throw new Superseded();
      result.calls++;
      return options.call(connectionId, fetch);
    };
    try {
      const read = async <T>(list: ((cursor: string | null) => Promise<ListPage<T>>) | undefined, keep: (item: T) => boolean) => {
        if (!list || result.stopped) return 0;
        const read = await readList({ list, call, keep: (item) => current() && keep(item), max: options.maxEntries - result.learners - result.courses });
        if (!current()) throw new Superseded();
        result.stopped = read.stopped;
        return read.kept;
      };
      // Courses first: few, and each named by many events.
      result.courses = await read(client.listCourses?.bind(client), (course) => options.keepCourse(connectionId, course));
      result.learners = await read(client.listUsers?.bind(client), (learner) => options.keepLearner(connectionId, learner));
      options.logger?.info(
        { connection_id: connectionId, ...result, seconds: Math.round(now() - started) / 1000 },
        `hydration warm-up finished: ${result.learners} learners and ${result.courses} courses in ${result.calls} calls${result.stopped ? ` (stopped: ${result.stopped})` : ''}`,
      );
    } catch (error) {
      // What the old client failed at (its LMS gone with the old settings) is no news.
      if (error instanceof Superseded || !current()) {
        options.logger?.info(
          { connection_id: connectionId, ...result },
          'hydration warm-up stopped: the connection changed (a new client warms afresh) or the hub is stopping',
        );
        return;
      }
      options.logger?.warn(
        { err: error, connection_id: connectionId, ...result, seconds: Math.round(now() - started) / 1000 },
        'hydration warm-up failed; events are hydrated one lookup at a time',
      );
    }
  }

  function start(connectionId: string, client: LmsApiClient): void {
    if (!states.has(connectionId) && states.size >= MAX_CONNECTIONS) states.delete(states.keys().next().value ?? '');
    const state: WarmState = { client, startedAt: now(), used: false, running: null };
    states.set(connectionId, state);
    state.running = warm(connectionId, client).finally(() => {
      state.running = null;
    });
  }

  return {
    seen(connectionId, client, used) {
      if (stopped || options.maxEntries <= 0 || (!client.listUsers && !client.listCourses)) return;
      const state = states.get(connectionId);
      if (!state || state.client !== client) return start(connectionId, client);
      if (used) state.used = true;
      if (!state.running && state.used && now() - state.startedAt >= options.ttlMs) start(connectionId, client);
    },
    async settled(connectionId) {
      await states.get(connectionId)?.running;
    },
    stop() {
      stopped = true;
      states.clear();
    },
  };
}
