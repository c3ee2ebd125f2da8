import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completionRequest, fetchAnswer, ADMIN_KEY, sleep, startTestHub, type TestHub } from '@learnhook/core/testing';
import { storeRows } from '../lib/abuse-fixtures.ts';
import { openRaw, statusOf, type RawConnection } from '../lib/abuse-socket.ts';
import { report } from './report.ts';

/**
 * Scenario 5 (issue 9), the connection level: bodies over the size limit are refused before the
 * hub has read them whole, and clients that send a request too slowly are cut off.
 */

const INGEST_LIMIT = 1024 * 1024;
const API_LIMIT = 64 * 1024;
const HEADERS_TIMEOUT_MS = 2_000;
const REQUEST_TIMEOUT_MS = 4_000;

let hub: TestHub;
let ingestPath = '';

beforeAll(async () => {
  hub = await startTestHub({ LEARNHOOK_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS), LEARNHOOK_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) });
  const created = await hub.api<{ ingest_url: string }>('POST', '/v1/connections', { name: 'big', vendor: 'absorb' });
  expect(created.status).toBe(201);
  ingestPath = new URL(created.body.ingest_url).pathname;
});
afterAll(() => hub.close());

const head = (method: string, path: string, headers: Record<string, string>) =>
  `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}\r\n`;

/** Waits for the hub to answer or close, at most `ms`; answers whether it did. */
const within = (connection: RawConnection, ms: number) =>
  Promise.race([connection.whenAnswered.then(() => true), connection.whenClosed.then(() => true), sleep(ms).then(() => false)]);

/** Streams `total` bytes of JSON-ish body in chunks, slowly, until the hub answers or closes. */
async function streamUntilAnswered(connection: RawConnection, total: number, chunkBytes: number): Promise<void> {
  const chunk = Buffer.alloc(chunkBytes, 'a');
  for (let sentBody = 0; sentBody < total; sentBody += chunkBytes) {
    if (connection.sentBeforeAnswer !== null || connection.closed) return;
    if (!(await connection.send(Buffer.concat([Buffer.from(`${chunkBytes.toString(16)}\r\n`), chunk, Buffer.from('\r\n')])))) return;
    await sleep(5);
  }
  await connection.send('0\r\n\r\n');
}

describe('scenario 5: oversized bodies', () => {
  it('answers 413 to a Content-Length over the limit before any of the body is sent, 401 to one without a key and 404 to a wrong ingest token', async () => {
    const before = storeRows(hub.dataDir);
    const cases: Array<{ what: string; path: string; headers: Record<string, string>; length: number; expected: number }> = [
      { what: 'ingest', path: ingestPath, headers: { 'content-type': 'application/json' }, length: 50 * INGEST_LIMIT, expected: 413 },
      {
        what: 'ingest with a wrong token',
        path: ingestPath.replace(/[^/]+$/, 'not-the-token'),
        headers: { 'content-type': 'application/json' },
        length: INGEST_LIMIT / 2,
        expected: 404,
      },
      {
        what: 'POST /v1/hooks',
        path: '/v1/hooks',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` },
        length: 50 * API_LIMIT,
        expected: 413,
      },
      { what: 'POST /v1/hooks without a key', path: '/v1/hooks', headers: { 'content-type': 'application/json' }, length: 50 * API_LIMIT, expected: 401 },
    ];
    for (const { what, path, headers, length, expected } of cases) {
      const connection = await openRaw(hub.url);
      const header = head('POST', path, { ...headers, 'content-length': String(length) });
      await connection.send(header);
      expect(await within(connection, 10_000), `${what} answered without its body`).toBe(true);
      expect(statusOf(connection.answer), what).toBe(expected);
      expect(connection.sentBeforeAnswer, what).toBe(Buffer.byteLength(header));
      connection.destroy();
    }
    expect(storeRows(hub.dataDir)).toEqual(before);
  });

  it('answers 413 to a chunked body that grows past the limit while it is still being sent, storing nothing', async () => {
    const before = storeRows(hub.dataDir);
    const figures: Record<string, number> = {};
    for (const { what, path, headers, limit } of [
      { what: 'ingest', path: ingestPath, headers: { 'content-type': 'application/json' }, limit: INGEST_LIMIT },
      { what: 'api', path: '/v1/hooks', headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` }, limit: API_LIMIT },
    ]) {
      const connection = await openRaw(hub.url);
      const total = limit * 8;
      await connection.send(head('POST', path, { ...headers, 'transfer-encoding': 'chunked' }));
      await streamUntilAnswered(connection, total, 16 * 1024);
      expect(await within(connection, 10_000), what).toBe(true);
      expect(statusOf(connection.answer), what).toBe(413);
      const sentBeforeAnswer = connection.sentBeforeAnswer ?? Infinity;
      // Refused once the limit was passed, long before the sender was done.
      expect(sentBeforeAnswer, what).toBeGreaterThan(limit);
      expect(sentBeforeAnswer, what).toBeLessThan(total / 2);
      // ... and the hub hangs up rather than reading the rest off the connection.
      expect(await Promise.race([connection.whenClosed.then(() => true), sleep(10_000).then(() => false)]), `${what} connection closed`).toBe(true);
      figures[`${what}_limit_bytes`] = limit;
      figures[`${what}_sent_before_413`] = sentBeforeAnswer;
      figures[`${what}_would_have_sent`] = total;
      connection.destroy();
    }
    expect(storeRows(hub.dataDir)).toEqual(before);
    // The hub is unharmed: a good request right after is stored.
    const good = completionRequest('absorb', {}, 1);
    expect((await fetchAnswer(hub.url + ingestPath, { method: 'POST', headers: good.headers, body: good.body })).status).toBe(202);
    report({
      scenario: '5 oversized bodies',
      tried: 'Content-Length 50x the limit with no body (ingest, API, API without key); chunked bodies streamed to 8x the limit',
      figures,
    });
  });
});

describe('scenario 5: malformed HTTP framing', () => {
  it('answers request smuggling shapes, oversized and broken headers with a 4xx, storing nothing', async () => {
    const good = completionRequest('absorb', {}, 2).body;
    const framings: Array<[string, string]> = [
      [
        'Content-Length and Transfer-Encoding',
        `POST ${ingestPath} HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n${good.length.toString(16)}\r\n${good}\r\n0\r\n\r\n`,
      ],
      [
        'two Content-Lengths',
        `POST ${ingestPath} HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nContent-Length: ${good.length}\r\nContent-Length: 2\r\n\r\n${good}`,
      ],
      ['a negative Content-Length', `POST ${ingestPath} HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n`],
      [
        'an obsolete folded header',
        `POST ${ingestPath} HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\n  folded\r\nContent-Length: ${good.length}\r\n\r\n${good}`,
      ],
      ['a NUL in a header', `GET /healthz HTTP/1.1\r\nHost: h\r\nX-A: a\u0000b\r\n\r\n`],
      ['a 64 KiB header', `GET /healthz HTTP/1.1\r\nHost: h\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`],
      [
        'a bad chunk size',
        `POST ${ingestPath} HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
      ],
      ['a request line that is not HTTP', 'HELLO\r\n\r\n'],
    ];
    const before = storeRows(hub.dataDir);
    const answered: Record<string, number> = {};
    for (const [what, bytes] of framings) {
      const connection = await openRaw(hub.url);
      await connection.send(bytes);
      expect(await within(connection, 10_000), what).toBe(true);
      const status = statusOf(connection.answer);
      expect(status, `${what}: ${connection.answer.slice(0, 80)}`).not.toBeNull();
      expect(status! >= 400 && status! < 500, `${what} answered ${status}`).toBe(true);
      answered[status!] = (answered[status!] ?? 0) + 1;
      connection.destroy();
    }
    expect(storeRows(hub.dataDir)).toEqual(before);
    report({
      scenario: '5 malformed framing',
      tried: framings.map(([what]) => what).join(', '),
      figures: { requests: framings.length, ...Object.fromEntries(Object.entries(answered).map(([status, n]) => [`answered_${status}`, n])) },
    });
  });
});

describe('scenario 5: slow clients', () => {
  it('closes a connection that trickles its headers or its body a byte a second, while other clients are served', async () => {
    const GIVE_UP_MS = 30_000;
    async function trickle(what: string, start: string, drip: string): Promise<{ what: string; closedAfterMs: number; status: number | null; bytes: number }> {
      const connection = await openRaw(hub.url);
      const startedAt = Date.now();
      await connection.send(start);
      while (!connection.closed && Date.now() - startedAt < GIVE_UP_MS) {
        await connection.send(drip);
        await Promise.race([sleep(1_000), connection.whenClosed]);
      }
      const closedAfterMs = Date.now() - startedAt;
      const closed = connection.closed;
      connection.destroy();
      expect(closed, `${what}: the hub kept the connection open for ${GIVE_UP_MS} ms`).toBe(true);
      return { what, closedAfterMs, status: statusOf(connection.answer), bytes: connection.sent };
    }
    const slow = Promise.all([
      trickle('headers', 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ', 'a'),
      trickle('body', head('POST', ingestPath, { 'content-type': 'application/json', 'content-length': '1000' }), ' '),
    ]);
    // Meanwhile the hub answers everyone else.
    await sleep(1_500);
    expect((await fetchAnswer(`${hub.url}/healthz`)).status).toBe(200);
    const [headers, body] = await slow;
    // Node answers 408 Request Timeout before it closes the connection.
    expect(headers.status).toBe(408);
    expect(body.status).toBe(408);
    report({
      scenario: '5 slow clients',
      tried: `one byte a second: headers (headersTimeout ${HEADERS_TIMEOUT_MS} ms) and body (requestTimeout ${REQUEST_TIMEOUT_MS} ms)`,
      figures: {
        headers_closed_after_ms: headers.closedAfterMs,
        headers_bytes_sent: headers.bytes,
        body_closed_after_ms: body.closedAfterMs,
        body_bytes_sent: body.bytes,
      },
    });
  });
});
