/*
 * Behaviour wanted by DESIGN §4 Hydration ("a TTL cache, one in-flight request per key"); no
 * vendor document applies to this module.
 */
import { describe, expect, it } from 'vitest';
import { createTtlCache } from './cache.ts';

function clock() {
  let time = 1_000;
  return { now: () => time, advance: (ms: number) => (time += ms) };
}

/** A load the test settles by hand, to hold it in flight. */
function deferred<V>() {
  let resolve!: (value: V) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<V>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('createTtlCache', () => {
  it('peeks at a fresh value only: not at a load in flight, nor at an expired value', async () => {
    const time = clock();
    const cache = createTtlCache<string | null>({ ttlMs: 60_000, maxEntries: 100, now: time.now });
    const pending = deferred<string | null>();
    const loading = cache.getOrLoad('k', () => pending.promise);
    expect(cache.peek('k')).toBeUndefined();
    pending.resolve(null);
    await loading;
    // A kept null (the LMS has no such thing) is an answer too.
    expect(cache.peek('k')).toBeNull();
    time.advance(60_000);
    expect(cache.peek('k')).toBeUndefined();
  });

  it('shares one in-flight load among 50 concurrent callers of one key', async () => {
    const cache = createTtlCache<string>({ ttlMs: 60_000, maxEntries: 100, now: clock().now });
    const pending = deferred<string>();
    let loads = 0;
    const load = () => {
      loads++;
      return pending.promise;
    };
    const answers = Array.from({ length: 50 }, () => cache.getOrLoad('user:1', load));
    pending.resolve('Ann');
    expect(await Promise.all(answers)).toEqual(Array(50).fill('Ann'));
    expect(loads).toBe(1);
  });

  it('answers a fresh value without loading, and loads again once it is stale', async () => {
    const time = clock();
    const cache = createTtlCache<string>({ ttlMs: 1_000, maxEntries: 100, now: time.now });
    let loads = 0;
    const load = async () => `v${++loads}`;
    expect(await cache.getOrLoad('k', load)).toBe('v1');
    time.advance(999);
    expect(await cache.getOrLoad('k', load)).toBe('v1');
    time.advance(1);
    expect(await cache.getOrLoad('k', load)).toBe('v2');
    expect(loads).toBe(2);
  });

  it('keeps null (not found) for the TTL like any value', async () => {
    const time = clock();
    const cache = createTtlCache<string | null>({ ttlMs: 1_000, maxEntries: 100, now: time.now });
    let loads = 0;
    const load = async () => {
      loads++;
      return null;
    };
    expect(await cache.getOrLoad('missing', load)).toBeNull();
    expect(await cache.getOrLoad('missing', load)).toBeNull();
    expect(loads).toBe(1);
    time.advance(1_000);
    await cache.getOrLoad('missing', load);
    expect(loads).toBe(2);
  });

  it('rejects every waiter of a failed load and does not keep the failure', async () => {
    const cache = createTtlCache<string>({ ttlMs: 60_000, maxEntries: 100, now: clock().now });
    const pending = deferred<string>();
    let loads = 0;
    const failing = () => {
      loads++;
      return pending.promise;
    };
    const waiters = Array.from({ length: 5 }, () => cache.getOrLoad('k', failing));
    pending.reject(new Error('LMS down'));
    const settled = await Promise.allSettled(waiters);
    expect(settled.every((result) => result.status === 'rejected')).toBe(true);
    expect(loads).toBe(1);
    expect(await cache.getOrLoad('k', async () => 'back')).toBe('back');
  });

  it('shares a load that throws at once, then tries again', async () => {
    const cache = createTtlCache<string>({ ttlMs: 60_000, maxEntries: 100, now: clock().now });
    const throwing = (): Promise<string> => {
      throw new Error('bad settings');
    };
    await expect(Promise.all([cache.getOrLoad('k', throwing), cache.getOrLoad('k', throwing)])).rejects.toThrow('bad settings');
    expect(await cache.getOrLoad('k', async () => 'ok')).toBe('ok');
  });

  it('keeps different keys apart', async () => {
    const cache = createTtlCache<string>({ ttlMs: 60_000, maxEntries: 100, now: clock().now });
    expect(await cache.getOrLoad('a', async () => 'A')).toBe('A');
    expect(await cache.getOrLoad('b', async () => 'B')).toBe('B');
    expect(await cache.getOrLoad('a', async () => 'other')).toBe('A');
  });

  it('evicts the oldest value past maxEntries', async () => {
    const cache = createTtlCache<string>({ ttlMs: 60_000, maxEntries: 2, now: clock().now });
    await cache.getOrLoad('a', async () => 'A1');
    await cache.getOrLoad('b', async () => 'B1');
    await cache.getOrLoad('c', async () => 'C1');
    expect(cache.size).toBe(2);
    expect(await cache.getOrLoad('b', async () => 'B2')).toBe('B1');
    expect(await cache.getOrLoad('a', async () => 'A2')).toBe('A2');
  });

  it('coalesces but keeps nothing when the TTL is 0', async () => {
    const cache = createTtlCache<string>({ ttlMs: 0, maxEntries: 10, now: clock().now });
    const pending = deferred<string>();
    let loads = 0;
    const load = () => {
      loads++;
      return pending.promise;
    };
    const both = Promise.all([cache.getOrLoad('k', load), cache.getOrLoad('k', load)]);
    pending.resolve('x');
    await both;
    expect(loads).toBe(1);
    await cache.getOrLoad('k', async () => 'y');
    expect(cache.size).toBe(0);
  });

  it('loads again when asked for a fresh value, and keeps the new one', async () => {
    const cache = createTtlCache<string>({ ttlMs: 60_000, maxEntries: 10, now: clock().now });
    await cache.getOrLoad('k', async () => 'old');
    expect(await cache.getOrLoad('k', async () => 'new', { fresh: true })).toBe('new');
    expect(await cache.getOrLoad('k', async () => 'newer')).toBe('new');
  });

  it('shares a load in flight with a caller asking for a fresh value', async () => {
    const cache = createTtlCache<string>({ ttlMs: 60_000, maxEntries: 10, now: clock().now });
    const pending = deferred<string>();
    let loads = 0;
    const load = () => {
      loads++;
      return pending.promise;
    };
    const both = Promise.all([cache.getOrLoad('k', load), cache.getOrLoad('k', load, { fresh: true })]);
    pending.resolve('v');
    expect(await both).toEqual(['v', 'v']);
    expect(loads).toBe(1);
  });

  it('forgets a deleted value', async () => {
    const cache = createTtlCache<string>({ ttlMs: 60_000, maxEntries: 10, now: clock().now });
    await cache.getOrLoad('k', async () => 'old');
    cache.delete('k');
    expect(await cache.getOrLoad('k', async () => 'new')).toBe('new');
  });

  it('keeps values offered ahead of any request while places stay free, and refuses one that would evict', async () => {
    const cache = createTtlCache<string>({ ttlMs: 60_000, maxEntries: 4, now: clock().now });
    await cache.getOrLoad('live', async () => 'L');
    expect(cache.offer('a', 'A', 1)).toBe(true);
    expect(cache.offer('b', 'B', 1)).toBe(true);
    // A fourth value would leave no place free for lookups.
    expect(cache.offer('c', 'C', 1)).toBe(false);
    expect(cache.size).toBe(3);
    expect(await cache.getOrLoad('live', async () => 'other')).toBe('L');
    expect(await cache.getOrLoad('a', async () => 'other')).toBe('A');
    expect(await cache.getOrLoad('c', async () => 'C2')).toBe('C2');
  });

  it('replaces an offered value already cached, however full the cache', async () => {
    const cache = createTtlCache<string>({ ttlMs: 60_000, maxEntries: 2, now: clock().now });
    await cache.getOrLoad('a', async () => 'A1');
    await cache.getOrLoad('b', async () => 'B1');
    expect(cache.offer('a', 'A2', 1)).toBe(true);
    expect(await cache.getOrLoad('a', async () => 'other')).toBe('A2');
    expect(await cache.getOrLoad('b', async () => 'other')).toBe('B1');
  });

  it('makes room for offered values from expired ones only', async () => {
    const time = clock();
    const cache = createTtlCache<string>({ ttlMs: 1_000, maxEntries: 3, now: time.now });
    expect(cache.offer('old', 'O', 0)).toBe(true);
    time.advance(600);
    expect(cache.offer('newer', 'N', 0)).toBe(true);
    expect(cache.offer('third', 'T', 0)).toBe(true);
    expect(cache.offer('fourth', 'F', 0)).toBe(false);
    time.advance(500);
    expect(cache.offer('fourth', 'F', 0)).toBe(true);
    expect(cache.size).toBe(3);
    expect(await cache.getOrLoad('newer', async () => 'other')).toBe('N');
  });

  it('keeps no offered value when the TTL is 0', () => {
    const cache = createTtlCache<string>({ ttlMs: 0, maxEntries: 10, now: clock().now });
    expect(cache.offer('k', 'v', 0)).toBe(false);
    expect(cache.size).toBe(0);
  });
});
