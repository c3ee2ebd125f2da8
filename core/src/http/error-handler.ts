import type { ServerResponse } from 'node:http';
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { LearnhookError, NotFoundError, PayloadError, PayloadTooLargeError } from '../errors.ts';
import type { Logger } from '../logger.ts';

/** The one stable error shape every route answers: {error:{code, message, details}}. */
export interface ErrorBody {
  error: { code: string; message: string; details: unknown };
}

/**
 * body-parser and the router report what the caller got wrong as http-errors: a 4xx `status`, and
 * from body-parser a `type`. They are the caller's fault too, never a 500.
 */
function fromHttpError(error: unknown): LearnhookError | null {
  if (!(error instanceof Error) || !('status' in error) || typeof error.status !== 'number' || error.status < 400 || error.status > 499) return null;
  const type = 'type' in error ? error.type : undefined;
  if (type === 'entity.too.large' && 'limit' in error && typeof error.limit === 'number') {
    return new PayloadTooLargeError(error.limit);
  }
  if (type === 'entity.parse.failed') return new PayloadError('The request body is not valid JSON.');
  if (type === 'charset.unsupported' || type === 'encoding.unsupported') {
    return new LearnhookError(
      415,
      'unsupported_media_type',
      `The request body cannot be read (${error.message}); send UTF-8 JSON, uncompressed or gzip, deflate or br.`,
    );
  }
  // The router's: a %-escape in the path that does not decode.
  if (error instanceof URIError) return new LearnhookError(400, 'invalid_request', 'The URL path is not valid: one of its %-escapes does not decode.');
  // A compressed body that does not inflate, a body shorter than its Content-Length, ...
  return new PayloadError(`The request body could not be read: ${error.message}.`);
}

export function toLearnhookError(error: unknown): LearnhookError | null {
  return error instanceof LearnhookError ? error : fromHttpError(error);
}

/** A 429 or 503 tells the caller when to come back, whichever way the error is rendered. */
export function setRetryAfter(res: ServerResponse, known: LearnhookError): void {
  if ((known.status === 429 || known.status === 503) && 'retryAfterSeconds' in known) res.setHeader('Retry-After', String(known.retryAfterSeconds));
}

/** Answers a caller's error with its status and the one error shape (on express's response or node's own: /ingest has no express). */
export function sendError(res: ServerResponse, known: LearnhookError): void {
  setRetryAfter(res, known);
  const body: ErrorBody = { error: { code: known.code, message: known.message, details: known.details } };
  res.statusCode = known.status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}

/**
 * Maps every error to its status and body in one place; anything unexpected is a logged 500.
 * `route` is the route's pattern, never the path: an ingest path carries the connection's secret token.
 */
export function answerError<R extends ServerResponse>(
  res: R,
  error: unknown,
  context: { logger: Logger; method: string | undefined; route: string | null; send?: (res: R, error: LearnhookError) => void },
): void {
  // Already answered (limitedBody's early 413): the parser's own report of the same problem comes too late.
  if (res.headersSent) return;
  const send = context.send ?? sendError;
  const known = toLearnhookError(error);
  if (known) {
    send(res, known);
    return;
  }
  context.logger.error({ err: error, method: context.method, route: context.route }, 'unhandled error');
  send(res, new LearnhookError(500, 'internal_error', 'Something went wrong on the hub; it was logged.'));
}

/** The express end of answerError. `send` renders it: the API's JSON by default, the console's HTML page for the console. */
export function errorHandler(logger: Logger, send: (res: Response, error: LearnhookError) => void = sendError): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const route: unknown = req.route;
    const pattern = route !== null && typeof route === 'object' && 'path' in route ? String(route.path) : null;
    answerError(res, error, { logger, method: req.method, route: pattern, send });
  };
}

/** Unknown routes answer the same JSON error shape as everything else. */
export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new NotFoundError(`No route for ${req.method} ${req.path}.`));
};
