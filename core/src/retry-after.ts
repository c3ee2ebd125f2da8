/**
 * Reading a Retry-After header (RFC 9110 §10.2.3), for both sides that honour one: delivery when
 * a subscriber's target answers 429 or 503, hydration when an LMS API does.
 */

const SECOND = 1000;

/** A Retry-After further out than this is taken as this: a target cannot park a delivery for weeks. */
export const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * SECOND;

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
