/**
 * Samples are built from the fields these public documents describe (none is copied):
 * - "Learn365 webhooks" (Zensai help center, formerly "LMS365 Webhooks"):
 *   https://helpcenter.zensai.com/hc/en-us/articles/115000764449-Learn365-webhooks — actions, ASP.NET WebHooks
 * - The certified LMS365 connector, microsoft/PowerPlatformConnectors
 *   certified-connectors/LMS365/apiDefinition.swagger.json — the notification schema of every trigger
 *   (enrollment, flat course, user shapes) and the CourseType values ELearning, ClassRoom, Webinar, TrainingPlan
 * - ASP.NET WebHooks sender, aspnet/WebHooks WebHookManager.cs — body {Id, Attempt, Properties,
 *   Notifications}, Json.NET indented serialisation, `ms-signature: sha256=<HEX>`, the ?echo= URL check
 */
import { describe, expect, it } from 'vitest';
import { CatalogEventSchema } from '../../catalog/index.ts';
import { ingestRequest } from '../../testing/ingest-request.ts';
import { enrollmentNotification, flatCourseNotification, LEARN365_SAMPLES, learn365Envelope, userNotification } from '../../testing/learn365-notifications.ts';
import type { MappedEvent } from '../adapter.ts';
import { learn365ToCatalog } from './mapping.ts';
import { parseLearn365Notifications } from './notifications.ts';

const { maya, omar, lena, compliance } = LEARN365_SAMPLES;
const context = { connection: 'acme', receivedAt: new Date('2026-11-20T14:03:11.482Z') };

function ingest(body: unknown): MappedEvent[] {
  return parseLearn365Notifications(ingestRequest({ body })).flatMap((event) => learn365ToCatalog(event, context));
}

function only(body: unknown): MappedEvent {
  const events = ingest(body);
  expect(events).toHaveLength(1);
  const [first] = events;
  if (!first) throw new Error('no event');
  expect(CatalogEventSchema.parse(first.event)).toEqual(first.event);
  return first;
}

describe('learn365 enrollment notifications', () => {
  it('maps CourseEnrollment to enrollment.created with the learner, the course and the enrollment', () => {
    const { event, hydration, dedupeKey } = only(learn365Envelope([enrollmentNotification('CourseEnrollment')]));
    expect(event.type).toBe('enrollment.created');
    expect(event.occurred_at).toBe('2026-11-20T14:03:11.123Z');
    expect(event.source).toEqual({ vendor: 'learn365', connection: 'acme', event: 'CourseEnrollment', event_id: '4f9e8d7c6b5a49388271605f4e3d2c1b' });
    expect(event.learner).toEqual({
      id: maya.Id,
      email: 'maya.chen@acme-training.example',
      username: maya.LoginName,
      first_name: null,
      last_name: null,
      name: 'Maya Chen',
      department: 'Customer Success',
    });
    expect(event.course).toEqual({ id: compliance.Id, title: compliance.Title, kind: 'online_course', url: compliance.Url });
    expect(event.enrollment).toMatchObject({ id: maya.EnrollmentId, status: 'enrolled', enrolled_at: '2026-11-20T14:03:11.123Z', completed_at: null });
    expect(event.data).toEqual({ enrollment_source: null });
    expect(event.actor).toBeNull();
    expect(dedupeKey).toBe(`4f9e8d7c6b5a49388271605f4e3d2c1b/0/${maya.Id}`);
    // Everything an enrollment notification can say is already there.
    expect(hydration).toEqual({});
    expect(event.hydration.status).toBe('complete');
  });

  it('takes a CourseEnrollment status from EnrollmentStatusText when the text is a known one', () => {
    const pending = only(learn365Envelope([enrollmentNotification('CourseEnrollment', { EnrollmentStatusText: 'Pending Approval' })]));
    expect(pending.event.enrollment?.status).toBe('pending_approval');
    const unknownText = only(learn365Envelope([enrollmentNotification('CourseEnrollment', { EnrollmentStatusText: 'Something New' })]));
    expect(unknownText.event.enrollment?.status).toBe('enrolled');
  });

  it('maps CourseUnenrollment to enrollment.removed and asks nothing of an enrollment that is gone', () => {
    const { event, hydration } = only(learn365Envelope([enrollmentNotification('CourseUnenrollment', { EnrollmentStatusText: 'Cancelled' })]));
    expect(event.type).toBe('enrollment.removed');
    expect(event.enrollment?.status).toBe('removed');
    expect(event.learner?.email).toBe(maya.Email);
    expect(event.data).toEqual({ enrollment_source: null });
    expect(hydration).toEqual({});
  });

  it('maps EnrollmentApprovalRequest to enrollment.approval_requested, caused by the learner', () => {
    const { event } = only(learn365Envelope([enrollmentNotification('EnrollmentApprovalRequest', { EnrollmentStatusText: 'Pending' })]));
    expect(event.type).toBe('enrollment.approval_requested');
    expect(event.enrollment?.status).toBe('pending_approval');
    expect(event.actor).toEqual({ id: maya.Id, role: 'learner' });
    expect(event.course?.title).toBe(compliance.Title);
  });

  it('maps CourseStarted to enrollment.started and asks the LMS for the progress', () => {
    const { event, hydration } = only(learn365Envelope([enrollmentNotification('CourseStarted', { EnrollmentStatusText: 'InProgress' })]));
    expect(event.type).toBe('enrollment.started');
    expect(event.enrollment?.status).toBe('in_progress');
    expect(event.actor).toEqual({ id: maya.Id, role: 'learner' });
    expect(hydration).toEqual({ enrollment: { user: maya.Id, course: compliance.Id, id: maya.EnrollmentId } });
  });

  it('maps CourseCompleted to enrollment.completed with the completion time and asks for score and dates', () => {
    const { event, hydration } = only(learn365Envelope([enrollmentNotification('CourseCompleted', { EnrollmentStatusText: 'Completed' })]));
    expect(event.type).toBe('enrollment.completed');
    expect(event.enrollment).toMatchObject({ status: 'completed', progress: 100, completed_at: '2026-11-20T14:03:11.123Z' });
    expect(event.learner?.department).toBe('Customer Success');
    expect(hydration).toEqual({ enrollment: { user: maya.Id, course: compliance.Id, id: maya.EnrollmentId } });
    expect(event.hydration.status).toBe('pending');
  });

  it('asks for the profile and the course only when the notification lacks them', () => {
    const sparseUser = { Id: maya.Id, LoginName: maya.LoginName };
    const untitled = { Id: compliance.Id, CourseType: 'ClassRoom' };
    const { event, hydration } = only(learn365Envelope([enrollmentNotification('CourseEnrollment', { Users: [sparseUser], Course: untitled })]));
    expect(event.learner).toMatchObject({ id: maya.Id, email: null, department: null });
    expect(event.course).toEqual({ id: compliance.Id, title: null, kind: 'instructor_led', url: null });
    expect(hydration).toEqual({ user: maya.Id, course: { id: compliance.Id, kind: 'instructor_led' } });
  });

  it('gives one event per user when a notification names three, each with its own id', () => {
    const events = ingest(learn365Envelope([enrollmentNotification('CourseEnrollment', { Users: [maya, omar, lena] })]));
    expect(events.map((mapped) => mapped.event.learner?.email)).toEqual([maya.Email, omar.Email, lena.Email]);
    expect(events.map((mapped) => mapped.event.enrollment?.id)).toEqual([maya.EnrollmentId, omar.EnrollmentId, lena.EnrollmentId]);
    expect(new Set(events.map((mapped) => mapped.event.id)).size).toBe(3);
    expect(new Set(events.map((mapped) => mapped.dedupeKey)).size).toBe(3);
  });

  it('gives a retry (same Id, next Attempt) the same event ids, and another notification new ones', () => {
    const notifications = [enrollmentNotification('CourseEnrollment', { Users: [maya, omar] }), enrollmentNotification('CourseCompleted')];
    const first = ingest(learn365Envelope(notifications));
    const retry = ingest(learn365Envelope(notifications, { Attempt: 2 }));
    expect(retry.map((mapped) => mapped.event.id)).toEqual(first.map((mapped) => mapped.event.id));
    expect(new Set(first.map((mapped) => mapped.event.id)).size).toBe(3);
    const other = ingest(learn365Envelope(notifications, { Id: '0a1b2c3d4e5f46578899aabbccddeeff' }));
    expect(other.map((mapped) => mapped.event.id)).not.toContain(first[0]?.event.id);
  });
});

describe('learn365 course notifications', () => {
  it.each([
    ['CoursePublished', 'course.published'],
    ['CourseUnpublished', 'course.unpublished'],
    ['CourseCreated', 'course.created'],
    ['CourseDeleted', 'course.deleted'],
  ] as const)('maps the flat %s notification to %s with the course it names', (action, type) => {
    const { event, hydration, dedupeKey } = only(learn365Envelope([flatCourseNotification(action)]));
    expect(event.type).toBe(type);
    expect(event.course).toEqual({ id: compliance.Id, title: compliance.Title, kind: 'online_course', url: compliance.Url });
    expect(event.learner).toBeNull();
    expect(event.enrollment).toBeNull();
    expect(event.actor).toEqual({ id: null, role: 'admin' });
    expect(event.occurred_at).toBe('2026-11-20T09:30:00.000Z');
    expect(dedupeKey).toBe('4f9e8d7c6b5a49388271605f4e3d2c1b/0');
    // Id, Title, Url and CourseType come flat on the notification: nothing to look up.
    expect(hydration).toEqual({});
  });

  it.each([
    ['ELearning', 'online_course'],
    ['ClassRoom', 'instructor_led'],
    ['Webinar', 'instructor_led'],
    ['TrainingPlan', 'learning_path'],
    ['SomethingElse', null],
  ] as const)('reads CourseType %s as course.kind %s', (courseType, kind) => {
    const { event } = only(learn365Envelope([flatCourseNotification('CoursePublished', { CourseType: courseType })]));
    expect(event.course?.kind).toBe(kind);
  });

  it('asks for the course when a flat notification carries no title', () => {
    const { hydration } = only(learn365Envelope([flatCourseNotification('CoursePublished', { Title: null, CourseType: 'TrainingPlan' })]));
    expect(hydration).toEqual({ course: { id: compliance.Id, kind: 'learning_path' } });
  });
});

describe('learn365 user notifications', () => {
  it('maps UserCreated to user.created and asks for the profile the notification lacks (department)', () => {
    const { event, hydration, dedupeKey } = only(learn365Envelope([userNotification('UserCreated')]));
    expect(event.type).toBe('user.created');
    expect(event.learner).toMatchObject({ id: maya.Id, email: maya.Email, username: maya.LoginName, name: 'Maya Chen', department: null });
    expect(event.course).toBeNull();
    expect(dedupeKey).toBe(`4f9e8d7c6b5a49388271605f4e3d2c1b/0/${maya.Id}`);
    expect(hydration).toEqual({ user: maya.Id });
  });

  it('maps UserDeleted to user.deactivated without asking about a user that is gone', () => {
    const { event, hydration } = only(learn365Envelope([userNotification('UserDeleted')]));
    expect(event.type).toBe('user.deactivated');
    expect(event.learner?.email).toBe(maya.Email);
    expect(hydration).toEqual({});
  });
});

describe('learn365 unknown actions', () => {
  it('maps an unknown Action to lms.event and keeps the notification raw', () => {
    const notification = { Action: 'CertificateIssued', CertificateId: 'x-42', TimeStamp: '2026-11-20T10:00:00Z' };
    const { event, dedupeKey } = only(learn365Envelope([notification]));
    expect(event.type).toBe('lms.event');
    expect(event.source.event).toBe('CertificateIssued');
    expect(event.occurred_at).toBe('2026-11-20T10:00:00.000Z');
    expect(event.raw).toEqual({ Id: '4f9e8d7c6b5a49388271605f4e3d2c1b', Attempt: 1, Properties: { tenant: 'acme' }, Notifications: [notification] });
    expect(dedupeKey).toBe('4f9e8d7c6b5a49388271605f4e3d2c1b/0');
  });

  it('maps every notification of a mixed request, each in its own way', () => {
    const events = ingest(
      learn365Envelope([flatCourseNotification('CourseCreated'), enrollmentNotification('CourseEnrollment', { Users: [maya, omar] }), { Action: 'Other' }]),
    );
    expect(events.map((mapped) => mapped.event.type)).toEqual(['course.created', 'enrollment.created', 'enrollment.created', 'lms.event']);
  });
});
