import { describe, expect, it } from 'vitest';
import { type AttemptOutcome, type ConcurrencyLimiter, createConcurrencyLimiter } from './concurrency.ts';

const target = 'https://hooks.zapier.com';

/** Takes every free slot, then returns them all with the same outcome; answers how many were taken. */
function round(limiter: ConcurrencyLimiter, key: string, outcome: AttemptOutcome = 'ok', latencyMs?: number): number {
  let taken = 0;
  while (limiter.tryAcquire(key)) taken++;
  for (let i = 0; i < taken; i++) limiter.release(key, outcome, latencyMs);
  return taken;
}

/** One attempt on its own. */
function single(limiter: ConcurrencyLimiter, key: string, outcome: AttemptOutcome, latencyMs?: number): void {
  expect(limiter.tryAcquire(key)).toBe(true);
  limiter.release(key, outcome, latencyMs);
}

describe('createConcurrencyLimiter', () => {
  it('starts a target it has not seen at the initial limit with nothing in flight', () => {
    const limiter = createConcurrencyLimiter({ initial: 4, min: 1, max: 64 });
    expect(limiter.limit(target)).toBe(4);
    expect(limiter.inFlight(target)).toBe(0);
  });

  it('refuses a slot at the limit and gives it again once one is released', () => {
    const limiter = createConcurrencyLimiter({ initial: 4 });
    for (let i = 0; i < 4; i++) expect(limiter.tryAcquire(target)).toBe(true);
    expect(limiter.inFlight(target)).toBe(4);
    expect(limiter.tryAcquire(target)).toBe(false);
    expect(limiter.inFlight(target)).toBe(4);
    limiter.release(target, 'ok');
    expect(limiter.tryAcquire(target)).toBe(true);
  });

  it('takes back a slot cancelled before use without moving the limit, and refuses a cancel it never gave', () => {
    const limiter = createConcurrencyLimiter({ initial: 2 });
    expect(limiter.tryAcquire(target)).toBe(true);
    expect(limiter.tryAcquire(target)).toBe(true);
    limiter.cancel(target);
    limiter.cancel(target);
    expect({ limit: limiter.limit(target), inFlight: limiter.inFlight(target) }).toEqual({ limit: 2, inFlight: 0 });
    expect(() => limiter.cancel(target)).toThrow(/without a matching tryAcquire/);
  });

  it('doubles for each limit-full of successes while the limit is in use, until the target first pushes back', () => {
    const limiter = createConcurrencyLimiter({ initial: 4, max: 64 });
    const limits = [];
    for (let i = 0; i < 5; i++) {
      round(limiter, target);
      limits.push(limiter.limit(target));
    }
    expect(limits).toEqual([8, 16, 32, 64, 64]);
  });

  it('grows by one for each limit-full of successes once the target has pushed back', () => {
    const limiter = createConcurrencyLimiter({ initial: 16 });
    single(limiter, target, 'throttled');
    const limits = [];
    for (let i = 0; i < 4; i++) {
      round(limiter, target);
      limits.push(limiter.limit(target));
    }
    expect(limits).toEqual([9, 10, 11, 12]);
  });

  it('does not grow for a target that never uses its whole limit', () => {
    const limiter = createConcurrencyLimiter({ initial: 4 });
    for (let i = 0; i < 100; i++) single(limiter, target, 'ok');
    expect(limiter.limit(target)).toBe(4);
  });

  it('never grows above max', () => {
    const limiter = createConcurrencyLimiter({ initial: 60, max: 64 });
    for (let i = 0; i < 50; i++) expect(round(limiter, target)).toBeLessThanOrEqual(64);
    expect(limiter.limit(target)).toBe(64);
  });

  it('halves on a 429 or 503, and never goes below min', () => {
    const limiter = createConcurrencyLimiter({ initial: 8, min: 1 });
    const limits = [];
    for (let i = 0; i < 5; i++) {
      single(limiter, target, 'throttled');
      limits.push(limiter.limit(target));
    }
    expect(limits).toEqual([4, 2, 1, 1, 1]);
  });

  it('halves only once for a window of attempts that were all throttled together', () => {
    const limiter = createConcurrencyLimiter({ initial: 16 });
    round(limiter, target, 'throttled');
    expect(limiter.limit(target)).toBe(8);
    round(limiter, target, 'throttled');
    expect(limiter.limit(target)).toBe(4);
  });

  it('lets in-flight attempts above a freshly halved limit finish before taking new ones', () => {
    const limiter = createConcurrencyLimiter({ initial: 8 });
    for (let i = 0; i < 8; i++) limiter.tryAcquire(target);
    limiter.release(target, 'throttled');
    expect(limiter.limit(target)).toBe(4);
    expect(limiter.inFlight(target)).toBe(7);
    expect(limiter.tryAcquire(target)).toBe(false);
    for (let i = 0; i < 4; i++) limiter.release(target, 'ok');
    expect(limiter.tryAcquire(target)).toBe(true);
  });

  it('halves when the caller reports a slow attempt', () => {
    const limiter = createConcurrencyLimiter({ initial: 8 });
    single(limiter, target, 'slow');
    expect(limiter.limit(target)).toBe(4);
  });

  it('treats an ok far slower than the moving average as slow', () => {
    const limiter = createConcurrencyLimiter({ initial: 8, slowFactor: 3, minSlowMs: 250 });
    for (let i = 0; i < 10; i++) single(limiter, target, 'ok', 200);
    expect(limiter.limit(target)).toBe(8);
    single(limiter, target, 'ok', 650);
    expect(limiter.limit(target)).toBe(4);
  });

  it('does not call an ok slow below minSlowMs, so jitter on a fast target is not overload', () => {
    const limiter = createConcurrencyLimiter({ initial: 8, slowFactor: 3, minSlowMs: 250 });
    for (let i = 0; i < 10; i++) single(limiter, target, 'ok', 5);
    single(limiter, target, 'ok', 200);
    expect(limiter.limit(target)).toBe(8);
  });

  it('does not call anything slow before it has a few samples of the average', () => {
    const limiter = createConcurrencyLimiter({ initial: 8 });
    single(limiter, target, 'ok', 10);
    single(limiter, target, 'ok', 5000);
    expect(limiter.limit(target)).toBe(8);
  });

  it('leaves the limit alone on errors that say nothing about load', () => {
    const limiter = createConcurrencyLimiter({ initial: 8 });
    for (let i = 0; i < 20; i++) round(limiter, target, 'error');
    expect(limiter.limit(target)).toBe(8);
  });

  it('keeps each target to its own limit and count', () => {
    const limiter = createConcurrencyLimiter({ initial: 4 });
    const other = 'https://n8n.example.com';
    round(limiter, target);
    single(limiter, other, 'throttled');
    expect(limiter.limit(target)).toBe(8);
    expect(limiter.limit(other)).toBe(2);
    for (let i = 0; i < 8; i++) limiter.tryAcquire(target);
    expect(limiter.tryAcquire(target)).toBe(false);
    expect(limiter.tryAcquire(other)).toBe(true);
    expect(limiter.inFlight(target)).toBe(8);
    expect(limiter.inFlight(other)).toBe(1);
  });

  it('throws on a release without a matching acquire', () => {
    const limiter = createConcurrencyLimiter();
    expect(() => limiter.release(target, 'ok')).toThrow(/without a matching tryAcquire/);
    single(limiter, target, 'ok');
    expect(() => limiter.release(target, 'ok')).toThrow(/without a matching tryAcquire/);
  });

  it('refuses limits that are not integers with 1 <= min <= initial <= max', () => {
    expect(() => createConcurrencyLimiter({ min: 0 })).toThrow(RangeError);
    expect(() => createConcurrencyLimiter({ initial: 2, min: 4 })).toThrow(RangeError);
    expect(() => createConcurrencyLimiter({ initial: 100, max: 64 })).toThrow(RangeError);
    expect(() => createConcurrencyLimiter({ initial: 2.5 })).toThrow(RangeError);
    expect(() => createConcurrencyLimiter({ slowFactor: 1 })).toThrow(RangeError);
  });
});
