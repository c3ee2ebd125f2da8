import { createTokenBuckets } from '../token-buckets.ts';
import { OutOfTime } from './deadline.ts';

/**
 * Keeping every connection under its LMS's published rate (DESIGN §4 Hydration): a token bucket
 * per connection, the calls waiting for it in one queue, and the pause the LMS may ask for (429).
 * Events' calls go first; warm-ups take what they leave.
 */

/** An LMS's published limit: a burst of `capacity` calls, refilled at `perSecond`. */
export interface RateLimit {
  capacity: number;
  perSecond: number;
}

/** One connection's queue for LMS calls. */
export interface RateQueue {
  /**
   * Waits for a token for an event's call: never more calls than the LMS allows, never (much)
   * past `deadline`. Throws OutOfTime when the turn would come after it.
   */
  take(deadline: number): Promise<void>;
  /**
   * A token for a warm-up call, at lower priority than events: taken only while no event's call
   * waits and half the bucket stays for events to come, so a warm-up never delays a lookup.
   */
  takeSpare(): Promise<void>;
  /** The LMS asked (429) for nothing more for `ms`: every call on the connection holds off, not only the one told. */
  holdOff(ms: number): void;
}

export interface RateQueues {
  /**
   * The connection's queue at this process's share of `published`; a new one when the share
   * changed (a pause under way carries over).
   */
  queueFor(connectionId: string, published: RateLimit): RateQueue;
  /** The queue last made for the connection, if any. */
  current(connectionId: string): RateQueue | undefined;
}

export interface RateQueueOptions {
  /** How many hub processes share each LMS's published limit; each takes that share of the rate and the burst. */
  processes?: (() => number) | undefined;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

const MAX_CONNECTIONS = 10_000;

interface Limiter extends RateQueue {
  readonly limit: RateLimit;
  readonly pausedUntil: number;
}

function createLimiter(limit: RateLimit, pausedSince: number, options: RateQueueOptions): Limiter {
  const { now, sleep } = options;
  const buckets = createTokenBuckets({ capacity: limit.capacity, ratePerSecond: limit.perSecond, now, maxKeys: 1 });
  /** Until when the LMS asked us (429) to send nothing on this connection. */
  let pausedUntil = pausedSince;
  /** The tail of the queue of calls waiting for a token, and how many are in it. */
  let queue = Promise.resolve();
  let waiting = 0;

  /** Polls the bucket until a token is free; the caller is at the head of the queue. */
  async function acquire(deadline: number): Promise<void> {
    for (;;) {
      const paused = pausedUntil - now();
      const wait = paused > 0 ? paused : buckets.take('calls');
      if (wait <= 0) return;
      if (now() + wait > deadline) throw new OutOfTime(wait);
      await sleep(wait);
    }
  }

  return {
    limit,
    get pausedUntil() {
      return pausedUntil;
    },
    // Only the head of the queue polls the bucket: a burst of n events costs n wake-ups, not n² of
    // everyone retrying take() at once.
    async take(deadline) {
      // Those ahead each need a token first; when that alone would pass the deadline, give up now.
      // The estimate counts a full bucket, so a turn may come up to capacity / rate late; the head
      // checks the deadline again then.
      const ahead = Math.max(0, waiting + 1 - limit.capacity);
      const estimate = Math.max(0, pausedUntil - now()) + (ahead / limit.perSecond) * 1000;
      if (now() + estimate > deadline) throw new OutOfTime(estimate);
      waiting++;
      const turn = queue.then(() => acquire(deadline));
      queue = turn.then(
        () => undefined,
        () => undefined,
      );
      try {
        await turn;
      } finally {
        waiting--;
      }
    },
    async takeSpare() {
      const reserve = Math.floor(limit.capacity / 2);
      for (;;) {
        const paused = pausedUntil - now();
        if (paused > 0) await sleep(paused);
        else if (waiting > 0) await queue;
        else {
          const short = reserve + 1 - buckets.available('calls');
          if (short <= 0 && buckets.take('calls') === 0) return;
          await sleep(Math.max(1, Math.ceil((short / limit.perSecond) * 1000)));
        }
      }
    },
    holdOff(ms) {
      pausedUntil = Math.max(pausedUntil, now() + ms);
    },
  };
}

/** Creates the rate queues of every connection the hydrator asks. */
export function createRateQueues(options: RateQueueOptions): RateQueues {
  const limiters = new Map<string, Limiter>();
  return {
    queueFor(connectionId, published) {
      const share = Math.max(1, options.processes?.() ?? 1);
      const limit = { capacity: Math.max(1, Math.floor(published.capacity / share)), perSecond: published.perSecond / share };
      const existing = limiters.get(connectionId);
      if (existing && existing.limit.capacity === limit.capacity && existing.limit.perSecond === limit.perSecond) return existing;
      if (!existing && limiters.size >= MAX_CONNECTIONS) limiters.delete(limiters.keys().next().value ?? '');
      const limiter = createLimiter(limit, existing?.pausedUntil ?? 0, options);
      limiters.set(connectionId, limiter);
      return limiter;
    },
    current: (connectionId) => limiters.get(connectionId),
  };
}
