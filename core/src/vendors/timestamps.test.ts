import { describe, expect, it } from 'vitest';
import { toIsoTimestamp } from './timestamps.ts';

describe('toIsoTimestamp', () => {
  const iso = '2026-11-20T14:03:11.000Z';

  it('reads epoch milliseconds, epoch seconds and ISO strings as the same instant', () => {
    expect(toIsoTimestamp(1_795_183_391_000)).toBe(iso);
    expect(toIsoTimestamp(1_795_183_391)).toBe(iso);
    expect(toIsoTimestamp('1795183391000')).toBe(iso);
    expect(toIsoTimestamp('2026-11-20T14:03:11Z')).toBe(iso);
    expect(toIsoTimestamp('2026-11-20T15:03:11+01:00')).toBe(iso);
  });

  it('takes a time without a zone as UTC', () => {
    expect(toIsoTimestamp('2026-11-20T14:03:11')).toBe(iso);
    expect(toIsoTimestamp('2026-11-20T14:03:11.000')).toBe(iso);
  });

  it('answers null for what is not a time', () => {
    expect(toIsoTimestamp(undefined)).toBeNull();
    expect(toIsoTimestamp('')).toBeNull();
    expect(toIsoTimestamp('yesterday')).toBeNull();
    expect(toIsoTimestamp({})).toBeNull();
  });
});
