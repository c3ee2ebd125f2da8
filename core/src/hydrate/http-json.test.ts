/*
 * Sources: RFC 9110 "HTTP Semantics" §10.2.3 Retry-After (delay-seconds or HTTP-date) and §15.4
 * Redirection 3xx; undici "Agent" / "Dispatcher.request" API docs (no redirects unless an
 * interceptor is added); Absorb "Integration API" authenticate (the token is a bare JSON string).
 */
import type http from 'node:http';
import { describe, expect, it } from 'vitest';
import { testLmsHttp as client } from '../testing/emulated-lms.ts';
import { rejectionOf } from '../testing/errors.ts';
import { refusedUrl } from '../testing/listen.ts';
import { recordingServer as lms } from '../testing/recording-server.ts';
import { LmsApiError } from './client.ts';
import { isRetryable } from './http-json.ts';

function reply(status: number, body: string, headers: Record<string, string> = {}) {
  return (response: http.ServerResponse) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(body);
  };
}

const failure = (promise: Promise<unknown>) => rejectionOf(LmsApiError, promise);

describe('createLmsHttp', () => {
  it('answers the parsed JSON body and sends the caller headers with its own', async () => {
    const server = await lms(reply(200, '{"id":"42","emailAddress":"ann@example.com"}'));
    const answer = await client().json({ url: `${server.url}/users/42?_limit=1`, headers: { 'X-Api-Version': '2' } });
    expect(answer).toEqual({ id: '42', emailAddress: 'ann@example.com' });
    const [request] = server.received;
    expect(request?.method).toBe('GET');
    expect(request?.url).toBe('/users/42?_limit=1');
    expect(request?.headers).toMatchObject({ accept: 'application/json', 'user-agent': 'learnhook-test/1', 'x-api-version': '2' });
  });

  it('posts a JSON body', async () => {
    const server = await lms(reply(200, '"token-abc"'));
    const answer = await client().json({ method: 'POST', url: `${server.url}/authenticate`, body: '{"username":"u"}' });
    expect(answer).toBe('token-abc');
    expect(server.received[0]).toMatchObject({ method: 'POST', body: '{"username":"u"}' });
    expect(server.received[0]?.headers['content-type']).toBe('application/json');
  });

  it('answers null for an empty 2xx body', async () => {
    const server = await lms((response) => {
      response.writeHead(204);
      response.end();
    });
    expect(await client().json({ url: `${server.url}/nothing` })).toBeNull();
  });

  it('answers null for 404', async () => {
    const server = await lms(reply(404, '{"message":"User not found"}'));
    expect(await client().json({ url: `${server.url}/users/missing` })).toBeNull();
  });

  it('reads Retry-After in seconds on 429 as a retryable error', async () => {
    const server = await lms(reply(429, '{"message":"slow down"}', { 'retry-after': '7' }));
    const error = await failure(client().json({ url: `${server.url}/users/1` }));
    expect(error.status).toBe(429);
    expect(error.retryAfterMs).toBe(7000);
    expect(isRetryable(error)).toBe(true);
  });

  it('reads Retry-After as an HTTP date on 429', async () => {
    const at = new Date(Date.now() + 120_000).toUTCString();
    const server = await lms(reply(429, '', { 'retry-after': at }));
    const error = await failure(client().json({ url: `${server.url}/users/1` }));
    expect(error.retryAfterMs).toBeGreaterThan(115_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(120_000);
  });

  it('says nothing of when to retry a 429 without Retry-After', async () => {
    const server = await lms(reply(429, ''));
    const error = await failure(client().json({ url: `${server.url}/users/1` }));
    expect(error.retryAfterMs).toBeNull();
  });

  it('makes a 5xx a retryable error with its status', async () => {
    const server = await lms(reply(503, 'down for maintenance', { 'retry-after': '2' }));
    const error = await failure(client().json({ url: `${server.url}/users/1` }));
    expect(error.status).toBe(503);
    expect(error.retryAfterMs).toBe(2000);
    expect(isRetryable(error)).toBe(true);
  });

  it('makes another 4xx an error that is not retryable', async () => {
    const server = await lms(reply(400, '{"message":"bad filter"}'));
    const error = await failure(client().json({ url: `${server.url}/users?_filter=x` }));
    expect(error.status).toBe(400);
    expect(isRetryable(error)).toBe(false);
    expect(error.message).toContain('bad filter');
  });

  it('never puts credentials into an error message, even when the LMS echoes them', async () => {
    const server = await lms((response, seen) => {
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ message: 'invalid token', echo: seen.headers }));
    });
    const error = await failure(
      client().json({
        url: `${server.url}/users/1?api_key=query-secret-123`,
        headers: { Authorization: 'Bearer token-secret-456', 'x-api-key': 'private-key-789' },
      }),
    );
    expect(error.status).toBe(401);
    expect(error.message).not.toContain('token-secret-456');
    expect(error.message).not.toContain('private-key-789');
    expect(error.message).not.toContain('query-secret-123');
    expect(error.message).toContain('/users/1');
  });

  it('never follows a redirect', async () => {
    const elsewhere = await lms(reply(200, '{"stolen":true}'));
    const server = await lms((response) => {
      response.writeHead(302, { location: `${elsewhere.url}/collect` });
      response.end();
    });
    const error = await failure(client().json({ url: `${server.url}/users/1`, headers: { Authorization: 'Bearer secret-token' } }));
    expect(error.status).toBe(302);
    expect(isRetryable(error)).toBe(false);
    expect(elsewhere.received).toHaveLength(0);
  });

  it('gives up on a slow LMS at the timeout with a retryable error', async () => {
    const server = await lms(() => {
      // Never answers.
    });
    const started = Date.now();
    const error = await failure(client().json({ url: `${server.url}/users/1`, timeoutMs: 150 }));
    expect(Date.now() - started).toBeLessThan(1500);
    expect(error.status).toBeNull();
    expect(error.message).toContain('150 ms');
    expect(isRetryable(error)).toBe(true);
  });

  it('applies the default timeout when the request names none', async () => {
    const server = await lms(() => {});
    const error = await failure(client(120).json({ url: `${server.url}/users/1` }));
    expect(error.message).toContain('120 ms');
  });

  it('makes a refused connection a retryable error', async () => {
    const error = await failure(client().json({ url: `${await refusedUrl()}/users/1` }));
    expect(error.status).toBeNull();
    expect(isRetryable(error)).toBe(true);
  });

  it('rejects a 2xx body that is not JSON without retrying it', async () => {
    const server = await lms(reply(200, '<html>login</html>'));
    const error = await failure(client().json({ url: `${server.url}/users/1` }));
    expect(error.status).toBe(200);
    expect(isRetryable(error)).toBe(false);
  });

  it('refuses an invalid URL without calling it LMS trouble', async () => {
    await expect(client().json({ url: 'not a url?key=secret' })).rejects.toThrow(TypeError);
  });

  it('keeps connections alive between requests', async () => {
    const server = await lms(reply(200, '{}'));
    const http = client();
    for (let i = 0; i < 10; i++) await http.json({ url: `${server.url}/users/${i}` });
    // undici marks a connection idle a tick after the body ends, so the next request may open one
    // more; the two then take turns instead of a connection per request.
    expect(server.sockets.size).toBeLessThanOrEqual(2);
  });
});
