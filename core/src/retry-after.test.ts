import { describe, expect, it } from 'vitest';
import { MAX_RETRY_AFTER_MS, retryAfterDelay } from './retry-after.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const DAY = 24 * 60 * MINUTE;

describe('retryAfterDelay', () => {
  const now = Date.UTC(2015, 9, 21, 7, 28, 0);

  it('reads delta-seconds', () => {
    expect(retryAfterDelay('120', now)).toBe(120 * SECOND);
    expect(retryAfterDelay(' 0 ', now)).toBe(0);
  });

  it('reads an IMF-fixdate as the time left until then', () => {
    expect(retryAfterDelay('Wed, 21 Oct 2015 07:30:00 GMT', now)).toBe(2 * MINUTE);
  });

  it('reads the obsolete RFC 850 and asctime forms as GMT', () => {
    expect(retryAfterDelay('Wednesday, 21-Oct-15 07:29:00 GMT', now)).toBe(MINUTE);
    expect(retryAfterDelay('Wed Oct 21 07:29:30 2015', now)).toBe(90 * SECOND);
  });

  it('treats a date in the past as no wait', () => {
    expect(retryAfterDelay('Wed, 21 Oct 2015 07:00:00 GMT', now)).toBe(0);
  });

  it('caps the wait at 24 hours', () => {
    expect(MAX_RETRY_AFTER_MS).toBe(DAY);
    expect(retryAfterDelay(String(7 * 24 * 3600), now)).toBe(DAY);
    expect(retryAfterDelay('Sat, 21 Nov 2015 07:28:00 GMT', now)).toBe(DAY);
  });

  it('returns null when the header is absent or in neither form', () => {
    for (const header of [null, undefined, '', '   ', 'soon', '1.5', '-1', '120s', 'Someday, 99 Foo 2015 GMT']) {
      expect(retryAfterDelay(header, now), String(header)).toBeNull();
    }
  });
});
