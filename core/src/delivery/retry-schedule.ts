/**
 * When to try a failed delivery again: Svix's schedule (immediately, 5 s, 5 min, 30 min, 2 h,
 * 5 h, 10 h, 10 h, about ±20% jitter, endpoint disabled after 5 days of failures), which spreads
 * eight attempts over about 28 hours. See /work/shared/notes/webhooks.md and DESIGN §4.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Delay before attempt n + 2 after attempt n + 1 failed (attempt 1 is sent immediately). */
export const RETRY_DELAYS_MS = [5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR] as const;

/** Attempts in all, the immediate one included. */
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;

/** Each delay is moved by up to this fraction either way, so targets that fail together do not retry together. */
export const RETRY_JITTER = 0.2;

/** A target failing without a single success for this long is disabled. */
export const DISABLE_AFTER_MS = 5 * DAY;

/**
 * Milliseconds to wait after attempt `attemptNumber` (1-based) failed, jittered by ±20% using
 * `random` (a number in [0, 1), as Math.random gives); null once the schedule is used up.
 * When the target also sent Retry-After, wait the longer of this and retryAfterDelay() (retry-after.ts).
 * `delays` is the schedule itself: RETRY_DELAYS_MS, or a compressed copy in tests that cannot wait hours.
 */
export function nextAttemptDelay(attemptNumber: number, random: () => number = Math.random, delays: readonly number[] = RETRY_DELAYS_MS): number | null {
  if (!Number.isInteger(attemptNumber) || attemptNumber < 1) {
    throw new RangeError(`attemptNumber must be an integer from 1, not ${attemptNumber}.`);
  }
  const base = delays[attemptNumber - 1];
  if (base === undefined) return null;
  const factor = 1 + (2 * random() - 1) * RETRY_JITTER;
  return Math.round(base * factor);
}

/**
 * True when a target has been failing without a success since `firstFailureAtMs` for
 * DISABLE_AFTER_MS or longer. `firstFailureAtMs` is null while the target is healthy.
 */
export function shouldDisable(firstFailureAtMs: number | null, nowMs: number): boolean {
  return firstFailureAtMs !== null && nowMs - firstFailureAtMs >= DISABLE_AFTER_MS;
}
