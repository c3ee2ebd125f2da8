import type { Bundle, HttpResponse, ZObject } from 'zapier-platform-core';
import { z as zod } from 'zod';

/**
 * Every call the app makes to the learnhook hub goes through `callHub`, so a Zapier user sees the
 * same kind of message whatever went wrong: the hub's own words ({error:{code,message}}, README
 * "The API") as a Zapier error, never a stack trace or a JSON dump of the response.
 */

export interface HubRequest {
  method?: 'GET' | 'POST' | 'DELETE';
  /** Starts with /v1. */
  path: string;
  params?: Record<string, string | undefined>;
  body?: unknown;
  /** Statuses (>= 400) that are an answer rather than a failure, e.g. 404 when deleting. */
  acceptStatuses?: readonly number[];
}

export interface HubAnswer {
  status: number;
  /** The parsed JSON body; undefined when there is none. */
  body: unknown;
}

const ErrorBody = zod.object({
  error: zod.object({
    code: zod.string(),
    message: zod.string(),
    details: zod.unknown().optional(),
  }),
});

const IssueDetails = zod.object({
  issues: zod.array(zod.object({ path: zod.string(), message: zod.string() })).min(1),
});

/**
 * The hub's base URL from what the user typed: a missing scheme means https, and a trailing
 * slash or "/v1" (copied from the API docs) is dropped. Null when it is not a web address.
 */
export function hubBaseUrl(typed: string | undefined): string | null {
  const trimmed = typed?.trim();
  if (!trimmed) return null;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  const pathname = url.pathname.replace(/\/+$/, '').replace(/\/v1$/, '');
  return `${url.origin}${pathname}`;
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** What a connection failure says, without the stack: "connect ECONNREFUSED 127.0.0.1:9". */
function networkReason(error: unknown): string | null {
  if (!(error instanceof Error)) return null;
  // node-fetch (inside z.request) reports refused connections, DNS failures and timeouts this way.
  if (error.name !== 'FetchError' && error.name !== 'AbortError') return null;
  return error.message.replace(/^request to \S+ failed, reason: /, '');
}

/** The message a Zapier user sees for a hub error answer. */
export function hubErrorMessage(status: number, body: unknown, baseUrl: string): { code: string; message: string } {
  const parsed = ErrorBody.safeParse(body);
  if (!parsed.success) {
    return {
      code: 'not_a_hub',
      message: `${baseUrl} answered HTTP ${status} without a learnhook error. Check that the Hub URL in this connection points at your learnhook hub.`,
    };
  }
  const { code, message, details } = parsed.data.error;
  const issues = IssueDetails.safeParse(details);
  const where = issues.success ? ` (${issues.data.issues.map((issue) => `${issue.path || 'body'}: ${issue.message}`).join('; ')})` : '';
  return { code, message: `${message}${where}` };
}

function throwHubError(z: ZObject, status: number, body: unknown, baseUrl: string): never {
  const { code, message } = hubErrorMessage(status, body, baseUrl);
  // A rejected key is a connection that needs new credentials: Zapier asks the user to reconnect.
  if (status === 401) {
    throw new z.errors.ExpiredAuthError(`The learnhook hub refused the API key: ${message} Reconnect with a new key from API keys in your learnhook console.`);
  }
  if (status >= 500) {
    throw new z.errors.Error(
      `The learnhook hub could not do this right now (HTTP ${status}): ${message} Try again in a few minutes; if it keeps failing, ask whoever runs your hub to look at its log.`,
      code,
      status,
    );
  }
  throw new z.errors.Error(message, code, status);
}

/** Calls the hub named by the connection; answers its status and JSON, or throws a Zapier error. */
export async function callHub(z: ZObject, bundle: Pick<Bundle, 'authData'>, request: HubRequest): Promise<HubAnswer> {
  const baseUrl = hubBaseUrl(bundle.authData.hub_url);
  if (!baseUrl) {
    throw new z.errors.Error('The Hub URL of this connection is not a web address; enter it like https://learnhook.example.com.', 'invalid_hub_url', 400);
  }
  const params = Object.fromEntries(
    Object.entries(request.params ?? {}).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''),
  );
  let response: HttpResponse<unknown>;
  try {
    response = await z.request<unknown>({
      url: `${baseUrl}${request.path}`,
      method: request.method ?? 'GET',
      params,
      headers: {
        accept: 'application/json',
        authorization: `Bearer ${bundle.authData.api_key ?? ''}`,
        ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
      // Hub errors are turned into readable messages below instead of Zapier's raw response dump.
      skipThrowForStatus: true,
    });
  } catch (error) {
    const reason = networkReason(error);
    if (reason === null) throw error;
    throw new z.errors.Error(
      `Could not reach the learnhook hub at ${baseUrl} (${reason}). Check the Hub URL in this connection and that the hub is running.`,
      'hub_unreachable',
      502,
    );
  }
  const body = parseJson(response.content);
  if (response.status >= 400 && !request.acceptStatuses?.includes(response.status)) {
    throwHubError(z, response.status, body, baseUrl);
  }
  return { status: response.status, body };
}

/**
 * Parses a hub answer; a body of another shape means the URL is not (this version of) a learnhook
 * hub, which the user can act on, unlike a zod issue list.
 */
export function readAnswer<T>(z: ZObject, schema: zod.ZodType<T>, answer: HubAnswer, what: string): T {
  const parsed = schema.safeParse(answer.body);
  if (parsed.success) return parsed.data;
  throw new z.errors.Error(
    `The hub answered ${what} in a shape this Zapier app does not know. Check that the Hub URL points at a learnhook hub.`,
    'unexpected_answer',
    502,
  );
}
