import { describe, expect, it } from 'vitest';
import { newId, timePrefix } from './ids.ts';

describe('newId', () => {
  it('makes a different id every time, also across refills of its random pool', () => {
    const ids = Array.from({ length: 2_000 }, () => newId('dlv', 1_700_000_000_000));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^dlv_[0-9a-z]{9}[A-Za-z0-9_-]{14}$/);
  });

  it('sorts ids by the time they were made, as text', () => {
    const times = [1, 1_000, 1_700_000_000_000, 1_700_000_000_001, 4_102_444_800_000];
    const ids = times.map((at) => newId('evt', at));
    expect([...ids].sort()).toEqual(ids);
    expect(ids.map((id) => id.slice(4, 13))).toEqual(times.map(timePrefix));
  });
});
