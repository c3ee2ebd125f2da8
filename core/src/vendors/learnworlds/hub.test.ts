/*
 * End to end: a version-2 courseCompleted hook as LearnWorlds sends it (support.learnworlds.com
 * "How to Use Webhooks"; learnworlds.dev "Webhooks": Learnworlds-Webhook-Signature v1=<signature>),
 * through a real hub, hydrated from the emulated LearnWorlds API, to a subscriber.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogEvent } from '../../catalog/index.ts';
import type { ConnectionAnswer } from '../../operations/schemas.ts';
import { courseOfKind, emulatedApi, eventually, receiverForTest, sendToIngest, serveEmulator, startTestHub, type TestHub } from '../../testing/index.ts';

const SIGNATURE = 'lw-e2e-signature-0b8e13d4';

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(() => hub.close());

describe('a LearnWorlds hook through the hub', { timeout: 20_000 }, () => {
  it('arrives at the subscriber as enrollment.completed with the learner and course filled in from the API', async () => {
    const receiver = await receiverForTest();
    const hook = await hub.api('POST', '/v1/hooks', { url: receiver.url, events: ['enrollment.completed'] });
    expect(hook.status).toBe(201);
    const lms = await serveEmulator(emulatedApi('learnworlds'));
    const created = await hub.api<ConnectionAnswer>('POST', '/v1/connections', {
      name: 'academy',
      vendor: 'learnworlds',
      signature: SIGNATURE,
      api: lms.settings,
    });
    expect(created.status).toBe(201);
    const user = lms.data.users[0];
    const course = courseOfKind(lms.data, 'online_course');
    if (!user) throw new Error('the demo data has users');
    const body = JSON.stringify({
      version: 2,
      type: 'courseCompleted',
      trigger: 'courseCompleted',
      school_id: 'acme-academy',
      data: { created: 1764000000, user: { id: String(user.id), email: user.email, username: user.username }, course: { id: String(course.id) } },
    });
    const wrong = await sendToIngest(created.body.ingest_url, {
      path: '',
      headers: { 'content-type': 'application/json', 'learnworlds-webhook-signature': 'v1=nope' },
      body,
    });
    expect(wrong.status).toBe(401);
    const answer = await sendToIngest(created.body.ingest_url, {
      path: '',
      headers: { 'content-type': 'application/json', 'learnworlds-webhook-signature': `v1=${SIGNATURE}` },
      body,
    });
    expect(answer.status).toBe(202);

    const event = await eventually(
      async () => {
        const found = receiver.received.map((request) => JSON.parse(request.body) as CatalogEvent).find((one) => one.source.connection === 'academy');
        return found;
      },
      15_000,
      'the delivery',
    );
    expect(event).toMatchObject({
      type: 'enrollment.completed',
      source: { vendor: 'learnworlds', event: 'courseCompleted' },
      learner: { id: String(user.id), email: user.email, first_name: user.first_name, last_name: user.last_name },
      course: { id: String(course.id), title: course.title },
      hydration: { status: 'complete' },
    });
  });
});
