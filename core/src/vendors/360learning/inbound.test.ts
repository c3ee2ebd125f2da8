/*
 * Payloads from 360Learning's published examples:
 * - https://360learning.readme.io/docs/event-payload-and-headers (the user.created example; its
 *   email is shown obfuscated on the page, so an example.com address stands in),
 * - the webhook OpenAPI behind https://360learning.readme.io/reference (webhooks course.attempt.closed,
 *   path.session.user.status.updated, user.certificate.awarded, user.assessment.corrected,
 *   path.deleted, path.session.users.enrolled: their DTOs' fields and example ObjectIds),
 * - https://360learning.readme.io/docs/security-and-signature-verification (webhook-id,
 *   webhook-timestamp, webhook-signature "v1,<base64>", several space-separated on rotation).
 */
import { describe, expect, it } from 'vitest';
import { SignatureError } from '../../errors.ts';
import { generateSecret, signStandardWebhook } from '../../signatures/standard-webhooks.ts';
import { ingestRequest } from '../../testing/ingest-request.ts';
import { threeSixtyLearningAdapter as adapter, ThreeSixtyLearningInbound } from './inbound.ts';

const RECEIVED_AT = new Date('2026-11-20T14:03:11.482Z');
const secret = generateSecret();
const inbound = ThreeSixtyLearningInbound.parse({ secret });

function signed(payload: unknown, options: { id?: string; secret?: string; at?: Date } = {}) {
  const body = JSON.stringify(payload);
  const headers = signStandardWebhook({
    id: options.id ?? 'msg_35bE2UOtsaBIqUl7VW4mLuR9q2B',
    timestampSeconds: (options.at ?? RECEIVED_AT).getTime() / 1000,
    body,
    secret: options.secret ?? secret,
  });
  return ingestRequest({ body, headers: { ...headers }, receivedAt: RECEIVED_AT });
}

function mapped(payload: unknown, id?: string) {
  const request = signed(payload, id ? { id } : {});
  adapter.verify(request, inbound);
  return adapter.parse(request).flatMap((event) => adapter.toCatalog(event, { connection: 'acme-360', receivedAt: RECEIVED_AT }));
}

const USER_CREATED = {
  type: 'user.created',
  timestamp: 1749816650724,
  data: {
    userId: '684c154ab06eb32565e5cbc0',
    createdAt: '2025-06-13T12:10:50.568Z',
    firstName: 'Ada',
    lastName: 'Lovelace',
    mail: 'ada.lovelace@example.com',
  },
};

const ATTEMPT_CLOSED = {
  type: 'course.attempt.closed',
  timestamp: 1748346292000,
  data: {
    attemptId: '507f1f77bcf86cd799439011',
    closedAt: '2025-05-27T11:44:52.000Z',
    userId: '684c154ab06eb32565e5cbc0',
    courseId: '507f1f77bcf86cd799439012',
    reason: 'learnerFinished',
    context: { pathId: '507f1f77bcf86cd799439013', pathSessionId: '507f1f77bcf86cd799439014' },
  },
};

const pathStatus = (status: string) => ({
  type: 'path.session.user.status.updated',
  timestamp: 1748346292000,
  data: {
    userId: '684c154ab06eb32565e5cbc0',
    pathId: '507f1f77bcf86cd799439013',
    sessionId: '507f1f77bcf86cd799439014',
    enrollmentId: '507f1f77bcf86cd799439015',
    status,
    updatedAt: '2025-05-27T11:44:52.000Z',
  },
});

describe('the 360Learning adapter', () => {
  describe('verifies the Standard Webhooks signature', () => {
    it('accepts a request signed with the subscription secret', () => {
      expect(() => adapter.verify(signed(USER_CREATED), inbound)).not.toThrow();
    });

    it('refuses a request signed with another secret', () => {
      expect(() => adapter.verify(signed(USER_CREATED, { secret: generateSecret() }), inbound)).toThrow(SignatureError);
    });

    it('refuses a request without the signature headers', () => {
      const request = ingestRequest({ body: JSON.stringify(USER_CREATED), receivedAt: RECEIVED_AT });
      expect(() => adapter.verify(request, inbound)).toThrow(/Missing webhook-id/);
    });

    it('refuses a body changed after signing', () => {
      const request = signed(USER_CREATED);
      const tampered = { ...request, body: Buffer.from(request.body.toString().replace('Ada', 'Eve')) };
      expect(() => adapter.verify(tampered, inbound)).toThrow(SignatureError);
    });

    it('refuses a timestamp more than five minutes off', () => {
      const request = signed(USER_CREATED, { at: new Date(RECEIVED_AT.getTime() - 6 * 60 * 1000) });
      expect(() => adapter.verify(request, inbound)).toThrow(/too old or too new/);
    });

    it('accepts the previous secret while 360Learning rotates it', () => {
      const previous = generateSecret();
      const rotating = ThreeSixtyLearningInbound.parse({ secret, previous_secrets: [previous] });
      expect(() => adapter.verify(signed(USER_CREATED, { secret: previous }), rotating)).not.toThrow();
    });

    it('takes the secret with or without the whsec_ prefix, and refuses one that is not base64', () => {
      expect(ThreeSixtyLearningInbound.safeParse({ secret: secret.slice('whsec_'.length) }).success).toBe(true);
      expect(ThreeSixtyLearningInbound.safeParse({ secret: 'not a secret!' }).success).toBe(false);
    });
  });

  it('maps user.created to user.created with the names it carries, hydrating the rest', () => {
    const [one] = mapped(USER_CREATED);
    expect(one?.event).toMatchObject({
      type: 'user.created',
      occurred_at: '2025-06-13T12:10:50.724Z',
      source: { vendor: '360learning', event: 'user.created', event_id: 'msg_35bE2UOtsaBIqUl7VW4mLuR9q2B' },
      learner: { id: '684c154ab06eb32565e5cbc0', first_name: 'Ada', last_name: 'Lovelace', name: 'Ada Lovelace', email: 'ada.lovelace@example.com' },
    });
    expect(one?.hydration).toEqual({ user: '684c154ab06eb32565e5cbc0' });
  });

  it('maps a finished course attempt to enrollment.completed with learner and course to hydrate', () => {
    const [one] = mapped(ATTEMPT_CLOSED);
    expect(one?.event).toMatchObject({
      type: 'enrollment.completed',
      learner: { id: '684c154ab06eb32565e5cbc0', email: null },
      course: { id: '507f1f77bcf86cd799439012' },
      enrollment: { status: 'completed', progress: 100, completed_at: '2025-05-27T11:44:52.000Z' },
      hydration: { status: 'pending' },
    });
    expect(one?.hydration).toEqual({ user: '684c154ab06eb32565e5cbc0', course: { id: '507f1f77bcf86cd799439012' } });
  });

  it('keeps an attempt closed for another reason as lms.event', () => {
    const [one] = mapped({ ...ATTEMPT_CLOSED, data: { ...ATTEMPT_CLOSED.data, reason: 'expired' } });
    expect(one?.event.type).toBe('lms.event');
  });

  it.each([
    ['successful', 'enrollment.completed', 'completed', true],
    ['unsuccessful', 'enrollment.completed', 'failed', false],
    ['onTime', 'enrollment.progressed', 'in_progress', null],
    ['notYetStarted', 'enrollment.progressed', 'not_started', null],
    ['notEnrolled', 'enrollment.removed', 'removed', null],
  ])('maps a path session status %s to %s (%s) on the path as a learning_path', (status, type, enrollmentStatus, passed) => {
    const [one] = mapped(pathStatus(status));
    expect(one?.event).toMatchObject({
      type,
      learner: { id: '684c154ab06eb32565e5cbc0' },
      course: { id: '507f1f77bcf86cd799439013', kind: 'learning_path' },
      enrollment: { id: '507f1f77bcf86cd799439015', status: enrollmentStatus, passed },
    });
    expect(one?.hydration.course).toEqual({ id: '507f1f77bcf86cd799439013', kind: 'learning_path' });
  });

  it('maps user.certificate.awarded to certificate.awarded on the completed path', () => {
    const [one] = mapped({
      type: 'user.certificate.awarded',
      timestamp: 1748346292000,
      data: {
        userId: '684c154ab06eb32565e5cbc0',
        certificateId: '507f1f77bcf86cd799439016',
        certificateOutlineId: '507f1f77bcf86cd799439017',
        deliveryDate: '2025-05-27T11:44:52.000Z',
        pathId: '507f1f77bcf86cd799439013',
        pathSessionId: '507f1f77bcf86cd799439014',
      },
    });
    expect(one?.event).toMatchObject({
      type: 'certificate.awarded',
      learner: { id: '684c154ab06eb32565e5cbc0' },
      course: { id: '507f1f77bcf86cd799439013', kind: 'learning_path' },
      data: { certificate: { id: '507f1f77bcf86cd799439016' } },
    });
  });

  it('maps user.assessment.corrected to assessment.completed with its name, score and result', () => {
    const [one] = mapped({
      type: 'user.assessment.corrected',
      timestamp: 1748346292000,
      data: {
        userId: '684c154ab06eb32565e5cbc0',
        assessmentId: '507f1f77bcf86cd799439018',
        name: 'Final assessment',
        pathId: '507f1f77bcf86cd799439013',
        sessionId: '507f1f77bcf86cd799439014',
        enrollmentId: '507f1f77bcf86cd799439015',
        success: true,
        score: 87,
        correctedAt: '2025-05-27T11:44:52.000Z',
      },
    });
    expect(one?.event).toMatchObject({
      type: 'assessment.completed',
      learner: { id: '684c154ab06eb32565e5cbc0' },
      data: { assessment: { id: '507f1f77bcf86cd799439018', title: 'Final assessment', score: 87, passed: true } },
    });
  });

  it('maps path.deleted to course.deleted without asking the API for the gone path', () => {
    const [one] = mapped({
      type: 'path.deleted',
      timestamp: 1748346292000,
      data: { pathId: '507f1f77bcf86cd799439013', deletedAt: '2025-05-27T11:44:52.000Z' },
    });
    expect(one?.event).toMatchObject({ type: 'course.deleted', course: { id: '507f1f77bcf86cd799439013', kind: 'learning_path' } });
    expect(one?.hydration).toEqual({});
  });

  it('keeps events naming no learner (path.session.users.enrolled) and unknown types as lms.event', () => {
    const enrolled = mapped({
      type: 'path.session.users.enrolled',
      timestamp: 1748346292000,
      data: { pathId: '507f1f77bcf86cd799439013', sessionId: '507f1f77bcf86cd799439014', enrolledAt: '2025-05-27T11:44:52.000Z' },
    });
    expect(enrolled.map(({ event }) => event.type)).toEqual(['lms.event']);
    expect(mapped({ type: 'bulk.operation.ended', timestamp: 1748346292000, data: {} }).map(({ event }) => event.type)).toEqual(['lms.event']);
  });

  it('dedupes on webhook-id, which 360Learning keeps on every retry', () => {
    const first = mapped(ATTEMPT_CLOSED, 'msg_retry');
    const again = mapped(ATTEMPT_CLOSED, 'msg_retry');
    const other = mapped(ATTEMPT_CLOSED, 'msg_other');
    expect(first[0]?.dedupeKey).toBe('msg_retry');
    expect(again[0]?.event.id).toBe(first[0]?.event.id);
    expect(other[0]?.event.id).not.toBe(first[0]?.event.id);
  });

  it('refuses a body without a type', () => {
    const request = signed({ timestamp: 1, data: {} });
    expect(() => adapter.parse(request)).toThrow(/360Learning webhook/);
  });
});
