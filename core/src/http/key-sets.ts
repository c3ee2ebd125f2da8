import { abortAfter } from '../abort-after.ts';
import { checkTargetUrl, type TargetPolicyOptions } from '../delivery/target-policy.ts';
import { classifyFailure, policedAgent } from '../delivery/transport.ts';
import { KeySetUnavailableError, SignatureError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { JsonWebKeySet } from '../signatures/jwks.ts';
import type { KeySetNeed } from '../vendors/adapter.ts';

/**
 * The key sets signed ingest requests are checked against (Canvas's JWKS), fetched at the edge so
 * the adapters stay pure. A set is fetched when first needed and again when a request names a key
 * it lacks (a rotation: Instructure publishes the next key ahead of use), or when it is older than
 * maxAgeMs (a withdrawn key stops being trusted), but at most once per minIntervalMs per URL, so a
 * stream of tokens with made-up key ids cannot make the hub hammer the URL. Fetches go through the
 * delivery target policy (a connection's JWKS URL is settings, and must not reach the hub's own
 * network or a metadata service) with a deadline, and concurrent requests share one fetch.
 */

export interface KeySets {
  /**
   * The set at need.url, holding need.kid when it is published there. Throws SignatureError (401)
   * when the key is not listed even after a refresh, KeySetUnavailableError (503) when the set
   * cannot be read and no copy is at hand.
   */
  keysFor(need: KeySetNeed): Promise<JsonWebKeySet>;
  close(): Promise<void>;
}

export interface KeySetsOptions {
  policy: TargetPolicyOptions;
  userAgent: string;
  logger: Logger;
  /** Deadline for one fetch: connect, headers and body. */
  timeoutMs?: number;
  minIntervalMs?: number;
  maxAgeMs?: number;
  now?: () => number;
}

/** A key set is a few RSA keys; anything much larger is not one. */
const MAX_BYTES = 256 * 1024;

interface Entry {
  keys: JsonWebKeySet | null;
  fetchedAt: number;
  attemptedAt: number;
  inFlight: Promise<JsonWebKeySet> | null;
}

/** The body as text; null when it is larger than MAX_BYTES. */
async function readLimited(body: AsyncIterable<unknown>): Promise<string | null> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    if (!(chunk instanceof Uint8Array)) continue;
    size += chunk.byteLength;
    // Leaving the loop destroys the body and its connection.
    if (size > MAX_BYTES) break;
    chunks.push(chunk);
  }
  return size > MAX_BYTES ? null : Buffer.concat(chunks).toString('utf8');
}

const hasKey = (keys: JsonWebKeySet | null, kid: string) => keys?.keys.some((key) => key.kid === kid) ?? false;

export function createKeySets(options: KeySetsOptions): KeySets {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const minIntervalMs = options.minIntervalMs ?? 60_000;
  const maxAgeMs = options.maxAgeMs ?? 60 * 60_000;
  const now = options.now ?? Date.now;
  const agent = policedAgent(options.policy, timeoutMs);
  const entries = new Map<string, Entry>();

  /** One GET of the set; throws an Error whose message is safe to show (no resolved addresses). */
  async function download(url: string): Promise<JsonWebKeySet> {
    const parsed = checkTargetUrl(url, options.policy);
    const deadline = abortAfter(timeoutMs);
    let status: number;
    let text: string | null;
    try {
      const response = await agent.request({
        origin: parsed.origin,
        path: parsed.pathname + parsed.search,
        method: 'GET',
        headers: { accept: 'application/json', 'user-agent': options.userAgent },
        signal: deadline.signal,
      });
      status = response.statusCode;
      text = await readLimited(response.body);
    } catch (error) {
      throw new Error(classifyFailure(error, deadline.timedOut(), timeoutMs).message, { cause: error });
    } finally {
      deadline.clear();
    }
    // Redirects are not followed: a key set that moved is a settings change someone should see.
    if (status < 200 || status >= 300) throw new Error(`it answered ${status}`);
    if (text === null) throw new Error(`the answer is larger than ${MAX_BYTES} bytes`);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error('the answer is not JSON');
    }
    const keys = JsonWebKeySet.safeParse(json);
    if (!keys.success) throw new Error('the answer is not a JSON Web Key Set ({"keys": [...]})');
    return keys.data;
  }

  function refresh(url: string, entry: Entry): Promise<JsonWebKeySet> {
    if (entry.inFlight) return entry.inFlight;
    entry.attemptedAt = now();
    const fetching = download(url)
      .then((keys) => {
        entry.keys = keys;
        entry.fetchedAt = now();
        return keys;
      })
      .finally(() => {
        entry.inFlight = null;
      });
    entry.inFlight = fetching;
    return fetching;
  }

  async function keysFor({ url, kid }: KeySetNeed): Promise<JsonWebKeySet> {
    let entry = entries.get(url);
    if (!entry) {
      entry = { keys: null, fetchedAt: 0, attemptedAt: Number.NEGATIVE_INFINITY, inFlight: null };
      entries.set(url, entry);
    }
    const listed = hasKey(entry.keys, kid);
    const fresh = now() - entry.fetchedAt < maxAgeMs;
    if (listed && fresh) return entry.keys ?? { keys: [] };
    const waitMs = entry.attemptedAt + minIntervalMs - now();
    if (waitMs > 0 && !entry.inFlight) {
      if (listed && entry.keys) return entry.keys;
      if (entry.keys) throw unknownKey(url, kid);
      throw new KeySetUnavailableError(url, 'the last attempt failed', Math.ceil(waitMs / 1000));
    }
    try {
      const keys = await refresh(url, entry);
      if (!hasKey(keys, kid)) throw unknownKey(url, kid);
      return keys;
    } catch (error) {
      if (error instanceof SignatureError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      // A stale copy that lists the key beats a 503: the sender's event still gets through.
      if (listed && entry.keys) {
        options.logger.warn({ url, reason }, 'could not refresh a signing key set; checking with the copy fetched earlier');
        return entry.keys;
      }
      options.logger.warn({ url, reason }, 'could not read a signing key set: signed requests that need it are refused with 503 until it can be read');
      throw new KeySetUnavailableError(url, reason, Math.ceil(minIntervalMs / 1000), { cause: error });
    }
  }

  return { keysFor, close: () => agent.close() };
}

function unknownKey(url: string, kid: string): SignatureError {
  return new SignatureError(
    `The request is signed with key "${kid}", which the key set at ${url} does not list (learnhook reads the set again at most once a minute). ` +
      "If that URL is where the LMS publishes its keys, the request was not signed by the LMS; otherwise correct the connection's key set URL.",
  );
}
