import { describe, expect, it } from 'vitest';
import type { ActivityHour } from '../store/store.ts';
import { diskLow, silence } from './alerts.ts';

const HOUR = 3_600_000;
const NOW = 1_000 * HOUR;
/** Hours with events received, given as hours before NOW. */
const sentAt = (...hoursAgo: number[]): ActivityHour[] => hoursAgo.map((ago) => ({ at: NOW - ago * HOUR, received: 2, delivered: 2, failed: 0 }));

describe('a connection falling silent', () => {
  it('is told after twice its usual gap, and never before six hours', () => {
    // Every hour for a day, then nothing for 7 hours: its gap is an hour, the floor is six.
    const hourly = sentAt(...Array.from({ length: 24 }, (_, index) => 31 - index));
    expect(silence(hourly, NOW)).toEqual({ lastAt: NOW - 7 * HOUR, usualGapMs: HOUR });
    expect(silence(hourly, NOW - HOUR)).toBeNull();
  });

  it("follows the LMS's own rhythm: one that sends every 60 hours is not silent after 100", () => {
    const rhythm = sentAt(100, 160, 220);
    expect(silence(rhythm, NOW)).toBeNull();
    expect(silence(rhythm, NOW + 30 * HOUR)?.usualGapMs).toBe(60 * HOUR);
  });

  it('says nothing of a connection with too few hours of events to have a rhythm', () => {
    expect(silence(sentAt(200, 100), NOW)).toBeNull();
    expect(silence([], NOW)).toBeNull();
    expect(silence([{ at: NOW - 100 * HOUR, received: 0, delivered: 3, failed: 0 }], NOW)).toBeNull();
  });
});

describe('a disk running low', () => {
  it('is low below the free share asked for', () => {
    expect(diskLow({ freeBytes: 9, totalBytes: 100 }, 10)).toBe(true);
    expect(diskLow({ freeBytes: 10, totalBytes: 100 }, 10)).toBe(false);
    expect(diskLow({ freeBytes: 0, totalBytes: 0 }, 10)).toBe(false);
  });
});
