import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { signStandardWebhook } from '@learnhook/core';

/**
 * fast-check generators for bad input: the values and bodies a careless or hostile sender might
 * produce. Shared by the ingest and API fuzz runs.
 */

/** Awkward leaf values: huge and odd numbers, unicode, CRLF, NUL, long and empty strings, prototype keys. */
export const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(
    0,
    -1,
    1e308,
    -1e308,
    5e-324,
    Number.MAX_SAFE_INTEGER + 2,
    2 ** 64,
    -0,
    1.5,
    '',
    ' ',
    '\r\n',
    'a\r\nX-Injected: 1',
    '\u0000',
    '\ud800',
    '💥'.repeat(50),
    '__proto__',
    'constructor',
    true,
    false,
    null,
    [],
    {},
  ),
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.string({ unit: 'grapheme', maxLength: 64 }),
  fc.integer({ min: 1_000, max: 20_000 }).map((length) => 'x'.repeat(length)),
  fc.constant({ __proto__: { polluted: true } }),
  fc.constant(JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}') as unknown),
);

/** A JSON text that JSON.stringify cannot make: numbers past double range, deep nesting, duplicate keys, lone surrogates. */
export const nastyJsonText: fc.Arbitrary<string> = fc.oneof(
  fc.integer({ min: 400, max: 400_000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth)),
  fc.integer({ min: 400, max: 100_000 }).map((depth) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)),
  fc.constantFrom(
    '1e999',
    '-1e999',
    '123456789012345678901234567890',
    '{"a":1,"a":2}',
    '"\\ud800"',
    '{"x":"\\u0000"}',
    'null',
    '0',
    '""',
    '[]',
    '{}',
    'true',
    '\ufeff{}',
    '{}garbage',
    '{"a":1}\r\n{"b":2}',
  ),
  fc.jsonValue().map((value) => JSON.stringify(value)),
);

/** Bytes that are not JSON at all, or barely. */
export const nastyBytes: fc.Arbitrary<Buffer> = fc.oneof(
  fc.uint8Array({ maxLength: 4096 }).map((bytes) => Buffer.from(bytes)),
  fc.string({ unit: 'binary', maxLength: 512 }).map((text) => Buffer.from(text, 'utf8')),
  fc.constantFrom(
    Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]),
    Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00]),
    Buffer.from([0x1f, 0x8b, 0x08, 0x00]),
    Buffer.alloc(0),
  ),
);

/** Content-Type headers that are wrong, odd or lying. */
export const nastyContentType: fc.Arbitrary<string | undefined> = fc.constantFrom(
  undefined,
  '',
  'text/html',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=utf-16',
  'application/json; charset=bogus',
  'application/json; charset=latin1',
  'application/vnd.api+json',
  'text/plain',
  'application/octet-stream',
  'APPLICATION/JSON',
  'application/json;;;',
  '*/*',
);

/** Printable ASCII header values, the only kind fetch can send. */
export const headerValue: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)), maxLength: 200 }),
  fc.constantFrom(
    '',
    'sha256=',
    'sha256=zz',
    'v1,',
    'v1,AAAA',
    'v2,abc',
    'Basic',
    'Basic ====',
    'Bearer',
    'Bearer  ',
    `sha256=${'0'.repeat(64)}`,
    `v1,${'A'.repeat(44)}`,
  ),
);

/** Every JSON path of a value, for "one field mutated" (an empty path is the whole value). */
export function jsonPaths(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  const here = [prefix];
  if (Array.isArray(value)) return here.concat(value.flatMap((item, index) => jsonPaths(item, [...prefix, index])));
  if (value !== null && typeof value === 'object') return here.concat(Object.entries(value).flatMap(([key, item]) => jsonPaths(item, [...prefix, key])));
  return here;
}

/** A copy of `value` with the value at `path` replaced (or removed, when `replacement` is `remove`). */
export function withField(value: unknown, path: ReadonlyArray<string | number>, replacement: unknown): unknown {
  if (path.length === 0) return replacement === REMOVE ? undefined : replacement;
  const [head, ...rest] = path;
  const copy: unknown = Array.isArray(value) ? [...value] : { ...(value as Record<string, unknown>) };
  const container = copy as Record<string | number, unknown>;
  if (rest.length === 0 && replacement === REMOVE) {
    if (Array.isArray(copy)) copy.splice(Number(head), 1);
    else delete container[head!];
  } else container[head!] = withField(container[head!], rest, replacement);
  return copy;
}

export const REMOVE = Symbol('remove');

/**
 * The credential headers a vendor would send for `body`, made anew after a mutation: a fuzzed body
 * that is validly signed gets past verification, so parsing and mapping are fuzzed too.
 */
export function signedHeaders(vendor: string, inbound: Record<string, unknown>, body: Buffer, n: number): Record<string, string> {
  if (vendor === 'learn365') return { 'ms-signature': `sha256=${createHmac('sha256', String(inbound.secret)).update(body).digest('hex')}` };
  if (vendor === 'standard')
    return { ...signStandardWebhook({ id: `msg_fuzz_${n}`, timestampSeconds: Date.now() / 1000, body, secret: String(inbound.secret) }) };
  return {};
}

/** Answers counted by class, and by status for the printed breakdown. */
export function statusTally() {
  const figures = { requests: 0, answered_2xx: 0, answered_4xx: 0, answered_5xx: 0 };
  const statuses = new Map<number, number>();
  return {
    figures,
    count(status: number): void {
      figures.requests += 1;
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status >= 500) figures.answered_5xx += 1;
      else if (status >= 400) figures.answered_4xx += 1;
      else figures.answered_2xx += 1;
    },
    /** "200x3 401x12 ...", lowest status first. */
    breakdown: () =>
      [...statuses]
        .sort(([a], [b]) => a - b)
        .map(([status, n]) => `${status}x${n}`)
        .join(' '),
  };
}
