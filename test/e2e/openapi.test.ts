import type { ConnectionAnswer } from '@learnhook/core';
import {
  ADMIN_KEY,
  type ApiErrorBody,
  completionRequest,
  fetchAnswer,
  issuePaths,
  type Receiver,
  sendToIngest,
  startReceiver,
  startTestHub,
  type TestHub,
} from '@learnhook/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { concretePath, type DocumentedRoute, documentedRoutes, isUnrouted, label, type OpenApiDocument } from '../lib/api-routes.ts';

/** The served /v1/openapi.json against the hub that serves it: every route it lists is real, every body as documented. */

let hub: TestHub;
let receiver: Receiver;
let doc: OpenApiDocument;
let routes: DocumentedRoute[];
/** Real ids for the path parameters, by the path's first segment after /v1. */
const real: Record<string, Record<string, string>> = {};
/** A mapping preview reads a custom connection's mapping: the other connections have none to preview. */
let customConnection: Record<string, string> = {};
const realPath = (route: DocumentedRoute) => concretePath(route, real[route.path.split('/').find((segment) => segment !== '' && segment !== 'v1') ?? '']);

beforeAll(async () => {
  hub = await startTestHub();
  receiver = await startReceiver();
  ({ doc, routes } = await documentedRoutes(hub.url));
  const connection = await hub.api<ConnectionAnswer>('POST', '/v1/connections', { name: 'openapi-absorb', vendor: 'absorb' });
  const hook = await hub.api('POST', '/v1/hooks', { url: `${receiver.url}/openapi`, events: ['*'], filter: { connection: 'openapi-absorb' } });
  const request = completionRequest('absorb', connection.body.inbound, 801);
  const ingested = (await (await sendToIngest(connection.body.ingest_url, request)).json()) as { event_ids: string[] };
  const eventId = ingested.event_ids[0] ?? '';
  await hub.hub.fanOut.idle();
  await hub.hub.dispatcher.idle();
  const deliveries = await hub.api<{ data: Array<{ id: string }> }>('GET', `/v1/deliveries?event_id=${eventId}`);
  const [, , name, token] = new URL(connection.body.ingest_url).pathname.split('/');
  real.hooks = { id: hook.body.id };
  real.events = { id: eventId };
  real.deliveries = { id: deliveries.body.data[0]?.id ?? '' };
  real.connections = { id: connection.body.id };
  const custom = await hub.api<ConnectionAnswer>('POST', '/v1/connections', { name: 'openapi-custom', vendor: 'custom' });
  customConnection = { id: custom.body.id };
  real.ingest = { connection: name ?? '', token: token ?? '' };
});
afterAll(async () => {
  await hub.close();
  await receiver.close();
});

describe('/v1/openapi.json', () => {
  it('is OpenAPI 3.1 with a bearer scheme', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.security).toEqual([{ bearer: [] }]);
  });

  it('lists routes the hub serves: each is routed, and each /v1 read answers 200 for real ids', async () => {
    const wrong: string[] = [];
    for (const route of routes) {
      // Real ids for reads only: a DELETE with a real id would remove what the next test uses.
      const { status, body } = await fetchAnswer(hub.url + (route.method === 'GET' ? realPath(route) : concretePath(route)), {
        method: route.method,
        headers: { authorization: `Bearer ${ADMIN_KEY}` },
      });
      if (isUnrouted(status, body)) wrong.push(`${label(route)} is not routed`);
      else if (route.method === 'GET' && route.path.startsWith('/v1/') && status !== 200) wrong.push(`${label(route)} -> ${status}`);
    }
    expect(wrong).toEqual([]);
  });

  it('describes request bodies as the API checks them: required fields, closed bodies and optional bodies', async () => {
    let required = 0;
    let closed = 0;
    for (const route of routes) {
      const requestBody = route.operation.requestBody;
      const schema = requestBody?.content['application/json']?.schema;
      if (!requestBody || !schema) continue;
      const target = route.path.endsWith('/preview') ? concretePath(route, customConnection) : realPath(route);
      const empty = await hub.api<ApiErrorBody>(route.method, target, {});
      if (schema.required?.length) {
        required += 1;
        expect(empty.status, label(route)).toBe(400);
        expect(issuePaths(empty.body).sort(), label(route)).toEqual([...schema.required].sort());
      } else {
        expect(empty.status, `${label(route)} with {}`).toBeLessThan(300);
      }
      if (schema.additionalProperties === false) {
        closed += 1;
        const unknown = await hub.api<ApiErrorBody>(route.method, target, { not_a_field: 1 });
        expect(unknown.status, label(route)).toBe(400);
        expect(JSON.stringify(unknown.body.error.details), label(route)).toContain('not_a_field');
      }
      if (requestBody.required === false) {
        expect((await hub.api(route.method, target)).status, `${label(route)} without a body`).toBeLessThan(300);
      }
    }
    expect(required).toBeGreaterThanOrEqual(2);
    expect(closed).toBeGreaterThanOrEqual(3);

    // Bodies the API reads though they may be left out are documented too.
    const optionalBody = (routePath: string) => doc.paths[routePath]?.post?.requestBody?.content['application/json']?.schema.properties ?? {};
    expect(Object.keys(optionalBody('/v1/hooks/{id}/test'))).toEqual(['type']);
    expect(Object.keys(optionalBody('/v1/events/{id}/replay'))).toEqual(['hook_id']);

    const hookSchema = doc.paths['/v1/hooks']?.post?.requestBody?.content['application/json']?.schema;
    expect(hookSchema?.required).toEqual(expect.arrayContaining(['url', 'events']));
    const noUrl = await hub.api<ApiErrorBody>('POST', '/v1/hooks', { events: ['enrollment.completed'] });
    expect(noUrl.status).toBe(400);
    expect(issuePaths(noUrl.body)).toEqual(['url']);
    const valid = await hub.api('POST', '/v1/hooks', { url: `${receiver.url}/openapi`, events: ['enrollment.completed'], description: 'from the document' });
    expect(valid.status).toBe(201);
    await hub.api('DELETE', `/v1/hooks/${valid.body.id}`);
  });
});
