import { describe, expect, it } from 'vitest';
import { MAX_MATCHES, parsePath, pathProblem, readOne, readPath } from './json-path.ts';

const body = { data: { items: [{ person: { mail: 'a@x.example' } }, { person: { mail: 'b@x.example' } }] }, 'odd key': 1 };

describe('json paths', () => {
  it('reads names, indexes and every element', () => {
    expect(readOne(body, parsePath('data.items[1].person.mail'))).toBe('b@x.example');
    expect(readPath(body, parsePath('data.items[*].person.mail'))).toEqual(['a@x.example', 'b@x.example']);
    expect(readOne(body, parsePath('$.odd key'))).toBe(1);
  });

  it('reads the value itself for an empty path or $', () => {
    expect(readPath(body, parsePath(''))).toEqual([body]);
    expect(readPath(body, parsePath('$'))).toEqual([body]);
  });

  it('finds nothing on a missing name, an index past the end or a name on an array', () => {
    expect(readPath(body, parsePath('data.nope'))).toEqual([]);
    expect(readPath(body, parsePath('data.items[5]'))).toEqual([]);
    expect(readPath(body, parsePath('data.items.person'))).toEqual([]);
  });

  it("never reads a prototype's members", () => {
    expect(readPath({}, parsePath('constructor'))).toEqual([]);
    expect(readPath(JSON.parse('{"__proto__":{"x":1}}'), parsePath('__proto__.x'))).toEqual([1]);
    expect(readPath({}, parsePath('__proto__'))).toEqual([]);
  });

  it('names what is wrong with a path it cannot read', () => {
    expect(pathProblem('a..b')).toMatch(/empty name/);
    expect(pathProblem('items[x]')).toMatch(/cannot read "items\[x\]"/);
    expect(pathProblem('a'.repeat(201))).toMatch(/longer than 200/);
    expect(pathProblem(Array.from({ length: 33 }, () => 'a').join('.'))).toMatch(/more than 32 steps/);
    expect(pathProblem('data.items[*].person')).toBeNull();
  });

  it('stops a [*] that would find more values than a request may carry', () => {
    const huge = { items: Array.from({ length: MAX_MATCHES + 1 }, (_, index) => index) };
    expect(() => readPath(huge, parsePath('items[*]'))).toThrow(RangeError);
  });
});
