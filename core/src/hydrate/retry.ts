import { settleWithin } from './deadline.ts';
import { isRetryable } from './http-json.ts';
import type { RateQueue } from './rate-queue.ts';

/**
 * Trying an LMS call again while it may work later (DESIGN §4 Hydration), written once for
 * events' lookups and warm-up pages: they differ only in how a try gets its token, how long a try
 * may take, and whether a deadline or a number of tries bounds them.
 */

export interface RetryOptions {
  /** Waits for a try's token and answers the queue it came from: a 429 holds that whole queue off. */
  turn(): Promise<Pick<RateQueue, 'holdOff'>>;
  /** How long the try about to be sent may take before it is let go (OutOfTime). */
  timeoutMs(): number;
  /** Tries in all, the first included. Default: no bound but `deadline`. */
  tries?: number;
  /** No wait may end past this (ms, as `now` counts): the error is thrown instead. Default: none. */
  deadline?: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

const FIRST_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 5_000;

/** Backoff after the n-th failed try (1-based): doubling from 250 ms to 5 s, jittered to 50–100 %. */
function backoff(attempt: number): number {
  const base = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (attempt - 1));
  return Math.round(base * (0.5 + Math.random() / 2));
}

/**
 * Sends `fetch` on each turn until it answers; retries an LmsApiError that may work later after
 * the Retry-After the LMS asked for, or a backoff. Anything else, or the last try's error, is thrown.
 */
export async function withRetries<T>(fetch: () => Promise<T>, options: RetryOptions): Promise<T> {
  const tries = options.tries ?? Infinity;
  const deadline = options.deadline ?? Infinity;
  for (let attempt = 1; ; attempt++) {
    const queue = await options.turn();
    try {
      return await settleWithin(fetch(), options.timeoutMs());
    } catch (error) {
      if (!isRetryable(error) || attempt >= tries) throw error;
      const wait = error.retryAfterMs ?? backoff(attempt);
      // Everyone on this connection holds off, not only this call: the limit is the LMS's, not ours.
      if (error.status === 429) queue.holdOff(wait);
      if (options.now() + wait > deadline) throw error;
      await options.sleep(wait);
    }
  }
}
