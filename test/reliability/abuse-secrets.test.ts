import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionAnswer } from '@learnhook/core';
import { completionRequest, eventually, fetchAnswer, type WireRequest, startReceiver } from '@learnhook/core/testing';
import { CLI, startHubProcess, type HubProcess } from '../lib/hub-process.ts';
import { report } from './report.ts';

/**
 * Scenario 5 (issue 9), secrets: a hub process logging at trace level runs a whole session (keys,
 * connections with inbound secrets and LMS API credentials, hooks, ingests from every vendor,
 * deliveries, a failing LMS API and a failing target), and no secret may appear in any line it
 * logs nor in any API answer after the one that created it.
 */

const ADMIN = `lh-admin-${randomBytes(18).toString('base64url')}`;
const SECRET_KEY = randomBytes(32).toString('base64');
const LMS_API = { private_key: `pk-${randomBytes(12).toString('hex')}`, username: 'integration-admin', password: `pw-${randomBytes(12).toString('hex')}` };

let hub: HubProcess;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let failingTarget: Awaited<ReturnType<typeof startReceiver>>;
let lms: Awaited<ReturnType<typeof startReceiver>>;
/** Every secret value the session handed out, with what it is. */
const secrets = new Map<string, string>();
/**
 * Ingest tokens are secrets for the logs, but admins read them back on purpose: a connection's
 * ingest URL is what they paste into the LMS (DESIGN §4), and only admin keys see connections.
 */
const shownToAdmins = new Set<string>();
const connections: Record<string, ConnectionAnswer> = {};
const hookSecrets: string[] = [];

async function api<T = unknown>(method: string, apiPath: string, body?: unknown, key = ADMIN): Promise<{ status: number; body: T; text: string }> {
  const answer = await fetchAnswer(hub.url + apiPath, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: answer.status, body: answer.body as T, text: typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body) };
}

function remember(what: string, value: unknown): void {
  if (typeof value !== 'string' || value.length < 8) throw new Error(`${what} is not a secret string: ${String(value)}`);
  secrets.set(value, what);
  // Parts that are secrets on their own: the base64 of a whsec_, the secret of an lh_ key, a bearer token.
  for (const part of [/^whsec_(.+)$/, /^lh_[A-Za-z0-9]{16}_(.+)$/, /^Bearer (.+)$/]) {
    const inner = part.exec(value)?.[1];
    if (inner) secrets.set(inner, `${what} (inner part)`);
  }
}

function send(connection: ConnectionAnswer, request: WireRequest) {
  return fetchAnswer(connection.ingest_url + request.path, { method: 'POST', headers: request.headers, body: request.body });
}

beforeAll(async () => {
  receiver = await startReceiver();
  failingTarget = await startReceiver(() => ({ status: 500, body: 'target exploded' }));
  lms = await startReceiver(() => ({ status: 500, body: 'LMS API down' }));
  hub = await startHubProcess({
    LOG_LEVEL: 'trace',
    LEARNHOOK_API_KEY: ADMIN,
    LEARNHOOK_SECRET_KEY: SECRET_KEY,
    LEARNHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    LEARNHOOK_HYDRATION_MAX_WAIT_MS: '1000',
  });
  remember('LEARNHOOK_API_KEY', ADMIN);
  remember('LEARNHOOK_SECRET_KEY', SECRET_KEY);
  remember('Absorb API private key', LMS_API.private_key);
  remember('Absorb API password', LMS_API.password);
});
afterAll(async () => {
  await hub.stop();
  await Promise.all([receiver.close(), failingTarget.close(), lms.close()]);
});

describe('scenario 5: secrets', () => {
  it('keeps every secret of a whole session out of the logs and out of every later API answer', async () => {
    // Keys, made as an operator makes them, then used.
    const { stdout } = await promisify(execFile)(process.execPath, [CLI, 'keys', 'create', '--label', 'zapier', '--scope', 'hooks', '--scope', 'events'], {
      env: { ...process.env, LEARNHOOK_DATA: path.join(hub.dataDir, 'learnhook.db') },
    });
    const integrationKey = stdout.split('\n')[0] ?? '';
    remember('integration key', integrationKey);
    expect((await api('GET', '/v1/me', undefined, integrationKey)).status).toBe(200);

    // Connections: generated inbound secrets, chosen Basic credentials, LMS API credentials.
    const requests: Array<[string, Record<string, unknown>]> = [
      ['learn365', { vendor: 'learn365' }],
      ['standard', { vendor: 'standard' }],
      ['seismic-learning', { vendor: 'seismic-learning' }],
      ['adobe-alm', { vendor: 'adobe-alm', auth: 'basic', username: 'alm', password: `alm-${randomBytes(12).toString('hex')}` }],
      ['absorb', { vendor: 'absorb', api: { ...LMS_API, base_url: lms.url } }],
    ];
    for (const [name, body] of requests) {
      const created = await api<ConnectionAnswer>('POST', '/v1/connections', { name: `s-${name}`, ...body });
      expect(created.status, name).toBe(201);
      connections[name] = created.body;
      const token = new URL(created.body.ingest_url).pathname.split('/')[3] ?? '';
      remember(`${name} ingest token`, token);
      shownToAdmins.add(token);
      const inbound = created.body.inbound as { secret?: string; authorization?: string; password?: string; xapi?: { password: string } };
      for (const [field, value] of Object.entries({
        secret: inbound.secret,
        authorization: inbound.authorization,
        password: inbound.password,
        xapi: inbound.xapi?.password,
      })) {
        if (value !== undefined) remember(`${name} inbound ${field}`, value);
      }
    }

    // Hooks: one that receives, one whose target fails.
    for (const url of [`${receiver.url}/ok`, `${failingTarget.url}/fails`]) {
      const hook = await api<{ id: string; secret: string }>('POST', '/v1/hooks', { url, events: ['*'] }, integrationKey);
      expect(hook.status).toBe(201);
      remember(`hook secret for ${url}`, hook.body.secret);
      hookSecrets.push(hook.body.secret);
    }

    // Ingests from every vendor format (Basic auth for ALM), plus ones with wrong credentials.
    const almBasic = `Basic ${Buffer.from(`alm:${String(connections['adobe-alm']!.inbound.password)}`).toString('base64')}`;
    const almRequest = completionRequest('adobe-alm', {}, 1);
    const sends: Array<[ConnectionAnswer, WireRequest]> = [
      [connections['learn365']!, completionRequest('learn365', connections['learn365']!.inbound, 1)],
      [connections['standard']!, completionRequest('standard', connections['standard']!.inbound, 1)],
      [connections['standard']!, completionRequest('xapi', connections['standard']!.inbound, 1)],
      [connections['seismic-learning']!, completionRequest('seismic-learning', connections['seismic-learning']!.inbound, 1)],
      [connections['seismic-learning']!, completionRequest('xapi', connections['seismic-learning']!.inbound, 2)],
      [connections['adobe-alm']!, { ...almRequest, headers: { ...almRequest.headers, authorization: almBasic } }],
      [connections['absorb']!, completionRequest('absorb', {}, 1)],
    ];
    for (const [connection, request] of sends) expect((await send(connection, request)).status, connection.name).toBeLessThan(300);
    const wrong = completionRequest('seismic-learning', { authorization: 'Bearer wrong-token-for-this-test' }, 3);
    expect((await send(connections['seismic-learning']!, wrong)).status).toBe(401);
    expect((await api('GET', '/v1/me', undefined, `${integrationKey.slice(0, -2)}xx`)).status).toBe(401);

    // Everything is delivered (signed with the hook secrets), the failing target was tried, the LMS API was called with its credentials.
    await receiver.waitFor(sends.length, 30_000);
    await eventually(async () => failingTarget.received.length >= sends.length || undefined, 30_000, 'attempts at the failing target');
    await eventually(
      async () => lms.received.some((request) => JSON.stringify(request).includes(LMS_API.private_key)) || undefined,
      30_000,
      'the LMS API to be called with its credentials',
    );
    expect(receiver.received.every((request) => typeof request.headers['webhook-signature'] === 'string')).toBe(true);

    // Every answer after creation: connections, hooks, events (with raw payloads), deliveries and attempts, audit, metrics.
    const deliveries = await api<{ data: Array<{ id: string }> }>('GET', '/v1/deliveries?limit=100');
    const hooks = await api<{ data: Array<{ id: string; secret?: string }> }>('GET', '/v1/hooks?limit=100');
    const later = [
      await api('GET', '/v1/connections?limit=100'),
      ...(await Promise.all(Object.values(connections).map((connection) => api('GET', `/v1/connections/${connection.id}`)))),
      await api('PATCH', `/v1/connections/${connections['learn365']!.id}`, { description: 'changed' }),
      hooks,
      ...(await Promise.all(hooks.body.data.map((hook) => api('GET', `/v1/hooks/${hook.id}`)))),
      await api('GET', '/v1/events?limit=100'),
      deliveries,
      ...(await Promise.all(deliveries.body.data.map((delivery) => api('GET', `/v1/deliveries/${delivery.id}`)))),
      await api('GET', '/v1/audit?limit=100'),
      await api('GET', '/v1/me'),
      { status: 200, body: null, text: String((await fetchAnswer(`${hub.url}/metrics`)).body) },
    ];
    const leaksInAnswers: string[] = [];
    // The integration key, which reads events and deliveries, never sees an ingest URL.
    expect((await api('GET', '/v1/connections', undefined, integrationKey)).status).toBe(403);
    for (const answer of later) {
      expect(answer.status).toBe(200);
      for (const [value, what] of secrets) if (!shownToAdmins.has(value) && answer.text.includes(value)) leaksInAnswers.push(what);
    }
    expect(hooks.body.data.every((hook) => hook.secret === undefined)).toBe(true);
    // Masked, not dropped: the last four characters tell an admin which secret is set.
    const learn365 = (await api<ConnectionAnswer>('GET', `/v1/connections/${connections['learn365']!.id}`)).body.inbound;
    expect(learn365.secret).toBe(`…${String(connections['learn365']!.inbound.secret).slice(-4)}`);

    await hub.stop();
    const leaksInLogs: string[] = [];
    for (const line of hub.output) for (const [value, what] of secrets) if (line.includes(value)) leaksInLogs.push(`${what}: ${line.slice(0, 200)}`);
    report({
      scenario: '5 secrets',
      tried: 'a trace-level hub session: 2 keys, 5 connections, 2 hooks, 7 ingests over 6 formats, deliveries, a failing target and LMS API, wrong credentials',
      figures: {
        secrets_tracked: secrets.size,
        log_lines: hub.output.length,
        api_answers_checked: later.length,
        leaks_in_logs: leaksInLogs.length,
        leaks_in_answers: leaksInAnswers.length,
      },
    });
    expect(hub.output.length).toBeGreaterThan(10);
    expect(leaksInLogs).toEqual([]);
    expect(leaksInAnswers).toEqual([]);
  });
});
