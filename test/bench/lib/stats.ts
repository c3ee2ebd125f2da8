import { sleep } from '@learnhook/core/testing';

/** Small numeric helpers shared by the benchmark rows. */

/** The q-quantile (0..1) of the values, nearest-rank; NaN for none. Sorts a copy. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

/** The middle value, or the mean of the two middle ones for an even count (two rounds: their mean); NaN for none. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 ? (sorted[Math.floor(middle)] ?? Number.NaN) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export function summarize(values: readonly number[]): LatencySummary {
  if (values.length === 0) return { count: 0, p50: Number.NaN, p99: Number.NaN, max: Number.NaN };
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
  return { count: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] ?? Number.NaN };
}

/** 12345.6 -> "12,346"; small values keep a decimal or two. */
export function fmt(value: number | null | undefined, digits?: number): string {
  if (value === null || value === undefined || Number.isNaN(value)) return 'n/a';
  const places = digits ?? (Number.isInteger(value) || Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2);
  return value.toLocaleString('en-US', { minimumFractionDigits: places, maximumFractionDigits: places });
}

export const ms = (value: number | null | undefined): string => `${fmt(value)} ms`;

/** Polls `check` every `everyMs` until it answers true or `timeoutMs` passes; answers whether it did. */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 20): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(everyMs);
  }
}

/**
 * Reads `read` once a second until `done` accepts a reading, `timeoutMs` passes, or the readings
 * stop changing (`same`) for `quietMs`; answers the last reading and whether time ran out.
 */
export async function followProgress<T>(options: {
  read: () => Promise<T>;
  done: (value: T) => boolean;
  same: (a: T, b: T) => boolean;
  timeoutMs: number;
  quietMs: number;
}): Promise<{ last: T; timedOut: boolean }> {
  const deadline = Date.now() + options.timeoutMs;
  let last = await options.read();
  let movedAt = Date.now();
  for (;;) {
    if (options.done(last)) return { last, timedOut: false };
    if (Date.now() > deadline) return { last, timedOut: true };
    if (Date.now() - movedAt > options.quietMs) return { last, timedOut: false };
    await sleep(1_000);
    const next = await options.read();
    if (!options.same(next, last)) movedAt = Date.now();
    last = next;
  }
}

/**
 * A sampler of ranks 0..n-1 with P(k) proportional to 1/(k+1)^s (Zipf), from a seeded generator
 * so runs are comparable: the same draws every time (`seeded`, test/lib/random.ts).
 */
export function zipf(n: number, s: number, random: () => number): () => number {
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let k = 0; k < n; k++) {
    total += 1 / (k + 1) ** s;
    cumulative[k] = total;
  }
  return () => {
    const target = random() * total;
    let low = 0;
    let high = n - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((cumulative[middle] ?? 0) < target) low = middle + 1;
      else high = middle;
    }
    return low;
  };
}
