/*
 * A documented 360Learning event through a real hub: the course.attempt.closed payload of the
 * webhook OpenAPI (https://360learning.readme.io/docs/event-payload-and-headers for the envelope),
 * signed the Standard Webhooks way, hydrated from the emulated API v2 and delivered to a subscriber.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogEvent } from '../../catalog/index.ts';
import { vendorId } from '../../sandbox/vendor-ids.ts';
import { generateSecret, signStandardWebhook } from '../../signatures/standard-webhooks.ts';
import { courseOfKind, emulatedApi, receiverForTest, sendToIngest, serveEmulator, startTestHub, type TestHub } from '../../testing/index.ts';
import { eventually } from '../../testing/wait.ts';

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(() => hub.close());

describe('a 360Learning connection', () => {
  it('delivers a signed course.attempt.closed to a subscriber as enrollment.completed, hydrated from the API', { timeout: 20_000 }, async () => {
    const lms = await serveEmulator(emulatedApi('360learning'));
    const secret = generateSecret();
    const created = await hub.api('POST', '/v1/connections', { name: 'acme-360', vendor: '360learning', secret, api: lms.settings });
    expect(created.status).toBe(201);
    const receiver = await receiverForTest();
    expect((await hub.api('POST', '/v1/hooks', { url: receiver.url, events: ['enrollment.completed'] })).status).toBe(201);

    const user = lms.data.users[2]!;
    const course = courseOfKind(lms.data, 'online_course');
    const body = JSON.stringify({
      type: 'course.attempt.closed',
      timestamp: Date.now(),
      data: {
        attemptId: '507f1f77bcf86cd799439011',
        closedAt: new Date().toISOString(),
        userId: vendorId('360learning', 'user', user.id),
        courseId: vendorId('360learning', 'course', course.id),
        reason: 'learnerFinished',
        context: {},
      },
    });
    const headers = signStandardWebhook({ id: 'msg_35bE2UOtsaBIqUl7VW4mLuR9q2B', timestampSeconds: Date.now() / 1000, body, secret });
    const unsigned = await sendToIngest(created.body.ingest_url, { path: '', headers: { 'content-type': 'application/json' }, body });
    expect(unsigned.status).toBe(401);
    const accepted = await sendToIngest(created.body.ingest_url, { path: '', headers: { 'content-type': 'application/json', ...headers }, body });
    expect(accepted.status).toBe(202);

    const delivered = await eventually(async () => receiver.received.map((request) => JSON.parse(request.body) as CatalogEvent)[0], 15_000, 'the delivery');
    expect(delivered).toMatchObject({
      type: 'enrollment.completed',
      source: { vendor: '360learning', event: 'course.attempt.closed', event_id: 'msg_35bE2UOtsaBIqUl7VW4mLuR9q2B' },
      learner: { id: vendorId('360learning', 'user', user.id), email: user.email, first_name: user.first_name, last_name: user.last_name },
      course: { id: vendorId('360learning', 'course', course.id), title: course.title },
      enrollment: { status: 'completed' },
      hydration: { status: 'complete', missing: [] },
    });
  });
});
