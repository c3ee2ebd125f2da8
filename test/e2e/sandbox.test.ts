import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type CatalogEvent, createLogger, type SandboxSession, startSandbox, VENDOR_REGISTRY, VENDORS } from '@learnhook/core';
import { callApi, eventually, startReceiver } from '@learnhook/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let session: SandboxSession;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const received = new Map<string, CatalogEvent>();

const api = <T = any>(method: string, route: string, body?: unknown) => callApi<T>(session.hub.url, method, route, body, session.apiKey);

beforeAll(async () => {
  session = await startSandbox({
    env: { HOST: '127.0.0.1', LEARNHOOK_RATE_LIMIT: '10000', LEARNHOOK_HYDRATION_MAX_WAIT_MS: '2000' },
    port: 0,
    dir: mkdtempSync(path.join(os.tmpdir(), 'learnhook-sandbox-')),
    logger: createLogger({ level: 'silent' }),
    progress: () => {},
  });
  receiver = await startReceiver((request) => {
    const event = JSON.parse(request.body) as CatalogEvent;
    received.set(event.source.event_id ?? event.id, event);
    return { status: 200 };
  });
  const hook = await api('POST', '/v1/hooks', { url: receiver.url, events: ['*'] });
  expect(hook.status).toBe(201);
}, 30_000);

afterAll(async () => {
  await session?.close();
  await receiver?.close();
});

/** Emits through the sandbox's own HTTP endpoint and answers the ids of the events the hub stored. */
async function emit(vendor: string, event: string, extra: Record<string, unknown> = {}): Promise<string[]> {
  const response = await fetch(`${session.lms.url}/sandbox/emit`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ vendor, event, ...extra }),
  });
  expect(response.status).toBe(200);
  const result = (await response.json()) as { responses: Array<{ status: number; body: { event_ids?: string[] } | string[] }> };
  return result.responses.flatMap((answer) => {
    expect(answer.status).toBeLessThan(300);
    return Array.isArray(answer.body) ? [] : (answer.body.event_ids ?? []);
  });
}

async function deliveredEvent(eventId: string): Promise<CatalogEvent> {
  return eventually(
    async () => [...receiver.received].map((request) => JSON.parse(request.body) as CatalogEvent).find((event) => event.id === eventId),
    15_000,
    `delivery of ${eventId}`,
  );
}

const cases = VENDORS.flatMap((vendor) =>
  Object.entries(VENDOR_REGISTRY[vendor].inbound.events)
    .filter(([name]) => !name.startsWith('http'))
    .map(([name, type]) => [vendor, name, type] as const),
);

describe('the sandbox LMS', () => {
  it.each(cases)('delivers %s "%s" as %s, hydrated', async (vendor, name, type) => {
    const [eventId] = await emit(vendor, name);
    expect(eventId).toBeDefined();
    const event = await deliveredEvent(eventId!);
    expect(event.type).toBe(type);
    expect(event.hydration).toEqual({ status: 'complete', missing: [] });
    if (event.learner) expect(event.learner.email).toMatch(/@acme-training\.example$/);
    // A deleted course can no longer be looked up: its event carries what the LMS sent.
    if (event.course && type !== 'lms.event' && type !== 'course.deleted') expect(event.course.title).toBeTruthy();
  });
});
