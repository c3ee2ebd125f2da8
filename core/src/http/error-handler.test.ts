import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthenticationError, ForbiddenError, PayloadError, RateLimitError, SignatureError, UnsupportedMediaTypeError } from '../errors.ts';
import { createLogger } from '../logger.ts';
import { listen } from '../testing/listen.ts';
import { errorHandler, notFoundHandler } from './error-handler.ts';

const logged: string[] = [];
const logger = createLogger({ destination: { write: (line: string) => logged.push(line) } });

const thrown: Record<string, () => Error> = {
  signature: () => new SignatureError('ms-signature does not match the body.'),
  auth: () => new AuthenticationError(),
  scope: () => new ForbiddenError('This key lacks the admin scope.'),
  payload: () =>
    new PayloadError('The body is not a valid Learn365 notification at Notifications.0.Action: Required.', [
      { path: 'Notifications.0.Action', message: 'Required' },
    ]),
  media: () => new UnsupportedMediaTypeError('text/csv'),
  rate: () => new RateLimitError(7),
  bug: () => new Error('database password is hunter2'),
};

let server: Awaited<ReturnType<typeof listen>>;

beforeAll(async () => {
  const app = express();
  app.post('/raw', express.raw({ type: () => true, limit: 64 }), (req, res) => {
    res.json({ bytes: (req.body as Buffer).length });
  });
  app.post('/json', express.json({ limit: 1024 }), (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/throw/:kind', (req) => {
    throw thrown[req.params.kind]?.() ?? new Error('unknown');
  });
  const ingest = express.Router();
  ingest.post('/:connection/:token', () => {
    throw new Error('store unavailable');
  });
  app.use('/ingest', ingest);
  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  server = await listen(app);
});

afterAll(() => server.close());

async function get(path: string, init?: RequestInit) {
  const response = await fetch(server.url + path, init);
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as { error: { code: string; message: string; details: unknown } },
  };
}

describe('the error handler', () => {
  it.each([
    ['signature', 401, 'invalid_signature'],
    ['auth', 401, 'unauthorized'],
    ['scope', 403, 'forbidden'],
    ['payload', 400, 'invalid_payload'],
    ['media', 415, 'unsupported_media_type'],
    ['rate', 429, 'rate_limited'],
  ])('answers a %s error with status %i and code %s in the stable shape', async (kind, status, code) => {
    const { status: got, body } = await get(`/throw/${kind}`);
    expect(got).toBe(status);
    expect(body.error.code).toBe(code);
    expect(typeof body.error.message).toBe('string');
    expect(body.error).toHaveProperty('details');
  });

  it('names the failing path of a malformed body in details', async () => {
    const { body } = await get('/throw/payload');
    expect(body.error.details).toEqual({ issues: [{ path: 'Notifications.0.Action', message: 'Required' }] });
  });

  it('tells a rate-limited caller when to retry', async () => {
    const { headers } = await get('/throw/rate');
    expect(headers.get('retry-after')).toBe('7');
  });

  it('answers an unexpected error with a generic 500 and logs it, without echoing its message', async () => {
    const { status, body } = await get('/throw/bug');
    expect(status).toBe(500);
    expect(body.error.code).toBe('internal_error');
    expect(JSON.stringify(body)).not.toContain('hunter2');
    expect(logged.some((line) => line.includes('unhandled error'))).toBe(true);
  });

  it('logs the route pattern of an unexpected error, never the path with its secret ingest token', async () => {
    const response = await fetch(`${server.url}/ingest/acme/tok-s3cr3t-in-the-path`, { method: 'POST' });
    expect(response.status).toBe(500);
    const line = logged.find((entry) => entry.includes('store unavailable'));
    expect(line).toContain('"route":"/:connection/:token"');
    expect(logged.join('\n')).not.toContain('s3cr3t');
  });

  it('answers a body over the limit with 413 payload_too_large', async () => {
    const { status, body } = await get('/raw', { method: 'POST', body: 'x'.repeat(65) });
    expect(status).toBe(413);
    expect(body.error).toEqual({ code: 'payload_too_large', message: expect.stringContaining('64 bytes'), details: { limit_bytes: 64 } });
  });

  it('answers unparseable JSON with 400 invalid_payload', async () => {
    const { status, body } = await get('/json', { method: 'POST', body: '{"a":', headers: { 'content-type': 'application/json' } });
    expect(status).toBe(400);
    expect(body.error.code).toBe('invalid_payload');
  });

  it.each([
    ['an unsupported charset', { 'content-type': 'application/json; charset=latin1' }, '{}', 415, 'unsupported_media_type'],
    ['an unknown Content-Encoding', { 'content-type': 'application/json', 'content-encoding': 'zip' }, '{}', 415, 'unsupported_media_type'],
    ['a gzip body that does not inflate', { 'content-type': 'application/json', 'content-encoding': 'gzip' }, 'not gzip', 400, 'invalid_payload'],
  ])('answers %s as a client error, not a 500', async (_what, headers, body, status, code) => {
    const answer = await get('/json', { method: 'POST', headers, body });
    expect(answer.status).toBe(status);
    expect(answer.body.error.code).toBe(code);
  });

  it('answers a path whose %-escapes do not decode with 400', async () => {
    const { status, body } = await get('/throw/%E0%A4%A');
    expect(status).toBe(400);
    expect(body.error.code).toBe('invalid_request');
  });

  it('answers an unknown route with 404 in the same shape', async () => {
    const { status, body } = await get('/v1/nothing-here');
    expect(status).toBe(404);
    expect(body.error.code).toBe('not_found');
  });
});
