/**
 * How many deliveries may be in flight to one target at once, found as TCP finds its window: the
 * limit doubles per limit's worth of successes until the target first pushes back (slow start),
 * halves when it pushes back (429/503) or slows down, and from then on grows by one per limit's
 * worth of successes (AIMD). A fast receiver drains a backlog quickly; a struggling one is not
 * buried. Pure: no timers, no clock; the caller reports each attempt's outcome and latency.
 */

/**
 * How an attempt went, as far as load is concerned: 'throttled' for 429 and 503, 'slow' for a
 * timeout (or anything the caller already knows was slow), 'error' for failures that say nothing
 * about load (connection refused, 4xx, most 5xx), 'ok' for a 2xx.
 */
export type AttemptOutcome = 'ok' | 'slow' | 'throttled' | 'error';

export interface ConcurrencyLimiterOptions {
  /** Limit for a target not seen before. Default 4. */
  initial?: number;
  /** Never below this, so a throttling target still drains. Default 1. */
  min?: number;
  /** Never above this. Default 64. */
  max?: number;
  /** An 'ok' taking longer than this many times the target's average latency counts as 'slow'. Default 3. */
  slowFactor?: number;
  /** ...and longer than this, so jitter on a fast target is not taken for overload. Default 250 ms. */
  minSlowMs?: number;
}

export interface ConcurrencyLimiter {
  /** Takes a slot for `key` if one is free; false means wait for a release. */
  tryAcquire(key: string): boolean;
  /** Returns the slot with how the attempt went; `latencyMs` of an 'ok' feeds slow detection. */
  release(key: string, outcome: AttemptOutcome, latencyMs?: number): void;
  /** Returns a slot that was not used after all: the limit learns nothing from it. */
  cancel(key: string): void;
  /** The current limit for `key`. */
  limit(key: string): number;
  /** Slots now taken for `key`. */
  inFlight(key: string): number;
}

/** Weight of the newest sample in the moving average of latency. */
const LATENCY_SMOOTHING = 0.2;
/** Samples needed before the average is trusted to call anything slow. */
const LATENCY_WARMUP = 5;

interface TargetState {
  limit: number;
  inFlight: number;
  /** Successes counted toward the next increase. */
  successes: number;
  /**
   * Until the target first pushes back, the limit doubles per window instead of growing by one: a
   * new subscription took about 2,000 successes to go from 4 to 64 in flight, and refused most of
   * a busy LMS's fresh deliveries meanwhile (bench row 13 starts a hook per round); now 60.
   */
  slowStart: boolean;
  /**
   * Whether demand has reached the limit since it last changed. Only then do successes count:
   * an idle target's limit would otherwise creep to max untested, and a backlog would then hit
   * it at full width (the idea of RFC 7661's congestion window validation).
   */
  limited: boolean;
  /**
   * Releases still to ignore after a decrease: the attempts then in flight were sent under the
   * old limit, so their outcomes must not move it again (one cut per window, as in TCP).
   */
  cooldown: number;
  averageLatencyMs: number;
  latencySamples: number;
}

function checkedOptions(options: ConcurrencyLimiterOptions) {
  const { initial = 4, min = 1, max = 64, slowFactor = 3, minSlowMs = 250 } = options;
  if (![initial, min, max].every(Number.isInteger) || min < 1 || min > initial || initial > max) {
    throw new RangeError(`Concurrency limits must be integers with 1 <= min <= initial <= max (got ${min}, ${initial}, ${max}).`);
  }
  if (!(slowFactor > 1) || !(minSlowMs >= 0)) throw new RangeError('slowFactor must be above 1 and minSlowMs at least 0.');
  return { initial, min, max, slowFactor, minSlowMs };
}

/** Per-target in-flight limits, adapted to how each target copes. Keys are whatever identifies a target: the dispatcher keys by hook. */
export function createConcurrencyLimiter(options: ConcurrencyLimiterOptions = {}): ConcurrencyLimiter {
  const { initial, min, max, slowFactor, minSlowMs } = checkedOptions(options);
  const targets = new Map<string, TargetState>();

  function state(key: string): TargetState {
    let found = targets.get(key);
    if (!found) {
      found = { limit: initial, inFlight: 0, successes: 0, slowStart: true, limited: false, cooldown: 0, averageLatencyMs: 0, latencySamples: 0 };
      targets.set(key, found);
    }
    return found;
  }

  /** Classifies against the average before this sample, then folds the sample in. */
  function isSlow(target: TargetState, latencyMs: number): boolean {
    const slow = target.latencySamples >= LATENCY_WARMUP && latencyMs > Math.max(minSlowMs, slowFactor * target.averageLatencyMs);
    target.averageLatencyMs = target.latencySamples === 0 ? latencyMs : target.averageLatencyMs + LATENCY_SMOOTHING * (latencyMs - target.averageLatencyMs);
    target.latencySamples++;
    return slow;
  }

  return {
    tryAcquire(key) {
      const target = state(key);
      if (target.inFlight >= target.limit) {
        target.limited = true;
        return false;
      }
      target.inFlight++;
      if (target.inFlight === target.limit) target.limited = true;
      return true;
    },

    release(key, outcome, latencyMs) {
      const target = targets.get(key);
      if (!target || target.inFlight === 0) throw new Error(`release(${JSON.stringify(key)}) without a matching tryAcquire.`);
      target.inFlight--;
      const effective = outcome === 'ok' && latencyMs !== undefined && isSlow(target, latencyMs) ? 'slow' : outcome;
      if (target.cooldown > 0) {
        target.cooldown--;
        return;
      }
      if (effective === 'throttled' || effective === 'slow') {
        target.limit = Math.max(min, Math.floor(target.limit / 2));
        target.slowStart = false;
        target.successes = 0;
        target.limited = false;
        target.cooldown = target.inFlight;
      } else if (effective === 'ok' && target.limited) {
        target.successes++;
        if (target.successes >= target.limit) {
          target.successes = 0;
          target.limit = Math.min(max, target.slowStart ? target.limit * 2 : target.limit + 1);
          target.limited = target.inFlight >= target.limit;
        }
      }
    },

    cancel(key) {
      const target = targets.get(key);
      if (!target || target.inFlight === 0) throw new Error(`cancel(${JSON.stringify(key)}) without a matching tryAcquire.`);
      target.inFlight--;
    },

    limit: (key) => targets.get(key)?.limit ?? initial,
    inFlight: (key) => targets.get(key)?.inFlight ?? 0,
  };
}
