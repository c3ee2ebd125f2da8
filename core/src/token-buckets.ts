/**
 * Token buckets keyed by caller: `capacity` requests at once, refilled at `ratePerSecond`.
 * Pure apart from the injected clock, so tests drive time; the hydration layer keys buckets by
 * LMS connection with the same code.
 */
export interface TokenBuckets {
  /** Takes one token; answers 0 when allowed, else the milliseconds until a token is free. */
  take(key: string): number;
  /** Answers what take would, without taking: 0 when a token is free, else the milliseconds until one is. */
  wait(key: string): number;
  /** The tokens a caller has now (fractions included), without taking any. */
  available(key: string): number;
}

export function createTokenBuckets(options: { capacity: number; ratePerSecond: number; now?: () => number; maxKeys?: number }): TokenBuckets {
  const now = options.now ?? Date.now;
  const maxKeys = options.maxKeys ?? 10_000;
  const buckets = new Map<string, { tokens: number; at: number }>();

  /** The caller's bucket refilled up to `time`; undefined for a caller not seen (or forgotten). */
  function refilled(key: string, time: number): { tokens: number; at: number } | undefined {
    const bucket = buckets.get(key);
    if (!bucket) return undefined;
    bucket.tokens = Math.min(options.capacity, bucket.tokens + ((time - bucket.at) / 1000) * options.ratePerSecond);
    bucket.at = time;
    return bucket;
  }

  const waitFor = (tokens: number) => (tokens >= 1 ? 0 : Math.ceil(((1 - tokens) / options.ratePerSecond) * 1000));

  return {
    // Asking keeps no bucket for a caller not seen: it would start full.
    available: (key) => refilled(key, now())?.tokens ?? options.capacity,
    take(key) {
      const time = now();
      let bucket = refilled(key, time);
      if (!bucket) {
        // Bound memory: the oldest bucket goes first; a forgotten caller simply starts full again.
        if (buckets.size >= maxKeys) buckets.delete(buckets.keys().next().value ?? '');
        bucket = { tokens: options.capacity, at: time };
        buckets.set(key, bucket);
      }
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return 0;
      }
      return waitFor(bucket.tokens);
    },
    wait(key) {
      const bucket = refilled(key, now());
      return bucket ? waitFor(bucket.tokens) : 0;
    },
  };
}
