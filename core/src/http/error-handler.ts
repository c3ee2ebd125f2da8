import type { ErrorRequestHandler, RequestHandler } from 'express';
import { LearnhookError, NotFoundError, PayloadError, PayloadTooLargeError } from '../errors.ts';
import type { Logger } from '../logger.ts';

/** The one stable error shape every route answers: {error:{code, message, details}}. */
export interface ErrorBody {
  error: { code: string; message: string; details: unknown };
}

/** body-parser reports its own failures as errors with a `type`; they are the caller's fault too. */
function fromBodyParser(error: unknown): LearnhookError | null {
  if (typeof error !== 'object' || error === null || !('type' in error)) return null;
  if (error.type === 'entity.too.large' && 'limit' in error && typeof error.limit === 'number') {
    return new PayloadTooLargeError(error.limit);
  }
  if (error.type === 'entity.parse.failed') return new PayloadError('The request body is not valid JSON.');
  return null;
}

export function toLearnhookError(error: unknown): LearnhookError | null {
  return error instanceof LearnhookError ? error : fromBodyParser(error);
}

/** Maps every error to its status and body in one place; anything unexpected is a logged 500. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const known = toLearnhookError(error);
    if (known) {
      if (known.status === 429 && 'retryAfterSeconds' in known) res.setHeader('Retry-After', String(known.retryAfterSeconds));
      const body: ErrorBody = { error: { code: known.code, message: known.message, details: known.details } };
      res.status(known.status).json(body);
      return;
    }
    logger.error({ err: error, method: req.method, path: req.path }, 'unhandled error');
    const body: ErrorBody = { error: { code: 'internal_error', message: 'Something went wrong on the hub; it was logged.', details: null } };
    res.status(500).json(body);
  };
}

/** Unknown routes answer the same JSON error shape as everything else. */
export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new NotFoundError(`No route for ${req.method} ${req.path}.`));
};
