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

/** A Retry-After further out than this is taken as this: a target cannot park a delivery for weeks. */
export const MAX_RETRY_AFTER_MS = DAY;

/** A target failing without a single success for this long is disabled. */
export const DISABLE_AFTER_MS = 5 * DAY;

/**
 * Milliseconds to wait after attempt `attemptNumber` (1-based) failed, jittered by ±20% using
 * `random` (a number in [0, 1), as Math.random gives); null once the schedule is used up.
 * When the target also sent Retry-After, wait the longer of this and retryAfterDelay().
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
 * The wait a Retry-After header asks for, in milliseconds from `nowMs`: delta-seconds or an
 * HTTP-date (RFC 9110 §10.2.3), capped at MAX_RETRY_AFTER_MS; a date in the past is 0.
 * null when the header is absent or not in either form.
 */
export function retryAfterDelay(header: string | null | undefined, nowMs: number): number | null {
  const value = header?.trim();
  if (!value) return null;
  let delay: number;
  if (/^\d+$/.test(value)) {
    delay = Number(value) * SECOND;
  } else {
    // V8's Date.parse reads "1.5" or "-1" as dates in 2001; every HTTP-date names a month.
    if (!/[A-Za-z]{3}/.test(value)) return null;
    // HTTP-dates are always GMT, but the obsolete asctime form does not say so and would be read as local time.
    const at = Date.parse(/GMT$/i.test(value) ? value : `${value} GMT`);
    if (Number.isNaN(at)) return null;
    delay = Math.max(0, at - nowMs);
  }
  return Math.min(delay, MAX_RETRY_AFTER_MS);
}

/**
 * True when a target has been failing without a success since `firstFailureAtMs` for
 * DISABLE_AFTER_MS or longer. `firstFailureAtMs` is null while the target is healthy.
 */
export function shouldDisable(firstFailureAtMs: number | null, nowMs: number): boolean {
  return firstFailureAtMs !== null && nowMs - firstFailureAtMs >= DISABLE_AFTER_MS;
}
