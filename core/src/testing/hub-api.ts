import { Webhook } from 'standardwebhooks';
import { expect } from 'vitest';
import type { z } from 'zod';
import type { Attempt, Delivery } from '../operations/schemas.ts';
import type { ReceivedRequest } from './recording-server.ts';
import { callApi, type TestHub } from './test-hub.ts';
import { completionRequest } from './vendor-requests.ts';
import { eventually } from './wait.ts';

/**
 * The API calls delivery tests make against a hub, in-process (startTestHub) or a child process
 * (startHubProcess) alike: connect an LMS, subscribe, send it events, read deliveries and check
 * what a subscriber received.
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

/** A hook on every event type of one connection; answers its id and signing secret. */
export async function subscribe(api: Api, url: string, connection: AlmConnection): Promise<{ id: string; secret: string }> {
  const { status, body } = await api('POST', '/v1/hooks', { url, events: ['*'], filter: { connection: connection.name } });
  expect(status).toBe(201);
  return { id: body.id, secret: body.secret };
}

/** Sends ALM completion number `n` (vendor event id `alm-<n>`); answers the status and the hub's event ids. */
export async function sendCompletion(hubUrl: string, connection: AlmConnection, n: number): Promise<{ status: number; eventIds: string[] | null }> {
  const request = completionRequest('adobe-alm', connection.inbound, n);
  const response = await fetch(hubUrl + connection.ingestPath + request.path, { method: 'POST', headers: request.headers, body: request.body });
  const body = (await response.json().catch(() => null)) as { event_ids?: string[] } | null;
  return { status: response.status, eventIds: body?.event_ids ?? null };
}

/** Vendor event numbers for ingestCompletion, far from those the scenarios number themselves. */
let nextCompletion = 1_000_000;

/** Sends one completion no other call sent (so it is never a duplicate); answers the hub's event id, failing on anything but 202 with one event. */
export async function ingestCompletion(hubUrl: string, connection: AlmConnection): Promise<string> {
  const [eventId, ...more] = await sendCompletions(hubUrl, connection, nextCompletion++, 1);
  expect(more).toEqual([]);
  if (!eventId) throw new Error('the hub answered no event id');
  return eventId;
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

/** A delivery as GET /v1/deliveries/:id answers it: the attempts themselves where the list answers their count. */
export type DeliveryView = Omit<z.infer<typeof Delivery>, 'attempts'> & { attempts: Array<z.infer<typeof Attempt>> };

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

/** An API time as epoch milliseconds; the test fails on null. */
export function epochMs(iso: string | null): number {
  if (iso === null) throw new Error('expected a time, got null');
  return Date.parse(iso);
}

/** The hook's only delivery, once its attempts reach `attempts` and it is no longer in flight. */
export function settledDelivery(api: Api, hookId: string, attempts = 1, timeoutMs = 10_000): Promise<DeliveryView> {
  return eventually(
    async () => {
      const [only, ...more] = await deliveriesOf(api, hookId);
      expect(more).toEqual([]);
      if (!only || only.status === 'in_flight') return undefined;
      return only.attempts.length >= attempts ? only : undefined;
    },
    timeoutMs,
    `${attempts} recorded attempt(s) for hook ${hookId}`,
  );
}

/** Everything ingested so far has been matched, and every due delivery has been sent and recorded. */
export async function quiet(hub: TestHub): Promise<void> {
  await hub.hub.fanOut.idle();
  await hub.hub.dispatcher.idle();
}

/** The envelope's id and type, read from a delivered body. */
export function envelopeOf(body: unknown): { id: string; type: string } {
  if (typeof body !== 'object' || body === null || !('id' in body) || !('type' in body)) throw new Error('not an event envelope');
  return { id: String(body.id), type: String(body.type) };
}

/** Verifies a delivery with the `standardwebhooks` package, as a subscriber would; throws when the signature is wrong. */
export function verifySigned(secret: string, request: ReceivedRequest): { id: string; type: string } {
  const verified: unknown = new Webhook(secret).verify(request.body, {
    'webhook-id': String(request.headers['webhook-id']),
    'webhook-timestamp': String(request.headers['webhook-timestamp']),
    'webhook-signature': String(request.headers['webhook-signature']),
  });
  return envelopeOf(verified);
}
