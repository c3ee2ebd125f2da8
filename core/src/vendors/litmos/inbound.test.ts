/*
 * Sources:
 * - litmos.com/docs "Webhooks payload": https://www.litmos.com/docs/litmos/webhooks/webhooks-payload
 *   — the achievement.earned example body (copied below as published), dates ISO 8601 UTC, the
 *   10-second timeout, 200/201/202 as success, "may deliver the same webhook multiple times".
 * - support.litmos.com "Webhooks": https://support.litmos.com/hc/en-us/articles/360022948994-Webhooks
 *   — the five hooks: Achievement.Earned (course; learning path), Session.Created,
 *   Session.Registration, ELearningCourse.Processed. Neither page documents a signature, nor the
 *   bodies of the hooks other than achievement.earned: those below reuse its field names.
 */
import { describe, expect, it } from 'vitest';
import { ingestRequest } from '../../testing/ingest-request.ts';
import { litmosAdapter } from './inbound.ts';

const context = { connection: 'litmos-eu', receivedAt: new Date('2026-11-20T14:03:11.482Z') };

/** The published achievement.earned example, as it appears on the payload page. */
const PUBLISHED_ACHIEVEMENT = {
  id: 4513,
  created: '2019-05-06T01:13:19.533',
  type: 'achievement.earned',
  object: 'event',
  data: {
    userId: 'yj-nr8PhW8o1',
    userName: 'sample',
    courseId: 'nAcqwEA8jUo1',
    title: 'Course Demo',
    code: '',
    achievementDate: '2019-05-06T01:12:35.990',
    compliantTilldate: null,
    result: 'Completed',
    type: 'Course Completed',
    firstName: 'Sample',
    lastName: 'User',
    achievementId: 368800,
    certificateId: 'biZrK8ab0LE1',
  },
};

function mapOne(body: unknown) {
  const events = litmosAdapter.parse(ingestRequest({ body }));
  expect(events).toHaveLength(1);
  const [event] = events;
  if (!event) throw new Error('no event');
  const mapped = litmosAdapter.toCatalog(event, context);
  expect(mapped).toHaveLength(1);
  return mapped[0];
}

describe('Litmos webhooks', () => {
  it('checks no signature, since Litmos sends none: the ingest URL token protects the connection', () => {
    expect(() => litmosAdapter.verify(ingestRequest({ body: PUBLISHED_ACHIEVEMENT }), {})).not.toThrow();
    expect(litmosAdapter.inboundSchema.parse({})).toEqual({});
  });

  it('maps the published achievement.earned example to enrollment.completed, its UTC time read as UTC', () => {
    const mapped = mapOne(PUBLISHED_ACHIEVEMENT);
    expect(mapped?.event).toMatchObject({
      type: 'enrollment.completed',
      occurred_at: '2019-05-06T01:12:35.990Z',
      source: { vendor: 'litmos', event: 'achievement.earned', event_id: '4513' },
      learner: { id: 'yj-nr8PhW8o1', username: 'sample', first_name: 'Sample', last_name: 'User', email: null },
      course: { id: 'nAcqwEA8jUo1', title: 'Course Demo', kind: 'online_course' },
      enrollment: { status: 'completed', progress: 100, passed: true, completed_at: '2019-05-06T01:12:35.990Z' },
    });
    // Litmos never sends the email: the learner is always looked up.
    expect(mapped?.hydration).toEqual({ user: 'yj-nr8PhW8o1' });
  });

  it('maps a learning path achievement to enrollment.completed of a learning path', () => {
    const body = { ...PUBLISHED_ACHIEVEMENT, id: 4514, data: { ...PUBLISHED_ACHIEVEMENT.data, type: 'Learning Path Completed', title: 'Onboarding path' } };
    expect(mapOne(body)?.event).toMatchObject({ type: 'enrollment.completed', course: { id: 'nAcqwEA8jUo1', kind: 'learning_path' } });
  });

  it('gives a duplicate delivery of one event id the same event, so the store keeps it once', () => {
    const first = mapOne(PUBLISHED_ACHIEVEMENT);
    const again = mapOne(JSON.parse(JSON.stringify(PUBLISHED_ACHIEVEMENT)));
    expect(again?.dedupeKey).toBe(first?.dedupeKey);
    expect(again?.event.id).toBe(first?.event.id);
    expect(mapOne({ ...PUBLISHED_ACHIEVEMENT, id: 4515 })?.event.id).not.toBe(first?.event.id);
  });

  it('maps Session.Registration to session.enrolled with the session', () => {
    const body = {
      id: 4600,
      created: '2019-05-07T09:00:00.000',
      type: 'Session.Registration',
      object: 'event',
      data: { userId: 'yj-nr8PhW8o1', userName: 'sample', courseId: 'nAcqwEA8jUo1', title: 'Course Demo', sessionId: 'sess-1', sessionName: 'Morning class' },
    };
    expect(mapOne(body)?.event).toMatchObject({
      type: 'session.enrolled',
      learner: { id: 'yj-nr8PhW8o1' },
      course: { id: 'nAcqwEA8jUo1' },
      data: { session: { id: 'sess-1', title: 'Morning class' } },
    });
  });

  it.each(['session.created', 'ELearningCourse.Processed', 'user.created'])('keeps %s, which no catalog type covers, as lms.event', (type) => {
    const mapped = mapOne({ id: 4700, created: '2019-05-07T09:00:00.000', type, object: 'event', data: { courseId: 'nAcqwEA8jUo1', title: 'Course Demo' } });
    expect(mapped?.event).toMatchObject({ type: 'lms.event', source: { event: type }, raw: { id: 4700 } });
  });

  it('refuses a body without an event id or type', () => {
    expect(() => litmosAdapter.parse(ingestRequest({ body: { created: '2019-05-06T01:13:19.533', data: {} } }))).toThrow(/Litmos webhook/);
  });
});
