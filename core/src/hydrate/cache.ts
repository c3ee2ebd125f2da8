/**
 * A small TTL cache with request coalescing, for LMS lookups (DESIGN §4 Hydration): the events of
 * one burst name the same few users and courses, so each should cost the LMS one call.
 */
export interface TtlCache<V> {
  /**
   * Answers the value cached for `key` while it is fresh; otherwise calls `load`, once for all
   * concurrent callers of the same key. A value, `null` included, is kept for the TTL; a failed
   * load is not kept: every waiter gets its error, and the next call loads again.
   * With `fresh`, a cached value is not answered (a load already in flight is still shared, and
   * its answer replaces the cached one): for an event about a change to that very thing.
   */
  getOrLoad(key: string, load: () => Promise<V>, options?: { fresh?: boolean }): Promise<V>;
  /** The value cached for `key` while it is fresh, else undefined: never loads, never waits. */
  peek(key: string): V | undefined;
  /**
   * Keeps a value read ahead of any request (a warm-up), never at another's expense: a key not
   * cached yet is kept only while `keepFree` places stay free after it, expired values making
   * room first. Answers whether it was kept.
   */
  offer(key: string, value: V, keepFree: number): boolean;
  /** Forgets a cached value (an in-flight load still answers its waiters). */
  delete(key: string): void;
  /** Cached values, fresh or not yet swept. */
  readonly size: number;
}

export interface TtlCacheOptions {
  /** How long a loaded value is answered without asking again; 0 keeps nothing but still coalesces. */
  ttlMs: number;
  /** Bound on cached values; past it the oldest goes first. */
  maxEntries: number;
  now?: () => number;
}

export function createTtlCache<V>(options: TtlCacheOptions): TtlCache<V> {
  const now = options.now ?? Date.now;
  const values = new Map<string, { value: V; expiresAt: number }>();
  const loading = new Map<string, Promise<V>>();

  function store(key: string, value: V): void {
    if (options.ttlMs <= 0 || options.maxEntries <= 0) return;
    // Re-inserting moves the key to the end, so Map order is oldest-written first.
    values.delete(key);
    values.set(key, { value, expiresAt: now() + options.ttlMs });
    while (values.size > options.maxEntries) {
      const oldest = values.keys().next();
      if (oldest.done) break;
      values.delete(oldest.value);
    }
  }

  const full = (keepFree: number) => values.size + 1 + keepFree > options.maxEntries;

  /** Drops expired values, oldest first: one TTL for all means they sit at the front of the Map. */
  function sweep(): void {
    const time = now();
    for (const [key, entry] of values) {
      if (entry.expiresAt > time) break;
      values.delete(key);
    }
  }

  return {
    offer(key, value, keepFree) {
      if (options.ttlMs <= 0) return false;
      if (!values.has(key) && full(keepFree)) {
        sweep();
        if (full(keepFree)) return false;
      }
      store(key, value);
      return true;
    },
    peek(key) {
      const cached = values.get(key);
      return cached && cached.expiresAt > now() ? cached.value : undefined;
    },
    getOrLoad(key, load, getOptions) {
      const cached = values.get(key);
      if (cached && !getOptions?.fresh) {
        if (cached.expiresAt > now()) return Promise.resolve(cached.value);
        values.delete(key);
      }
      const inFlight = loading.get(key);
      if (inFlight) return inFlight;
      // `load` starts a microtask later, after the promise is registered: even a load that throws
      // at once is then shared and cleaned up like any other.
      const promise = Promise.resolve()
        .then(load)
        .then(
          (value) => {
            loading.delete(key);
            store(key, value);
            return value;
          },
          (error: unknown) => {
            loading.delete(key);
            throw error;
          },
        );
      loading.set(key, promise);
      return promise;
    },
    delete(key) {
      values.delete(key);
    },
    get size() {
      return values.size;
    },
  };
}
