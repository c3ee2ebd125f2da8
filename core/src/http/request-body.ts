import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { LearnhookError, PayloadError, PayloadTooLargeError } from '../errors.ts';

type Inflate = (buffer: Buffer, options: zlib.ZlibOptions & zlib.BrotliOptions) => Promise<Buffer>;

/** The Content-Encodings LMSs use, as body-parser reads them; identity is no encoding. */
const INFLATE: Record<string, Inflate> = {
  gzip: promisify(zlib.gunzip),
  'x-gzip': promisify(zlib.gunzip),
  deflate: promisify(zlib.inflate),
  br: promisify(zlib.brotliDecompress),
};

/**
 * Reads a request's whole body, at most `limitBytes` of it both as sent and once inflated (a small
 * gzip may not become a huge body). A declared Content-Length over the limit is refused before a
 * byte is read, and a chunked body the moment it passes the limit; `Connection: close` then tells
 * Node to drop the connection after the 413 instead of reading on.
 */
export function readBody(req: IncomingMessage, res: ServerResponse, limitBytes: number): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const tooLarge = () => {
      res.setHeader('Connection', 'close');
      reject(new PayloadTooLargeError(limitBytes));
    };
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > limitBytes) {
      tooLarge();
      return;
    }
    const chunks: Buffer[] = [];
    let seen = 0;
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen <= limitBytes) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData);
      req.off('end', onEnd);
      req.resume();
      tooLarge();
    };
    const onEnd = () => resolve(chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks, seen));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', (error) => reject(new PayloadError(`The request body could not be read: ${error.message}.`)));
  }).then((body) => inflated(req, res, body, limitBytes));
}

async function inflated(req: IncomingMessage, res: ServerResponse, body: Buffer, limitBytes: number): Promise<Buffer> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity') return body;
  const inflate = INFLATE[encoding];
  if (!inflate) {
    throw new LearnhookError(
      415,
      'unsupported_media_type',
      `The request body cannot be read (unsupported content encoding "${encoding}"); send UTF-8 JSON, uncompressed or gzip, deflate or br.`,
    );
  }
  try {
    return await inflate(body, { maxOutputLength: limitBytes });
  } catch (error) {
    if (error instanceof RangeError) {
      res.setHeader('Connection', 'close');
      throw new PayloadTooLargeError(limitBytes);
    }
    throw new PayloadError(`The request body could not be read: ${error instanceof Error ? error.message : String(error)}.`);
  }
}
