/*
 * Sources: the vendors' published API rate limits are the `rateLimit` each VendorApi gives (see
 * /work/shared/notes/vendors.md); the behaviour asked for is DESIGN §4 Hydration.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OutOfTime } from './deadline.ts';
import { createRateQueues, type RateLimit, type RateQueueOptions } from './rate-queue.ts';

afterEach(() => {
  vi.useRealTimers();
});

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One connection's queue on the (fake) clock. */
function queueOf(limit: RateLimit, options: Partial<RateQueueOptions> = {}) {
  return createRateQueues({ now: () => Date.now(), sleep: realSleep, ...options }).queueFor('conn_1', limit);
}

/** Takes `count` tokens at once, each with 30 s to spare; answers when each came, in order. */
async function takeAll(queue: ReturnType<typeof queueOf>, count: number): Promise<number[]> {
  const deadline = Date.now() + 30_000;
  const all = Promise.all(Array.from({ length: count }, () => queue.take(deadline).then(() => Date.now())));
  await vi.runAllTimersAsync();
  return (await all).sort((a, b) => a - b);
}

/** A token bucket's promise: in any window [a, b], at most capacity + (b - a) * rate calls. */
function expectWithin(times: number[], limit: RateLimit): void {
  for (let from = 0; from < times.length; from++) {
    for (let to = from; to < times.length; to++) {
      const window = (times[to] ?? 0) - (times[from] ?? 0);
      // 1e-9: (window / 1000) * rate is a float, and 61.99999999999999 means 62.
      expect(to - from + 1).toBeLessThanOrEqual(limit.capacity + (window / 1000) * limit.perSecond + 1e-9);
    }
  }
}

describe('createRateQueues', () => {
  it('never calls the LMS faster than its rate limit allows', async () => {
    vi.useFakeTimers();
    const rateLimit = { capacity: 5, perSecond: 50 };
    const times = await takeAll(queueOf(rateLimit), 100);
    expect(times).toHaveLength(100);
    expectWithin(times, rateLimit);
    // And it does not wait much longer than the limit requires: 95 calls after the burst at 50/s.
    expect((times.at(-1) ?? 0) - (times[0] ?? 0)).toBeLessThanOrEqual(2_000);
  });

  it('takes its share of the LMS rate limit when several hub processes share it', async () => {
    vi.useFakeTimers();
    // Two hubs on one PostgreSQL: each may use half the burst and half the rate.
    const times = await takeAll(queueOf({ capacity: 10, perSecond: 40 }, { processes: () => 2 }), 60);
    expect(times).toHaveLength(60);
    const first = times[0] ?? 0;
    expect(times.filter((at) => at === first)).toHaveLength(5);
    expectWithin(times, { capacity: 5, perSecond: 20 });
  });

  it('wakes each waiting call about once, not all of them on every token', async () => {
    vi.useFakeTimers();
    let sleeps = 0;
    const sleep = (ms: number) => {
      sleeps++;
      return realSleep(ms);
    };
    const times = await takeAll(queueOf({ capacity: 1, perSecond: 100 }, { sleep }), 200);
    expect(times).toHaveLength(200);
    expect(sleeps).toBeLessThanOrEqual(2 * 200);
  });

  it('refuses at once a turn that would come past the deadline', async () => {
    vi.useFakeTimers();
    const queue = queueOf({ capacity: 1, perSecond: 1 });
    const deadline = Date.now() + 500;
    await queue.take(deadline);
    await expect(queue.take(deadline)).rejects.toBeInstanceOf(OutOfTime);
  });

  it('holds every turn on the connection back while a hold-off runs', async () => {
    vi.useFakeTimers();
    const queue = queueOf({ capacity: 10, perSecond: 10 });
    const started = Date.now();
    queue.holdOff(1_000);
    const times = await takeAll(queue, 2);
    expect((times[0] ?? 0) - started).toBeGreaterThanOrEqual(1_000);
  });

  it('gives a spare token only once the waiting event calls have theirs, and keeps half the bucket for events', async () => {
    vi.useFakeTimers();
    const queue = queueOf({ capacity: 4, perSecond: 10 });
    const order: string[] = [];
    const started = Date.now();
    const deadline = started + 30_000;
    const events = Array.from({ length: 6 }, (_, index) => queue.take(deadline).then(() => order.push(`event ${index}`)));
    const spare = queue.takeSpare().then(() => order.push(`spare at ${Date.now() - started}`));
    await vi.runAllTimersAsync();
    await Promise.all([...events, spare]);
    expect(order.slice(0, 6)).toEqual(['event 0', 'event 1', 'event 2', 'event 3', 'event 4', 'event 5']);
    // The bucket is empty after the sixth event (at 200 ms); the spare waits until 3 tokens (2 kept for events, 1 its own) are back.
    expect(order[6]).toBe('spare at 500');
  });

  it('makes a new queue when the share changes, and the pause the LMS asked for carries over', async () => {
    vi.useFakeTimers();
    let processes = 1;
    const queues = createRateQueues({ now: () => Date.now(), sleep: realSleep, processes: () => processes });
    const first = queues.queueFor('conn_1', { capacity: 10, perSecond: 10 });
    expect(queues.queueFor('conn_1', { capacity: 10, perSecond: 10 })).toBe(first);
    first.holdOff(1_000);
    processes = 2;
    const second = queues.queueFor('conn_1', { capacity: 10, perSecond: 10 });
    expect(second).not.toBe(first);
    expect(queues.current('conn_1')).toBe(second);
    const started = Date.now();
    const times = await takeAll(second, 1);
    expect((times[0] ?? 0) - started).toBeGreaterThanOrEqual(1_000);
  });
});
