/**
 * Samples are built from the fields Adobe documents (values are our own):
 * - Adobe Learning Manager, "Webhooks" (Experience League; source AdobeDocs/learning-manager.en,
 *   help/migrated/integration-admin/feature-summary/webhooks.md): real-time and non-real-time event
 *   tables, the None/Basic/Signature authentication choice, sample payloads with epoch-second and
 *   epoch-millisecond times, batch requests carrying one event object per learner,
 *   LEARNING_PATH_COMPLETION_ROLLBACK(_BATCH).
 * - Adobe Learning Manager, "Webhooks usage guide",
 *   https://experienceleague.adobe.com/en/docs/learning-manager/using/integration/webhooks/webhooks-usage-guide
 *   (help/migrated/integration-admin/feature-summary/webhooks-usage-guide.md): trigger conditions of each
 *   event, LEARNER_PROGRESS lagging up to 15 minutes, ordering guidelines, retries for 7 days and
 *   duplicates, ISO-time samples, the "learning_program" loType spelling.
 * - Adobe Learning Manager, "Application developer manual" (API v2): loType values course,
 *   learningProgram, certification, jobAid; ids such as "course:123"; learning-object state "Published".
 */
import { describe, expect, it } from 'vitest';
import type { CourseKind, EnrollmentStatus, EventType } from '../../catalog/index.ts';
import { AuthenticationError, PayloadError } from '../../errors.ts';
import { thrownBy } from '../../testing/errors.ts';
import { ingestRequest } from '../../testing/ingest-request.ts';
import type { MappedEvent } from '../adapter.ts';
import { AdobeAlmInbound, adobeAlmAdapter } from './inbound.ts';

const RECEIVED_AT = new Date('2025-11-20T14:03:12.250Z');
const LEARNER = 11873402;
const COURSE = { loId: 'course:9120455', loInstanceId: 'course:9120455_13390271', loType: 'course' };
const PATH = { loId: 'learningProgram:184220', loInstanceId: 'learningProgram:184220_201577', loType: 'learningProgram' };
const CERTIFICATION = { loId: 'certification:77310', loInstanceId: 'certification:77310_190455', loType: 'certification' };

let sequence = 0;

/** One event object as ALM sends it; each gets its own eventId unless the test sets one. */
function almEvent(eventName: string, data: Record<string, unknown>, fields: Record<string, unknown> = {}) {
  sequence += 1;
  return {
    eventId: `5f0c2a9e-71b4-4d2c-9a0e-${String(sequence).padStart(12, '0')}`,
    eventName,
    timestamp: 1763647391,
    eventInfo: `1763647391000-051234-${sequence}-0`,
    data,
    ...fields,
  };
}

function almBody(...events: unknown[]) {
  return { accountId: 20481, events };
}

function mapAll(body: unknown, receivedAt = RECEIVED_AT): MappedEvent[] {
  const request = ingestRequest({ body, receivedAt });
  return adobeAlmAdapter
    .parse(request)
    .flatMap((vendorEvent) => adobeAlmAdapter.toCatalog(vendorEvent, { connection: 'acme', receivedAt: request.receivedAt }));
}

function mapOne(body: unknown): MappedEvent {
  const [only, ...rest] = mapAll(body);
  if (!only || rest.length > 0) throw new Error('expected exactly one catalog event');
  return only;
}

const payloadError = (body: unknown) => thrownBy(PayloadError, () => adobeAlmAdapter.parse(ingestRequest({ body })));

function basicHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

describe('adobeAlmAdapter enrollment, unenrollment and completion events', () => {
  const families = [
    { prefix: 'COURSE', lo: COURSE, kind: 'online_course' },
    { prefix: 'LEARNING_PATH', lo: PATH, kind: 'learning_path' },
    { prefix: 'CERTIFICATION', lo: CERTIFICATION, kind: 'certification' },
  ] as const satisfies readonly { prefix: string; lo: Record<string, string>; kind: CourseKind }[];
  const actions = [
    { suffix: 'ENROLLMENT', type: 'enrollment.created', status: 'enrolled', data: { enrollmentSource: 'SELF_ENROLL', dateEnrolled: 1763647390 } },
    { suffix: 'UNENROLLMENT', type: 'enrollment.removed', status: 'removed', data: { enrollmentSource: 'ADMIN_ENROLL' } },
    {
      suffix: 'COMPLETED',
      type: 'enrollment.completed',
      status: 'completed',
      data: { enrollmentSource: 'SELF_ENROLL', dateCompleted: 1763647380, hasPassed: true },
    },
  ] as const satisfies readonly { suffix: string; type: EventType; status: EnrollmentStatus; data: Record<string, unknown> }[];
  const cases = families.flatMap((family) =>
    actions.flatMap((action) => ['', '_BATCH'].map((batch) => ({ name: `${family.prefix}_${action.suffix}${batch}`, batch: batch !== '', family, action }))),
  );

  it.each(cases)('maps $name to $action.type for the learner and the learning object', ({ name, batch, family, action }) => {
    const sent = almEvent(name, { userId: LEARNER, ...family.lo, ...action.data });
    const { event, hydration } = mapOne(almBody(sent));

    expect(event.type).toBe(action.type);
    expect(event.source).toEqual({ vendor: 'adobe-alm', connection: 'acme', event: name, event_id: sent.eventId });
    expect(event.learner?.id).toBe(String(LEARNER));
    expect(event.course).toMatchObject({ id: family.lo.loId, kind: family.kind });
    expect(event.enrollment?.status).toBe(action.status);
    // ALM documents the real-time names as the learner's own actions; batches come from an unnamed admin, manager or platform.
    expect(event.actor).toEqual(batch ? null : { id: String(LEARNER), role: 'learner' });
    expect(hydration.user).toBe(String(LEARNER));
    expect(hydration.course).toEqual({ id: family.lo.loId, kind: family.kind });
  });

  it('gives an enrollment its enrolled_at and the enrollment source, and needs no enrollment lookup', () => {
    const { event, hydration } = mapOne(
      almBody(almEvent('COURSE_ENROLLMENT', { userId: LEARNER, ...COURSE, enrollmentSource: 'SELF_ENROLL', dateEnrolled: 1763640000 })),
    );
    expect(event.enrollment).toMatchObject({ status: 'enrolled', enrolled_at: '2025-11-20T12:00:00.000Z', completed_at: null, progress: null });
    expect(event.data).toEqual({ enrollment_source: 'SELF_ENROLL' });
    expect(hydration.enrollment).toBeUndefined();
    expect(event.hydration.status).toBe('pending');
  });

  it('keeps the enrollment source on an unenrollment', () => {
    const { event } = mapOne(almBody(almEvent('LEARNING_PATH_UNENROLLMENT_BATCH', { userId: LEARNER, ...PATH, enrollmentSource: 'ADMIN_ENROLL' })));
    expect(event.type).toBe('enrollment.removed');
    expect(event.data).toEqual({ enrollment_source: 'ADMIN_ENROLL' });
  });

  it('marks a completion passed from hasPassed, completed at dateCompleted, at 100%, and asks for the score', () => {
    const { event, hydration } = mapOne(
      almBody(almEvent('COURSE_COMPLETED', { userId: LEARNER, ...COURSE, enrollmentSource: 'SELF_ENROLL', dateCompleted: 1763647380, hasPassed: true })),
    );
    expect(event.enrollment).toMatchObject({ status: 'completed', passed: true, completed_at: '2025-11-20T14:03:00.000Z', progress: 100, score: null });
    expect(hydration.enrollment).toEqual({ user: String(LEARNER), course: COURSE.loId });
  });

  it('leaves passed unknown when a completion carries no hasPassed, as ALM certification samples do', () => {
    const { event } = mapOne(almBody(almEvent('CERTIFICATION_COMPLETED', { userId: LEARNER, ...CERTIFICATION, dateCompleted: '2025-11-20T14:03:00.000Z' })));
    expect(event.enrollment).toMatchObject({ status: 'completed', passed: null, completed_at: '2025-11-20T14:03:00.000Z' });
  });

  it('turns an enrollment without a userId into lms.event rather than dropping it', () => {
    const { event } = mapOne(almBody(almEvent('COURSE_ENROLLMENT', { ...COURSE })));
    expect(event.type).toBe('lms.event');
    expect(event.source.event).toBe('COURSE_ENROLLMENT');
  });
});

describe('adobeAlmAdapter LEARNER_PROGRESS', () => {
  it('maps progress to enrollment.progressed in progress, with the kind from loType', () => {
    const { event, hydration } = mapOne(almBody(almEvent('LEARNER_PROGRESS', { userId: LEARNER, ...PATH, dateStarted: 1763640000, progressPercent: 50 })));
    expect(event.type).toBe('enrollment.progressed');
    expect(event.learner?.id).toBe(String(LEARNER));
    expect(event.course).toMatchObject({ id: PATH.loId, kind: 'learning_path' });
    expect(event.enrollment).toMatchObject({ status: 'in_progress', progress: 50, completed_at: null });
    expect(event.actor).toEqual({ id: String(LEARNER), role: 'learner' });
    expect(hydration.enrollment).toBeUndefined();
  });

  it('does not claim a completion at 100% without a completion date, and asks the LMS for the status', () => {
    // ALM sends progress up to 15 minutes late, possibly after COURSE_COMPLETED: the completion event owns that fact.
    const { event, hydration } = mapOne(almBody(almEvent('LEARNER_PROGRESS', { userId: LEARNER, ...COURSE, progressPercent: 100 })));
    expect(event.type).toBe('enrollment.progressed');
    expect(event.enrollment?.status).toBe('unknown');
    expect(event.enrollment?.progress).toBe(100);
    expect(hydration.enrollment).toEqual({ user: String(LEARNER), course: COURSE.loId });
  });

  it('says completed only when the progress payload itself carries a completion date', () => {
    const { event } = mapOne(almBody(almEvent('LEARNER_PROGRESS', { userId: LEARNER, ...COURSE, progressPercent: 100, dateCompleted: 1763647380 })));
    expect(event.enrollment).toMatchObject({ status: 'completed', completed_at: '2025-11-20T14:03:00.000Z' });
  });
});

describe('adobeAlmAdapter learning object events', () => {
  it('maps LEARNING_OBJECT_DRAFT to course.created with the kind from loType', () => {
    const { event, hydration } = mapOne(almBody(almEvent('LEARNING_OBJECT_DRAFT', { loId: COURSE.loId, loType: 'course' })));
    expect(event.type).toBe('course.created');
    expect(event.course).toEqual({ id: COURSE.loId, title: null, kind: 'online_course', url: null });
    expect(event.learner).toBeNull();
    expect(event.enrollment).toBeNull();
    expect(hydration).toEqual({ course: { id: COURSE.loId, kind: 'online_course' } });
  });

  it('maps LEARNING_OBJECT_DELETION to course.deleted', () => {
    const { event } = mapOne(almBody(almEvent('LEARNING_OBJECT_DELETION', { loId: CERTIFICATION.loId, loType: 'certification' })));
    expect(event.type).toBe('course.deleted');
    expect(event.course).toMatchObject({ id: CERTIFICATION.loId, kind: 'certification' });
  });

  it.each(['LEARNING_OBJECT_MODIFICATION', 'LEARNING_OBJECT_MODIFICATION_BATCH'])(
    'keeps %s as lms.event with its course, since ALM does not say whether it was published, edited or retired',
    (name) => {
      const { event, hydration } = mapOne(almBody(almEvent(name, { loId: PATH.loId, loType: 'learningProgram' })));
      expect(event.type).toBe('lms.event');
      expect(event.source.event).toBe(name);
      expect(event.course).toMatchObject({ id: PATH.loId, kind: 'learning_path' });
      expect(hydration.course).toEqual({ id: PATH.loId, kind: 'learning_path' });
    },
  );

  it.each([
    ['Published', 'course.published'],
    ['Retired', 'course.unpublished'],
  ] as const)('maps a modification whose payload states %s to %s', (state, type) => {
    const { event } = mapOne(almBody(almEvent('LEARNING_OBJECT_MODIFICATION', { loId: COURSE.loId, loType: 'course', state })));
    expect(event.type).toBe(type);
    expect(event.course?.id).toBe(COURSE.loId);
  });

  it.each(['LEARNING_OBJECT_INSTANCE_MODIFICATION', 'LEARNING_OBJECT_INSTANCE_MODIFICATION_BATCH', 'LEARNING_OBJECT_INSTANCE_DELETION'])(
    'keeps the instance-level %s as lms.event naming the course',
    (name) => {
      const { event } = mapOne(almBody(almEvent(name, { loInstanceId: COURSE.loInstanceId, loId: COURSE.loId, loType: 'course' })));
      expect(event.type).toBe('lms.event');
      expect(event.course).toMatchObject({ id: COURSE.loId, kind: 'online_course' });
    },
  );

  it('keeps CI_STATS as lms.event, naming the course its instance belongs to', () => {
    const stats = { loInstanceId: COURSE.loInstanceId, waitlistCount: 2, enrollmentCount: 30, seatLimit: 30 };
    const { event } = mapOne(almBody(almEvent('CI_STATS', stats, { timestamp: '2025-11-20T14:03:11.000Z' })));
    expect(event.type).toBe('lms.event');
    expect(event.course).toMatchObject({ id: COURSE.loId, kind: 'online_course' });
    expect(event.raw).toMatchObject({ events: [{ data: stats }] });
  });
});

describe('adobeAlmAdapter course kinds', () => {
  it.each([
    ['learning_program', 'learning_program:5521', 'LEARNING_PATH_UNENROLLMENT', 'learning_path'],
    ['jobAid', 'jobAid:144968', 'COURSE_ENROLLMENT', null],
    [undefined, 'learningProgram:5521', 'LEARNER_PROGRESS', 'learning_path'],
    ['skillPath', 'skillPath:31', 'CERTIFICATION_ENROLLMENT', 'certification'],
  ] as const)('reads loType %s (loId %s) on %s as kind %s', (loType, loId, name, kind) => {
    const { event } = mapOne(almBody(almEvent(name, { userId: LEARNER, loId, ...(loType ? { loType } : {}), progressPercent: 10 })));
    expect(event.course).toMatchObject({ id: loId, kind });
  });
});

describe('adobeAlmAdapter requests with several events', () => {
  it('maps a mixed request of four events to four catalog events in order', () => {
    const mapped = mapAll(
      almBody(
        almEvent('COURSE_ENROLLMENT', { userId: LEARNER, ...COURSE, enrollmentSource: 'SELF_ENROLL', dateEnrolled: 1763640000 }),
        almEvent('LEARNER_PROGRESS', { userId: LEARNER, ...COURSE, progressPercent: 40 }, { timestamp: 1763647391000 }),
        almEvent('COURSE_COMPLETED', { userId: LEARNER, ...COURSE, dateCompleted: '2025-11-20T14:03:00.000Z', hasPassed: false }),
        almEvent('LEARNING_OBJECT_DRAFT', { loId: 'course:9120999', loType: 'course' }),
      ),
    );
    expect(mapped.map(({ event }) => event.type)).toEqual(['enrollment.created', 'enrollment.progressed', 'enrollment.completed', 'course.created']);
    expect(new Set(mapped.map(({ event }) => event.id)).size).toBe(4);
  });

  it('gives each learner of a batch enrollment their own event', () => {
    const learners = [11873402, 11873403, 11873404];
    const mapped = mapAll(
      almBody(
        ...learners.map((userId) => almEvent('COURSE_ENROLLMENT_BATCH', { userId, ...COURSE, enrollmentSource: 'ADMIN_ENROLL', dateEnrolled: 1763640000 })),
      ),
    );
    expect(mapped.map(({ event }) => event.learner?.id)).toEqual(learners.map(String));
    expect(mapped.every(({ event }) => event.type === 'enrollment.created' && event.course?.id === COURSE.loId)).toBe(true);
    expect(new Set(mapped.map(({ event }) => event.id)).size).toBe(3);
  });

  it('keeps batch learners apart even when ALM gives them one eventId', () => {
    const shared = { eventId: '0b6f7a31-2c44-4c1e-8f55-3e7d9a1b2c00' };
    const mapped = mapAll(
      almBody(...[11873402, 11873403, 11873404].map((userId) => almEvent('COURSE_COMPLETED_BATCH', { userId, ...COURSE, dateCompleted: 1763647380 }, shared))),
    );
    expect(new Set(mapped.map(({ dedupeKey }) => dedupeKey)).size).toBe(3);
    expect(new Set(mapped.map(({ event }) => event.id)).size).toBe(3);
    expect(mapped.every(({ event }) => event.source.event_id === shared.eventId)).toBe(true);
  });

  it('accepts an empty events array as zero events', () => {
    expect(adobeAlmAdapter.parse(ingestRequest({ body: almBody() }))).toEqual([]);
  });

  it("keeps each event's own object as its raw payload, in ALM's body shape", () => {
    const first = almEvent('COURSE_ENROLLMENT', { userId: LEARNER, ...COURSE, vendorAddedField: 'kept' });
    const second = almEvent('LEARNING_OBJECT_DRAFT', { loId: COURSE.loId, loType: 'course' });
    const mapped = mapAll(almBody(first, second));
    expect(mapped.map(({ event }) => event.raw)).toEqual([
      { accountId: 20481, events: [first] },
      { accountId: 20481, events: [second] },
    ]);
  });
});

describe('adobeAlmAdapter times and identity', () => {
  it.each([
    ['epoch seconds', 1763647391],
    ['epoch milliseconds', 1763647391000],
    ['an ISO string', '2025-11-20T14:03:11.000Z'],
    ['an ISO string without a zone', '2025-11-20T14:03:11'],
  ])('reads a timestamp in %s as the same time', (_format, timestamp) => {
    const { event } = mapOne(almBody(almEvent('COURSE_ENROLLMENT', { userId: LEARNER, ...COURSE, dateEnrolled: timestamp }, { timestamp })));
    expect(event.occurred_at).toBe('2025-11-20T14:03:11.000Z');
    expect(event.enrollment?.enrolled_at).toBe('2025-11-20T14:03:11.000Z');
    expect(event.received_at).toBe(RECEIVED_AT.toISOString());
  });

  it('uses the receive time when an event has no timestamp', () => {
    const { event } = mapOne(almBody(almEvent('LEARNING_OBJECT_DRAFT', { loId: COURSE.loId }, { timestamp: undefined })));
    expect(event.occurred_at).toBe(RECEIVED_AT.toISOString());
  });

  it('gives a resent event the same id, so the store keeps it once', () => {
    const completion = almEvent('COURSE_COMPLETED', { userId: LEARNER, ...COURSE, dateCompleted: 1763647380 });
    const batchEnrollment = almEvent('CERTIFICATION_ENROLLMENT_BATCH', { userId: LEARNER, ...CERTIFICATION });
    const body = almBody(completion, batchEnrollment);
    const first = mapAll(body);
    const retry = mapAll(body, new Date('2025-11-20T14:08:12.000Z'));
    expect(retry.map(({ event }) => event.id)).toEqual(first.map(({ event }) => event.id));
    expect(retry.map(({ dedupeKey }) => dedupeKey)).toEqual(first.map(({ dedupeKey }) => dedupeKey));
    expect(first.map(({ dedupeKey }) => dedupeKey)).toEqual([completion.eventId, `${batchEnrollment.eventId}:${LEARNER}`]);
  });
});

describe('adobeAlmAdapter unknown events', () => {
  it.each(['COURSE_COMPLETION', 'BADGE_AWARDED', 'constructor', '__proto__'])('maps %s to lms.event with the raw payload', (name) => {
    const sent = almEvent(name, { userId: LEARNER, ...COURSE });
    const { event } = mapOne(almBody(sent));
    expect(event.type).toBe('lms.event');
    expect(event.source.event).toBe(name);
    expect(event.raw).toEqual({ accountId: 20481, events: [sent] });
    expect(event.learner?.id).toBe(String(LEARNER));
  });

  it('keeps the learner and path of a learning path completion rollback', () => {
    const { event, dedupeKey } = mapOne(
      almBody(almEvent('LEARNING_PATH_COMPLETION_ROLLBACK_BATCH', { userId: LEARNER, ...PATH, enrollmentSource: 'ADMIN_ENROLL' })),
    );
    expect(event.type).toBe('lms.event');
    expect(event.learner?.id).toBe(String(LEARNER));
    expect(event.course).toMatchObject({ id: PATH.loId, kind: 'learning_path' });
    expect(dedupeKey).toMatch(new RegExp(`:${LEARNER}$`));
  });

  it('keeps an event whose data is not about a learner or a course', () => {
    const { event } = mapOne(
      almBody(almEvent('RESPONSE:ASYNCAPI_USERGROUP_USER_ADDED', { status: 'SUCCESS', request: { data: [{ type: 'user', id: '11101219' }] } })),
    );
    expect(event.type).toBe('lms.event');
    expect(event.learner).toBeNull();
    expect(event.course).toBeNull();
  });
});

describe('adobeAlmAdapter malformed bodies', () => {
  it.each([
    ['an empty body', Buffer.alloc(0)],
    ['text that is not JSON', '{"accountId": 20481, "events": ['],
  ])('rejects %s with a 400', (_what, body) => {
    const error = payloadError(body);
    expect(error.status).toBe(400);
  });

  it.each([
    ['no events', { accountId: 20481 }, 'events'],
    ['events that are not a list', { accountId: 20481, events: { eventId: 'x' } }, 'events'],
    ['a body that is a list', [almEvent('COURSE_ENROLLMENT', {})], ''],
    ['an event without its name', almBody(almEvent('COURSE_ENROLLMENT', {}), { eventId: 'b1', timestamp: 1763647391, data: {} }), 'events.1.eventName'],
    ['an event without its id', almBody({ eventName: 'COURSE_ENROLLMENT', data: {} }), 'events.0.eventId'],
    ['a userId that is an object', almBody(almEvent('COURSE_ENROLLMENT', { userId: { id: LEARNER } })), 'events.0.data.userId'],
    ['an unreadable timestamp', almBody(almEvent('COURSE_ENROLLMENT', {}, { timestamp: 'yesterday' })), 'events.0.timestamp'],
    ['a progress that is text', almBody(almEvent('LEARNER_PROGRESS', { progressPercent: 'half' })), 'events.0.data.progressPercent'],
  ])('rejects %s with a 400 naming %s', (_what, body, path) => {
    const error = payloadError(body);
    expect(error.status).toBe(400);
    expect(error.issues.map((issue) => issue.path)).toContain(path);
  });
});

describe('adobeAlmAdapter verify', () => {
  const basic = { auth: 'basic', username: 'alm-webhook', password: 'u8Jq-3vRt-Pz71-kWm0' } as const;
  const request = (headers: Record<string, string> = {}) => ingestRequest({ body: almBody(), headers });

  it('accepts the Basic credentials set on the connection', () => {
    expect(() => adobeAlmAdapter.verify(request({ Authorization: basicHeader(basic.username, basic.password) }), basic)).not.toThrow();
  });

  it.each([
    ['a wrong password', basicHeader(basic.username, 'u8Jq-3vRt-Pz71-kWm1')],
    ['a wrong username', basicHeader('alm-hook', basic.password)],
    ['a Bearer token', 'Bearer u8Jq-3vRt-Pz71-kWm0'],
  ])('refuses %s with a 401 that does not repeat the secret', (_what, authorization) => {
    let caught: unknown;
    try {
      adobeAlmAdapter.verify(request({ Authorization: authorization }), basic);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AuthenticationError);
    expect(caught).toMatchObject({ status: 401 });
    expect(String(caught)).not.toContain(basic.password);
  });

  it('refuses a request without an Authorization header when Basic is set', () => {
    expect(() => adobeAlmAdapter.verify(request(), basic)).toThrow(AuthenticationError);
  });

  it('accepts any request for auth none, which the ingest URL token protects', () => {
    expect(() => adobeAlmAdapter.verify(request(), { auth: 'none' })).not.toThrow();
  });

  it('accepts Signature-mode requests unchecked, since ALM publishes neither the header nor the algorithm', () => {
    expect(() => adobeAlmAdapter.verify(request({ 'X-Some-Signature': 'anything' }), { auth: 'signature' })).not.toThrow();
  });
});

describe('AdobeAlmInbound', () => {
  it('reads each of the three ALM authentication methods', () => {
    expect(AdobeAlmInbound.parse({ auth: 'none' })).toEqual({ auth: 'none' });
    expect(AdobeAlmInbound.parse({ auth: 'basic', username: 'alm', password: 'secret' })).toEqual({ auth: 'basic', username: 'alm', password: 'secret' });
    expect(AdobeAlmInbound.parse({ auth: 'signature' })).toEqual({ auth: 'signature' });
  });

  it('refuses Basic without a password, and an unknown method', () => {
    expect(AdobeAlmInbound.safeParse({ auth: 'basic', username: 'alm' }).success).toBe(false);
    expect(AdobeAlmInbound.safeParse({ auth: 'hmac', secret: 'x' }).success).toBe(false);
  });

  it('is the schema the adapter declares for its connections', () => {
    expect(adobeAlmAdapter.inboundSchema).toBe(AdobeAlmInbound);
    expect(adobeAlmAdapter.routes).toEqual(['webhook']);
  });
});
