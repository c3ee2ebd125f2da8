import { describe, expect, it } from 'vitest';
import { lookupName, normaliseName } from './names.ts';

describe('normaliseName', () => {
  it('keeps only lower-case letters and digits', () => {
    expect(['InProgress', 'In Progress', 'IN_PROGRESS', 'in-progress'].map(normaliseName)).toEqual(Array(4).fill('inprogress'));
    expect(normaliseName(3)).toBe('3');
  });
});

describe('lookupName', () => {
  const table: Readonly<Record<string, string | null>> = { '3': 'completed', completed: 'completed', jobaid: null };

  it('finds a name however it is written, and a code given as a number', () => {
    expect(lookupName(table, 'Completed')).toBe('completed');
    expect(lookupName(table, 3)).toBe('completed');
    expect(lookupName(table, '3')).toBe('completed');
  });

  it('answers null for no name, an unknown one, a null entry, and Object.prototype members', () => {
    expect([null, undefined, '', 'Hologram', 'Job Aid', 'constructor', '__proto__'].map((name) => lookupName(table, name))).toEqual(Array(7).fill(null));
  });
});
