import http from 'node:http';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger.ts';
import { listenForTest } from '../testing/listen.ts';
import { limitedBody } from './body-limit.ts';
import { errorHandler } from './error-handler.ts';

const LIMIT = 1024;

async function server() {
  const app = express();
  app.post('/', limitedBody(LIMIT, express.raw({ type: () => true, limit: LIMIT })), (req, res) => {
    res.json({ bytes: Buffer.isBuffer(req.body) ? req.body.length : 0 });
  });
  app.use(errorHandler(createLogger({ level: 'silent' })));
  return listenForTest(app);
}

/** Streams chunks until the server answers; resolves with the status and how many bytes had been written by then. */
function streamChunked(url: string, chunks: number, chunkBytes: number): Promise<{ status: number; sentBeforeAnswer: number }> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const request = http.request(url, { method: 'POST', headers: { 'transfer-encoding': 'chunked' } }, (response) => {
      answered = true;
      resolve({ status: response.statusCode ?? 0, sentBeforeAnswer: sent });
      response.resume();
    });
    request.on('error', (error) => (answered ? undefined : reject(error)));
    let left = chunks;
    const tick = () => {
      if (answered || left-- === 0) return void request.end();
      request.write(Buffer.alloc(chunkBytes, 'a'), () => {
        sent += chunkBytes;
        setTimeout(tick, 5);
      });
    };
    tick();
  });
}

describe('limitedBody', () => {
  it('answers 413 with Connection: close to a declared Content-Length over the limit without reading the body', async () => {
    const { url } = await server();
    const answer = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const request = http.request(url, { method: 'POST', headers: { 'content-length': String(LIMIT * 100) } }, resolve);
      request.on('error', reject);
      request.flushHeaders();
    });
    expect(answer.statusCode).toBe(413);
    expect(answer.headers.connection).toBe('close');
    answer.resume();
  });

  it('answers 413 to a chunked body as soon as it passes the limit, long before it ends', async () => {
    const { url } = await server();
    const { status, sentBeforeAnswer } = await streamChunked(url, 200, 256);
    expect(status).toBe(413);
    expect(sentBeforeAnswer).toBeGreaterThan(LIMIT);
    expect(sentBeforeAnswer).toBeLessThan(100 * 256);
  });

  it('passes a body within the limit to the parser, chunked or not', async () => {
    const { url } = await server();
    const chunked = await streamChunked(url, 3, 256);
    expect(chunked.status).toBe(200);
    const sized = await fetch(url, { method: 'POST', body: Buffer.alloc(LIMIT, 'a') });
    expect(await sized.json()).toEqual({ bytes: LIMIT });
  });
});
