import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLearnerEmailBackfill } from './learner-email-backfill.ts';
import { openSqliteStore } from './sqlite.ts';
import type { Store } from './store.ts';

/** The walk itself; what a batch fills, on both stores, is in learner-email.test.ts. */
describe('the learner-email backfill', () => {
  const opened: Store[] = [];
  afterEach(async () => {
    vi.useRealTimers();
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });

  /** A store whose batches answer `answers` in turn (an Error is a failed batch). */
  function scripted(answers: (number | null | Error)[]): { store: Store; calls: number[] } {
    const store = openSqliteStore({ file: ':memory:' });
    opened.push(store);
    const calls: number[] = [];
    return {
      calls,
      store: {
        ...store,
        async backfillLearnerEmails(span) {
          calls.push(span);
          const answer = answers.shift() ?? null;
          if (answer instanceof Error) throw answer;
          return answer;
        },
      },
    };
  }

  it('walks batch after batch until the store has nothing left, and answers how many it filled', async () => {
    const { store, calls } = scripted([4, 0, 3, null, 9]);
    expect(await createLearnerEmailBackfill({ store, span: 4, pauseMs: 0, dutyCycle: 1 }).run()).toBe(7);
    expect(calls).toEqual([4, 4, 4, 4]);
  });

  it('goes on by itself after a failed batch once retryMs has passed', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { store, calls } = scripted([2, new Error('database is locked'), 5, null]);
    const backfill = createLearnerEmailBackfill({ store, span: 10, sleep: async () => {}, retryMs: 30_000 });
    backfill.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(29_000);
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls).toHaveLength(4);
    await backfill.stop();
  });

  it('stops after the batch it is in when the hub stops', async () => {
    const { store, calls } = scripted(Array.from({ length: 100 }, () => 1));
    let stop: Promise<void> | null = null;
    const backfill = createLearnerEmailBackfill({
      store,
      sleep: async () => {
        stop ??= backfill.stop();
      },
    });
    const filled = await backfill.run();
    await stop;
    expect({ filled, calls: calls.length }).toEqual({ filled: 1, calls: 1 });
  });
});
