/*
 * Payloads copied from Canvas's published Live Events examples (instructure/canvas-lms,
 * doc/api/data_services/json/canvas/event-types/course_completed.json, course_progress.json,
 * enrollment_created.json, enrollment_updated.json, user_created.json, course_created.json; metadata
 * trimmed to the fields the adapter reads plus a few others), delivered as
 * doc/api/data_services/md/static/data_service_setup.md describes (HTTPS, Canvas format): as JSON,
 * or with "Sign Payload" on as an RS256 JWT with the event in its claims (signed here with the
 * sandbox's keys, since Instructure's private keys are, rightly, nowhere).
 */
import { describe, expect, it } from 'vitest';
import { SignatureError } from '../../errors.ts';
import { ingestRequest } from '../../testing/ingest-request.ts';
import { canvasAdapter as adapter, CanvasInbound, INSTRUCTURE_LIVE_EVENTS_JWKS } from './inbound.ts';
import { canvasSandboxJwks, signCanvasLiveEvent } from './sandbox-signing.ts';

const RECEIVED_AT = new Date('2026-11-20T14:03:11.482Z');

const ROOT = { producer: 'canvas', root_account_id: '21070000000000001', root_account_uuid: 'VicYj3cu5BIFpoZhDVU4DZumnlBrWi1grgJEzADs' };

const COURSE_COMPLETED = {
  metadata: {
    ...ROOT,
    context_id: '21070000000000565',
    context_type: 'Course',
    event_name: 'course_completed',
    event_time: '2019-11-01T19:11:26.615Z',
    request_id: '1dd9dc6f-2fb0-4c19-a6c5-7ee1bf3ed295',
    user_id: '21070000000000123',
    user_login: 'inewton@example.com',
  },
  body: {
    course: { account_id: '79', id: '565', name: 'Computer Science I', sis_source_id: '2017.100.101.101-1' },
    progress: {
      completed_at: '2019-11-05T13:38:00.218Z',
      next_requirement_url: 'http://oxana.instructure.com/courses/565/modules/items/12345',
      requirement_completed_count: 6,
      requirement_count: 6,
    },
    user: { email: 'inewton@example.com', id: '123', name: 'Isaac Newton' },
  },
};

const COURSE_PROGRESS = {
  metadata: {
    ...ROOT,
    event_name: 'course_progress',
    event_time: '2019-11-01T19:11:13.590Z',
    job_id: '1020020528469291',
    job_tag: 'ContextModuleProgression#evaluate!',
  },
  body: {
    course: { account_id: '1', id: '1234567', name: 'Diff Equations', sis_source_id: '2017.102.102.102-2' },
    progress: {
      completed_at: null,
      next_requirement_url: 'http:/oxana.instructure.com/courses/1234567/modules/items/12345',
      requirement_completed_count: 101,
      requirement_count: 123,
    },
    user: { email: 'user@domain.tld', id: '1122', name: 'Gottfried Leibniz' },
  },
};

const enrollmentEvent = (eventName: string, workflowState: string, type = 'StudentEnrollment') => ({
  metadata: {
    ...ROOT,
    event_name: eventName,
    event_time: '2018-10-09T21:07:33Z',
    request_id: '1dd9dc6f-2fb0-4c19-a6c5-7ee1bf3ed295',
    user_id: '21070000000000001',
  },
  body: {
    associated_user_id: '21070000000000562',
    course_id: '21070000000000565',
    course_section_id: '21070000000004811',
    created_at: '2018-10-09T21:07:33Z',
    enrollment_id: '21070000000046825',
    limit_privileges_to_course_section: false,
    type,
    updated_at: '2018-10-09T21:07:33Z',
    user_id: '21070000000020064',
    user_name: 'Isaac Newton',
    workflow_state: workflowState,
  },
});

const USER_CREATED = {
  metadata: { ...ROOT, event_name: 'user_created', event_time: '2019-11-01T19:11:11.964Z', user_id: '21070000000000001', user_login: 'oxana@example.com' },
  body: {
    created_at: '2019-05-09T19:32:25Z',
    name: 'test user',
    short_name: 'test user',
    updated_at: '2019-05-09T19:32:25Z',
    user_id: '21070000000025999',
    user_login: 'test',
    user_sis_id: '456-T45',
    uuid: 'kDfqdZrVWAxrI6RmFBNqipEGKozQR0sYolwPfsvM',
    workflow_state: 'pre_registered',
  },
};

const COURSE_CREATED = {
  metadata: { ...ROOT, event_name: 'course_created', event_time: '2019-11-05T13:38:00.218Z', user_id: '21070000000000001' },
  body: {
    account_id: '21070000000000438',
    course_id: '21070000000000056',
    created_at: '2019-11-05T13:38:00.218Z',
    name: 'Linear Algebra',
    updated_at: '2019-11-05T13:38:00.218Z',
    uuid: 'a1b2c3c4z9x8a1s2q5w6p9o8i7u6y5t6a2s3d4f5',
    workflow_state: 'available',
  },
};

function mapped(payload: unknown) {
  const request = ingestRequest({ body: payload, receivedAt: RECEIVED_AT });
  adapter.verify(request, CanvasInbound.parse({}));
  return adapter.parse(request).flatMap((event) => adapter.toCatalog(event, { connection: 'acme-canvas', receivedAt: RECEIVED_AT }));
}

describe('the Canvas adapter', () => {
  it('maps course_completed to enrollment.completed, learner and course ids as Canvas wrote them (local)', () => {
    const [one] = mapped(COURSE_COMPLETED);
    expect(one?.event).toMatchObject({
      type: 'enrollment.completed',
      occurred_at: '2019-11-01T19:11:26.615Z',
      source: { vendor: 'canvas', event: 'course_completed', event_id: null },
      actor: { id: '123', role: 'learner' },
      learner: { id: '123', email: 'inewton@example.com', name: 'Isaac Newton' },
      course: { id: '565', title: 'Computer Science I' },
      enrollment: { status: 'completed', progress: 100, completed_at: '2019-11-05T13:38:00.218Z' },
    });
    expect(one?.hydration).toEqual({ user: '123', course: { id: '565' } });
  });

  it('maps course_progress to enrollment.progressed with the share of requirements done', () => {
    const [one] = mapped(COURSE_PROGRESS);
    expect(one?.event).toMatchObject({
      type: 'enrollment.progressed',
      learner: { id: '1122', email: 'user@domain.tld' },
      course: { id: '1234567', title: 'Diff Equations' },
      enrollment: { status: 'in_progress', progress: 82, completed_at: null },
    });
  });

  it('maps enrollment_created for a student to enrollment.created, global ids made local on the root account shard', () => {
    const [one] = mapped(enrollmentEvent('enrollment_created', 'invited'));
    expect(one?.event).toMatchObject({
      type: 'enrollment.created',
      actor: { id: '1', role: 'admin' },
      learner: { id: '20064', name: 'Isaac Newton' },
      course: { id: '565' },
      enrollment: { id: '46825', status: 'enrolled', enrolled_at: '2018-10-09T21:07:33.000Z' },
    });
    expect(one?.hydration).toEqual({ user: '20064', course: { id: '565' } });
  });

  it('keeps a teacher enrollment as lms.event: only students are learners', () => {
    expect(mapped(enrollmentEvent('enrollment_created', 'active', 'TeacherEnrollment')).map(({ event }) => event.type)).toEqual(['lms.event']);
  });

  it('maps enrollment_updated to enrollment.removed when the enrollment is deleted, and other changes to lms.event', () => {
    expect(mapped(enrollmentEvent('enrollment_updated', 'deleted'))[0]?.event).toMatchObject({ type: 'enrollment.removed', enrollment: { status: 'removed' } });
    // The published example (an invitation updated) is no removal.
    expect(mapped(enrollmentEvent('enrollment_updated', 'invited'))[0]?.event.type).toBe('lms.event');
  });

  it('maps user_created to user.created with the login as username', () => {
    const [one] = mapped(USER_CREATED);
    expect(one?.event).toMatchObject({ type: 'user.created', learner: { id: '25999', name: 'test user', username: 'test' } });
    expect(one?.hydration).toEqual({ user: '25999' });
  });

  it('maps course_created to course.created', () => {
    expect(mapped(COURSE_CREATED)[0]?.event).toMatchObject({ type: 'course.created', course: { id: '56', title: 'Linear Algebra' } });
  });

  it('keeps an id from another shard global, and every unmapped event (grade_change, ...) as lms.event with its body', () => {
    const foreign = enrollmentEvent('enrollment_created', 'active');
    foreign.body.user_id = '31070000000000042';
    expect(mapped(foreign)[0]?.event.learner?.id).toBe('31070000000000042');
    const grade = {
      metadata: { ...ROOT, event_name: 'grade_change', event_time: '2019-11-01T19:11:26.615Z' },
      body: { submission_id: '21070000000000001', grade: 'A' },
    };
    const [one] = mapped(grade);
    expect(one?.event).toMatchObject({ type: 'lms.event', source: { event: 'grade_change' }, raw: grade });
  });

  it('dedupes on the exact body: the same event twice is one, two events are two', () => {
    const first = mapped(COURSE_COMPLETED)[0]?.event.id;
    expect(mapped(COURSE_COMPLETED)[0]?.event.id).toBe(first);
    expect(mapped({ ...COURSE_COMPLETED, metadata: { ...COURSE_COMPLETED.metadata, event_time: '2019-11-01T19:11:26.616Z' } })[0]?.event.id).not.toBe(first);
  });

  it('reads a signed Live Event: the claims are the event, checked against the key set its kid names', () => {
    const inbound = CanvasInbound.parse({ signed_payloads: 'required' });
    const jwt = signCanvasLiveEvent({ ...COURSE_COMPLETED, iss: 'https://live-events.canvas.instructure.com', iat: 1_700_000_000 });
    for (const body of [jwt, JSON.stringify(jwt)]) {
      const request = ingestRequest({ body, headers: { 'content-type': 'application/jwt' }, receivedAt: RECEIVED_AT });
      const need = adapter.keySet?.(request, inbound);
      expect(need).toEqual({ url: INSTRUCTURE_LIVE_EVENTS_JWKS, kid: expect.stringMatching(/^sandbox-current-/) });
      expect(() => adapter.verify(request, inbound, canvasSandboxJwks())).not.toThrow();
      const [one] = adapter.parse(request).flatMap((event) => adapter.toCatalog(event, { connection: 'acme-canvas', receivedAt: RECEIVED_AT }));
      expect(one?.event).toMatchObject({
        type: 'enrollment.completed',
        learner: { id: '123' },
        raw: { metadata: COURSE_COMPLETED.metadata, iat: 1_700_000_000 },
      });
    }
  });

  it('refuses a signed Live Event whose signature does not hold, or that names no key set it can be checked with', () => {
    const inbound = CanvasInbound.parse({});
    const [header, payload, signature] = signCanvasLiveEvent(COURSE_COMPLETED).split('.');
    const changed = Buffer.from(JSON.stringify({ ...COURSE_COMPLETED, body: { ...COURSE_COMPLETED.body, user: { id: '1' } } })).toString('base64url');
    const tampered = ingestRequest({ body: `${header}.${changed}.${signature}`, receivedAt: RECEIVED_AT });
    expect(() => adapter.verify(tampered, inbound, canvasSandboxJwks())).toThrow(SignatureError);
    const genuine = ingestRequest({ body: `${header}.${payload}.${signature}`, receivedAt: RECEIVED_AT });
    expect(() => adapter.verify(genuine, inbound, { keys: [] })).toThrow(/does not list/);
    const unsigned = ingestRequest({ body: `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.c2ln` });
    expect(() => adapter.keySet?.(unsigned, inbound)).toThrow(/only RS256/);
  });

  it('dedupes a signed event on the event, not the token: signed again with a new iat it is still one', () => {
    const idOf = (iat: number) => {
      const request = ingestRequest({ body: signCanvasLiveEvent({ ...COURSE_COMPLETED, iat }), receivedAt: RECEIVED_AT });
      return adapter.parse(request).flatMap((event) => adapter.toCatalog(event, { connection: 'acme-canvas', receivedAt: RECEIVED_AT }))[0]?.event.id;
    };
    expect(idOf(1)).toBe(idOf(2));
  });

  it('refuses an unsigned Live Event when the connection requires signed ones, saying to turn Sign Payload on', () => {
    const request = ingestRequest({ body: COURSE_COMPLETED });
    const inbound = CanvasInbound.parse({ signed_payloads: 'required' });
    expect(adapter.keySet?.(request, inbound)).toBeNull();
    expect(() => adapter.verify(request, inbound)).toThrow(SignatureError);
    expect(() => adapter.verify(request, inbound)).toThrow(/"Sign Payload" on/);
  });

  it('refuses a body without metadata.event_name', () => {
    expect(() => adapter.parse(ingestRequest({ body: { body: {} } }))).toThrow(/Canvas Live Event/);
  });

  it("takes unsigned events by default, the ingest URL token protecting the connection, and checks signed ones with Instructure's keys", () => {
    expect(CanvasInbound.parse({})).toEqual({ signed_payloads: 'accepted', jwks_url: INSTRUCTURE_LIVE_EVENTS_JWKS });
    expect(() => adapter.verify(ingestRequest({ body: COURSE_COMPLETED }), CanvasInbound.parse({}))).not.toThrow();
    expect(() => CanvasInbound.parse({ jwks_url: 'file:///etc/keys' })).toThrow();
  });
});
