import { createHmac } from 'node:crypto';
import { signStandardWebhook } from '@learnhook/core';
import { completionRequest, issuePaths } from '@learnhook/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBodyOf, errorOf, INGEST_VENDORS, type IngestHub, JSON_HEADERS, post, send, startIngestHub } from '../lib/ingest-hub.ts';

/** What /ingest refuses (bad bodies, signatures, credentials, URLs, media types), and that a refusal stores and delivers nothing. */

let ingest: IngestHub;
beforeAll(async () => {
  ingest = await startIngestHub();
});
afterAll(() => ingest.close());

describe('bad ingests get a clear error and change nothing', () => {
  it('answers 400 invalid_payload to malformed JSON', async () => {
    const answer = await ingest.expectRefused(
      () => post(ingest.connections.absorb.ingest_url, { headers: JSON_HEADERS, body: '{"eventName": "Enrollment Completed by Learner", "userId": ' }),
      400,
      'invalid_payload',
    );
    expect(errorOf(answer.body).message).toMatch(/not valid JSON/);
    expect(Array.isArray((errorOf(answer.body).details as { issues: unknown }).issues)).toBe(true);
  });

  it('answers 400 invalid_payload to a body nested deeper than any webhook, which kept would break every event search over it', async () => {
    const deep = `${'['.repeat(3000)}1${']'.repeat(3000)}`;
    const answer = await ingest.expectRefused(
      () =>
        post(ingest.connections.absorb.ingest_url, {
          headers: JSON_HEADERS,
          body: `{"eventName":"Enrollment Completed by Learner","userId":"u-deep","courseId":"c-1","extra":${deep}}`,
        }),
      400,
      'invalid_payload',
    );
    expect(errorOf(answer.body).message).toMatch(/deeper than 64 levels/);
  });

  it('answers 400 invalid_payload naming the path of a body of the wrong shape', async () => {
    const absorb = await ingest.expectRefused(
      () => post(ingest.connections.absorb.ingest_url, { headers: JSON_HEADERS, body: JSON.stringify({ userId: 'u-1', courseId: 'c-1' }) }),
      400,
      'invalid_payload',
    );
    expect(issuePaths(errorBodyOf(absorb.body))).toEqual(['eventName']);

    // Correctly signed, so the shape is what is wrong: a completion naming a user without an Id.
    const body = JSON.stringify({
      Id: 'notif-shape',
      Attempt: 1,
      Notifications: [
        {
          Action: 'CourseCompleted',
          Course: { Id: '42', Title: 'Compliance 101' },
          Users: [{ Title: 'Maya Chen', Email: 'maya@acme.example' }],
          TimeStamp: '2026-11-20T14:03:11Z',
        },
      ],
    });
    const signature = createHmac('sha256', String(ingest.connections.learn365.inbound.secret)).update(body).digest('hex');
    const learn365 = await ingest.expectRefused(
      () => post(ingest.connections.learn365.ingest_url, { headers: { ...JSON_HEADERS, 'ms-signature': `sha256=${signature}` }, body }),
      400,
      'invalid_payload',
    );
    expect(issuePaths(errorBodyOf(learn365.body))).toEqual(['Notifications.0.Users.0.Id']);
    expect(errorOf(learn365.body).message).toContain('Notifications.0.Users.0.Id');
  });

  it('answers 413 payload_too_large to a body over 1 MiB', async () => {
    const body = JSON.stringify({ eventName: 'Enrollment Completed by Learner', userId: 'u-1', padding: 'x'.repeat(1024 * 1024) });
    const answer = await ingest.expectRefused(() => post(ingest.connections.absorb.ingest_url, { headers: JSON_HEADERS, body }), 413, 'payload_too_large');
    expect(errorOf(answer.body).details).toEqual({ limit_bytes: 1024 * 1024 });
  });

  it('answers 401 to a Learn365 request with a wrong or missing ms-signature', async () => {
    const good = completionRequest('learn365', ingest.connections.learn365.inbound, 1);
    const wrongSecret = createHmac('sha256', 'another-secret-of-thirty-two-characters!').update(good.body).digest('hex');
    await ingest.expectRefused(
      () => send(ingest.connections.learn365, { ...good, headers: { ...good.headers, 'ms-signature': `sha256=${wrongSecret}` } }),
      401,
      'invalid_signature',
    );
    const { 'ms-signature': _signature, ...unsigned } = good.headers;
    await ingest.expectRefused(() => send(ingest.connections.learn365, { ...good, headers: unsigned }), 401, 'invalid_signature');
    // The signature covers the bytes: the same body with one character changed no longer matches.
    await ingest.expectRefused(
      () => send(ingest.connections.learn365, { ...good, body: good.body.replace('Compliance 101', 'Compliance 102') }),
      401,
      'invalid_signature',
    );
  });

  it('answers 401 to a Standard Webhooks request with a bad or stale signature', async () => {
    const good = completionRequest('standard', ingest.connections.standard.inbound, 1);
    const secret = String(ingest.connections.standard.inbound.secret);
    const sign = (timestampSeconds: number, key = secret) => signStandardWebhook({ id: 'msg_bad', timestampSeconds, body: good.body, secret: key });
    const now = Date.now() / 1000;
    await ingest.expectRefused(
      () => send(ingest.connections.standard, { ...good, headers: { ...JSON_HEADERS, ...sign(now, 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw') } }),
      401,
      'invalid_signature',
    );
    await ingest.expectRefused(
      () => send(ingest.connections.standard, { ...good, headers: { ...JSON_HEADERS, ...sign(now - 10 * 60) } }),
      401,
      'invalid_signature',
    );
    await ingest.expectRefused(
      () => send(ingest.connections.standard, { ...good, headers: { ...JSON_HEADERS, ...sign(now + 10 * 60) } }),
      401,
      'invalid_signature',
    );
    await ingest.expectRefused(() => send(ingest.connections.standard, { ...good, headers: JSON_HEADERS }), 401, 'invalid_signature');
  });

  it('answers 401 to a Seismic Learning request with a wrong or missing Authorization', async () => {
    const good = completionRequest('seismic-learning', ingest.connections['seismic-learning'].inbound, 1);
    await ingest.expectRefused(
      () => send(ingest.connections['seismic-learning'], { ...good, headers: { ...JSON_HEADERS, authorization: 'Bearer not-the-configured-value' } }),
      401,
      'unauthorized',
    );
    await ingest.expectRefused(() => send(ingest.connections['seismic-learning'], { ...good, headers: JSON_HEADERS }), 401, 'unauthorized');
  });

  it('answers 401 to xAPI statements with wrong Basic credentials', async () => {
    for (const vendor of ['standard', 'seismic-learning'] as const) {
      const good = completionRequest('xapi', ingest.connections[vendor].inbound, 1);
      const { username } = ingest.connections[vendor].inbound.xapi as { username: string };
      const wrong = `Basic ${Buffer.from(`${username}:wrong-password`).toString('base64')}`;
      await ingest.expectRefused(() => send(ingest.connections[vendor], { ...good, headers: { ...good.headers, authorization: wrong } }), 401, 'unauthorized');
      const { authorization: _authorization, ...anonymous } = good.headers;
      await ingest.expectRefused(() => send(ingest.connections[vendor], { ...good, headers: anonymous }), 401, 'unauthorized');
    }
  });

  it('answers the same 404 to an unknown connection and to a known connection with a wrong token', async () => {
    const good = completionRequest('absorb', ingest.connections.absorb.inbound, 1);
    const url = new URL(ingest.connections.absorb.ingest_url);
    const token = url.pathname.split('/')[3] ?? '';
    const unknown = await ingest.expectRefused(() => post(`${url.origin}/ingest/no-such-connection/${token}`, good), 404, 'not_found');
    const wrongToken = await ingest.expectRefused(() => post(`${url.origin}/ingest/bad-absorb/${token.slice(0, -4)}AAAA`, good), 404, 'not_found');
    expect(wrongToken.body).toEqual(unknown.body);
  });

  it('answers 415 to a multipart/form-data body, and to a body in an encoding it cannot read', async () => {
    const form = new FormData();
    form.set('eventName', 'Enrollment Completed by Learner');
    form.set('userId', 'u-1');
    const answer = await ingest.expectRefused(() => post(ingest.connections.absorb.ingest_url, { headers: {}, body: form }), 415, 'unsupported_media_type');
    expect(errorOf(answer.body).message).toContain('multipart/form-data');
    const good = completionRequest('absorb', ingest.connections.absorb.inbound, 1);
    await ingest.expectRefused(
      () => post(ingest.connections.absorb.ingest_url, { headers: { ...good.headers, 'content-encoding': 'zip' }, body: good.body }),
      415,
      'unsupported_media_type',
    );
  });

  it('still stores and delivers a good request on each of these connections (the checks above could have seen a leak)', async () => {
    const before = ingest.receiver.received.length;
    for (const vendor of INGEST_VENDORS) {
      const answer = await send(ingest.connections[vendor], completionRequest(vendor, ingest.connections[vendor].inbound, 2));
      expect(answer.status, vendor).toBe(202);
      expect(await ingest.eventIds(ingest.connections[vendor]), vendor).toHaveLength(1);
    }
    await ingest.receiver.waitFor(before + INGEST_VENDORS.length);
  });
});
