import { Agent } from 'undici';
import { abortAfter } from '../abort-after.ts';
import { retryAfterDelay } from '../retry-after.ts';
import { LmsApiError, type LmsHttp } from './client.ts';

/**
 * LmsHttp over undici: one keep-alive pool per LMS origin shared by every connection's client,
 * and the status mapping the vendor clients rely on (404 -> null, 429/5xx/timeouts -> retryable
 * LmsApiError). Knows no vendor.
 */

/** An answer larger than this is refused rather than buffered: a page of users is far smaller. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** How much of an error body goes into an error message, after credentials are blanked. */
const ERROR_SNIPPET_CHARS = 200;

/** Request headers whose values are credentials (Litmos names its key `apikey`): never echoed into an error message. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'x-api-key', 'apikey', 'proxy-authorization', 'cookie']);

export interface LmsHttpOptions {
  /** Deadline for one request (connect, headers and body together) when the caller gives none. */
  defaultTimeoutMs?: number;
  userAgent: string;
}

/** Where a request went, for messages: origin and path only, since a query may carry a key. */
function requestLine(method: string, url: URL): string {
  return `${method} ${url.origin}${url.pathname}`;
}

function errorCode(error: unknown): string | null {
  for (let current = error; current instanceof Error; current = current.cause) {
    if ('code' in current && typeof current.code === 'string') return current.code;
  }
  return null;
}

function headerValue(value: string | string[] | undefined): string | null {
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

/** Blanks every credential the request carried, in case the LMS echoes the request in its error. */
function redact(text: string, secrets: readonly string[]): string {
  let safe = text;
  for (const secret of secrets) safe = safe.split(secret).join('[redacted]');
  return safe;
}

/** The secret parts of credential headers: the whole value, and the token after a scheme ("Bearer x"). */
function secretsOf(headers: Readonly<Record<string, string>>): string[] {
  const secrets: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (!CREDENTIAL_HEADERS.has(name.toLowerCase())) continue;
    const token = value.trim().split(/\s+/).pop();
    // Very short values would blank ordinary words; a real credential is longer than this.
    for (const secret of [value, token]) if (secret && secret.length >= 6) secrets.push(secret);
  }
  return secrets;
}

async function readText(body: AsyncIterable<unknown>, where: string, status: number): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    if (!(chunk instanceof Uint8Array)) continue;
    size += chunk.byteLength;
    // Leaving the loop destroys the body and its connection: cheaper than reading on.
    if (size > MAX_BODY_BYTES) throw new LmsApiError(`The LMS answered ${where} with more than ${MAX_BODY_BYTES} bytes.`, { status });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Whether an error is worth trying again later: the LMS was unreachable or slow (no status), asked
 * us to slow down (429), timed the request out (408) or failed on its side (5xx). Other statuses
 * (400, 401, 403, a redirect) will answer the same until someone changes something.
 */
export function isRetryable(error: unknown): error is LmsApiError {
  if (!(error instanceof LmsApiError) || !error.retryable) return false;
  return error.status === null || error.status === 408 || error.status === 429 || error.status >= 500;
}

/** The LMS said no and will say it again (a 4xx other than 408/429): not worth repeating soon. */
export function isRefusal(error: unknown): error is LmsApiError {
  return error instanceof LmsApiError && !isRetryable(error);
}

/**
 * Creates the LmsHttp the vendor clients share. Redirects are never followed (an LMS API does not
 * move, and following one would send credentials elsewhere): a 3xx is an error with its status.
 * `close` lets in-flight requests finish, then closes the pooled connections.
 */
export function createLmsHttp(options: LmsHttpOptions): LmsHttp & { close(): Promise<void> } {
  const defaultTimeoutMs = options.defaultTimeoutMs ?? 10_000;
  // The overall deadline below is what callers rely on; undici's own timers only back it up.
  const agent = new Agent({ connect: { timeout: defaultTimeoutMs } });

  const json: LmsHttp['json'] = async (request) => {
    const method = request.method ?? 'GET';
    const timeoutMs = request.timeoutMs ?? defaultTimeoutMs;
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      // A settings mistake, not LMS trouble: not an LmsApiError, so nobody retries it. The URL
      // itself stays out of the message, since a query or user info may hold a key.
      throw new TypeError('The LMS API URL is not a valid URL.');
    }
    const where = requestLine(method, url);
    const given = request.headers ?? {};
    const secrets = secretsOf(given);

    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': options.userAgent };
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    for (const [name, value] of Object.entries(given)) headers[name.toLowerCase()] = value;

    const deadline = abortAfter(timeoutMs);
    try {
      let status: number;
      let text: string;
      let retryAfter: string | null;
      try {
        const response = await agent.request({
          origin: url.origin,
          path: url.pathname + url.search,
          method,
          headers,
          body: request.body ?? null,
          signal: deadline.signal,
        });
        status = response.statusCode;
        retryAfter = headerValue(response.headers['retry-after']);
        text = await readText(response.body, where, status);
      } catch (error) {
        if (error instanceof LmsApiError) throw error;
        const code = errorCode(error);
        if (deadline.timedOut()) throw new LmsApiError(`The LMS did not answer ${where} within ${timeoutMs} ms.`, { cause: error });
        throw new LmsApiError(`Could not reach the LMS for ${where}${code ? ` (${code})` : ''}.`, { cause: error });
      }

      if (status >= 200 && status < 300) {
        // Some endpoints answer 204 or an empty 200 for "nothing here".
        if (text.trim() === '') return null;
        try {
          const parsed: unknown = JSON.parse(text);
          return parsed;
        } catch (error) {
          throw new LmsApiError(`The LMS answered ${where} with ${status} and a body that is not JSON.`, { status, cause: error });
        }
      }
      if (status === 404) return null;

      const snippet = redact(text.trim().slice(0, ERROR_SNIPPET_CHARS), secrets);
      const detail = snippet ? `: ${snippet}` : '';
      if (status === 429) {
        const retryAfterMs = retryAfterDelay(retryAfter, Date.now());
        throw new LmsApiError(`The LMS rate-limited ${where} (429)${detail}`, { status, retryAfterMs });
      }
      if (status >= 500) {
        // 503 may carry Retry-After too (RFC 9110 §10.2.3).
        const retryAfterMs = retryAfterDelay(retryAfter, Date.now());
        throw new LmsApiError(`The LMS failed ${where} (${status})${detail}`, { status, retryAfterMs });
      }
      throw new LmsApiError(`The LMS refused ${where} (${status})${detail}`, { status });
    } finally {
      deadline.clear();
    }
  };

  return { json, close: () => agent.close() };
}
