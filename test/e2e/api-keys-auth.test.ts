import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, fetchAnswer, startTestHub, type TestHub } from '@learnhook/core/testing';
import { concretePath, documentedRoutes, errorOf, isUnrouted, label, type DocumentedRoute, type OpenApiDocument } from '../lib/api-routes.ts';

/** API keys and their scopes on every route the OpenAPI document lists, against a real hub. */

let hub: TestHub;
let doc: OpenApiDocument;
let routes: DocumentedRoute[];
const keys = { events: '', integration: '', hooks: '' };

beforeAll(async () => {
  hub = await startTestHub();
  // Keys made by `learnhook keys create` on the hub's own store, as an operator would.
  keys.events = await hub.createKey('--label', 'reporting', '--scope', 'events');
  keys.integration = await hub.createKey('--label', 'zapier', '--scope', 'hooks', '--scope', 'events');
  keys.hooks = await hub.createKey('--label', 'hooks-only', '--scope', 'hooks');
  ({ doc, routes } = await documentedRoutes(hub.url));
});
afterAll(() => hub.close());

const securityOf = (route: DocumentedRoute) => route.operation.security ?? doc.security;
const isPublic = (route: DocumentedRoute) => securityOf(route).length === 0;
/** The routes an API key guards. */
const guarded = () => routes.filter((route) => route.path.startsWith('/v1/') && !isPublic(route));

/** Any one security requirement whose roles (key scopes) the key holds lets it in; admin may do everything. */
function mayCall(route: DocumentedRoute, scopes: readonly string[]): boolean {
  return (
    scopes.includes('admin') ||
    securityOf(route).some((requirement) => Object.values(requirement).every((roles) => roles.every((role) => scopes.includes(role))))
  );
}

// /metrics answers plain text: fetchAnswer keeps it.
const call = (method: string, urlPath: string, headers: Record<string, string> = {}) => fetchAnswer(hub.url + urlPath, { method, headers });

describe('API keys guard every /v1 route', () => {
  it('takes its route list from the OpenAPI document, which covers the whole API', () => {
    const listed = routes.map(label);
    for (const expected of [
      'GET /v1/me',
      'POST /v1/hooks',
      'DELETE /v1/hooks/{id}',
      'GET /v1/events',
      'POST /v1/deliveries/{id}/retry',
      'PATCH /v1/connections/{id}',
      'GET /v1/audit',
      'GET /v1/lookup/courses',
    ]) {
      expect(listed).toContain(expected);
    }
    expect(guarded().length).toBeGreaterThanOrEqual(20);
  });

  it('answers 401 unauthorized with the error shape on every /v1 route called without Authorization', async () => {
    const wrong: string[] = [];
    for (const route of guarded()) {
      const { status, body } = await call(route.method, concretePath(route));
      const error = errorOf(body);
      const shaped = error !== null && error.code === 'unauthorized' && typeof error.message === 'string' && error.message.length > 0 && 'details' in error;
      if (status !== 401 || !shaped) wrong.push(`${label(route)} -> ${status} ${JSON.stringify(body)}`);
    }
    expect(wrong).toEqual([]);
  });

  it('answers 401 to a malformed, foreign or unknown key on every /v1 route', async () => {
    const unknownKey = `lh_${'A'.repeat(16)}_${'b'.repeat(43)}`;
    const headers = [
      'Bearer',
      'Bearer two words',
      `Basic ${Buffer.from('admin:admin').toString('base64')}`,
      'Bearer short',
      `Bearer ${unknownKey}`,
      `Bearer ${ADMIN_KEY}x`,
    ];
    const wrong: string[] = [];
    for (const route of guarded()) {
      for (const authorization of headers) {
        const { status, body } = await call(route.method, concretePath(route), { authorization });
        if (status !== 401 || errorOf(body)?.code !== 'unauthorized') wrong.push(`${label(route)} with "${authorization}" -> ${status}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('keeps /healthz, /metrics and /v1/openapi.json public', async () => {
    const publicPaths = routes.filter((route) => isPublic(route) && route.method === 'GET' && !route.path.includes('{')).map((route) => route.path);
    expect(publicPaths.sort()).toEqual(['/healthz', '/metrics', '/v1/openapi.json']);
    for (const publicPath of publicPaths) {
      expect((await call('GET', publicPath)).status, publicPath).toBe(200);
      expect((await call('GET', publicPath, { authorization: 'Bearer not-a-real-key' })).status, publicPath).toBe(200);
    }
  });
});

describe('scopes', () => {
  it('documents the scopes each route needs: events keys read events, integration keys also manage hooks, only admin keys reach connections and audit', () => {
    const forbidden = (scopes: string[]) =>
      guarded()
        .filter((route) => !mayCall(route, scopes))
        .map((route) => route.path);
    const eventsOnly = new Set(forbidden(['events']));
    for (const prefix of ['/v1/hooks', '/v1/deliveries', '/v1/connections', '/v1/audit']) {
      expect(
        [...eventsOnly].some((routePath) => routePath.startsWith(prefix)),
        prefix,
      ).toBe(true);
    }
    expect([...eventsOnly].every((routePath) => /^\/v1\/(hooks|deliveries|connections|audit)\b/.test(routePath))).toBe(true);
    expect(new Set(forbidden(['hooks', 'events']))).toEqual(
      new Set(routes.filter((route) => /^\/v1\/(connections|audit)\b/.test(route.path)).map((route) => route.path)),
    );
    expect(forbidden(['admin'])).toEqual([]);
  });

  it.each([
    { name: 'an events-only key', key: () => keys.events, scopes: ['events'] },
    { name: 'a hooks-only key', key: () => keys.hooks, scopes: ['hooks'] },
    { name: 'an integration (hooks + events) key', key: () => keys.integration, scopes: ['hooks', 'events'] },
    { name: 'an admin key', key: () => ADMIN_KEY, scopes: ['admin'] },
  ])('lets $name call exactly the routes its scopes allow and answers 403 forbidden elsewhere', async ({ key, scopes }) => {
    const wrong: string[] = [];
    let refused = 0;
    for (const route of guarded()) {
      const { status, body } = await call(route.method, concretePath(route), { authorization: `Bearer ${key()}` });
      if (mayCall(route, scopes)) {
        if (status === 401 || status === 403 || isUnrouted(status, body)) wrong.push(`${label(route)} refused: ${status}`);
      } else {
        refused += 1;
        const error = errorOf(body);
        if (status !== 403 || error?.code !== 'forbidden' || !error.message) wrong.push(`${label(route)} allowed: ${status}`);
      }
    }
    expect(wrong).toEqual([]);
    if (scopes.includes('admin')) expect(refused).toBe(0);
    else expect(refused).toBeGreaterThan(0);
  });
});
