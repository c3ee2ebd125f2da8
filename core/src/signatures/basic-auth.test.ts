import { describe, expect, it } from 'vitest';
import { basicAuthMatches, parseBasicAuth } from './basic-auth.ts';

const header = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
const expected = { username: 'lrs-acme', password: 's3cret:with:colons' };

describe('Basic auth', () => {
  it('reads user and a password that itself contains colons', () => {
    expect(parseBasicAuth(header('lrs-acme', 's3cret:with:colons'))).toEqual(expected);
  });

  it('matches exactly the configured credentials', () => {
    expect(basicAuthMatches(header('lrs-acme', 's3cret:with:colons'), expected)).toBe(true);
    expect(basicAuthMatches(header('lrs-acme', 'wrong'), expected)).toBe(false);
    expect(basicAuthMatches(header('other', 's3cret:with:colons'), expected)).toBe(false);
  });

  it('refuses a missing, malformed or non-Basic header', () => {
    expect(basicAuthMatches(undefined, expected)).toBe(false);
    expect(basicAuthMatches('Bearer abc', expected)).toBe(false);
    expect(basicAuthMatches('Basic !!!', expected)).toBe(false);
    expect(basicAuthMatches(`Basic ${Buffer.from('nocolon').toString('base64')}`, expected)).toBe(false);
  });
});
