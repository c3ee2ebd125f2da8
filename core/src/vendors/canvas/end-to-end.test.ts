/*
 * Canvas's published course_completed example (instructure/canvas-lms
 * doc/api/data_services/json/canvas/event-types/course_completed.json) through a real hub, with
 * the example's ids replaced by the emulated Canvas's and its email left out, so the delivery shows
 * what hydration added.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogEvent } from '../../catalog/index.ts';
import { courseOfKind, emulatedApi, receiverForTest, sendToIngest, serveEmulator, startTestHub, type TestHub } from '../../testing/index.ts';
import { eventually } from '../../testing/wait.ts';

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(() => hub.close());

describe('a Canvas connection', () => {
  it('delivers a course_completed Live Event to a subscriber as enrollment.completed, hydrated from the Canvas API', { timeout: 20_000 }, async () => {
    const lms = await serveEmulator(emulatedApi('canvas'));
    const created = await hub.api('POST', '/v1/connections', { name: 'acme-canvas', vendor: 'canvas', api: lms.settings });
    expect(created.status).toBe(201);
    const receiver = await receiverForTest();
    expect((await hub.api('POST', '/v1/hooks', { url: receiver.url, events: ['enrollment.completed'] })).status).toBe(201);

    const user = lms.data.users[3]!;
    const course = courseOfKind(lms.data, 'online_course');
    const event = {
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
