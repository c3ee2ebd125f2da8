import type { RequestHandler } from 'express';
import { PayloadTooLargeError } from '../errors.ts';
import { sendError } from './error-handler.ts';

/**
 * Runs `parser` (an express body parser) under a size limit that answers 413 as soon as the limit
 * is passed. body-parser enforces its own limit too, but then reads the rest of the request off
 * the connection before it answers, so a client streaming an endless body would hold the
 * connection until the request timeout. Here a declared Content-Length over the limit is answered
 * at once, and a chunked body the moment it grows past the limit; `Connection: close` tells Node
 * to drop the connection after the answer instead of reading on.
 */
export function limitedBody(limitBytes: number, parser: RequestHandler): RequestHandler {
  return (req, res, next) => {
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > limitBytes) {
      refuse();
      return;
    }
    // With a Content-Length within the limit Node delivers no more than that: only chunked bodies are counted.
    if (declared === undefined && req.headers['transfer-encoding'] !== undefined) {
      let seen = 0;
      const count = (chunk: Buffer) => {
        seen += chunk.length;
        if (seen <= limitBytes) return;
        req.off('data', count);
        refuse();
      };
      req.on('data', count);
    }
    parser(req, res, next);

    function refuse(): void {
      if (res.headersSent) return;
      res.setHeader('Connection', 'close');
      sendError(res, new PayloadTooLargeError(limitBytes));
    }
  };
}
