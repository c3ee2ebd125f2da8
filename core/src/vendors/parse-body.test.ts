import { describe, expect, it } from 'vitest';
import { PayloadError } from '../errors.ts';
import { jsonDepth, MAX_JSON_DEPTH, parseJsonBody } from './parse-body.ts';

const nested = (levels: number) => `${'['.repeat(levels)}1${']'.repeat(levels)}`;

describe('parseJsonBody', () => {
  it('reads JSON with a byte-order mark, as .NET senders write it', () => {
    expect(parseJsonBody(Buffer.from('\uFEFF{"a":1}'))).toEqual({ a: 1 });
  });

  it(`takes a body nested ${MAX_JSON_DEPTH} levels deep and refuses one level more with a 400 that says why`, () => {
    expect(jsonDepth(parseJsonBody(Buffer.from(nested(MAX_JSON_DEPTH))))).toBe(MAX_JSON_DEPTH);
    const refused = () => parseJsonBody(Buffer.from(nested(MAX_JSON_DEPTH + 1)));
    expect(refused).toThrow(PayloadError);
    expect(refused).toThrow(/deeper than 64 levels/);
  });

  it('measures a hostile depth without recursion, stopping past the limit', () => {
    expect(jsonDepth(JSON.parse(nested(100_000)))).toBe(MAX_JSON_DEPTH + 1);
    expect(jsonDepth({ a: { b: [1, { c: null }] } })).toBe(4);
    expect(jsonDepth('text')).toBe(0);
  });
});
