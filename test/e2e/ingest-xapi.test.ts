import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogEvent, ConnectionAnswer } from '@learnhook/core';
import { errorOf, JSON_HEADERS, post, startIngestHub, type IngestHub } from '../lib/ingest-hub.ts';

/** The xAPI statements endpoint (an LRS's statements resource) on the standard and Seismic Learning connections. */

let ingest: IngestHub;
beforeAll(async () => {
  ingest = await startIngestHub();
});
afterAll(() => ingest.close());

describe('xAPI statements', () => {
  const statement = (id: string, verb: string) => ({
    id,
    actor: { objectType: 'Agent', name: 'Maya Chen', mbox: 'mailto:maya@acme.example' },
    verb: { id: `http://adlnet.gov/expapi/verbs/${verb}`, display: { 'en-US': verb } },
    object: { objectType: 'Activity', id: 'https://acme.lessonly.example/lessons/2718' },
    timestamp: '2026-11-20T14:03:11Z',
  });
  const ids = ['0b6f4e3a-6a58-4c8e-9d57-2f7f1c0e9a01', '0b6f4e3a-6a58-4c8e-9d57-2f7f1c0e9a02'];

  function basicFor(connection: ConnectionAnswer): string {
    const { username, password } = connection.inbound.xapi as { username: string; password: string };
    return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  }

  it('answers a batch of two statements with their ids in order and the X-Experience-API-Version header', async () => {
    const connection = ingest.connections.standard;
    const body = JSON.stringify([statement(ids[0]!, 'attempted'), statement(ids[1]!, 'completed')]);
    const answer = await post(connection.xapi_url!, {
      headers: { ...JSON_HEADERS, authorization: basicFor(connection), 'x-experience-api-version': '1.0.3' },
      body,
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(ids);
    expect(answer.headers.get('x-experience-api-version')).toMatch(/^1\.0\.\d+$/);
    const stored = await ingest.hub.api<{ data: CatalogEvent[] }>('GET', `/v1/events?connection=${connection.name}&limit=100`);
    const verbs = stored.body.data.map((event) => event.source.event);
    expect(verbs).toEqual(expect.arrayContaining(['http://adlnet.gov/expapi/verbs/attempted', 'http://adlnet.gov/expapi/verbs/completed']));
  });

  it('stores one statement sent with PUT ?statementId= and answers 204, as an LRS does', async () => {
    const connection = ingest.connections.standard;
    const id = '0b6f4e3a-6a58-4c8e-9d57-2f7f1c0e9a04';
    const response = await fetch(`${connection.xapi_url!}?statementId=${id}`, {
      method: 'PUT',
      headers: { ...JSON_HEADERS, authorization: basicFor(connection), 'x-experience-api-version': '1.0.3' },
      body: JSON.stringify(statement(id, 'completed')),
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('x-experience-api-version')).toMatch(/^1\.0\.\d+$/);
    const stored = await ingest.hub.api<{ data: CatalogEvent[] }>('GET', `/v1/events?connection=${connection.name}&limit=100`);
    expect(stored.body.data.map((event) => event.source.event_id)).toContain(id);
  });

  it('answers 400 to statements sent without the X-Experience-API-Version header, storing nothing', async () => {
    const connection = ingest.connections['seismic-learning'];
    const body = JSON.stringify([statement('0b6f4e3a-6a58-4c8e-9d57-2f7f1c0e9a03', 'completed')]);
    const answer = await ingest.expectRefused(
      () => post(connection.xapi_url!, { headers: { ...JSON_HEADERS, authorization: basicFor(connection) }, body }),
      400,
      'invalid_payload',
    );
    expect(errorOf(answer.body).message).toContain('X-Experience-API-Version');
  });
});
