import { expect } from 'vitest';
import type { CatalogEvent, ConnectionAnswer } from '@learnhook/core';
import { fetchAnswer, startReceiver, startTestHub, type ApiErrorBody, type Receiver, type TestHub, type WireRequest } from '@learnhook/core/testing';

/**
 * A hub for the ingest tests: one connection per vendor that has its own inbound check (named
 * `bad-<vendor>`), and a hook on every event to one receiver, so a test sees whether a request
 * stored or delivered anything.
 */

export const INGEST_VENDORS = ['absorb', 'learn365', 'standard', 'seismic-learning'] as const;

export const JSON_HEADERS = { 'content-type': 'application/json' };

// The xAPI route and the echo answer are not always JSON: fetchAnswer keeps the text.
export const post = (url: string, request: { headers: Record<string, string>; body: string | Buffer | FormData }) =>
  fetchAnswer(url, { method: 'POST', headers: request.headers, body: request.body });

/** Sends a vendor's wire request to the connection's ingest URL. */
export const send = (connection: ConnectionAnswer, request: WireRequest) => post(connection.ingest_url + request.path, request);

/** An API refusal's body (error-handler.ts), for issuePaths. */
export const errorBodyOf = (body: unknown) => body as ApiErrorBody;

/** The error of an API refusal. */
export const errorOf = (body: unknown) => errorBodyOf(body).error;

export interface IngestHub {
  hub: TestHub;
  receiver: Receiver;
  connections: Record<(typeof INGEST_VENDORS)[number], ConnectionAnswer>;
  /** The ids of the events the connection stored, newest first. */
  eventIds(connection: ConnectionAnswer): Promise<string[]>;
  /** Sends a bad request and checks its error, then that no connection stored an event and nothing was delivered. */
  expectRefused<A extends { status: number; body: unknown }>(attempt: () => Promise<A>, status: number, code: string): Promise<A>;
  close(): Promise<void>;
}

export async function startIngestHub(): Promise<IngestHub> {
  const hub = await startTestHub();
  const receiver = await startReceiver();
  const connect = async (vendor: (typeof INGEST_VENDORS)[number]) => {
    const created = await hub.api<ConnectionAnswer>('POST', '/v1/connections', { name: `bad-${vendor}`, vendor });
    expect(created.status).toBe(201);
    return created.body;
  };
  const connections = {
    absorb: await connect('absorb'),
    learn365: await connect('learn365'),
    standard: await connect('standard'),
    'seismic-learning': await connect('seismic-learning'),
  };
  // Every event of every connection would reach this receiver.
  expect((await hub.api('POST', '/v1/hooks', { url: `${receiver.url}/all`, events: ['*'] })).status).toBe(201);

  async function eventIds(connection: ConnectionAnswer): Promise<string[]> {
    const events = await hub.api<{ data: CatalogEvent[] }>('GET', `/v1/events?connection=${connection.name}&limit=100`);
    expect(events.status).toBe(200);
    return events.body.data.map((event) => event.id);
  }

  async function snapshot() {
    await hub.hub.fanOut.idle();
    await hub.hub.dispatcher.idle();
    const events: Record<string, string[]> = {};
    for (const vendor of INGEST_VENDORS) events[vendor] = await eventIds(connections[vendor]);
    return { events, deliveries: receiver.received.length };
  }

  return {
    hub,
    receiver,
    connections,
    eventIds,
    async expectRefused(attempt, status, code) {
      const before = await snapshot();
      const answer = await attempt();
      expect(answer.status).toBe(status);
      const error = errorOf(answer.body);
      expect(error.code).toBe(code);
      expect(error.message.length).toBeGreaterThan(0);
      expect(await snapshot()).toEqual(before);
      return answer;
    },
    async close() {
      await hub.close();
      await receiver.close();
    },
  };
}
