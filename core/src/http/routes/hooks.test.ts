import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectAlm,
  deliveriesOf,
  ingestCompletion,
  quiet,
  receiverForTest,
  startTestHub,
  subscribe,
  type TestHub,
  verifySigned,
} from '../../testing/index.ts';

/** /v1/hooks over real HTTP on loopback, against a test hub: subscriptions, their targets, test sends and pausing. */

const SECOND = 1000;

describe('a hub that allows loopback targets', { timeout: 20_000 }, () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.close());

  it('answers a new hook with its signing secret, and never shows the secret again', async () => {
    const created = await hub.api('POST', '/v1/hooks', { url: 'http://127.0.0.1:9/once', events: ['enrollment.completed'], description: 'CRM sync' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      url: 'http://127.0.0.1:9/once',
      events: ['enrollment.completed'],
      filter: {},
      description: 'CRM sync',
      status: 'active',
      status_reason: null,
    });
    expect(created.body.secret).toMatch(/^whsec_/);
    expect(created.headers.get('location')).toBe(`${hub.url}/v1/hooks/${created.body.id}`);
    const one = await hub.api('GET', `/v1/hooks/${created.body.id}`);
    const list = await hub.api<{ data: Array<{ id: string }> }>('GET', '/v1/hooks?limit=100');
    expect(one.body).toEqual({ ...created.body, secret: undefined });
    expect(list.body.data.map((hook) => hook.id)).toContain(created.body.id);
    for (const answer of [one.body, list.body]) expect(JSON.stringify(answer)).not.toContain(created.body.secret);
  });

  it('keeps each event type once, on creation and on change, and answers 400 to a type not in the catalog', async () => {
    const created = await hub.api('POST', '/v1/hooks', { url: 'http://127.0.0.1:9/types', events: ['enrollment.completed', 'enrollment.completed'] });
    expect(created.body.events).toEqual(['enrollment.completed']);
    const changed = await hub.api('PATCH', `/v1/hooks/${created.body.id}`, { events: ['certificate.awarded', 'certificate.awarded', 'enrollment.completed'] });
    expect(changed.status).toBe(200);
    expect(changed.body.events).toEqual(['certificate.awarded', 'enrollment.completed']);
    const unknown = await hub.api('POST', '/v1/hooks', { url: 'http://127.0.0.1:9/types', events: ['no.such.type'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('invalid_payload');
  });

  it("lists only the caller's own hooks when asked for ?mine=true", async () => {
    const key = await hub.createKey('--label', 'mine');
    const mine = await hub.api('POST', '/v1/hooks', { url: 'http://127.0.0.1:9/mine', events: ['*'] }, key);
    const theirs = await hub.api('POST', '/v1/hooks', { url: 'http://127.0.0.1:9/theirs', events: ['*'] });
    const listed = await hub.api<{ data: Array<{ id: string }> }>('GET', '/v1/hooks?mine=true&limit=100', undefined, key);
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((hook) => hook.id)).toEqual([mine.body.id]);
    const all = await hub.api<{ data: Array<{ id: string }> }>('GET', '/v1/hooks?limit=100', undefined, key);
    expect(all.body.data.map((hook) => hook.id)).toEqual(expect.arrayContaining([mine.body.id, theirs.body.id]));
  });

  it('answers 404 to a deleted hook: reading, changing, test-sending and deleting it again', async () => {
    const created = await hub.api('POST', '/v1/hooks', { url: 'http://127.0.0.1:9/gone', events: ['*'] });
    expect((await hub.api('DELETE', `/v1/hooks/${created.body.id}`)).status).toBe(204);
    expect((await hub.api('GET', `/v1/hooks/${created.body.id}`)).status).toBe(404);
    expect((await hub.api('PATCH', `/v1/hooks/${created.body.id}`, { description: 'x' })).status).toBe(404);
    expect((await hub.api('POST', `/v1/hooks/${created.body.id}/test`, {})).status).toBe(404);
    expect((await hub.api('DELETE', `/v1/hooks/${created.body.id}`)).status).toBe(404);
  });

  it('refuses a link-local metadata target even though it allows private ones', async () => {
    for (const url of ['http://169.254.169.254/', 'http://169.254.169.254/latest/meta-data/', 'http://[fe80::1]/']) {
      const refused = await hub.api('POST', '/v1/hooks', { url, events: ['*'] });
      expect(refused.status, url).toBe(400);
      expect(refused.body.error.code, url).toBe('target_refused');
    }
    const allowed = await hub.api('POST', '/v1/hooks', { url: 'http://127.0.0.1:9/', events: ['*'], filter: { connection: 'df-nobody' } });
    expect(allowed.status).toBe(201);
    expect((await hub.api('DELETE', `/v1/hooks/${allowed.body.id}`)).status).toBe(204);
  });

  it('sends a test sample of the requested type through the signed path and answers what the target said', async () => {
    const target = await receiverForTest(() => ({ status: 200, body: 'thanks from the receiver' }));
    const connection = await connectAlm(hub.api, 'df-test-ok');
    const hook = await subscribe(hub.api, `${target.url}/hook`, connection);

    const answer = await hub.api('POST', `/v1/hooks/${hook.id}/test`, { type: 'certificate.awarded' });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ ok: true, status: 200, body: 'thanks from the receiver' });
    expect(answer.body.duration_ms).toEqual(expect.any(Number));
    expect(answer.body.duration_ms).toBeGreaterThanOrEqual(0);

    expect(target.received).toHaveLength(1);
    const [sent] = target.received;
    expect(sent).toMatchObject({ method: 'POST', url: '/hook' });
    expect(sent?.headers['content-type']).toBe('application/json');
    const sample = verifySigned(hook.secret, sent!);
    expect(sample.type).toBe('certificate.awarded');
    expect(() => verifySigned(`whsec_${Buffer.alloc(32, 7).toString('base64')}`, sent!)).toThrow();
  });

  it('answers ok:false with the status and body when the test target fails, and refuses a type not in the catalog', async () => {
    const target = await receiverForTest(() => ({ status: 500, body: 'the zap broke' }));
    const connection = await connectAlm(hub.api, 'df-test-500');
    const hook = await subscribe(hub.api, target.url, connection);

    const answer = await hub.api('POST', `/v1/hooks/${hook.id}/test`, { type: 'enrollment.completed' });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ ok: false, status: 500, body: 'the zap broke' });
    expect(verifySigned(hook.secret, target.received[0]!).type).toBe('enrollment.completed');

    const unknown = await hub.api('POST', `/v1/hooks/${hook.id}/test`, { type: 'no.such.type' });
    expect(unknown.status).toBe(400);
    expect(target.received).toHaveLength(1);
    expect((await hub.api('POST', '/v1/hooks/hook_missing/test', {})).status).toBe(404);
  });

  it('rotates the signing secret: answers the new one once, and deliveries verify with it and, for a day by default, with the old one too', async () => {
    const target = await receiverForTest();
    const connection = await connectAlm(hub.api, 'df-rotate');
    const hook = await subscribe(hub.api, target.url, connection);

    const before = Date.now();
    const rotated = await hub.api('POST', `/v1/hooks/${hook.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({ id: hook.id, url: target.url, status: 'active' });
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(hook.secret);
    const overlapEnds = Date.parse(rotated.body.previous_secret_expires_at);
    expect(overlapEnds - before).toBeGreaterThanOrEqual(86_400_000 - 1000);
    expect(overlapEnds - before).toBeLessThanOrEqual(86_400_000 + 10_000);
    expect(JSON.stringify((await hub.api('GET', `/v1/hooks/${hook.id}`)).body)).not.toContain(rotated.body.secret);

    const sent = await ingestCompletion(hub.url, connection);
    const [delivered] = await target.waitFor(1);
    expect(verifySigned(rotated.body.secret, delivered!).id).toBe(sent);
    expect(verifySigned(hook.secret, delivered!).id).toBe(sent);
    expect((await hub.api('POST', '/v1/hooks/hook_missing/rotate-secret')).status).toBe(404);
  });

  it('rotates with no overlap when asked: the old secret stops verifying at once, and an overlap over a week is refused', async () => {
    const target = await receiverForTest();
    const connection = await connectAlm(hub.api, 'df-rotate-now');
    const hook = await subscribe(hub.api, target.url, connection);
    const tooLong = await hub.api('POST', `/v1/hooks/${hook.id}/rotate-secret`, { overlap_seconds: 8 * 86_400 });
    expect(tooLong.status).toBe(400);
    expect(JSON.stringify(tooLong.body)).toContain('overlap_seconds');

    const rotated = await hub.api('POST', `/v1/hooks/${hook.id}/rotate-secret`, { overlap_seconds: 0 });
    expect(rotated.body.previous_secret_expires_at).toBeNull();
    await ingestCompletion(hub.url, connection);
    const [delivered] = await target.waitFor(1);
    expect(verifySigned(rotated.body.secret, delivered!).type).toBe('enrollment.completed');
    expect(() => verifySigned(hook.secret, delivered!)).toThrow();
  });

  it('holds deliveries while a hook is paused and sends what waited once it is active again', async () => {
    const target = await receiverForTest();
    const connection = await connectAlm(hub.api, 'df-pause');
    const hook = await subscribe(hub.api, target.url, connection);

    await ingestCompletion(hub.url, connection);
    await target.waitFor(1);

    const paused = await hub.api('PATCH', `/v1/hooks/${hook.id}`, { status: 'paused' });
    expect(paused.status).toBe(200);
    expect(paused.body.status).toBe('paused');
    const held = [await ingestCompletion(hub.url, connection), await ingestCompletion(hub.url, connection)];
    await quiet(hub);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(target.received).toHaveLength(1);
    const waiting = (await deliveriesOf(hub.api, hook.id)).filter((d) => d.status === 'pending');
    expect(waiting.map((d) => d.event_id).sort()).toEqual([...held].sort());

    const resumed = await hub.api('PATCH', `/v1/hooks/${hook.id}`, { status: 'active' });
    expect(resumed.status).toBe(200);
    await target.waitFor(3, 3 * SECOND);
    const sent = target.received.slice(1).map((request) => verifySigned(hook.secret, request).id);
    expect(sent.sort()).toEqual([...held].sort());
    await quiet(hub);
    expect((await deliveriesOf(hub.api, hook.id)).every((d) => d.status === 'succeeded')).toBe(true);
  });
});

describe('a hub that refuses private targets', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub({ LEARNHOOK_ALLOW_PRIVATE_TARGETS: 'false' });
  });
  afterAll(() => hub.close());

  it('refuses subscriptions to loopback addresses and localhost names with 400 target_refused', async () => {
    const target = await receiverForTest();
    const { port } = new URL(target.url);
    const urls = [
      `http://127.0.0.1:${port}/hook`,
      `http://localhost:${port}/hook`,
      `http://LOCALHOST.:${port}/hook`,
      `http://zap.localhost:${port}/hook`,
      `http://[::1]:${port}/hook`,
      `http://2130706433:${port}/hook`,
      'http://10.1.2.3/hook',
      'http://169.254.169.254/latest/meta-data/',
    ];
    for (const url of urls) {
      const refused = await hub.api('POST', '/v1/hooks', { url, events: ['*'] });
      expect(refused.status, url).toBe(400);
      expect(refused.body.error.code, url).toBe('target_refused');
    }
    expect((await hub.api('GET', '/v1/hooks')).body.data).toEqual([]);
    expect(target.received).toHaveLength(0);
  });
});

describe('a hub that lists one private target in LEARNHOOK_ALLOWED_TARGETS', () => {
  it('subscribes and delivers to that host:port, and refuses its neighbours naming both settings', async () => {
    const listed = await receiverForTest();
    const { port } = new URL(listed.url);
    const hub = await startTestHub({ LEARNHOOK_ALLOW_PRIVATE_TARGETS: 'false', LEARNHOOK_ALLOWED_TARGETS: `127.0.0.1:${port}` });
    try {
      const created = await hub.api('POST', '/v1/hooks', { url: `http://127.0.0.1:${port}/hook`, events: ['*'] });
      expect(created.status).toBe(201);
      const sent = await hub.api('POST', `/v1/hooks/${created.body.id}/test`, { type: 'enrollment.completed' });
      expect(sent.body).toMatchObject({ ok: true, status: 200 });
      expect(listed.received).toHaveLength(1);

      const neighbour = await hub.api('POST', '/v1/hooks', { url: `http://127.0.0.1:${Number(port) + 1}/hook`, events: ['*'] });
      expect(neighbour.status).toBe(400);
      expect(neighbour.body.error.message).toMatch(/LEARNHOOK_ALLOWED_TARGETS \(host:port or CIDR\) or by setting LEARNHOOK_ALLOW_PRIVATE_TARGETS=true/);
    } finally {
      await hub.close();
    }
  });
});
