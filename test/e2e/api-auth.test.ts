import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionAnswer } from '@learnhook/core';
import { completionRequest, fetchAnswer, type WireRequest, ADMIN_KEY, startReceiver, startTestHub, type TestHub } from '@learnhook/core/testing';
import { CLI } from '../lib/hub-process.ts';

/** The parts of /v1/openapi.json these tests read. */
type SecurityRequirement = Record<string, string[]>;
interface JsonSchema {
  type?: string;
  required?: string[];
  properties?: Record<string, unknown>;
  additionalProperties?: unknown;
}
interface OpenApiOperation {
  security?: SecurityRequirement[];
  requestBody?: { required: boolean; content: Record<string, { schema: JsonSchema }> };
}
interface OpenApiDocument {
  openapi: string;
  security: SecurityRequirement[];
  components: { securitySchemes: Record<string, { type: string; scheme: string }> };
  paths: Record<string, Record<string, OpenApiOperation>>;
}
interface Route {
  method: string;
  path: string;
  operation: OpenApiOperation;
}
interface ErrorBody {
  error: { code: string; message: string; details: unknown };
}
interface Issue {
  path: string;
  message: string;
}
interface AuditEntry {
  at: string;
  actor: string;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
}

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'learnhook-api-auth-'));
const logLines: string[] = [];

/** A key made by `learnhook keys create` on the hub's own store, as an operator would. */
function createKey(dir: string, label: string, scopes: string[]): string {
  const run = spawnSync(process.execPath, [CLI, 'keys', 'create', '--label', label, ...scopes.flatMap((scope) => ['--scope', scope])], {
    env: { ...process.env, LEARNHOOK_DATA: path.join(dir, 'learnhook.db') },
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`keys create failed: ${run.stderr}`);
  return run.stdout.split('\n')[0] ?? '';
}

let hub: TestHub;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let doc: OpenApiDocument;
let routes: Route[];
const keys = { events: '', integration: '', hooks: '' };

beforeAll(async () => {
  hub = await startTestHub({}, dataDir, { logDestination: { write: (line: string) => void logLines.push(line) } });
  receiver = await startReceiver();
  keys.events = createKey(dataDir, 'reporting', ['events']);
  keys.integration = createKey(dataDir, 'zapier', ['hooks', 'events']);
  keys.hooks = createKey(dataDir, 'hooks-only', ['hooks']);
  const response = await fetch(`${hub.url}/v1/openapi.json`);
  doc = (await response.json()) as OpenApiDocument;
  routes = Object.entries(doc.paths).flatMap(([routePath, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ method: method.toUpperCase(), path: routePath, operation })),
  );
});
afterAll(async () => {
  await hub.close();
  await receiver.close();
});

/** A path template with dummy values: auth is checked before anything is looked up. */
const concrete = (template: string) => template.replace(/\{(\w+)\}/g, (_match, name: string) => `no-such-${name}`);
const securityOf = (route: Route) => route.operation.security ?? doc.security;
const isPublic = (route: Route) => securityOf(route).length === 0;
const label = (route: Route) => `${route.method} ${route.path}`;
/** The routes an API key guards. */
const guarded = () => routes.filter((route) => route.path.startsWith('/v1/') && !isPublic(route));

/** Any one security requirement whose roles (key scopes) the key holds lets it in; admin may do everything. */
function mayCall(route: Route, scopes: readonly string[]): boolean {
  return scopes.includes('admin') || securityOf(route).some((requirement) => Object.values(requirement).every((roles) => roles.every((role) => scopes.includes(role))));
}

// /metrics and the echo answer plain text: fetchAnswer keeps it.
const call = (method: string, urlPath: string, headers: Record<string, string> = {}) => fetchAnswer(hub.url + urlPath, { method, headers });

function errorOf(body: unknown): ErrorBody['error'] | null {
  if (typeof body !== 'object' || body === null || !('error' in body)) return null;
  return (body as ErrorBody).error;
}

/** The 404 express answers for a route nobody serves, as opposed to a served route that found nothing. */
const isUnrouted = (status: number, body: unknown) => status === 404 && (errorOf(body)?.message.startsWith('No route for') ?? false);

describe('API keys guard every /v1 route', () => {
  it('takes its route list from the OpenAPI document, which covers the whole API', () => {
    const listed = routes.map(label);
    for (const expected of ['GET /v1/me', 'POST /v1/hooks', 'DELETE /v1/hooks/{id}', 'GET /v1/events', 'POST /v1/deliveries/{id}/retry', 'PATCH /v1/connections/{id}', 'GET /v1/audit', 'GET /v1/lookup/courses']) {
      expect(listed).toContain(expected);
    }
    expect(guarded().length).toBeGreaterThanOrEqual(20);
  });

  it('answers 401 unauthorized with the error shape on every /v1 route called without Authorization', async () => {
    const wrong: string[] = [];
    for (const route of guarded()) {
      const { status, body } = await call(route.method, concrete(route.path));
      const error = errorOf(body);
      const shaped = error !== null && error.code === 'unauthorized' && typeof error.message === 'string' && error.message.length > 0 && 'details' in error;
      if (status !== 401 || !shaped) wrong.push(`${label(route)} -> ${status} ${JSON.stringify(body)}`);
    }
    expect(wrong).toEqual([]);
  });

  it('answers 401 to a malformed, foreign or unknown key on every /v1 route', async () => {
    const unknownKey = `lh_${'A'.repeat(16)}_${'b'.repeat(43)}`;
    const headers = ['Bearer', 'Bearer two words', `Basic ${Buffer.from('admin:admin').toString('base64')}`, 'Bearer short', `Bearer ${unknownKey}`, `Bearer ${ADMIN_KEY}x`];
    const wrong: string[] = [];
    for (const route of guarded()) {
      for (const authorization of headers) {
        const { status, body } = await call(route.method, concrete(route.path), { authorization });
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
    const forbidden = (scopes: string[]) => guarded().filter((route) => !mayCall(route, scopes)).map((route) => route.path);
    const eventsOnly = new Set(forbidden(['events']));
    for (const prefix of ['/v1/hooks', '/v1/deliveries', '/v1/connections', '/v1/audit']) {
      expect([...eventsOnly].some((routePath) => routePath.startsWith(prefix)), prefix).toBe(true);
    }
    expect([...eventsOnly].every((routePath) => /^\/v1\/(hooks|deliveries|connections|audit)\b/.test(routePath))).toBe(true);
    expect(new Set(forbidden(['hooks', 'events']))).toEqual(new Set(routes.filter((route) => /^\/v1\/(connections|audit)\b/.test(route.path)).map((route) => route.path)));
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
      const { status, body } = await call(route.method, concrete(route.path), { authorization: `Bearer ${key()}` });
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

describe('rate limit', () => {
  it('answers 429 with an integer Retry-After once a key exceeds its burst, while another key is still served', async () => {
    const limitedDir = mkdtempSync(path.join(os.tmpdir(), 'learnhook-rate-'));
    const limited = await startTestHub({ LEARNHOOK_RATE_LIMIT: '5' }, limitedDir);
    try {
      const other = createKey(limitedDir, 'other', ['events']);
      // Sent at once: the bucket holds a burst of 10 and refills at 5 per second while they arrive.
      const started = Date.now();
      const answers = await Promise.all(Array.from({ length: 30 }, () => limited.api('GET', '/v1/me')));
      const refilled = Math.ceil(((Date.now() - started) / 1000) * 5);
      const served = answers.filter((answer) => answer.status === 200).length;
      const refused = answers.filter((answer) => answer.status === 429);
      expect(served).toBeGreaterThanOrEqual(10);
      expect(served).toBeLessThanOrEqual(10 + refilled);
      expect(refused.length).toBe(30 - served);
      const first = refused[0]!;
      expect(first.body.error.code).toBe('rate_limited');
      const retryAfter = first.headers.get('retry-after') ?? '';
      expect(retryAfter).toMatch(/^\d+$/);
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);

      expect((await limited.api('GET', '/v1/me', undefined, other)).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, Number(retryAfter) * 1000));
      expect((await limited.api('GET', '/v1/me')).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

async function keyId(key: string): Promise<string> {
  const me = await hub.api<{ key_id: string }>('GET', '/v1/me', undefined, key);
  expect(me.status).toBe(200);
  return me.body.key_id;
}

async function ingest(connection: ConnectionAnswer, request: WireRequest) {
  return fetch(connection.ingest_url + request.path, { method: 'POST', headers: request.headers, body: request.body });
}

describe('audit trail', () => {
  it('records hook, connection and replay actions newest first with the acting key, and logs each as a structured line', async () => {
    const integrationId = await keyId(keys.integration);
    const adminId = await keyId(ADMIN_KEY);

    const hook = await hub.api('POST', '/v1/hooks', { url: `${receiver.url}/audit`, events: ['*'], filter: { connection: 'audit-absorb' } }, keys.integration);
    expect(hook.status).toBe(201);
    expect((await hub.api('PATCH', `/v1/hooks/${hook.body.id}`, { description: 'CRM sync' }, keys.integration)).status).toBe(200);
    const connection = await hub.api<ConnectionAnswer>('POST', '/v1/connections', { name: 'audit-absorb', vendor: 'absorb' });
    expect(connection.status).toBe(201);
    expect((await hub.api('PATCH', `/v1/connections/${connection.body.id}`, { description: 'Acme portal' })).status).toBe(200);
    const ingested = (await (await ingest(connection.body, completionRequest('absorb', connection.body.inbound, 501))).json()) as { event_ids: string[] };
    const eventId = ingested.event_ids[0]!;
    await receiver.waitFor(1);
    await hub.hub.fanOut.idle();
    const replay = await hub.api('POST', `/v1/events/${eventId}/replay`, undefined, keys.integration);
    expect(replay.status).toBe(202);
    expect(replay.body.deliveries).toHaveLength(1);
    expect((await hub.api('DELETE', `/v1/hooks/${hook.body.id}`, undefined, keys.integration)).status).toBe(204);

    const expected = [
      { action: 'hook.created', actor: integrationId, target: hook.body.id },
      { action: 'hook.changed', actor: integrationId, target: hook.body.id },
      { action: 'connection.created', actor: adminId, target: connection.body.id },
      { action: 'connection.changed', actor: adminId, target: connection.body.id },
      { action: 'event.replayed', actor: integrationId, target: eventId },
      { action: 'hook.deleted', actor: integrationId, target: hook.body.id },
    ];
    const targets = new Set([hook.body.id, connection.body.id, eventId]);

    const audit = await hub.api<{ data: AuditEntry[] }>('GET', '/v1/audit?limit=100');
    expect(audit.status).toBe(200);
    const mine = audit.body.data.filter((entry) => entry.target !== null && targets.has(entry.target));
    expect(mine.map(({ action, actor, target }) => ({ action, actor, target }))).toEqual([...expected].reverse());
    const times = mine.map((entry) => Date.parse(entry.at));
    expect(times).toEqual([...times].sort((a, b) => b - a));

    const logged = logLines
      .map((line) => JSON.parse(line) as { audit?: { action: string; actor: string; target: string | null } })
      .flatMap((line) => (line.audit?.target && targets.has(line.audit.target) ? [line.audit] : []))
      .map(({ action, actor, target }) => ({ action, actor, target }));
    expect(logged).toEqual(expected);
    for (const secret of [keys.integration, ADMIN_KEY, String(hook.body.secret)]) {
      expect(logLines.some((line) => line.includes(secret))).toBe(false);
    }
  });
});

describe('connections', () => {
  const created: Record<string, ConnectionAnswer> = {};
  const generated: string[] = [];

  it('answers an ingest URL with an unguessable token and, once, the secrets it generated for each vendor', async () => {
    for (const vendor of ['learn365', 'standard', 'seismic-learning'] as const) {
      const { status, body } = await hub.api<ConnectionAnswer>('POST', '/v1/connections', { name: `conn-${vendor}`, vendor });
      expect(status).toBe(201);
      created[vendor] = body;
      const url = new URL(body.ingest_url);
      const [, ingestSegment, name, token] = url.pathname.split('/');
      expect([ingestSegment, name]).toEqual(['ingest', `conn-${vendor}`]);
      expect(token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    }
    const learn365 = created['learn365']!.inbound;
    expect(learn365.secret).toEqual(expect.stringMatching(/^\S{32,64}$/));
    const standard = created['standard']!.inbound as { secret: string; xapi: { username: string; password: string } };
    expect(standard.secret).toMatch(/^whsec_[A-Za-z0-9+/]{40,}={0,2}$/);
    expect(standard.xapi.password.length).toBeGreaterThanOrEqual(16);
    expect(created['standard']!.xapi_url).toBe(`${created['standard']!.ingest_url}/xapi/statements`);
    const seismic = created['seismic-learning']!.inbound as { authorization: string; xapi: { username: string; password: string } };
    expect(seismic.authorization).toMatch(/^Bearer \S{20,}$/);
    expect(seismic.xapi.password.length).toBeGreaterThanOrEqual(16);
    generated.push(String(learn365.secret), standard.secret, standard.xapi.password, seismic.authorization, seismic.xapi.password);

    // Each generated credential really lets the vendor in.
    for (const format of ['learn365', 'standard', 'seismic-learning', 'xapi'] as const) {
      const connection = created[format === 'xapi' ? 'standard' : format]!;
      const response = await ingest(connection, completionRequest(format, connection.inbound, 601));
      expect(response.status, format).toBeLessThan(300);
    }
  });

  it('masks the secrets in every later answer, showing only their last four characters', async () => {
    for (const connection of Object.values(created)) {
      const one = await hub.api<ConnectionAnswer>('GET', `/v1/connections/${connection.id}`);
      const list = await hub.api<{ data: ConnectionAnswer[] }>('GET', '/v1/connections?limit=100');
      const changed = await hub.api<ConnectionAnswer>('PATCH', `/v1/connections/${connection.id}`, { description: 'masked?' });
      for (const answer of [one.body, list.body.data.find((item) => item.id === connection.id), changed.body]) {
        const text = JSON.stringify(answer);
        for (const secret of generated) expect(text).not.toContain(secret);
      }
    }
    const learn365 = (await hub.api<ConnectionAnswer>('GET', `/v1/connections/${created['learn365']!.id}`)).body.inbound;
    expect(learn365.secret).toBe(`…${String(created['learn365']!.inbound.secret).slice(-4)}`);
    const seismic = (await hub.api<ConnectionAnswer>('GET', `/v1/connections/${created['seismic-learning']!.id}`)).body.inbound as { authorization: string; xapi: { password: string } };
    const original = created['seismic-learning']!.inbound as { authorization: string; xapi: { password: string } };
    expect(seismic.authorization).toBe(`…${original.authorization.slice(-4)}`);
    expect(seismic.xapi.password).toBe(`…${original.xapi.password.slice(-4)}`);
  });

  it('rotates the ingest URL so the old one answers 404 at once, without showing the secrets again', async () => {
    const connection = created['learn365']!;
    const rotated = await hub.api<ConnectionAnswer>('PATCH', `/v1/connections/${connection.id}`, { rotate_token: true });
    expect(rotated.status).toBe(200);
    expect(rotated.body.ingest_url).not.toBe(connection.ingest_url);
    expect(JSON.stringify(rotated.body)).not.toContain(String(connection.inbound.secret));
    const old = await ingest(connection, completionRequest('learn365', connection.inbound, 602));
    expect(old.status).toBe(404);
    const fresh = await ingest({ ...connection, ingest_url: rotated.body.ingest_url }, completionRequest('learn365', connection.inbound, 603));
    expect(fresh.status).toBe(202);
    created['learn365'] = { ...connection, ingest_url: rotated.body.ingest_url };
  });

  it('refuses to change a name or vendor, a taken name, and a bad vendor setting with a 400 naming the field', async () => {
    const connection = created['standard']!;
    for (const change of [{ name: 'renamed' }, { vendor: 'absorb' }]) {
      const { status, body } = await hub.api<ErrorBody>('PATCH', `/v1/connections/${connection.id}`, change);
      expect(status).toBe(400);
      expect(body.error.code).toBe('invalid_payload');
      expect((body.error.details as { issues: Issue[] }).issues.map((issue) => issue.path)).toEqual(Object.keys(change));
    }
    const duplicate = await hub.api<ErrorBody>('POST', '/v1/connections', { name: 'conn-standard', vendor: 'absorb' });
    expect(duplicate.status).toBe(400);
    expect((duplicate.body.error.details as { issues: Issue[] }).issues.map((issue) => issue.path)).toContain('name');

    // Requests racing for one name: one wins, the others are told why, as above. Connections opened
    // first let the racers arrive together.
    await Promise.all(Array.from({ length: 10 }, () => hub.api('GET', '/v1/me')));
    const raced = await Promise.all(Array.from({ length: 10 }, () => hub.api<ErrorBody>('POST', '/v1/connections', { name: 'conn-raced', vendor: 'absorb' })));
    expect(raced.map((answer) => answer.status).sort()).toEqual([201, ...Array<number>(9).fill(400)]);
    for (const loser of raced.filter((answer) => answer.status === 400)) {
      expect((loser.body.error.details as { issues: Issue[] }).issues.map((issue) => issue.path)).toEqual(['name']);
    }

    const shortSecret = await hub.api<ErrorBody>('POST', '/v1/connections', { name: 'conn-short', vendor: 'learn365', secret: '0123456789' });
    expect(shortSecret.status).toBe(400);
    expect((shortSecret.body.error.details as { issues: Issue[] }).issues.map((issue) => issue.path)).toContain('secret');
    const shortPatch = await hub.api<ErrorBody>('PATCH', `/v1/connections/${created['learn365']!.id}`, { secret: '0123456789' });
    expect(shortPatch.status).toBe(400);
    expect((shortPatch.body.error.details as { issues: Issue[] }).issues.map((issue) => issue.path)).toContain('secret');
    expect((await hub.api('GET', '/v1/connections/conn-short')).status).toBe(404);
  });

  it('stores no secret in plaintext: neither the generated ones nor the ingest tokens appear in the store file', async () => {
    const tokens = Object.values(created).map((connection) => new URL(connection.ingest_url).pathname.split('/')[3] ?? '');
    const basic = (credentials: unknown) => {
      const { username, password } = credentials as { username: string; password: string };
      return Buffer.from(`${username}:${password}`).toString('base64');
    };
    const needles = [...generated, ...tokens, basic(created['standard']!.inbound.xapi), basic(created['seismic-learning']!.inbound.xapi)];
    expect(needles.every((needle) => needle.length >= 16)).toBe(true);
    // The WAL holds what is not yet checkpointed into the main file: read both.
    const files = ['learnhook.db', 'learnhook.db-wal'].map((file) => path.join(dataDir, file)).filter((file) => existsSync(file));
    const bytes = Buffer.concat(files.map((file) => readFileSync(file)));
    expect(bytes.includes(Buffer.from('conn-standard'))).toBe(true);
    for (const needle of needles) expect(bytes.includes(Buffer.from(needle)), needle.slice(0, 12)).toBe(false);
  });
});

describe('/v1/openapi.json', () => {
  /** Real ids for the path parameters, by the path's first segment after /v1. */
  const real: Record<string, Record<string, string>> = {};
  const realPath = (template: string) => {
    const section = template.split('/').find((segment) => segment !== '' && segment !== 'v1') ?? '';
    return template.replace(/\{(\w+)\}/g, (_match, name: string) => real[section]?.[name] ?? `no-such-${name}`);
  };

  beforeAll(async () => {
    const connection = await hub.api<ConnectionAnswer>('POST', '/v1/connections', { name: 'openapi-absorb', vendor: 'absorb' });
    const hook = await hub.api('POST', '/v1/hooks', { url: `${receiver.url}/openapi`, events: ['*'], filter: { connection: 'openapi-absorb' } });
    const ingested = (await (await ingest(connection.body, completionRequest('absorb', connection.body.inbound, 801))).json()) as { event_ids: string[] };
    const eventId = ingested.event_ids[0] ?? '';
    await hub.hub.fanOut.idle();
    await hub.hub.dispatcher.idle();
    const deliveries = await hub.api<{ data: Array<{ id: string }> }>('GET', `/v1/deliveries?event_id=${eventId}`);
    const [, , name, token] = new URL(connection.body.ingest_url).pathname.split('/');
    real['hooks'] = { id: hook.body.id };
    real['events'] = { id: eventId };
    real['deliveries'] = { id: deliveries.body.data[0]?.id ?? '' };
    real['connections'] = { id: connection.body.id };
    real['ingest'] = { connection: name ?? '', token: token ?? '' };
  });

  it('is OpenAPI 3.1 with a bearer scheme', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.components.securitySchemes['bearer']).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.security).toEqual([{ bearer: [] }]);
  });

  it('lists routes the hub serves: each is routed, and each /v1 read answers 200 for real ids', async () => {
    const wrong: string[] = [];
    for (const route of routes) {
      // Real ids for reads only: a DELETE with a real id would remove what the next test uses.
      const { status, body } = await call(route.method, route.method === 'GET' ? realPath(route.path) : concrete(route.path), { authorization: `Bearer ${ADMIN_KEY}` });
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
      const target = realPath(route.path);
      const empty = await hub.api<ErrorBody>(route.method, target, {});
      if (schema.required?.length) {
        required += 1;
        expect(empty.status, label(route)).toBe(400);
        const named = (empty.body.error.details as { issues: Issue[] }).issues.map((issue) => issue.path);
        expect(named.sort(), label(route)).toEqual([...schema.required].sort());
      } else {
        expect(empty.status, `${label(route)} with {}`).toBeLessThan(300);
      }
      if (schema.additionalProperties === false) {
        closed += 1;
        const unknown = await hub.api<ErrorBody>(route.method, target, { not_a_field: 1 });
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
    const optionalBody = (routePath: string) => doc.paths[routePath]?.['post']?.requestBody?.content['application/json']?.schema.properties ?? {};
    expect(Object.keys(optionalBody('/v1/hooks/{id}/test'))).toEqual(['type']);
    expect(Object.keys(optionalBody('/v1/events/{id}/replay'))).toEqual(['hook_id']);

    const hookSchema = doc.paths['/v1/hooks']?.['post']?.requestBody?.content['application/json']?.schema;
    expect(hookSchema?.required).toEqual(expect.arrayContaining(['url', 'events']));
    const noUrl = await hub.api<ErrorBody>('POST', '/v1/hooks', { events: ['enrollment.completed'] });
    expect(noUrl.status).toBe(400);
    expect((noUrl.body.error.details as { issues: Issue[] }).issues.map((issue) => issue.path)).toEqual(['url']);
    const valid = await hub.api('POST', '/v1/hooks', { url: `${receiver.url}/openapi`, events: ['enrollment.completed'], description: 'from the document' });
    expect(valid.status).toBe(201);
    await hub.api('DELETE', `/v1/hooks/${valid.body.id}`);
  });
});

describe('/metrics', () => {
  it('serves Prometheus text that counts ingest requests by vendor and status', async () => {
    const connection = await hub.api<ConnectionAnswer>('POST', '/v1/connections', { name: 'metrics-absorb', vendor: 'absorb' });
    const before = await call('GET', '/metrics');
    const line = /^learnhook_ingest_requests_total\{vendor="absorb",status="202"\} (\d+)$/m;
    const count = (text: unknown) => Number(line.exec(String(text))?.[1] ?? 0);
    expect((await ingest(connection.body, completionRequest('absorb', connection.body.inbound, 701))).status).toBe(202);
    const after = await call('GET', '/metrics');
    expect(after.status).toBe(200);
    expect(after.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(String(after.body)).toContain('# TYPE learnhook_ingest_requests_total counter');
    expect(count(after.body)).toBe(count(before.body) + 1);
  });
});
