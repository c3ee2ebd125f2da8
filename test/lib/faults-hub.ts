import { expect } from 'vitest';
import { callApi, completionRequest } from '@learnhook/core/testing';

/**
 * The few API calls the fault scenarios make against a hub, in-process (startTestHub) or a child
 * process (startHubProcess) alike: connect an LMS, subscribe, send it events, read deliveries.
 */

export type Api = <T = any>(method: string, path: string, body?: unknown) => Promise<{ status: number; body: T }>;

/** The API of a hub at `url`, called with the admin key. */
export function apiAt(url: () => string): Api {
  return (method, apiPath, body) => callApi(url(), method, apiPath, body);
}

export interface AlmConnection {
  name: string;
  /** The ingest path (host-free: a restarted hub listens on another port). */
  ingestPath: string;
  inbound: Record<string, unknown>;
}

/** An Adobe Learning Manager connection (one event per request, its eventId deduplicated). */
export async function connectAlm(api: Api, name: string): Promise<AlmConnection> {
  const { status, body } = await api('POST', '/v1/connections', { name, vendor: 'adobe-alm' });
  expect(status).toBe(201);
  return { name, ingestPath: new URL(body.ingest_url).pathname, inbound: body.inbound };
}

/** A hook on every event type of one connection; answers its id. */
export async function subscribe(api: Api, url: string, connection: AlmConnection): Promise<string> {
  const { status, body } = await api('POST', '/v1/hooks', { url, events: ['*'], filter: { connection: connection.name } });
  expect(status).toBe(201);
  return body.id;
}

/** Sends ALM completion number `n` (vendor event id `alm-<n>`); answers the status and the hub's event ids. */
export async function sendCompletion(hubUrl: string, connection: AlmConnection, n: number): Promise<{ status: number; eventIds: string[] | null }> {
  const request = completionRequest('adobe-alm', connection.inbound, n);
  const response = await fetch(hubUrl + connection.ingestPath + request.path, { method: 'POST', headers: request.headers, body: request.body });
  const body = (await response.json().catch(() => null)) as { event_ids?: string[] } | null;
  return { status: response.status, eventIds: body?.event_ids ?? null };
}

/** Sends completions `first`..`first + count - 1` one after another; answers their hub event ids, failing on anything but 202. */
export async function sendCompletions(hubUrl: string, connection: AlmConnection, first: number, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let n = first; n < first + count; n++) {
    const { status, eventIds } = await sendCompletion(hubUrl, connection, n);
    expect(status).toBe(202);
    ids.push(...(eventIds ?? []));
  }
  return ids;
}

export interface AttemptView {
  attempt: number;
  started_at: string;
  status: number | null;
  error: string | null;
}

export interface DeliveryView {
  id: string;
  event_id: string;
  hook_id: string;
  status: 'pending' | 'in_flight' | 'succeeded' | 'failed';
  next_attempt_at: string | null;
  attempts: AttemptView[];
}

interface Page {
  data: Array<{ id: string }>;
  next_cursor: string | null;
}

/** Every delivery of a hook, with its attempts. */
export async function deliveriesOf(api: Api, hookId: string): Promise<DeliveryView[]> {
  const all: DeliveryView[] = [];
  let cursor: string | null = null;
  do {
    const page: { status: number; body: Page } = await api<Page>('GET', `/v1/deliveries?hook_id=${hookId}&limit=100${cursor ? `&cursor=${cursor}` : ''}`);
    expect(page.status).toBe(200);
    for (const { id } of page.body.data) {
      const one = await api<DeliveryView>('GET', `/v1/deliveries/${id}`);
      expect(one.status).toBe(200);
      all.push(one.body);
    }
    cursor = page.body.next_cursor;
  } while (cursor);
  return all;
}

/** Every stored event id, newest first, read page by page as an integration would. */
export async function allEventIds(api: Api): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page: { status: number; body: Page } = await api<Page>('GET', `/v1/events?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
    expect(page.status).toBe(200);
    ids.push(...page.body.data.map((event) => event.id));
    cursor = page.body.next_cursor;
  } while (cursor);
  return ids;
}

/** Milliseconds between consecutive attempts of a delivery. */
export function gapsOf(delivery: DeliveryView): number[] {
  const times = delivery.attempts.map((attempt) => Date.parse(attempt.started_at));
  return times.slice(1).map((at, index) => at - (times[index] ?? at));
}
