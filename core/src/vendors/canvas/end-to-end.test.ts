/*
 * Canvas's published course_completed example (instructure/canvas-lms
 * doc/api/data_services/json/canvas/event-types/course_completed.json) through a real hub, with
 * the example's ids replaced by the emulated Canvas's and its email left out, so the delivery shows
 * what hydration added; unsigned, and signed as data_service_setup.md describes "Sign Payload"
 * (an RS256 JWT with the event in its claims, its kid in the key set the emulated Canvas publishes).
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogEvent } from '../../catalog/index.ts';
import { courseOfKind, emulatedApi, receiverForTest, sendToIngest, serveEmulator, startTestHub, type TestHub } from '../../testing/index.ts';
import { refusedUrl } from '../../testing/listen.ts';
import { eventually } from '../../testing/wait.ts';
import { signCanvasLiveEvent } from './sandbox-signing.ts';

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(() => hub.close());

/** Canvas's course_completed example about a learner and course of the emulated Canvas. */
function courseCompleted(user: { id: number; first_name: string; last_name: string }, course: { id: number; title: string }) {
  return {
    metadata: {
      context_id: `2107000000000${String(course.id).padStart(4, '0')}`,
      context_type: 'Course',
      event_name: 'course_completed',
      event_time: new Date().toISOString(),
      producer: 'canvas',
      request_id: '1dd9dc6f-2fb0-4c19-a6c5-7ee1bf3ed295',
      root_account_id: '21070000000000001',
      user_id: `21070000000${String(user.id).padStart(6, '0')}`,
    },
    body: {
      course: { account_id: '79', id: String(course.id), name: course.title, sis_source_id: '2017.100.101.101-1' },
      progress: { completed_at: new Date().toISOString(), next_requirement_url: null, requirement_completed_count: 6, requirement_count: 6 },
      user: { id: String(user.id), name: `${user.first_name} ${user.last_name}` },
    },
  };
}

const signed = (body: string) => ({ path: '' as const, headers: { 'content-type': 'application/jwt' }, body });

describe('a Canvas connection', () => {
  it('delivers signed Live Events checked against the published key set, and refuses forged, alg-none and unsigned ones with 401', {
    timeout: 20_000,
  }, async () => {
    const lms = await serveEmulator(emulatedApi('canvas'));
    const created = await hub.api('POST', '/v1/connections', {
      name: 'signed-canvas',
      vendor: 'canvas',
      api: lms.settings,
      signed_payloads: 'required',
      jwks_url: `${lms.base}/live-events/jwks`,
    });
    expect(created.status).toBe(201);
    const receiver = await receiverForTest();
    expect((await hub.api('POST', '/v1/hooks', { url: receiver.url, events: ['enrollment.completed'] })).status).toBe(201);
    const user = lms.data.users[2]!;
    const course = courseOfKind(lms.data, 'online_course');
    const event = courseCompleted(user, course);
    const ingest = created.body.ingest_url as string;

    const accepted = await sendToIngest(ingest, signed(signCanvasLiveEvent({ ...event, iat: Math.floor(Date.now() / 1000) })));
    expect(accepted.status).toBe(202);
    // Wrapped in JSON quotes, as consumers report Canvas sometimes sends it: the same event, stored once.
    const quoted = await sendToIngest(ingest, { path: '', headers: { 'content-type': 'application/json' }, body: JSON.stringify(signCanvasLiveEvent(event)) });
    expect(quoted.status).toBe(202);
    expect(await quoted.json()).toMatchObject({ accepted: 0, duplicates: 1 });

    const delivered = await eventually(async () => receiver.received.map((request) => JSON.parse(request.body) as CatalogEvent)[0], 15_000, 'the delivery');
    expect(delivered).toMatchObject({
      type: 'enrollment.completed',
      source: { vendor: 'canvas', event: 'course_completed' },
      learner: { id: String(user.id), email: user.email },
      course: { id: String(course.id), title: course.title },
      hydration: { status: 'complete' },
    });

    // Signed with a key of the forger's own under a made-up kid.
    const forger = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const input = `${part({ alg: 'RS256', kid: 'forged-kid' })}.${part(event)}`;
    const forged = await sendToIngest(ingest, signed(`${input}.${sign('sha256', Buffer.from(input), forger.privateKey).toString('base64url')}`));
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ error: { code: 'invalid_signature', message: expect.stringContaining('"forged-kid"') } });
    const none = await sendToIngest(ingest, signed(`${part({ alg: 'none', kid: 'x' })}.${part(event)}.c2ln`));
    expect(none.status).toBe(401);
    const unsigned = await sendToIngest(ingest, { path: '', headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) });
    expect(unsigned.status).toBe(401);
    expect(await unsigned.json()).toMatchObject({ error: { message: expect.stringContaining('Sign Payload') } });
    expect(receiver.received).toHaveLength(1);
  });

  it('answers 503 with Retry-After for a signed Live Event while its key set cannot be read, and keeps nothing', { timeout: 20_000 }, async () => {
    const created = await hub.api('POST', '/v1/connections', { name: 'keyless-canvas', vendor: 'canvas', jwks_url: `${await refusedUrl()}/jwks` });
    expect(created.status).toBe(201);
    const answer = await sendToIngest(
      created.body.ingest_url,
      signed(signCanvasLiveEvent(courseCompleted({ id: 1, first_name: 'A', last_name: 'B' }, { id: 1, title: 'C' }))),
    );
    expect(answer.status).toBe(503);
    expect(answer.headers.get('retry-after')).toBe('60');
    expect(await answer.json()).toMatchObject({ error: { code: 'key_set_unavailable', message: expect.stringContaining('Nothing of it was kept') } });
    const events = await hub.api('GET', '/v1/events?limit=50');
    expect(JSON.stringify(events.body)).not.toContain('keyless-canvas');
  });

  it('delivers a course_completed Live Event to a subscriber as enrollment.completed, hydrated from the Canvas API', { timeout: 20_000 }, async () => {
    const lms = await serveEmulator(emulatedApi('canvas'));
    const created = await hub.api('POST', '/v1/connections', { name: 'acme-canvas', vendor: 'canvas', api: lms.settings });
    expect(created.status).toBe(201);
    const receiver = await receiverForTest();
    expect((await hub.api('POST', '/v1/hooks', { url: receiver.url, events: ['enrollment.completed'] })).status).toBe(201);

    const user = lms.data.users[3]!;
    const course = courseOfKind(lms.data, 'online_course');
    const event = courseCompleted(user, course);
    const accepted = await sendToIngest(created.body.ingest_url, { path: '', headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) });
    expect(accepted.status).toBe(202);
    const wrongToken = await sendToIngest(created.body.ingest_url.replace(/[^/]+$/, 'not-the-token'), {
      path: '',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(event),
    });
    expect(wrongToken.status).toBeGreaterThanOrEqual(400);

    const delivered = await eventually(async () => receiver.received.map((request) => JSON.parse(request.body) as CatalogEvent)[0], 15_000, 'the delivery');
    expect(delivered).toMatchObject({
      type: 'enrollment.completed',
      source: { vendor: 'canvas', event: 'course_completed' },
      actor: { id: String(user.id), role: 'learner' },
      learner: { id: String(user.id), email: user.email, first_name: user.first_name, last_name: user.last_name },
      course: { id: String(course.id), title: course.title },
      enrollment: { status: 'completed', progress: 100 },
      hydration: { status: 'complete', missing: [] },
    });
  });
});
