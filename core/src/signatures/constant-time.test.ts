import { describe, expect, it } from 'vitest';
import { constantTimeEqual, digestsEqual } from './constant-time.ts';

describe.each([
  ['constantTimeEqual', constantTimeEqual],
  ['digestsEqual', digestsEqual],
])('%s', (_name, equal) => {
  it('is true only for identical inputs, strings or bytes', () => {
    expect(equal('abc', 'abc')).toBe(true);
    expect(equal(Buffer.from([1, 2, 3]), Buffer.from([1, 2, 3]))).toBe(true);
    expect(equal('abc', 'abd')).toBe(false);
    expect(equal(Buffer.from([1, 2, 3]), Buffer.from([1, 2, 4]))).toBe(false);
  });

  it('compares inputs of different lengths without throwing', () => {
    expect(equal('abc', 'abcd')).toBe(false);
    expect(equal('', 'a')).toBe(false);
    expect(equal(Buffer.from([1, 2]), Buffer.from([1, 2, 3]))).toBe(false);
  });

  it('compares strings by their bytes, so a character of two bytes is not taken for two of one', () => {
    expect(equal('é', 'ab')).toBe(false);
    expect(equal('é', 'é')).toBe(true);
  });
});
