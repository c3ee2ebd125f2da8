import http from 'node:http';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { listenForTest } from '../testing/listen.ts';
import { toLearnhookError } from './error-handler.ts';
import { readBody } from './request-body.ts';

const LIMIT = 1024;

/** A server answering what readBody made of the body: its bytes, or the error's status and code. */
async function server() {
  return listenForTest((req, res) => {
    readBody(req, res, LIMIT).then(
      (body) => res.end(body),
      (error: unknown) => {
        const known = toLearnhookError(error);
        res.statusCode = known?.status ?? 500;
        res.end(known?.code ?? String(error));
      },
    );
  });
}

function post(url: string, body: Buffer, headers: Record<string, string> = {}): Promise<{ status: number; text: string; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString(), connection: res.headers.connection }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

describe('reading an ingest body', () => {
  it('reads a body as sent, and inflates gzip, deflate and br bodies', async () => {
    const { url } = await server();
    const body = Buffer.from('{"event":"course completed"}');
    expect((await post(url, body)).text).toBe(body.toString());
    expect((await post(url, gzipSync(body), { 'content-encoding': 'gzip' })).text).toBe(body.toString());
    expect((await post(url, deflateSync(body), { 'content-encoding': 'deflate' })).text).toBe(body.toString());
    expect((await post(url, brotliCompressSync(body), { 'content-encoding': 'BR' })).text).toBe(body.toString());
  });

  it('refuses a body over the limit with 413 and closes the connection, also when sent chunked', async () => {
    const { url } = await server();
    const declared = await post(url, Buffer.alloc(LIMIT + 1, 'a'));
    expect(declared).toMatchObject({ status: 413, text: 'payload_too_large', connection: 'close' });
    const chunked = await post(url, Buffer.alloc(LIMIT * 4, 'a'), { 'transfer-encoding': 'chunked' });
    expect(chunked).toMatchObject({ status: 413, text: 'payload_too_large', connection: 'close' });
  });

  it('refuses a small compressed body that inflates past the limit with 413', async () => {
    const { url } = await server();
    const bomb = gzipSync(Buffer.alloc(LIMIT * 100, 'a'));
    expect(bomb.length).toBeLessThan(LIMIT);
    expect(await post(url, bomb, { 'content-encoding': 'gzip' })).toMatchObject({ status: 413, text: 'payload_too_large' });
  });

  it('refuses an encoding it cannot read with 415, and a gzip body that does not inflate with 400', async () => {
    const { url } = await server();
    expect(await post(url, Buffer.from('{}'), { 'content-encoding': 'zip' })).toMatchObject({ status: 415, text: 'unsupported_media_type' });
    expect(await post(url, Buffer.from('not gzip at all'), { 'content-encoding': 'gzip' })).toMatchObject({ status: 400, text: 'invalid_payload' });
  });
});
