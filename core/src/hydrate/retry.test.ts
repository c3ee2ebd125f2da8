/*
 * Sources: RFC 9110 §15.5.30 429 Too Many Requests / §10.2.3 Retry-After; the behaviour asked for
 * is DESIGN §4 Hydration. Time is a variable the injected sleep moves on.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LmsApiError } from './client.ts';
import { OutOfTime } from './deadline.ts';
import { type RetryOptions, withRetries } from './retry.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

/** A clock, a queue that records hold-offs, and a fetch failing with `errors` in turn before it answers. */
function setup(errors: unknown[], options: Partial<RetryOptions> = {}) {
  let time = 0;
  const waits: number[] = [];
  const holdOffs: number[] = [];
  let turns = 0;
  let fetches = 0;
  const fetch = async () => {
    const error = errors[fetches++];
    if (error !== undefined) throw error;
    return 'answer';
  };
  const run = () =>
    withRetries(fetch, {
      async turn() {
        turns++;
        return { holdOff: (ms: number) => holdOffs.push(ms) };
      },
      timeoutMs: () => 1_000,
      now: () => time,
      async sleep(ms) {
        waits.push(ms);
        time += ms;
      },
      ...options,
    });
  return { run, waits, holdOffs, turns: () => turns, fetches: () => fetches };
}

const down = (status: number | null = 503) => new LmsApiError('down', { status });

describe('withRetries', () => {
  it('answers what the first try answers, after taking its turn', async () => {
    const retry = setup([]);
    await expect(retry.run()).resolves.toBe('answer');
    expect(retry.turns()).toBe(1);
    expect(retry.waits).toEqual([]);
  });

  it('backs off from 250 ms, doubling up to 5 s, taking a turn before every try', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(1 - Number.EPSILON);
    const retry = setup(Array.from({ length: 7 }, () => down()));
    await expect(retry.run()).resolves.toBe('answer');
    expect(retry.waits).toEqual([250, 500, 1_000, 2_000, 4_000, 5_000, 5_000]);
    expect(retry.turns()).toBe(8);
  });

  it('jitters each backoff down to half, so callers failing together do not retry together', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const retry = setup([down(), down()]);
    await retry.run();
    expect(retry.waits).toEqual([125, 250]);
  });

  it('waits the Retry-After the LMS asked for, and holds the whole queue off for a 429', async () => {
    const retry = setup([new LmsApiError('slow down', { status: 429, retryAfterMs: 3_000 }), new LmsApiError('down', { status: 503, retryAfterMs: 2_000 })]);
    await expect(retry.run()).resolves.toBe('answer');
    expect(retry.waits).toEqual([3_000, 2_000]);
    expect(retry.holdOffs).toEqual([3_000]);
  });

  it('retries timeouts and network errors (no status) and 408', async () => {
    const retry = setup([down(null), down(408)]);
    await expect(retry.run()).resolves.toBe('answer');
    expect(retry.fetches()).toBe(3);
  });

  it('throws the last error once the tries are used up, without waiting after it', async () => {
    const last = down(502);
    const retry = setup([down(), down(), last], { tries: 3 });
    await expect(retry.run()).rejects.toBe(last);
    expect(retry.fetches()).toBe(3);
    expect(retry.waits).toHaveLength(2);
  });

  it('throws rather than wait past the deadline, still holding the queue off for a 429', async () => {
    const limited = new LmsApiError('slow down', { status: 429, retryAfterMs: 10_000 });
    const retry = setup([limited], { deadline: 5_000 });
    await expect(retry.run()).rejects.toBe(limited);
    expect(retry.waits).toEqual([]);
    expect(retry.holdOffs).toEqual([10_000]);
  });

  it('gives up at once on a refusal or on an error that is not an LmsApiError', async () => {
    for (const error of [down(404), down(401), new TypeError('a bug')]) {
      const retry = setup([error]);
      await expect(retry.run()).rejects.toBe(error);
      expect(retry.fetches()).toBe(1);
    }
  });

  it('lets go of a try that does not settle in its time, and does not send it again', async () => {
    vi.useFakeTimers();
    try {
      let fetches = 0;
      const tried = withRetries(
        () => {
          fetches++;
          return new Promise<string>(() => {});
        },
        { turn: async () => ({ holdOff: () => {} }), timeoutMs: () => 1_000, now: () => 0, sleep: async () => {} },
      );
      const settled = expect(tried).rejects.toBeInstanceOf(OutOfTime);
      await vi.advanceTimersByTimeAsync(1_000);
      await settled;
      expect(fetches).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('throws what the turn throws, sending nothing', async () => {
    const refused = new OutOfTime(100);
    let fetches = 0;
    const tried = withRetries(async () => fetches++, {
      turn: () => Promise.reject(refused),
      timeoutMs: () => 1_000,
      now: () => 0,
      sleep: async () => {},
    });
    await expect(tried).rejects.toBe(refused);
    expect(fetches).toBe(0);
  });
});
