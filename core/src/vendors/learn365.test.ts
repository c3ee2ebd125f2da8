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
import { CatalogEventSchema } from '../catalog/index.ts';
import { PayloadError, SignatureError } from '../errors.ts';
import { hmacSha256 } from '../signatures/hmac.ts';
import { thrownBy } from '../testing/errors.ts';
import { ingestRequest } from '../testing/ingest-request.ts';
import type { IngestRequest, MappedEvent } from './adapter.ts';
import { LEARN365_COURSE_KINDS, LEARN365_COURSE_TYPES, learn365Adapter } from './learn365.ts';
import { lookupName } from './names.ts';

const SECRET = 'c0ffee5ecret-learn365-0123456789abcdef';
const context = { connection: 'acme', receivedAt: new Date('2026-11-20T14:03:11.482Z') };

const maya = {
  Id: '3f2a9c1e-7b4d-4e8a-9c2f-1a6b5d4e3c21',
  DirectoryObjectId: '8d1c6a2f-4e3b-4a9d-b7c6-5e2f1a0d9c83',
  EnrollmentId: 'a7e4c2d1-9b8f-4c3e-8d2a-6f5b4e3d2c10',
  LoginName: 'i:0#.f|membership|maya.chen@acme-training.example',
  Title: 'Maya Chen',
  Department: 'Customer Success',
  Email: 'maya.chen@acme-training.example',
};
const omar = { ...maya, Id: '5b6c7d8e-1f2a-4b3c-9d4e-0a1b2c3d4e5f', EnrollmentId: 'b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e', LoginName: 'i:0#.f|membership|omar.haddad@acme-training.example', Title: 'Omar Haddad', Department: 'Sales', Email: 'omar.haddad@acme-training.example' };
const lena = { ...maya, Id: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b', EnrollmentId: 'c9d8e7f6-a5b4-4c3d-9e2f-1a0b9c8d7e6f', LoginName: 'i:0#.f|membership|lena.fischer@acme-training.example', Title: 'Lena Fischer', Department: 'Finance', Email: 'lena.fischer@acme-training.example' };

const compliance = {
  SiteId: '0c9b8a7f-6e5d-4c3b-2a19-0817f6e5d4c3',
  WebId: '1d2e3f4a-5b6c-4d7e-8f9a-0b1c2d3e4f5a',
  Id: '6f1c2b9e-0d4a-4c3b-8e7f-1a2b3c4d5e6f',
  Title: 'Compliance 101: Data Protection Essentials',
  Url: 'https://acme.sharepoint.com/sites/lms365/compliance-101',
  CourseType: 'ELearning',
  Published: true,
};

function enrollmentNotification(action: string, extra: Record<string, unknown> = {}) {
  return {
    Action: action,
    EnrollmentStatus: 0,
    EnrollmentStatusText: 'Enrolled',
    Course: compliance,
    Users: [maya],
    TimeStamp: '2026-11-20T14:03:11.1234567Z',
    ...extra,
  };
}

function flatCourse(action: string, extra: Record<string, unknown> = {}) {
  const { SiteId, WebId, Id, Title, Url, CourseType, Published } = compliance;
  return { Action: action, SiteId, WebId, Id, Title, Url, CourseType, Published, TimeStamp: '2026-11-20T09:30:00Z', ...extra };
}

function userNotification(action: string) {
  return {
    Action: action,
    UserId: maya.Id,
    LoginName: maya.LoginName,
    Email: maya.Email,
    Title: maya.Title,
    DirectoryObjectId: maya.DirectoryObjectId,
    IsDeleted: action === 'UserDeleted',
    UserFieldValues: [{ FieldId: 'f0e1d2c3-b4a5-4968-8776-655443322110', FieldTitle: 'Region', Value: 'EMEA' }],
    TimeStamp: '2026-11-20T08:00:00Z',
  };
}

function envelope(notifications: unknown[], overrides: Record<string, unknown> = {}) {
  return { Id: '4f9e8d7c6b5a49388271605f4e3d2c1b', Attempt: 1, Properties: { tenant: 'acme' }, Notifications: notifications, ...overrides };
}

/** Json.NET's indented output as a Windows host sends it: the exact bytes that were signed. */
function wireBody(body: unknown): Buffer {
  return Buffer.from(JSON.stringify(body, null, 2).replace(/\n/g, '\r\n'), 'utf8');
}

function signature(body: Buffer, secret = SECRET): string {
  return `sha256=${hmacSha256(Buffer.from(secret, 'utf8'), body).toString('hex').toUpperCase()}`;
}

function signed(body: unknown, headers: Record<string, string> = {}): IngestRequest {
  const bytes = wireBody(body);
  return ingestRequest({ body: bytes, headers: { 'ms-signature': signature(bytes), ...headers } });
}

function ingest(body: unknown): MappedEvent[] {
  const request = signed(body);
  learn365Adapter.verify(request, { secret: SECRET });
  return learn365Adapter.parse(request).flatMap((event) => learn365Adapter.toCatalog(event, context));
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
    const { event, hydration, dedupeKey } = only(envelope([enrollmentNotification('CourseEnrollment')]));
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
    const pending = only(envelope([enrollmentNotification('CourseEnrollment', { EnrollmentStatusText: 'Pending Approval' })]));
    expect(pending.event.enrollment?.status).toBe('pending_approval');
    const unknownText = only(envelope([enrollmentNotification('CourseEnrollment', { EnrollmentStatusText: 'Something New' })]));
    expect(unknownText.event.enrollment?.status).toBe('enrolled');
  });

  it('maps CourseUnenrollment to enrollment.removed and asks nothing of an enrollment that is gone', () => {
    const { event, hydration } = only(envelope([enrollmentNotification('CourseUnenrollment', { EnrollmentStatusText: 'Cancelled' })]));
    expect(event.type).toBe('enrollment.removed');
    expect(event.enrollment?.status).toBe('removed');
    expect(event.learner?.email).toBe(maya.Email);
    expect(event.data).toEqual({ enrollment_source: null });
    expect(hydration).toEqual({});
  });

  it('maps EnrollmentApprovalRequest to enrollment.approval_requested, caused by the learner', () => {
    const { event } = only(envelope([enrollmentNotification('EnrollmentApprovalRequest', { EnrollmentStatusText: 'Pending' })]));
    expect(event.type).toBe('enrollment.approval_requested');
    expect(event.enrollment?.status).toBe('pending_approval');
    expect(event.actor).toEqual({ id: maya.Id, role: 'learner' });
    expect(event.course?.title).toBe(compliance.Title);
  });

  it('maps CourseStarted to enrollment.started and asks the LMS for the progress', () => {
    const { event, hydration } = only(envelope([enrollmentNotification('CourseStarted', { EnrollmentStatusText: 'InProgress' })]));
    expect(event.type).toBe('enrollment.started');
    expect(event.enrollment?.status).toBe('in_progress');
    expect(event.actor).toEqual({ id: maya.Id, role: 'learner' });
    expect(hydration).toEqual({ enrollment: { user: maya.Id, course: compliance.Id, id: maya.EnrollmentId } });
  });

  it('maps CourseCompleted to enrollment.completed with the completion time and asks for score and dates', () => {
    const { event, hydration } = only(envelope([enrollmentNotification('CourseCompleted', { EnrollmentStatusText: 'Completed' })]));
    expect(event.type).toBe('enrollment.completed');
    expect(event.enrollment).toMatchObject({ status: 'completed', progress: 100, completed_at: '2026-11-20T14:03:11.123Z' });
    expect(event.learner?.department).toBe('Customer Success');
    expect(hydration).toEqual({ enrollment: { user: maya.Id, course: compliance.Id, id: maya.EnrollmentId } });
    expect(event.hydration.status).toBe('pending');
  });

  it('asks for the profile and the course only when the notification lacks them', () => {
    const sparseUser = { Id: maya.Id, LoginName: maya.LoginName };
    const untitled = { Id: compliance.Id, CourseType: 'ClassRoom' };
    const { event, hydration } = only(envelope([enrollmentNotification('CourseEnrollment', { Users: [sparseUser], Course: untitled })]));
    expect(event.learner).toMatchObject({ id: maya.Id, email: null, department: null });
    expect(event.course).toEqual({ id: compliance.Id, title: null, kind: 'instructor_led', url: null });
    expect(hydration).toEqual({ user: maya.Id, course: { id: compliance.Id, kind: 'instructor_led' } });
  });

  it('gives one event per user when a notification names three, each with its own id', () => {
    const events = ingest(envelope([enrollmentNotification('CourseEnrollment', { Users: [maya, omar, lena] })]));
    expect(events.map((mapped) => mapped.event.learner?.email)).toEqual([maya.Email, omar.Email, lena.Email]);
    expect(events.map((mapped) => mapped.event.enrollment?.id)).toEqual([maya.EnrollmentId, omar.EnrollmentId, lena.EnrollmentId]);
    expect(new Set(events.map((mapped) => mapped.event.id)).size).toBe(3);
    expect(new Set(events.map((mapped) => mapped.dedupeKey)).size).toBe(3);
  });

  it('gives a retry (same Id, next Attempt) the same event ids, and another notification new ones', () => {
    const notifications = [enrollmentNotification('CourseEnrollment', { Users: [maya, omar] }), enrollmentNotification('CourseCompleted')];
    const first = ingest(envelope(notifications));
    const retry = ingest(envelope(notifications, { Attempt: 2 }));
    expect(retry.map((mapped) => mapped.event.id)).toEqual(first.map((mapped) => mapped.event.id));
    expect(new Set(first.map((mapped) => mapped.event.id)).size).toBe(3);
    const other = ingest(envelope(notifications, { Id: '0a1b2c3d4e5f46578899aabbccddeeff' }));
    expect(other.map((mapped) => mapped.event.id)).not.toContain(first[0]?.event.id);
  });
});

describe('learn365 course types', () => {
  it('reads back every CourseType written for a catalog kind as a kind', () => {
    for (const type of Object.values(LEARN365_COURSE_TYPES)) expect(lookupName(LEARN365_COURSE_KINDS, type)).not.toBeNull();
  });
});

describe('learn365 course notifications', () => {
  it.each([
    ['CoursePublished', 'course.published'],
    ['CourseUnpublished', 'course.unpublished'],
    ['CourseCreated', 'course.created'],
    ['CourseDeleted', 'course.deleted'],
  ] as const)('maps the flat %s notification to %s with the course it names', (action, type) => {
    const { event, hydration, dedupeKey } = only(envelope([flatCourse(action)]));
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
    const { event } = only(envelope([flatCourse('CoursePublished', { CourseType: courseType })]));
    expect(event.course?.kind).toBe(kind);
  });

  it('asks for the course when a flat notification carries no title', () => {
    const { hydration } = only(envelope([flatCourse('CoursePublished', { Title: null, CourseType: 'TrainingPlan' })]));
    expect(hydration).toEqual({ course: { id: compliance.Id, kind: 'learning_path' } });
  });
});

describe('learn365 user notifications', () => {
  it('maps UserCreated to user.created and asks for the profile the notification lacks (department)', () => {
    const { event, hydration, dedupeKey } = only(envelope([userNotification('UserCreated')]));
    expect(event.type).toBe('user.created');
    expect(event.learner).toMatchObject({ id: maya.Id, email: maya.Email, username: maya.LoginName, name: 'Maya Chen', department: null });
    expect(event.course).toBeNull();
    expect(dedupeKey).toBe(`4f9e8d7c6b5a49388271605f4e3d2c1b/0/${maya.Id}`);
    expect(hydration).toEqual({ user: maya.Id });
  });

  it('maps UserDeleted to user.deactivated without asking about a user that is gone', () => {
    const { event, hydration } = only(envelope([userNotification('UserDeleted')]));
    expect(event.type).toBe('user.deactivated');
    expect(event.learner?.email).toBe(maya.Email);
    expect(hydration).toEqual({});
  });
});

describe('learn365 unknown actions', () => {
  it('maps an unknown Action to lms.event and keeps the notification raw', () => {
    const notification = { Action: 'CertificateIssued', CertificateId: 'x-42', TimeStamp: '2026-11-20T10:00:00Z' };
    const { event, dedupeKey } = only(envelope([notification]));
    expect(event.type).toBe('lms.event');
    expect(event.source.event).toBe('CertificateIssued');
    expect(event.occurred_at).toBe('2026-11-20T10:00:00.000Z');
    expect(event.raw).toEqual({ Id: '4f9e8d7c6b5a49388271605f4e3d2c1b', Attempt: 1, Properties: { tenant: 'acme' }, Notifications: [notification] });
    expect(dedupeKey).toBe('4f9e8d7c6b5a49388271605f4e3d2c1b/0');
  });

  it('maps every notification of a mixed request, each in its own way', () => {
    const events = ingest(envelope([flatCourse('CourseCreated'), enrollmentNotification('CourseEnrollment', { Users: [maya, omar] }), { Action: 'Other' }]));
    expect(events.map((mapped) => mapped.event.type)).toEqual(['course.created', 'enrollment.created', 'enrollment.created', 'lms.event']);
  });
});

describe('learn365 ms-signature', () => {
  const body = envelope([enrollmentNotification('CourseCompleted')]);

  it('accepts the upper-case hex Learn365 sends over the CRLF-indented body', () => {
    const request = signed(body);
    expect(request.body.includes('\r\n')).toBe(true);
    expect(request.headers['ms-signature']).toMatch(/^sha256=[0-9A-F]{64}$/);
    expect(() => learn365Adapter.verify(request, { secret: SECRET })).not.toThrow();
  });

  it('accepts lower-case hex too', () => {
    const bytes = wireBody(body);
    const request = ingestRequest({ body: bytes, headers: { 'ms-signature': signature(bytes).toLowerCase() } });
    expect(() => learn365Adapter.verify(request, { secret: SECRET })).not.toThrow();
  });

  it('rejects a signature made with another secret, without naming the secret', () => {
    const bytes = wireBody(body);
    const request = ingestRequest({ body: bytes, headers: { 'ms-signature': signature(bytes, 'another-secret-of-thirty-two-chars!!') } });
    expect(() => learn365Adapter.verify(request, { secret: SECRET })).toThrow(SignatureError);
    try {
      learn365Adapter.verify(request, { secret: SECRET });
    } catch (error) {
      expect(String(error)).not.toContain(SECRET);
    }
  });

  it('rejects a request without ms-signature', () => {
    const request = ingestRequest({ body: wireBody(body) });
    expect(() => learn365Adapter.verify(request, { secret: SECRET })).toThrow(/Missing ms-signature/);
  });

  it.each([
    ['a prefix other than sha256=', (sig: string) => sig.replace('sha256=', 'sha1=')],
    ['no prefix', (sig: string) => sig.replace('sha256=', '')],
    ['hex that is not whole bytes', (sig: string) => sig.slice(0, -1)],
    ['characters that are not hex', (sig: string) => `${sig.slice(0, -2)}ZZ`],
  ])('rejects a header with %s', (_what, mangle) => {
    const bytes = wireBody(body);
    const request = ingestRequest({ body: bytes, headers: { 'ms-signature': mangle(signature(bytes)) } });
    expect(() => learn365Adapter.verify(request, { secret: SECRET })).toThrow(SignatureError);
  });

  it('rejects a valid signature replayed onto an altered body', () => {
    const original = wireBody(body);
    const altered = Buffer.from(original.toString('utf8').replace('Maya Chen', 'Mallory'), 'utf8');
    const request = ingestRequest({ body: altered, headers: { 'ms-signature': signature(original) } });
    expect(() => learn365Adapter.verify(request, { secret: SECRET })).toThrow(SignatureError);
  });

  it('rejects the same JSON re-serialised without the CRLF indentation it was signed with', () => {
    const request = ingestRequest({ body: Buffer.from(JSON.stringify(body)), headers: { 'ms-signature': signature(wireBody(body)) } });
    expect(() => learn365Adapter.verify(request, { secret: SECRET })).toThrow(SignatureError);
  });

  it('holds the registered secret to 32–64 characters', () => {
    expect(learn365Adapter.inboundSchema.safeParse({ secret: SECRET }).success).toBe(true);
    expect(learn365Adapter.inboundSchema.safeParse({ secret: 'too-short' }).success).toBe(false);
    expect(learn365Adapter.inboundSchema.safeParse({ secret: 'x'.repeat(65) }).success).toBe(false);
  });
});

describe('learn365 URL check', () => {
  it('answers a GET with ?echo= with exactly the value as plain text', () => {
    const reply = learn365Adapter.handshake?.(ingestRequest({ method: 'GET', query: { echo: '9f86d081884c4d659a2feaa0c55ad015' } }));
    expect(reply).toMatchObject({ status: 200, body: '9f86d081884c4d659a2feaa0c55ad015' });
    expect(reply?.contentType).toMatch(/^text\/plain/);
  });

  it('leaves any other request to the normal route', () => {
    expect(learn365Adapter.handshake?.(ingestRequest({ method: 'GET' }))).toBeNull();
    expect(learn365Adapter.handshake?.(ingestRequest({ method: 'POST', query: { echo: 'x' }, body: {} }))).toBeNull();
  });
});

describe('learn365 malformed bodies', () => {
  const payloadError = (body: unknown) => thrownBy(PayloadError, () => learn365Adapter.parse(ingestRequest({ body })));

  it('names a notification without an Action', () => {
    const error = payloadError(envelope([{ Users: [] }]));
    expect(error.status).toBe(400);
    expect(error.issues.map((issue) => issue.path)).toContain('Notifications.0.Action');
  });

  it('names the place of a missing user id inside an enrollment notification', () => {
    const error = payloadError(envelope([flatCourse('CourseCreated'), enrollmentNotification('CourseEnrollment', { Users: [maya, { Email: 'no-id@acme-training.example' }] })]));
    expect(error.issues.map((issue) => issue.path)).toContain('Notifications.1.Users.1.Id');
    expect(error.message).toContain('CourseEnrollment');
  });

  it('names a missing Course, a missing Id and a missing Notifications list', () => {
    expect(payloadError(envelope([enrollmentNotification('CourseStarted', { Course: undefined })])).issues.map((issue) => issue.path)).toContain('Notifications.0.Course');
    expect(payloadError({ Attempt: 1, Notifications: [flatCourse('CourseCreated')] }).issues.map((issue) => issue.path)).toContain('Id');
    expect(payloadError({ Id: 'abc', Attempt: 1 }).issues.map((issue) => issue.path)).toContain('Notifications');
  });

  it('refuses a body that is not JSON', () => {
    expect(payloadError('{"Id": "abc", ').message).toMatch(/not valid JSON/);
  });
});
