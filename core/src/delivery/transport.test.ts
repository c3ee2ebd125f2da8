import { lookup } from 'node:dns/promises';
import { once } from 'node:events';
import net from 'node:net';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { describe, expect, it, onTestFinished } from 'vitest';
import { parseAllowedTargets } from '../allowed-targets.ts';
import { refusedUrl } from '../testing/listen.ts';
import { recordingServer as target } from '../testing/recording-server.ts';
import { threadedTransport } from './threaded-transport.ts';
import { createTransport, SNIPPET_BYTES, type Transport, type TransportOptions, type TransportRequest } from './transport.ts';

/** A raw TCP listener on 127.0.0.1 that counts connections, to prove a refusal happened before connecting. */
async function tcpCounter() {
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    socket.destroy();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: address.port, connections: () => connections };
}

const ownName = os.hostname().toLowerCase();
const ownNameIsLoopback = (await lookup(ownName).catch(() => null))?.address.startsWith('127.') ?? false;

const delivery = (url: string): TransportRequest => ({
  url,
  headers: { 'webhook-id': 'msg_1', 'webhook-timestamp': '1795000000', 'webhook-signature': 'v1,abc' },
  body: '{"type":"enrollment.completed"}',
});

// The hub sends from a worker thread (threaded-transport.ts): every behaviour holds there as on the main thread.
describe.each([
  ['createTransport', createTransport],
  ['threadedTransport', threadedTransport],
] as const)('%s().send', (_name, create) => {
  function transport(options: Partial<TransportOptions> = {}): Transport {
    const created = create({ allowPrivate: true, timeoutMs: 2000, userAgent: 'learnhook-test/1', ...options });
    onTestFinished(created.close);
    return created;
  }

  it('POSTs the body with the given headers, a JSON content type and the user agent', async () => {
    const server = await target();
    const result = await transport().send(delivery(`${server.url}/hooks/1?x=y`));
    expect(result.ok).toBe(true);
    expect(server.received).toHaveLength(1);
    const [received] = server.received;
    expect(received?.body).toBe('{"type":"enrollment.completed"}');
    expect(received?.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': 'learnhook-test/1',
      'webhook-id': 'msg_1',
      'webhook-signature': 'v1,abc',
    });
  });

  it('reports a 200 with the first 1 KB of a 100 KB body as the snippet', async () => {
    const server = await target((response) => response.end('x'.repeat(100 * 1024)));
    const result = await transport().send(delivery(server.url));
    expect(result).toMatchObject({ ok: true, status: 200, retryAfter: null });
    expect(result.error).toBeUndefined();
    expect(result.snippet).toBe('x'.repeat(SNIPPET_BYTES));
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('stops reading a huge body soon after the snippet instead of downloading all of it', async () => {
    const server = await target((response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = 'z'.repeat(64 * 1024);
      // Endless unless the client goes away: a transport that read to the end would time out.
      const write = () => {
        while (!response.destroyed && response.write(chunk));
        if (!response.destroyed) response.once('drain', write);
      };
      write();
    });
    const result = await transport({ timeoutMs: 2000 }).send(delivery(server.url));
    expect(result).toMatchObject({ ok: true, status: 200, snippet: 'z'.repeat(SNIPPET_BYTES) });
  });

  it('does not cut a multi-byte character in half at the snippet limit', async () => {
    const server = await target((response) => response.end(`${'a'.repeat(SNIPPET_BYTES - 1)}é and more`));
    const result = await transport().send(delivery(server.url));
    expect(result.snippet).toBe('a'.repeat(SNIPPET_BYTES - 1));
  });

  it('reports a 500 as a failed attempt with its status and body', async () => {
    const server = await target((response) => {
      response.statusCode = 500;
      response.end('database down');
    });
    const result = await transport().send(delivery(server.url));
    expect(result).toEqual({ ok: false, status: 500, snippet: 'database down', durationMs: expect.any(Number), retryAfter: null });
  });

  it('reports a 410 Gone with its status, for the dispatcher to delete the subscription', async () => {
    const server = await target((response) => {
      response.statusCode = 410;
      response.end();
    });
    expect(await transport().send(delivery(server.url))).toMatchObject({ ok: false, status: 410, snippet: '' });
  });

  it('reports a 429 with its Retry-After header', async () => {
    const server = await target((response) => {
      response.writeHead(429, { 'retry-after': '120' });
      response.end('slow down');
    });
    expect(await transport().send(delivery(server.url))).toMatchObject({ ok: false, status: 429, retryAfter: '120', snippet: 'slow down' });
  });

  it('does not follow a redirect: a 302 is a failed attempt and its location receives nothing', async () => {
    const elsewhere = await target();
    const server = await target((response) => {
      response.writeHead(302, { location: `${elsewhere.url}/stolen` });
      response.end();
    });
    const result = await transport().send(delivery(server.url));
    expect(result).toMatchObject({ ok: false, status: 302 });
    expect(result.error).toBeUndefined();
    expect(elsewhere.received).toHaveLength(0);
  });

  it('gives up on a target that never answers after about timeoutMs', async () => {
    const server = await target(() => {});
    const started = Date.now();
    const result = await transport({ timeoutMs: 300 }).send(delivery(server.url));
    const took = Date.now() - started;
    expect(result).toMatchObject({ ok: false, error: { code: 'timeout' } });
    expect(result.status).toBeUndefined();
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(1500);
    expect(result.durationMs).toBeGreaterThanOrEqual(290);
  });

  it('counts the body in the deadline: headers then a stalled body is a timeout, with the status seen', async () => {
    const server = await target((response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write('partial');
    });
    const started = Date.now();
    const result = await transport({ timeoutMs: 300 }).send(delivery(server.url));
    expect(result).toMatchObject({ ok: false, status: 200, error: { code: 'timeout' } });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  for (const host of ['localhost', '127.0.0.1']) {
    it(`refuses a loopback target named ${host} when private targets are not allowed, without connecting`, async () => {
      const server = await tcpCounter();
      const result = await transport({ allowPrivate: false }).send(delivery(`http://${host}:${server.port}/`));
      expect(result).toMatchObject({ ok: false, error: { code: 'refused_target' }, snippet: '', retryAfter: null });
      expect(result.error?.message).toMatch(/loopback, private or unspecified/);
      expect(result.status).toBeUndefined();
      expect(server.connections()).toBe(0);
    });

    it(`delivers to a loopback target named ${host} when private targets are allowed`, async () => {
      const server = await target();
      const result = await transport({ allowPrivate: true }).send(delivery(`http://${host}:${server.port}/`));
      expect(result).toMatchObject({ ok: true, status: 200, snippet: 'ok' });
      expect(server.received).toHaveLength(1);
    });
  }

  // The machine's own name resolves to loopback on a usual Linux host; an IP literal or
  // "localhost" would be judged from the URL alone and never reach the connect-time lookup.
  it.skipIf(!ownNameIsLoopback)(
    `delivers to a host name listed in LEARNHOOK_ALLOWED_TARGETS with its port, resolved to a private address at connect time (skipped when ${ownName} does not resolve to loopback)`,
    async () => {
      const host = ownName;
      const server = await target();
      const listed = transport({ allowPrivate: false, allowed: parseAllowedTargets(`${host}:${server.port}`) });
      expect(await listed.send(delivery(`http://${host}:${server.port}/`))).toMatchObject({ ok: true, status: 200 });
      const other = await tcpCounter();
      const refused = await listed.send(delivery(`http://${host}:${other.port}/`));
      expect(refused).toMatchObject({ ok: false, error: { code: 'refused_target' } });
      expect(refused.error?.message).toMatch(/LEARNHOOK_ALLOWED_TARGETS.*LEARNHOOK_ALLOW_PRIVATE_TARGETS/);
      expect(other.connections()).toBe(0);
      expect(server.received).toHaveLength(1);
    },
  );

  it('refuses a metadata address even when private targets are allowed, without connecting', async () => {
    const result = await transport({ allowPrivate: true }).send(delivery('http://169.254.169.254/latest/meta-data/'));
    expect(result).toMatchObject({ ok: false, error: { code: 'refused_target' } });
  });

  it('refuses a non-http scheme or a URL with credentials as a result, not a rejection', async () => {
    const send = transport().send;
    expect(await send(delivery('ftp://example.com/'))).toMatchObject({ ok: false, error: { code: 'refused_target' } });
    expect(await send(delivery('http://user:pw@127.0.0.1/'))).toMatchObject({ ok: false, error: { code: 'refused_target' } });
    expect(await send(delivery('not a url'))).toMatchObject({ ok: false, error: { code: 'refused_target' } });
  });

  it('reports a refused connection as connection_error', async () => {
    const result = await transport().send(delivery(`${await refusedUrl()}/`));
    expect(result).toMatchObject({ ok: false, error: { code: 'connection_error' } });
    expect(result.error?.message).toMatch(/ECONNREFUSED/);
  });

  it('reports a host name that does not resolve as dns_error', async () => {
    const result = await transport().send(delivery('http://learnhook-target.invalid/'));
    expect(result).toMatchObject({ ok: false, error: { code: 'dns_error' } });
  });

  it('reuses kept-alive connections across sequential sends to the same target', async () => {
    const server = await target();
    const send = transport().send;
    for (let i = 0; i < 20; i++) {
      expect((await send(delivery(server.url))).ok).toBe(true);
    }
    expect(server.received).toHaveLength(20);
    // undici sees the body end a tick before it marks the connection idle, so a send issued at
    // once opens a second connection; the two then take turns.
    expect(server.sockets.size).toBeLessThanOrEqual(2);
  });

  it('keeps the connection after reading past the snippet of a large body', async () => {
    const server = await target((response) => response.end('y'.repeat(64 * 1024)));
    const send = transport().send;
    for (let i = 0; i < 6; i++) await send(delivery(server.url));
    expect(server.sockets.size).toBeLessThanOrEqual(2);
  });
});

describe('createTransport().send after close', () => {
  it('answers connection_error at once, and leaves no deadline timer running to hold the thread open', async () => {
    const server = await target();
    const transport = createTransport({ allowPrivate: true, timeoutMs: 60_000, userAgent: 'learnhook-test/1' });
    await transport.close();
    const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const before = timers();
    const started = performance.now();
    const result = await transport.send(delivery(server.url));
    expect(result).toMatchObject({ ok: false, error: { code: 'connection_error' } });
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(timers()).toBe(before);
    expect(server.received).toHaveLength(0);
  });
});

describe('threadedTransport', () => {
  const options: TransportOptions = { allowPrivate: true, timeoutMs: 2000, userAgent: 'learnhook-test/1' };

  it('rejects the sends a dying thread had in flight and starts another thread for the next send', async () => {
    const server = await target();
    const threads: Worker[] = [];
    // The first thread dies on its first message; the second is the real one.
    const spawn = () => {
      const thread =
        threads.length === 0
          ? new Worker(`require('node:worker_threads').parentPort.on('message', () => { throw new Error('boom'); });`, { eval: true })
          : new Worker(new URL('./transport-thread.ts', import.meta.url), { workerData: options });
      threads.push(thread);
      return thread;
    };
    const transport = threadedTransport(options, spawn);
    onTestFinished(transport.close);
    await expect(transport.send(delivery(server.url))).rejects.toThrow('The delivery thread failed: boom');
    expect(await transport.send(delivery(server.url))).toMatchObject({ ok: true, status: 200 });
    expect(threads).toHaveLength(2);
    expect(server.received).toHaveLength(1);
  });

  it('answers each of many sends made in one turn with its own result, whatever order the answers come in', async () => {
    // Each answer names the path it was asked on, and later requests are answered first.
    const server = await target((response, received) => setTimeout(() => response.end(received.url ?? ''), 100 - Number(received.url?.slice(3))));
    const transport = threadedTransport(options);
    onTestFinished(transport.close);
    const paths = Array.from({ length: 40 }, (_, index) => `/d/${index}`);
    const results = await Promise.all(paths.map((path) => transport.send(delivery(server.url + path))));
    expect(results.map((result) => result.snippet)).toEqual(paths);
  });

  it('lets a send in flight finish before close resolves, and refuses sends after it', async () => {
    const server = await target((response) => setTimeout(() => response.end('late'), 200));
    const transport = threadedTransport(options);
    const sent = transport.send(delivery(server.url));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await transport.close();
    expect(await sent).toMatchObject({ ok: true, status: 200, snippet: 'late' });
    await expect(transport.send(delivery(server.url))).rejects.toThrow('The transport is closed.');
  });
});
