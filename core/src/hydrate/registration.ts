import { retryAfterDelay } from '../retry-after.ts';

/**
 * Auto-registration (issue 16 §5): where an LMS has a webhook registration API, the hub registers
 * a connection's ingest URL there itself, for the events a person picked, and removes it when the
 * connection goes. A vendor folder offers it as `api-registration.ts`, beside its API client,
 * whose settings (base URL, credentials) it reuses.
 *
 * Registration runs when a person saves or deletes a connection, never on the event path, so it
 * goes over its own small HTTP client: no rate queue or circuit breaker, and DELETE, which the
 * hydration client's LmsHttp has no need for.
 */

/** What the hub asks an LMS to register. */
export interface RegistrationRequest {
  /** The connection's ingest URL, token included. */
  url: string;
  /** The connection's inbound settings, which hold the secret the LMS is to sign with (where it takes one). */
  inbound: Record<string, unknown>;
  /** The vendor's own event names, as its registration API spells them. */
  events: readonly string[];
  /** A label for the registration in the LMS's admin screens. */
  description: string;
}

/** The LMS's own record of a registration: its id unregisters it. */
export interface RemoteRegistration {
  id: string;
}

/** A vendor's webhook registration API, with the same settings as its API client. */
export interface VendorRegistration<Settings = unknown> {
  /** The event names a person may pick, in the vendor's own spelling (its inbound mapping's names). */
  events: readonly string[];
  /** Where, in plain words, a person finds and removes a registration by hand (shown when unregistering fails). */
  manualRemoval: string;
  register(settings: Settings, request: RegistrationRequest, http: RegistrationHttp): Promise<RemoteRegistration>;
  /** Removes a registration; one the LMS no longer has counts as removed. */
  unregister(settings: Settings, remoteId: string, http: RegistrationHttp): Promise<void>;
}

/** One HTTP exchange with an LMS's registration API. */
export interface RegistrationHttp {
  request(request: { method: 'GET' | 'POST' | 'PUT' | 'DELETE'; url: string; headers?: Record<string, string>; body?: string }): Promise<{
    status: number;
    /** The parsed JSON answer; the text when it is not JSON; null when empty. */
    body: unknown;
  }>;
}

/** The LMS refused or could not be reached; `message` says which, in words a person can act on. */
export class RegistrationError extends Error {
  readonly status: number | null;
  constructor(message: string, options: { status?: number | null; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'RegistrationError';
    this.status = options.status ?? null;
  }
}

/** How long one registration call may take: a person is waiting on the form. */
const TIMEOUT_MS = 10_000;

/** A 429 is waited out once, if the LMS asks for no longer than this; a person is waiting. */
const MAX_WAIT_MS = 5_000;

/** One exchange, with the Retry-After a 429 carries. */
async function send(
  { method, url, headers = {}, body }: Parameters<RegistrationHttp['request']>[0],
  options: { userAgent: string; timeoutMs?: number | undefined },
): Promise<{ status: number; body: unknown; retryAfter: string | null }> {
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: { 'user-agent': options.userAgent, accept: 'application/json', ...headers },
      ...(body === undefined ? {} : { body }),
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs ?? TIMEOUT_MS),
    });
  } catch (error) {
    const where = new URL(url);
    // Origin and path only: a query could carry a credential.
    throw new RegistrationError(`No answer from ${where.origin}${where.pathname}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const text = await response.text();
  const retryAfter = response.headers.get('retry-after');
  if (!text) return { status: response.status, body: null, retryAfter };
  try {
    return { status: response.status, body: JSON.parse(text) as unknown, retryAfter };
  } catch {
    return { status: response.status, body: text, retryAfter };
  }
}

/** Registration calls over fetch, with a deadline; network failures become RegistrationError, a short 429 is waited out once. */
export function createRegistrationHttp(options: { userAgent: string; timeoutMs?: number }): RegistrationHttp {
  return {
    async request(request) {
      const first = await send(request, options);
      if (first.status !== 429) return first;
      // The registration API shares the LMS's rate limit with hydration: a busy moment is waited out once.
      const wait = retryAfterDelay(first.retryAfter, Date.now()) ?? 1000;
      if (wait > MAX_WAIT_MS) return first;
      await new Promise((resolve) => setTimeout(resolve, wait));
      return send(request, options);
    },
  };
}

/**
 * For registration APIs that take one event per webhook (Kajabi's hooks, Thinkific's webhooks):
 * creates one for each event and answers their ids joined with commas, the connection's one
 * remote id. All or nothing: when the LMS refuses one, those already made are removed and the
 * refusal is thrown, since a half-registered connection would miss events nobody is told about.
 */
export async function registerOnePerEvent(
  events: readonly string[],
  create: (event: string) => Promise<string>,
  remove: (id: string) => Promise<void>,
): Promise<RemoteRegistration> {
  const made: string[] = [];
  try {
    for (const event of events) made.push(await create(event));
  } catch (error) {
    for (const id of made) await remove(id).catch(() => undefined);
    throw error;
  }
  return { id: made.join(',') };
}

/** Removes every webhook a registerOnePerEvent id names; tries them all, then reports each that failed. */
export async function unregisterEach(remoteId: string, remove: (id: string) => Promise<void>): Promise<void> {
  const failures: string[] = [];
  for (const id of remoteId.split(',').filter(Boolean)) {
    await remove(id).catch((error: unknown) => {
      failures.push(error instanceof Error ? error.message : String(error));
    });
  }
  if (failures.length) throw new RegistrationError(failures.join(' '));
}
