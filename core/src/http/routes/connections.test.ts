import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionAnswer } from '../../operations/schemas.ts';
import { type ApiErrorBody, completionRequest, emulatedApi, issuePaths, sendToIngest, serveEmulator, startTestHub, type TestHub } from '../../testing/index.ts';

/** /v1/connections over real HTTP on loopback, against a test hub. */

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(() => hub.close());

const ingest = (connection: Pick<ConnectionAnswer, 'ingest_url'>, request: ReturnType<typeof completionRequest>) =>
  sendToIngest(connection.ingest_url, request);

describe('connections', { timeout: 20_000 }, () => {
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
    const learn365 = created.learn365!.inbound;
    expect(learn365.secret).toEqual(expect.stringMatching(/^\S{32,64}$/));
    const standard = created.standard!.inbound as { secret: string; xapi: { username: string; password: string } };
    expect(standard.secret).toMatch(/^whsec_[A-Za-z0-9+/]{40,}={0,2}$/);
    expect(standard.xapi.password.length).toBeGreaterThanOrEqual(16);
    expect(created.standard!.xapi_url).toBe(`${created.standard!.ingest_url}/xapi/statements`);
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
    const learn365 = (await hub.api<ConnectionAnswer>('GET', `/v1/connections/${created.learn365!.id}`)).body.inbound;
    expect(learn365.secret).toBe(`…${String(created.learn365!.inbound.secret).slice(-4)}`);
    const seismic = (await hub.api<ConnectionAnswer>('GET', `/v1/connections/${created['seismic-learning']!.id}`)).body.inbound as {
      authorization: string;
      xapi: { password: string };
    };
    const original = created['seismic-learning']!.inbound as { authorization: string; xapi: { password: string } };
    expect(seismic.authorization).toBe(`…${original.authorization.slice(-4)}`);
    expect(seismic.xapi.password).toBe(`…${original.xapi.password.slice(-4)}`);
  });

  it('rotates the ingest URL so the old one answers 404 at once, without showing the secrets again', async () => {
    const connection = created.learn365!;
    const rotated = await hub.api<ConnectionAnswer>('PATCH', `/v1/connections/${connection.id}`, { rotate_token: true });
    expect(rotated.status).toBe(200);
    expect(rotated.body.ingest_url).not.toBe(connection.ingest_url);
    expect(JSON.stringify(rotated.body)).not.toContain(String(connection.inbound.secret));
    const old = await ingest(connection, completionRequest('learn365', connection.inbound, 602));
    expect(old.status).toBe(404);
    const fresh = await ingest({ ingest_url: rotated.body.ingest_url }, completionRequest('learn365', connection.inbound, 603));
    expect(fresh.status).toBe(202);
    created.learn365 = { ...connection, ingest_url: rotated.body.ingest_url };
  });

  it("masks a Thinkific connection's signing key, whose name says nothing of a secret, and keeps it when a change leaves it out", async () => {
    const signingKey = 'thinkific-site-api-key-0b5e7f3a';
    const { status, body } = await hub.api<ConnectionAnswer>('POST', '/v1/connections', {
      name: 'conn-thinkific',
      vendor: 'thinkific',
      signing_key: signingKey,
    });
    expect(status).toBe(201);
    expect(body.inbound).toEqual({ signing_key: signingKey });
    const one = await hub.api<ConnectionAnswer>('GET', `/v1/connections/${body.id}`);
    expect(one.body.inbound).toEqual({ signing_key: '…7f3a' });
    const changed = await hub.api<ConnectionAnswer>('PATCH', `/v1/connections/${body.id}`, { description: 'signing key left out' });
    expect(changed.status).toBe(200);
    expect(changed.body.inbound).toEqual({ signing_key: '…7f3a' });
    for (const answer of [one.body, changed.body]) expect(JSON.stringify(answer)).not.toContain(signingKey);
    // Kept: Thinkific's signature with the original key is still accepted, one with the shown ending is not.
    expect((await ingest(body, completionRequest('thinkific', { signing_key: signingKey }, 604))).status).toBe(202);
    expect((await ingest(body, completionRequest('thinkific', changed.body.inbound, 605))).status).toBe(401);
  });

  it('keeps a secret a client read and sends back masked, instead of saving the mask, and takes a new one that only looks like a mask', async () => {
    const signingKey = 'thinkific-site-api-key-1c6f8a2b';
    const { body } = await hub.api<ConnectionAnswer>('POST', '/v1/connections', { name: 'conn-thinkific-echo', vendor: 'thinkific', signing_key: signingKey });
    const read = await hub.api<ConnectionAnswer>('GET', `/v1/connections/${body.id}`);
    expect(read.body.inbound).toEqual({ signing_key: '…8a2b' });
    // The settings the client read, sent back as they were, mask and all.
    expect((await hub.api('PATCH', `/v1/connections/${body.id}`, read.body.inbound)).status).toBe(200);
    expect((await ingest(body, completionRequest('thinkific', { signing_key: signingKey }, 606))).status).toBe(202);
    await hub.api('PATCH', `/v1/connections/${body.id}`, { signing_key: '…0000-but-a-new-key-of-its-own' });
    expect((await ingest(body, completionRequest('thinkific', { signing_key: signingKey }, 607))).status).toBe(401);
  });

  it('refuses to change a name or vendor, a taken name, and a bad vendor setting with a 400 naming the field', async () => {
    const connection = created.standard!;
    for (const change of [{ name: 'renamed' }, { vendor: 'absorb' }]) {
      const { status, body } = await hub.api<ApiErrorBody>('PATCH', `/v1/connections/${connection.id}`, change);
      expect(status).toBe(400);
      expect(body.error.code).toBe('invalid_payload');
      expect(issuePaths(body)).toEqual(Object.keys(change));
    }
    const duplicate = await hub.api<ApiErrorBody>('POST', '/v1/connections', { name: 'conn-standard', vendor: 'absorb' });
    expect(duplicate.status).toBe(400);
    expect(issuePaths(duplicate.body)).toContain('name');

    // Requests racing for one name: one wins, the others are told why, as above. Connections opened
    // first let the racers arrive together.
    await Promise.all(Array.from({ length: 10 }, () => hub.api('GET', '/v1/me')));
    const raced = await Promise.all(
      Array.from({ length: 10 }, () => hub.api<ApiErrorBody>('POST', '/v1/connections', { name: 'conn-raced', vendor: 'absorb' })),
    );
    expect(raced.map((answer) => answer.status).sort()).toEqual([201, ...Array<number>(9).fill(400)]);
    for (const loser of raced.filter((answer) => answer.status === 400)) {
      expect(issuePaths(loser.body)).toEqual(['name']);
    }

    const shortSecret = await hub.api<ApiErrorBody>('POST', '/v1/connections', { name: 'conn-short', vendor: 'learn365', secret: '0123456789' });
    expect(shortSecret.status).toBe(400);
    expect(issuePaths(shortSecret.body)).toContain('secret');
    const shortPatch = await hub.api<ApiErrorBody>('PATCH', `/v1/connections/${created.learn365!.id}`, { secret: '0123456789' });
    expect(shortPatch.status).toBe(400);
    expect(issuePaths(shortPatch.body)).toContain('secret');
    expect((await hub.api('GET', '/v1/connections/conn-short')).status).toBe(404);
  });

  it('stores no secret in plaintext: neither the generated ones nor the ingest tokens appear in the store file', async () => {
    const tokens = Object.values(created).map((connection) => new URL(connection.ingest_url).pathname.split('/')[3] ?? '');
    const basic = (credentials: unknown) => {
      const { username, password } = credentials as { username: string; password: string };
      return Buffer.from(`${username}:${password}`).toString('base64');
    };
    const needles = [...generated, ...tokens, basic(created.standard!.inbound.xapi), basic(created['seismic-learning']!.inbound.xapi)];
    expect(needles.every((needle) => needle.length >= 16)).toBe(true);
    // The WAL holds what is not yet checkpointed into the main file: read both.
    const files = ['learnhook.db', 'learnhook.db-wal'].map((file) => path.join(hub.dataDir, file)).filter((file) => existsSync(file));
    const bytes = Buffer.concat(files.map((file) => readFileSync(file)));
    expect(bytes.includes(Buffer.from('conn-standard'))).toBe(true);
    for (const needle of needles) expect(bytes.includes(Buffer.from(needle)), needle.slice(0, 12)).toBe(false);
  });
});

describe('LMS API settings', () => {
  it('are checked when a connection is created, naming the failing field', async () => {
    const bad = await hub.api<ApiErrorBody>('POST', '/v1/connections', {
      name: 'bad-absorb-api',
      vendor: 'absorb',
      api: { base_url: 'not a url', private_key: 'k', username: 'u', password: 'p' },
    });
    expect(bad.status).toBe(400);
    expect(issuePaths(bad.body)).toContain('api.base_url');
    const standard = await hub.api('POST', '/v1/connections', { name: 'standard-with-api', vendor: 'standard', api: { base_url: 'https://lms.example' } });
    expect(standard.status).toBe(400);
    expect((await hub.api('GET', '/v1/connections/bad-absorb-api')).status).toBe(404);
  });
});

describe('API settings saved through the API', { timeout: 20_000 }, () => {
  it('are tried at once with one real call, a refusal reported in the answer and on the connection afterwards', async () => {
    const lms = await serveEmulator(emulatedApi('absorb'));
    const api = { ...lms.settings, base_url: lms.base };
    const created = await hub.api<ConnectionAnswer>('POST', '/v1/connections', { name: 'checked-absorb', vendor: 'absorb', api });
    expect(created.status).toBe(201);
    expect(created.body.api_check).toMatchObject({ ok: true, message: expect.stringMatching(/The Absorb LMS API answered/) });

    const changed = await hub.api<ConnectionAnswer>('PATCH', `/v1/connections/${created.body.id}`, { api: { ...api, password: 'wrong password' } });
    expect(changed.status).toBe(200);
    expect(changed.body.api_configured).toBe(true);
    expect(changed.body.api_check).toMatchObject({ ok: false, message: expect.stringMatching(/The Absorb LMS API refused or failed \(HTTP 40\d\)/) });

    const later = await hub.api<ConnectionAnswer>('GET', `/v1/connections/${created.body.id}`);
    expect(later.body.api_check).toBeNull();
    expect(later.body.api_health).toMatchObject({ last_error: { message: expect.any(String) }, last_success_at: expect.any(String) });
    expect(later.body.api_health!.calls).toBeGreaterThanOrEqual(2);
  });

  it('are not tried when a request saves none, and a connection without them has no API health', async () => {
    const plain = await hub.api<ConnectionAnswer>('POST', '/v1/connections', { name: 'unchecked-absorb', vendor: 'absorb' });
    expect(plain.body).toMatchObject({ api_configured: false, api_check: null, api_health: null });
    const described = await hub.api<ConnectionAnswer>('PATCH', `/v1/connections/${plain.body.id}`, { description: 'no API yet' });
    expect(described.body.api_check).toBeNull();
  });
});

describe('API settings changed twice within one tick of the clock', { timeout: 20_000 }, () => {
  it('are tried with the settings just saved, not the API client made for the ones before', async () => {
    const frozen = await startTestHub({}, undefined, { now: () => Date.parse('2026-11-20T14:03:11Z') });
    try {
      const lms = await serveEmulator(emulatedApi('absorb'));
      const api = { ...lms.settings, base_url: lms.base };
      const wrong = await frozen.api<ConnectionAnswer>('POST', '/v1/connections', {
        name: 'frozen-absorb',
        vendor: 'absorb',
        api: { ...api, password: 'wrong' },
      });
      expect(wrong.body.api_check).toMatchObject({ ok: false });
      const fixed = await frozen.api<ConnectionAnswer>('PATCH', '/v1/connections/frozen-absorb', { api });
      // Same updated_at as before: only the save's own notice tells the hydration client to go.
      expect(fixed.body.updated_at).toBe(wrong.body.updated_at);
      expect(fixed.body.api_check).toMatchObject({ ok: true });
    } finally {
      await frozen.close();
    }
  });
});
