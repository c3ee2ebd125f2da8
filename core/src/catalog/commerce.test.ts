import { describe, expect, it } from 'vitest';
import { Currency, toMinorUnits } from './commerce.ts';

describe('toMinorUnits', () => {
  it("uses the currency's own digits: cents for USD, none for JPY, three for KWD", () => {
    expect(toMinorUnits(49, 'USD')).toBe(4900);
    expect(toMinorUnits('49.90', 'EUR')).toBe(4990);
    expect(toMinorUnits(4900, 'JPY')).toBe(4900);
    expect(toMinorUnits('1.5', 'KWD')).toBe(1500);
  });

  it('rounds away binary fractions instead of truncating them', () => {
    expect(toMinorUnits(19.99, 'USD')).toBe(1999);
    expect(toMinorUnits(0.1 + 0.2, 'USD')).toBe(30);
  });

  it('answers null for a missing or unparseable amount or a currency that is no code', () => {
    expect(toMinorUnits(null, 'USD')).toBeNull();
    expect(toMinorUnits('', 'USD')).toBeNull();
    expect(toMinorUnits('forty', 'USD')).toBeNull();
    expect(toMinorUnits(49, 'US$')).toBeNull();
  });
});

describe('Currency', () => {
  it('takes an ISO 4217 code in capitals, or null', () => {
    expect(Currency.parse('USD')).toBe('USD');
    expect(Currency.parse(null)).toBeNull();
    expect(Currency.safeParse('usd').success).toBe(false);
    expect(Currency.safeParse('$').success).toBe(false);
  });
});
