import { describe, expect, it } from 'vitest';
import { createTokenBuckets } from './token-buckets.ts';

describe('token buckets', () => {
  it('allow a burst up to capacity, then say how long to wait', () => {
    let time = 0;
    const buckets = createTokenBuckets({ capacity: 3, ratePerSecond: 2, now: () => time });
    expect([buckets.take('k'), buckets.take('k'), buckets.take('k')]).toEqual([0, 0, 0]);
    expect(buckets.take('k')).toBe(500);
    time = 500;
    expect(buckets.take('k')).toBe(0);
  });

  it('keep callers apart', () => {
    const buckets = createTokenBuckets({ capacity: 1, ratePerSecond: 1, now: () => 0 });
    expect(buckets.take('a')).toBe(0);
    expect(buckets.take('a')).toBeGreaterThan(0);
    expect(buckets.take('b')).toBe(0);
  });

  it('never refill above capacity after a long idle time', () => {
    let time = 0;
    const buckets = createTokenBuckets({ capacity: 2, ratePerSecond: 10, now: () => time });
    time = 60_000;
    expect([buckets.take('k'), buckets.take('k')]).toEqual([0, 0]);
    expect(buckets.take('k')).toBeGreaterThan(0);
  });

  it('say how long to wait without taking a token, and keep no bucket for a caller they have not seen', () => {
    let time = 0;
    const buckets = createTokenBuckets({ capacity: 1, ratePerSecond: 1, now: () => time, maxKeys: 1 });
    expect(buckets.wait('k')).toBe(0);
    expect(buckets.take('k')).toBe(0);
    expect([buckets.wait('k'), buckets.wait('k')]).toEqual([1000, 1000]);
    // Asking about another caller evicted nothing: k is still empty.
    expect(buckets.wait('other')).toBe(0);
    expect(buckets.wait('k')).toBe(1000);
    time = 1000;
    expect(buckets.wait('k')).toBe(0);
    expect(buckets.take('k')).toBe(0);
  });

  it('tell how many tokens a caller has without taking one', () => {
    let time = 0;
    const buckets = createTokenBuckets({ capacity: 4, ratePerSecond: 2, now: () => time });
    expect(buckets.available('k')).toBe(4);
    expect(buckets.available('k')).toBe(4);
    buckets.take('k');
    buckets.take('k');
    expect(buckets.available('k')).toBe(2);
    time = 250;
    expect(buckets.available('k')).toBe(2.5);
  });
});
