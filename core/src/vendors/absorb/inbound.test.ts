/**
 * Samples follow the accepted shape documented in absorb.ts, built from what these public documents say:
 * - "Webhooks" (Absorb LMS support): https://support.absorblms.com/hc/en-us/articles/28999993938451-Webhooks
 *   — Administrator and Learner events (User Created, Online Course Activated, Enrollment Completed by
 *   Admin, Department Created, ...); the body is lean, so every detail is hydrated.
 * - "Getting Started with the Absorb Integration API":
 *   https://support.absorblms.com/hc/en-us/articles/222482188 — ids are GUIDs; users, courses and
 *   enrollments are fetched by id (what the hydration needs below ask for).
 * Absorb publishes no sample webhook body and no signature header.
 */
import { describe, expect, it } from 'vitest';
import type { HydrationNeeds } from '../../catalog/hydration-needs.ts';
import { CatalogEventSchema, type CourseKind, type EventType } from '../../catalog/index.ts';
import { PayloadError } from '../../errors.ts';
import { thrownBy } from '../../testing/errors.ts';
import { ingestRequest } from '../../testing/ingest-request.ts';
import type { MappedEvent } from '../adapter.ts';
import { absorbAdapter } from './inbound.ts';

const context = { connection: 'acme', receivedAt: new Date('2026-11-20T14:03:11.482Z') };

const USER = 'c1a7e5d2-4b8f-4f0e-9a51-3d2b7e6f9a10';
const ADMIN = '2d4f6a8c-1b3e-4d5f-9a7c-8e6b4d2f0a1c';
const CLIENT = '7e9c1b3d-5f2a-4c6e-8a0b-2d4f6e8a0c1e';
const CORRELATION = '5b2e8c4a-7d1f-4e3a-b6c9-0a8d7e6f5c4b';
const COURSE = '6f1c2b9e-0d4a-4c3b-8e7f-1a2b3c4d5e6f';
const ENROLLMENT = 'e7d3a1f0-2c5b-4e8a-9f6d-0b1c2d3e4f5a';
const OBJECT = '3c5e7a9b-1d2f-4a6c-8e0b-9d7f5b3a1c2e';

function body(eventName: string, extra: Record<string, unknown> = {}) {
  return { eventName, userId: USER, adminId: ADMIN, clientId: CLIENT, correlationId: CORRELATION, ...extra };
}

function ingest(payload: unknown): MappedEvent[] {
  const request = ingestRequest({ body: payload });
  absorbAdapter.verify(request, {});
  return absorbAdapter.parse(request).flatMap((event) => absorbAdapter.toCatalog(event, context));
}

function only(payload: unknown): MappedEvent {
  const events = ingest(payload);
  expect(events).toHaveLength(1);
  const [first] = events;
  if (!first) throw new Error('no event');
  expect(CatalogEventSchema.parse(first.event)).toEqual(first.event);
  return first;
}

interface Case {
  name: string;
  extra?: Record<string, unknown>;
  type: EventType;
  role: 'learner' | 'admin';
  learner: boolean;
  kind?: CourseKind | null;
  hydration: HydrationNeeds;
}

const courseCases: Case[] = (
  [
    ['Online Course', 'online_course'],
    ['Instructor Led Course', 'instructor_led'],
    ['Curriculum', 'curriculum'],
    ['Course Bundle', 'bundle'],
  ] as const
).flatMap(([name, kind]) =>
  (
    [
      ['Added', 'course.created'],
      ['Activated', 'course.published'],
      ['Deactivated', 'course.unpublished'],
      ['Deleted', 'course.deleted'],
    ] as const
  ).map(([change, type]) => ({
    name: `${name} ${change}`,
    extra: { userId: null, courseId: COURSE },
    type,
    role: 'admin' as const,
    learner: false,
    kind,
    // A deleted course can no longer be fetched.
    hydration: type === 'course.deleted' ? {} : { course: { id: COURSE, kind } },
  })),
);

const cases: Case[] = [
  { name: 'User Created', type: 'user.created', role: 'admin', learner: true, hydration: { user: USER } },
  {
    name: 'Enrollment Completed by Learner',
    extra: { courseId: COURSE, enrollmentId: ENROLLMENT, adminId: null },
    type: 'enrollment.completed',
    role: 'learner',
    learner: true,
    kind: null,
    hydration: { user: USER, course: { id: COURSE }, enrollment: { user: USER, course: COURSE, id: ENROLLMENT } },
  },
  {
    name: 'Enrollment Completed by Admin',
    extra: { courseId: COURSE },
    type: 'enrollment.completed',
    role: 'admin',
    learner: true,
    kind: null,
    hydration: { user: USER, course: { id: COURSE }, enrollment: { user: USER, course: COURSE } },
  },
  {
    name: 'Learning Path Completed',
    extra: { entityId: OBJECT },
    type: 'enrollment.completed',
    role: 'learner',
    learner: true,
    kind: 'learning_path',
    hydration: { user: USER, course: { id: OBJECT, kind: 'learning_path' }, enrollment: { user: USER, course: OBJECT } },
  },
  {
    name: 'Session Enrollment Completed',
    extra: { sessionId: OBJECT, courseId: COURSE },
    type: 'session.enrolled',
    role: 'learner',
    learner: true,
    kind: null,
    hydration: { user: USER, course: { id: COURSE } },
  },
  ...courseCases,
  {
    name: 'Certificate Awarded',
    extra: { certificateId: OBJECT, courseId: COURSE },
    type: 'certificate.awarded',
    role: 'learner',
    learner: true,
    kind: null,
    hydration: { user: USER, course: { id: COURSE } },
  },
  { name: 'Competency Awarded', extra: { entityId: OBJECT }, type: 'competency.awarded', role: 'learner', learner: true, hydration: { user: USER } },
  {
    name: 'Course Credits Awarded',
    extra: { courseId: COURSE, credits: 1.5 },
    type: 'credits.awarded',
    role: 'learner',
    learner: true,
    kind: null,
    hydration: { user: USER, course: { id: COURSE } },
  },
  { name: 'Self-Assessment Completed', extra: { entityId: OBJECT }, type: 'assessment.completed', role: 'learner', learner: true, hydration: { user: USER } },
  { name: 'Group Created', extra: { userId: null, groupId: OBJECT }, type: 'group.created', role: 'admin', learner: false, hydration: {} },
  { name: 'Group Deleted', extra: { userId: null, groupId: OBJECT }, type: 'group.deleted', role: 'admin', learner: false, hydration: {} },
  { name: 'Department Created', extra: { userId: null, departmentId: OBJECT }, type: 'department.created', role: 'admin', learner: false, hydration: {} },
  { name: 'Department Deleted', extra: { userId: null, departmentId: OBJECT }, type: 'department.deleted', role: 'admin', learner: false, hydration: {} },
];

describe('absorb event mapping', () => {
  it.each(cases.map((c) => [c.name, c.type, c] as const))('maps %s to %s', (name, type, c) => {
    const { event, hydration } = only(body(name, c.extra));
    expect(event.type).toBe(type);
    expect(event.source).toEqual({ vendor: 'absorb', connection: 'acme', event: name, event_id: CORRELATION });
    expect(event.actor).toEqual({ id: c.role === 'admin' ? ADMIN : USER, role: c.role });
    expect(event.learner?.id ?? null).toBe(c.learner ? USER : null);
    if (c.kind !== undefined) expect(event.course?.kind).toBe(c.kind);
    expect(hydration).toEqual(c.hydration);
    expect(event.hydration.status).toBe(Object.keys(c.hydration).length > 0 ? 'pending' : 'complete');
    expect(event.occurred_at).toBe('2026-11-20T14:03:11.482Z');
  });

  it('leaves every detail beyond the ids to hydration', () => {
    const { event } = only(body('Enrollment Completed by Learner', { courseId: COURSE, enrollmentId: ENROLLMENT }));
    expect(event.learner).toEqual({ id: USER, email: null, username: null, first_name: null, last_name: null, name: null, department: null });
    expect(event.course).toEqual({ id: COURSE, title: null, kind: null, url: null });
    expect(event.enrollment).toMatchObject({ id: ENROLLMENT, status: 'completed', progress: null, score: null, completed_at: null });
  });

  it('puts the object an award or org event names into data', () => {
    expect(only(body('Certificate Awarded', { certificateId: OBJECT })).event.data).toEqual({
      certificate: { id: OBJECT, title: null, awarded_at: null, expires_at: null },
    });
    expect(only(body('Competency Awarded', { competencyId: OBJECT })).event.data).toEqual({ competency: { id: OBJECT, title: null, level: null } });
    expect(only(body('Course Credits Awarded', { credits: 2 })).event.data).toEqual({ credits: { amount: 2, type: null } });
    expect(only(body('Session Enrollment Completed', { entityId: OBJECT })).event.data).toEqual({ session: { id: OBJECT, title: null, starts_at: null } });
    expect(only(body('Group Created', { groupId: OBJECT })).event.data).toEqual({ group: { id: OBJECT, name: null } });
    expect(only(body('Department Deleted', { entityId: OBJECT })).event.data).toEqual({ department: { id: OBJECT, name: null } });
  });

  it('matches event names whatever their case, spacing or punctuation', () => {
    expect(only(body('EnrollmentCompletedByLearner', { courseId: COURSE })).event.type).toBe('enrollment.completed');
    expect(only(body('self assessment completed')).event.type).toBe('assessment.completed');
    expect(only(body('Instructor-Led Course Activated', { courseId: COURSE })).event.course?.kind).toBe('instructor_led');
  });

  it('reads PascalCase keys and numeric ids', () => {
    const { event, hydration } = only({ EventName: 'User Created', UserId: 1042, AdminId: 7, CorrelationId: CORRELATION });
    expect(event.learner?.id).toBe('1042');
    expect(event.actor).toEqual({ id: '7', role: 'admin' });
    expect(hydration).toEqual({ user: '1042' });
  });

  it('maps an unknown event name to lms.event and keeps the body raw', () => {
    const payload = body('Badge Earned', { badgeId: OBJECT });
    const { event } = only(payload);
    expect(event.type).toBe('lms.event');
    expect(event.source.event).toBe('Badge Earned');
    expect(event.raw).toEqual(payload);
  });

  it('keeps a completion that names no course as lms.event, with the reason, rather than dropping it', () => {
    const { event } = only(body('Enrollment Completed by Learner'));
    expect(event.type).toBe('lms.event');
    expect(event.raw).toMatchObject({ mapped_as: 'enrollment.completed', reason: expect.stringContaining('course') });
  });
});

describe('absorb dedupe keys', () => {
  it('gives the same body sent twice the same event id', () => {
    const payload = body('User Created', { correlationId: undefined });
    const [first] = ingest(payload);
    const [again] = ingest(payload);
    expect(first?.event.id).toBeDefined();
    expect(again?.event.id).toBe(first?.event.id);
    expect(first?.event.source.event_id).toBeNull();
  });

  it('without a correlation id, tells apart bodies that differ', () => {
    const [maya] = ingest(body('User Created', { correlationId: undefined }));
    const [omar] = ingest(body('User Created', { correlationId: undefined, userId: 'b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e' }));
    expect(omar?.event.id).not.toBe(maya?.event.id);
  });

  it('with a correlation id, gives a resend the same id even if the body is laid out differently', () => {
    const payload = body('Enrollment Completed by Admin', { courseId: COURSE });
    const [first] = ingest(payload);
    const [resent] = ingest(JSON.stringify(payload, null, 2));
    expect(resent?.event.id).toBe(first?.event.id);
    expect(first?.dedupeKey).toContain(CORRELATION);
  });

  it('keeps learners reported under one correlation id as separate events', () => {
    const [maya] = ingest(body('Enrollment Completed by Admin', { courseId: COURSE }));
    const [omar] = ingest(body('Enrollment Completed by Admin', { courseId: COURSE, userId: 'b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e' }));
    expect(omar?.event.id).not.toBe(maya?.event.id);
  });
});

describe('absorb inbound checks', () => {
  it('needs no secret and accepts any request: the ingest URL token is the credential', () => {
    expect(absorbAdapter.inboundSchema.safeParse({}).success).toBe(true);
    expect(() => absorbAdapter.verify(ingestRequest({ body: body('User Created') }), {})).not.toThrow();
    expect(absorbAdapter.routes).toEqual(['webhook']);
  });
});

describe('absorb malformed bodies', () => {
  const payloadError = (payload: unknown) => thrownBy(PayloadError, () => absorbAdapter.parse(ingestRequest({ body: payload })));

  it('names a missing or empty event name', () => {
    const missing = payloadError({ userId: USER });
    expect(missing.status).toBe(400);
    expect(missing.issues.map((issue) => issue.path)).toContain('eventName');
    expect(payloadError({ eventName: '  ' }).issues.map((issue) => issue.path)).toContain('eventName');
    expect(payloadError({ eventName: 42 }).issues.map((issue) => issue.path)).toContain('eventName');
  });

  it('refuses an event whose id holds a NUL character, which no store can key on', () => {
    const error = thrownBy(PayloadError, () => ingest(body('User Created', { correlationId: 'abc\u0000def' })));
    expect(error.status).toBe(400);
    expect(error.message).toContain('NUL');
  });

  it('names an id that is neither text nor a number', () => {
    expect(payloadError(body('User Created', { userId: { id: USER } })).issues.map((issue) => issue.path)).toContain('userId');
  });

  it('refuses a body that is not one JSON object', () => {
    expect(payloadError([body('User Created')]).issues.map((issue) => issue.path)).toContain('');
    expect(payloadError('not json').message).toMatch(/not valid JSON/);
  });
});
