/**
 * Every error a caller can cause is one of these: it owns its HTTP status and a stable
 * machine-readable code, so the HTTP layer maps all of them in one place (http/error-handler.ts).
 * Anything that is not a LearnhookError is a bug and becomes a logged 500 with a generic body.
 */
export class LearnhookError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, options: { details?: unknown; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.details = options.details ?? null;
  }
}

/** A vendor signature or shared secret did not match (401). */
export class SignatureError extends LearnhookError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(401, 'invalid_signature', message, options);
  }
}

/** Missing or wrong credentials: API key, Basic auth, ingest token (401). */
export class AuthenticationError extends LearnhookError {
  constructor(message = 'Missing or invalid credentials.') {
    super(401, 'unauthorized', message);
  }
}

/** Authenticated, but the key's scopes do not allow this (403). */
export class ForbiddenError extends LearnhookError {
  constructor(message: string) {
    super(403, 'forbidden', message);
  }
}

export interface PayloadIssue {
  /** Where in the body the problem is, e.g. "events.0.eventName". Empty for the whole body. */
  path: string;
  message: string;
}

/** The body is not valid JSON or not of the vendor's documented shape (400). */
export class PayloadError extends LearnhookError {
  readonly issues: readonly PayloadIssue[];

  constructor(message: string, issues: readonly PayloadIssue[] = []) {
    super(400, 'invalid_payload', message, { details: { issues } });
    this.issues = issues;
  }
}

/** The request carries a media type the endpoint cannot read (415). */
export class UnsupportedMediaTypeError extends LearnhookError {
  constructor(contentType: string) {
    super(415, 'unsupported_media_type', `Content-Type ${JSON.stringify(contentType)} is not supported; send application/json.`);
  }
}

/** The body is over the endpoint's size limit (413). */
export class PayloadTooLargeError extends LearnhookError {
  constructor(limitBytes: number) {
    super(413, 'payload_too_large', `The request body is larger than the limit of ${limitBytes} bytes.`, {
      details: { limit_bytes: limitBytes },
    });
  }
}

/** Something named in the URL does not exist (404). */
export class NotFoundError extends LearnhookError {
  constructor(message: string) {
    super(404, 'not_found', message);
  }
}

/** The same id was sent before with different content (409). */
export class ConflictError extends LearnhookError {
  constructor(message: string, details?: unknown) {
    super(409, 'conflict', message, { details });
  }
}

/** Too many requests; retry after the given number of seconds (429). */
export class RateLimitError extends LearnhookError {
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number, message = `Too many requests; retry after ${retryAfterSeconds} s.`) {
    super(429, 'rate_limited', message, {
      details: { retry_after_seconds: retryAfterSeconds },
    });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * The keys a request's signature is checked against are published at a URL that could not be read
 * (unreachable, slow, not a key set): nothing of the request was kept, and it may be sent again
 * later (503 with Retry-After). The message names the URL, which is public configuration.
 */
export class KeySetUnavailableError extends LearnhookError {
  readonly retryAfterSeconds: number;

  constructor(url: string, reason: string, retryAfterSeconds: number, options: { cause?: unknown } = {}) {
    super(
      503,
      'key_set_unavailable',
      `learnhook could not read the signing keys at ${url} (${reason}), so it cannot check this request's signature. Nothing of it was kept; send it again in ${retryAfterSeconds} s. An LMS that does not retry has lost this event: the connection's recent arrivals in the console show the refusal.`,
      { details: { url, reason, retry_after_seconds: retryAfterSeconds }, cause: options.cause },
    );
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Why the store refused a write: its disk is full, it is read-only, or the disk failed. */
export type StoreFailure = 'disk_full' | 'read_only' | 'io_error';

/** What a person reads about each failure, with what to do; the hub resumes by itself once it is fixed. */
const STORE_FAILURE_TEXT: Record<StoreFailure, string> = {
  disk_full: 'the disk that holds its store is full (free space there)',
  read_only: 'its store is read-only (make the data file and its folder writable, or the PostgreSQL database writable again)',
  io_error: 'the disk that holds its store reports an I/O error (check the disk and the system log)',
};

/**
 * The store cannot write (disk full, read-only, I/O error): nothing of the request was kept, and
 * it should be sent again later (503 with Retry-After). DESIGN §9: never a 2xx the hub cannot keep.
 */
export class StoreUnavailableError extends LearnhookError {
  readonly reason: StoreFailure;
  readonly retryAfterSeconds: number;

  constructor(reason: StoreFailure, options: { retryAfterSeconds?: number; cause?: unknown } = {}) {
    const retryAfterSeconds = options.retryAfterSeconds ?? 30;
    super(
      503,
      'store_unavailable',
      `learnhook cannot store anything right now: ${STORE_FAILURE_TEXT[reason]}. Nothing of this request was kept; send it again in ${retryAfterSeconds} s. The hub resumes by itself once it can write.`,
      { details: { reason, retry_after_seconds: retryAfterSeconds }, cause: options.cause },
    );
    this.reason = reason;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * A `learnhook` command cannot go on: a flag or argument is wrong, or a hub, sandbox or port it
 * needs is not there. Not an HTTP error: the CLI prints the message and exits 1.
 */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}
