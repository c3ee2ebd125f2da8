import { lookup as dnsLookup } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { performance } from 'node:perf_hooks';
import { StringDecoder } from 'node:string_decoder';
import { Agent, Pool } from 'undici';
import { abortAfter } from '../abort-after.ts';
import { checkTargetAddress, checkTargetUrl, type TargetOrigin, type TargetPolicyOptions, TargetRefusedError, targetOrigin } from './target-policy.ts';

/**
 * One delivery attempt over HTTP: POST a signed body to a subscriber's URL and say what came back.
 * Knows nothing of retries or subscriptions; the dispatcher decides what a result means.
 */

/** How much of a response body is kept for the delivery record. */
export const SNIPPET_BYTES = 1024;

/**
 * Past the snippet, this much more of a body is read and dropped so the connection can be reused;
 * beyond it, closing the connection is cheaper than reading on.
 */
const DRAIN_LIMIT_BYTES = 128 * 1024;

export interface TransportOptions extends TargetPolicyOptions {
  /** Deadline for one attempt: connect, send, response headers and body together. */
  timeoutMs: number;
  userAgent: string;
}

export interface TransportRequest {
  url: string;
  /** Sent as given (names are case-insensitive); content-type defaults to application/json. */
  headers: Readonly<Record<string, string>>;
  body: string;
}

export type TransportErrorCode =
  /** The attempt did not finish within timeoutMs (connect, headers or body). */
  | 'timeout'
  /** The URL or a resolved address is not allowed by the target policy; nothing was sent. */
  | 'refused_target'
  /** The host name did not resolve. */
  | 'dns_error'
  /** Connection refused or reset, TLS failure, malformed response, and the like. */
  | 'connection_error';

export interface TransportError {
  code: TransportErrorCode;
  /** Safe to store and show to the subscriber: no URL, no headers. */
  message: string;
}

interface Observed {
  /** The first SNIPPET_BYTES of the response body as UTF-8 text (empty when there was no response). */
  snippet: string;
  durationMs: number;
  /** The response's Retry-After header, unparsed (see retryAfterDelay). */
  retryAfter: string | null;
}

/**
 * What one attempt came to. `ok` is true for a 2xx; a response with any other status (3xx
 * included: redirects are not followed) is `ok: false` with that status; no usable response at
 * all is `ok: false` with an `error`, and `status` only if headers arrived before the failure.
 */
export type TransportResult =
  | (Observed & { ok: true; status: number; error?: undefined })
  | (Observed & { ok: false; status: number; error?: undefined })
  | (Observed & { ok: false; status?: number; error: TransportError });

export interface Transport {
  /** POSTs the body. Never rejects for anything the target or the network does. */
  send(request: TransportRequest): Promise<TransportResult>;
  /** Lets in-flight attempts finish, then closes every pooled connection. */
  close(): Promise<void>;
}

/**
 * Resolves like dns.lookup but fails with TargetRefusedError when any address the name resolves
 * to is refused: checking here, at connect time, is what stops a name that passed when the
 * subscription was made from being re-pointed at a private address (DNS rebinding).
 */
function guardedLookup(policy: TargetPolicyOptions, origin: TargetOrigin): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) {
        callback(error, '');
        return;
      }
      const refused = addresses.map(({ address }) => policyError(address, policy, origin)).find((refusal) => refusal !== null);
      const first = addresses[0];
      if (refused) callback(refused, '');
      else if (first === undefined) callback(Object.assign(new Error(`No address for ${hostname}.`), { code: 'ENOTFOUND' }), '');
      else if (options.all) callback(null, addresses);
      else callback(null, first.address, first.family);
    });
  };
}

function policyError(address: string, policy: TargetPolicyOptions, origin: TargetOrigin): TargetRefusedError | null {
  try {
    checkTargetAddress(address, policy, origin);
    return null;
  } catch (error) {
    if (error instanceof TargetRefusedError) return error;
    throw error;
  }
}

/** Reads the body into a snippet, draining the rest without keeping it. */
async function readSnippet(body: AsyncIterable<unknown>): Promise<string> {
  const decoder = new StringDecoder('utf8');
  let snippet = '';
  let seen = 0;
  for await (const chunk of body) {
    if (!(chunk instanceof Uint8Array)) continue;
    // StringDecoder holds back a character cut at the byte limit: better dropped than shown as U+FFFD.
    if (seen < SNIPPET_BYTES) snippet += decoder.write(chunk.subarray(0, SNIPPET_BYTES - seen));
    seen += chunk.byteLength;
    // Leaving the loop destroys the body and with it the connection.
    if (seen > SNIPPET_BYTES + DRAIN_LIMIT_BYTES) break;
  }
  return snippet;
}

function errorCode(error: unknown): string | null {
  for (let current = error; current instanceof Error; current = current.cause) {
    if ('code' in current && typeof current.code === 'string') return current.code;
  }
  return null;
}

function findRefusal(error: unknown): TargetRefusedError | null {
  for (let current = error; current instanceof Error; current = current.cause) {
    if (current instanceof TargetRefusedError) return current;
    if (current instanceof AggregateError) {
      const inner = current.errors.map(findRefusal).find((refusal) => refusal !== null);
      if (inner) return inner;
    }
  }
  return null;
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);
const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NODATA', 'EAI_NONAME', 'EAI_FAIL']);

/** What went wrong with a request that got no usable answer, safe to show: no URL, no headers. */
export function classifyFailure(error: unknown, timedOut: boolean, timeoutMs: number): TransportError {
  if (timedOut) return { code: 'timeout', message: `The target did not answer within ${timeoutMs} ms.` };
  const refusal = findRefusal(error);
  if (refusal) return { code: 'refused_target', message: refusal.message };
  const code = errorCode(error);
  if (code !== null && TIMEOUT_CODES.has(code)) return { code: 'timeout', message: `The target did not answer within ${timeoutMs} ms.` };
  if (code !== null && DNS_CODES.has(code)) return { code: 'dns_error', message: `The target host name did not resolve (${code}).` };
  const detail = error instanceof Error ? error.message : String(error);
  return { code: 'connection_error', message: code === null ? detail : `${code}: ${detail}` };
}

function headerValue(value: string | string[] | undefined): string | null {
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

/**
 * An undici agent whose every connection is judged by the target policy at connect time: one pool
 * per origin, so the lookup knows the host and port that LEARNHOOK_ALLOWED_TARGETS entries name.
 * IP-literal hosts skip lookup: the caller judges those with checkTargetUrl before any request.
 */
export function policedAgent(policy: TargetPolicyOptions, connectTimeoutMs: number): Agent {
  return new Agent({
    factory: (origin, pool) =>
      new Pool(origin, { ...pool, connect: { lookup: guardedLookup(policy, targetOrigin(new URL(origin))), timeout: connectTimeoutMs } }),
  });
}

/**
 * A transport with one keep-alive connection pool per target origin, shared by all sends.
 * Applies the target policy to the URL before sending and to every resolved address at connect.
 */
export function createTransport(options: TransportOptions): Transport {
  const policy: TargetPolicyOptions = { allowPrivate: options.allowPrivate, allowed: options.allowed ?? [] };
  const agent = policedAgent(policy, options.timeoutMs);

  async function send(request: TransportRequest): Promise<TransportResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    let url: URL;
    try {
      url = checkTargetUrl(request.url, policy);
    } catch (error) {
      const refusal = findRefusal(error);
      if (!refusal) throw error;
      return { ok: false, error: { code: 'refused_target', message: refusal.message }, snippet: '', durationMs: elapsed(), retryAfter: null };
    }

    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': options.userAgent };
    for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;

    const deadline = abortAfter(options.timeoutMs);
    let status: number | undefined;
    let retryAfter: string | null = null;
    try {
      const response = await agent.request({
        origin: url.origin,
        path: url.pathname + url.search,
        method: 'POST',
        headers,
        body: request.body,
        signal: deadline.signal,
      });
      status = response.statusCode;
      retryAfter = headerValue(response.headers['retry-after']);
      const snippet = await readSnippet(response.body);
      const observed = { status: response.statusCode, snippet, durationMs: elapsed(), retryAfter };
      return status >= 200 && status < 300 ? { ok: true, ...observed } : { ok: false, ...observed };
    } catch (error) {
      return { ok: false, status, error: classifyFailure(error, deadline.timedOut(), options.timeoutMs), snippet: '', durationMs: elapsed(), retryAfter };
    } finally {
      deadline.clear();
    }
  }

  return { send, close: () => agent.close() };
}
