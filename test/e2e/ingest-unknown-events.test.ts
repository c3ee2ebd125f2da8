import type { CatalogEvent } from '@learnhook/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IngestHub, JSON_HEADERS, post, startIngestHub } from '../lib/ingest-hub.ts';

let ingest: IngestHub;
beforeAll(async () => {
  ingest = await startIngestHub();
});
afterAll(() => ingest.close());

describe('unknown vendor events', () => {
  it('accepts an event name no adapter knows, stores it as lms.event with the raw payload and delivers it to lms.event subscribers', async () => {
    const hook = await ingest.hub.api('POST', '/v1/hooks', {
      url: `${ingest.receiver.url}/lms-event`,
      events: ['lms.event'],
      filter: { connection: 'bad-absorb' },
    });
    expect(hook.status).toBe(201);
    const payload = {
      eventName: 'Curriculum Group Reordered',
      adminId: 'admin-7',
      clientId: 'acme',
      correlationId: 'corr-reorder-1',
      curriculumGroupId: 'cg-3',
      order: [3, 1, 2],
    };
    // Counted before sending: an event fanned out before its answer can be delivered before the answer arrives.
    const before = ingest.receiver.received.length;
    const answer = await post(ingest.connections.absorb.ingest_url, { headers: JSON_HEADERS, body: JSON.stringify(payload) });
    expect(answer.status).toBeGreaterThanOrEqual(200);
    expect(answer.status).toBeLessThan(300);
    const [eventId] = (answer.body as { event_ids: string[] }).event_ids;

    const stored = await ingest.hub.api<CatalogEvent>('GET', `/v1/events/${eventId}`);
    expect(stored.status).toBe(200);
    expect(stored.body.type).toBe('lms.event');
    expect(stored.body.source).toMatchObject({ vendor: 'absorb', connection: 'bad-absorb', event: 'Curriculum Group Reordered' });
    expect(stored.body.raw).toEqual(payload);

    await ingest.receiver.waitFor(before + 1);
    const delivered = await (async () => {
      for (let tries = 0; tries < 100; tries += 1) {
        const found = ingest.receiver.received.find((request) => request.url === '/lms-event');
        if (found) return found;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error('no delivery to the lms.event hook');
    })();
    const envelope = JSON.parse(delivered.body) as CatalogEvent;
    expect(envelope).toMatchObject({ id: eventId, type: 'lms.event', raw: payload });
  });
});
