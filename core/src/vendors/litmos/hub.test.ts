/*
 * End to end: the achievement.earned example published on litmos.com/docs "Webhooks payload"
 * (https://www.litmos.com/docs/litmos/webhooks/webhooks-payload), with the sandbox's ids in place
 * of the example's, sent unsigned as Litmos sends it, through a real hub, hydrated from the
 * emulated Litmos API (Litmos sends no email), to a subscriber; sent twice, delivered once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogEvent } from '../../catalog/index.ts';
import type { ConnectionAnswer } from '../../operations/schemas.ts';
import { courseOfKind, emulatedApi, eventually, receiverForTest, sendToIngest, serveEmulator, sleep, startTestHub, type TestHub } from '../../testing/index.ts';

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(() => hub.close());

describe('a Litmos webhook through the hub', { timeout: 20_000 }, () => {
  it('arrives at the subscriber once as enrollment.completed, the learner hydrated with the email Litmos leaves out', async () => {
    const receiver = await receiverForTest();
    expect((await hub.api('POST', '/v1/hooks', { url: receiver.url, events: ['enrollment.completed'] })).status).toBe(201);
    const lms = await serveEmulator(emulatedApi('litmos'));
    const created = await hub.api<ConnectionAnswer>('POST', '/v1/connections', { name: 'litmos', vendor: 'litmos', api: lms.settings });
    expect(created.status).toBe(201);
    const user = lms.data.users[0];
    const course = courseOfKind(lms.data, 'online_course');
    if (!user) throw new Error('the demo data has users');
    const body = JSON.stringify({
      id: 4513,
      created: '2019-05-06T01:13:19.533',
      type: 'achievement.earned',
      object: 'event',
      data: {
        userId: String(user.id),
        userName: user.username,
        courseId: String(course.id),
        title: course.title,
        code: '',
        achievementDate: '2019-05-06T01:12:35.990',
        compliantTilldate: null,
        result: 'Completed',
        type: 'Course Completed',
        firstName: user.first_name,
        lastName: user.last_name,
        achievementId: 368800,
        certificateId: 'biZrK8ab0LE1',
      },
    });
    const request = { path: '', headers: { 'content-type': 'application/json' }, body } as const;
    expect((await sendToIngest(created.body.ingest_url, request)).status).toBe(202);
    // Litmos may deliver the same webhook again.
    expect((await sendToIngest(created.body.ingest_url, request)).status).toBe(202);

    const mine = () => receiver.received.map((one) => JSON.parse(one.body) as CatalogEvent).filter((one) => one.source.connection === 'litmos');
    const [event] = await eventually(async () => mine().length > 0 && mine(), 15_000, 'the delivery');
    expect(event).toMatchObject({
      type: 'enrollment.completed',
      source: { vendor: 'litmos', event: 'achievement.earned', event_id: '4513' },
      learner: { id: String(user.id), email: user.email, first_name: user.first_name },
      course: { id: String(course.id), title: course.title },
      hydration: { status: 'complete' },
    });
    await sleep(500);
    expect(mine()).toHaveLength(1);
  });
});
