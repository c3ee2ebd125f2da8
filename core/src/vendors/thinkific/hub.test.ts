/*
 * End to end: Thinkific's documented enrollment.completed webhook (the enrollment examples published
 * with https://support.thinkific.dev/hc/en-us/articles/4422658311703-Webhooks-Documentation, here with
 * the emulated site's user and course ids), signed as "Using Webhooks" says
 * (https://support.thinkific.dev/hc/en-us/articles/4422685850775-Using-Webhooks: X-Thinkific-Hmac-Sha256,
 * hex HMAC-SHA256 of the body keyed with the API key), through a real hub, hydrated from the emulated
 * Thinkific Admin API, to a subscriber.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogEvent } from '../../catalog/index.ts';
import type { ConnectionAnswer } from '../../operations/schemas.ts';
import { emulatedApi, eventually, receiverForTest, sendToIngest, serveEmulator, startTestHub, type TestHub } from '../../testing/index.ts';

const API_KEY = 'thinkific-e2e-api-key-4c7a';

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(() => hub.close());

describe('a Thinkific webhook through the hub', { timeout: 20_000 }, () => {
  it('arrives at the subscriber as enrollment.completed with the learner, and the course address from the API', async () => {
    const receiver = await receiverForTest();
    const hook = await hub.api('POST', '/v1/hooks', { url: receiver.url, events: ['enrollment.completed'] });
    expect(hook.status).toBe(201);
    const lms = await serveEmulator(emulatedApi('thinkific'));
    const created = await hub.api<ConnectionAnswer>('POST', '/v1/connections', {
      name: 'school',
      vendor: 'thinkific',
      signing_key: API_KEY,
      api: lms.settings,
    });
    expect(created.status).toBe(201);
    const user = lms.data.users[0];
    const course = lms.data.courses[0];
    if (!user || !course) throw new Error('the demo data has users and courses');
    const body = JSON.stringify({
      id: '20190131192005552012814',
      resource: 'enrollment',
      action: 'completed',
      tenant_id: '59',
      created_at: '2014-02-01T00:20:05.537Z',
      payload: {
        activated_at: '2014-02-01T00:20:04.019Z',
        completed_at: '2014-02-01T00:20:05.537Z',
        course: { id: course.id, name: course.title },
        course_id: course.id,
        created_at: '2014-02-01T00:20:04.019Z',
        expiry_date: '2014-02-01T00:20:04.019Z',
        free_trial: false,
        id: 5,
        percentage_completed: '100.0',
        started_at: '2014-02-01T00:20:04.019Z',
        updated_at: '2014-02-01T00:20:05.537Z',
        user: { email: user.email, first_name: user.first_name, id: user.id, last_name: user.last_name },
      },
    });
    const headers = (key: string) => ({
      'content-type': 'application/json',
      'x-thinkific-topic': 'enrollment.completed',
      'x-thinkific-subdomain': 'acme-training',
      'x-thinkific-hmac-sha256': createHmac('sha256', key).update(body).digest('hex'),
    });
    expect((await sendToIngest(created.body.ingest_url, { path: '', headers: headers('another-key'), body })).status).toBe(401);
    expect((await sendToIngest(created.body.ingest_url, { path: '', headers: headers(API_KEY), body })).status).toBe(202);

    const event = await eventually(
      async () => receiver.received.map((request) => JSON.parse(request.body) as CatalogEvent).find((one) => one.source.connection === 'school'),
      15_000,
      'the delivery',
    );
    expect(event).toMatchObject({
      type: 'enrollment.completed',
      source: { vendor: 'thinkific', event: 'enrollment.completed', event_id: '20190131192005552012814' },
      learner: { id: String(user.id), email: user.email, first_name: user.first_name, last_name: user.last_name },
      course: { id: String(course.id), title: course.title, url: expect.stringMatching(/^https:\/\/acme-training\.thinkific\.com\/courses\//) },
      enrollment: { status: 'completed', progress: 100 },
      hydration: { status: 'complete' },
    });
  });
});
