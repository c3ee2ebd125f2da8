import { describe, expect, it } from 'vitest';
import { createBatcher } from './batcher.ts';

describe('the batcher', () => {
  it('runs the calls made in one turn as one batch and answers each its own output', async () => {
    const runs: number[][] = [];
    const double = createBatcher<number, number>({
      key: String,
      run: async (items) => {
        runs.push(items);
        return items.map((n) => n * 2);
      },
    });
    expect(await Promise.all([double(1), double(2), double(3)])).toEqual([2, 4, 6]);
    expect(await double(4)).toBe(8);
    expect(runs).toEqual([[1, 2, 3], [4]]);
  });

  it('puts a second call with the same key into the next batch', async () => {
    const runs: string[][] = [];
    const echo = createBatcher<string, string>({
      key: (item) => item.split(':')[0] ?? item,
      run: async (items) => {
        runs.push(items);
        return items;
      },
    });
    expect(await Promise.all([echo('a:1'), echo('b:1'), echo('a:2')])).toEqual(['a:1', 'b:1', 'a:2']);
    expect(runs).toEqual([['a:1', 'b:1'], ['a:2']]);
  });

  it('tries each call of a failed batch alone, so only the bad one fails', async () => {
    const runs: number[][] = [];
    const flaky = createBatcher<number, number>({
      key: String,
      run: async (items) => {
        runs.push(items);
        if (items.includes(13)) throw new Error('unlucky');
        return items;
      },
    });
    const outcomes = await Promise.allSettled([flaky(1), flaky(13), flaky(2)]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(runs).toEqual([[1, 13, 2], [1], [13], [2]]);
  });
});
