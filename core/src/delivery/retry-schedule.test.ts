import { describe, expect, it } from 'vitest';
import { DISABLE_AFTER_MS, MAX_ATTEMPTS, nextAttemptDelay, RETRY_DELAYS_MS, shouldDisable } from './retry-schedule.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const middle = () => 0.5;
const lowest = () => 0;
const almostOne = () => 0.999_999_999;

describe('the retry schedule', () => {
  it('is 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h after the immediate first attempt', () => {
    expect(RETRY_DELAYS_MS).toEqual([5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR]);
    expect(MAX_ATTEMPTS).toBe(8);
  });
});

describe('nextAttemptDelay', () => {
  it('follows the schedule exactly when the jitter is centred', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7].map((attempt) => nextAttemptDelay(attempt, middle));
    expect(delays).toEqual([...RETRY_DELAYS_MS]);
  });

  it('gives up after the eighth attempt', () => {
    expect(nextAttemptDelay(7, middle)).toBe(10 * HOUR);
    expect(nextAttemptDelay(8, middle)).toBeNull();
    expect(nextAttemptDelay(20, middle)).toBeNull();
  });

  it('moves a delay by at most 20% either way', () => {
    expect(nextAttemptDelay(1, lowest)).toBe(4 * SECOND);
    expect(nextAttemptDelay(1, almostOne)).toBe(6 * SECOND);
    expect(nextAttemptDelay(2, () => 0.25)).toBe(4.5 * MINUTE);
    expect(nextAttemptDelay(6, () => 0.75)).toBe(11 * HOUR);
  });

  it('follows a schedule it is given, with the same jitter, and gives up when that one is used up', () => {
    const compressed = [100, 300];
    expect(nextAttemptDelay(1, middle, compressed)).toBe(100);
    expect(nextAttemptDelay(2, lowest, compressed)).toBe(240);
    expect(nextAttemptDelay(3, middle, compressed)).toBeNull();
  });

  it('returns whole milliseconds', () => {
    expect(Number.isInteger(nextAttemptDelay(3, () => 0.123_456_789))).toBe(true);
  });

  it('uses Math.random when no random source is given, staying within the jitter', () => {
    for (let i = 0; i < 100; i++) {
      const delay = nextAttemptDelay(1);
      expect(delay).toBeGreaterThanOrEqual(4 * SECOND);
      expect(delay).toBeLessThanOrEqual(6 * SECOND);
    }
  });

  it('refuses attempt numbers that are not integers from 1', () => {
    expect(() => nextAttemptDelay(0)).toThrow(RangeError);
    expect(() => nextAttemptDelay(1.5)).toThrow(RangeError);
    expect(() => nextAttemptDelay(Number.NaN)).toThrow(RangeError);
  });
});

describe('shouldDisable', () => {
  const start = Date.UTC(2026, 0, 1);

  it('disables a target that has been failing for 5 days', () => {
    expect(DISABLE_AFTER_MS).toBe(5 * DAY);
    expect(shouldDisable(start, start + 5 * DAY)).toBe(true);
    expect(shouldDisable(start, start + 6 * DAY)).toBe(true);
  });

  it('keeps a target that has been failing for less than 5 days', () => {
    expect(shouldDisable(start, start + 5 * DAY - 1)).toBe(false);
    expect(shouldDisable(start, start)).toBe(false);
  });

  it('keeps a target that is not failing', () => {
    expect(shouldDisable(null, start)).toBe(false);
  });
});
