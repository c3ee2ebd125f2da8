import type { SandboxCourse } from '../../sandbox/demo-data.ts';
import { vendorId } from '../../sandbox/vendor-ids.ts';
import { JSON_TYPE, stringOf, type WireFormat } from '../../sandbox/wire-request.ts';
import { signStandardWebhook } from '../../signatures/standard-webhooks.ts';

/**
 * What 360Learning sends: `{type, timestamp (ms), data}` with the webhook OpenAPI's DTO fields and
 * ObjectIds, signed the Standard Webhooks way with the connection's secret. Path events name a
 * learning path and course events a course, whatever course the emit picked.
 */
export const threeSixtyLearningWireFormat: WireFormat = (event, subject, inbound) => {
  const { user, course, enrollment, data, sequence, at } = subject;
  const id = (entity: Parameters<typeof vendorId>[1], value: number) => vendorId('360learning', entity, value);
  const isPath = (candidate: SandboxCourse) => candidate.kind === 'learning_path';
  const path = isPath(course) ? course : (data.courses.find(isPath) ?? course);
  const plain = isPath(course) ? (data.courses.find((candidate) => !isPath(candidate)) ?? course) : course;
  const when = at.toISOString();
  const person = { userId: id('user', user.id), firstName: user.first_name, lastName: user.last_name, mail: user.email, username: user.username };
  const session = { pathId: id('course', path.id), sessionId: id('session', path.id) };
  const bodies: Record<string, Record<string, unknown>> = {
    'user.created': { ...person, createdAt: when },
    'user.updated': { ...person, updatedAt: when, lang: 'en' },
    'user.reactivated': { ...person, reactivatedAt: when },
    'user.deleted': { ...person, deletedAt: when },
    'course.attempt.closed': {
      attemptId: id('enrollment', sequence),
      closedAt: when,
      userId: person.userId,
      courseId: id('course', plain.id),
      reason: 'learnerFinished',
      context: {},
    },
    'path.session.user.status.updated': {
      userId: person.userId,
      ...session,
      enrollmentId: id('enrollment', enrollment?.id ?? sequence),
      status: 'successful',
      updatedAt: when,
    },
    'user.certificate.awarded': {
      userId: person.userId,
      certificateId: id('certificate', sequence),
      certificateOutlineId: id('certificate', path.id),
      deliveryDate: when,
      pathId: session.pathId,
      pathSessionId: session.sessionId,
    },
    'user.assessment.corrected': {
      userId: person.userId,
      assessmentId: id('course', sequence),
      name: 'Final assessment',
      ...session,
      enrollmentId: id('enrollment', enrollment?.id ?? sequence),
      success: true,
      score: 87,
      correctedAt: when,
    },
    'path.created': { pathId: session.pathId, createdAt: when },
    'path.archived': { pathId: session.pathId, archivedAt: when },
    'path.deleted': { pathId: session.pathId, deletedAt: when },
    'group.created': { groupId: id('group', data.groups[0]?.id ?? 1), name: data.groups[0]?.name ?? 'Sales', createdAt: when },
    'group.deleted': { groupId: id('group', data.groups[0]?.id ?? 1), deletedAt: when },
  };
  const body = JSON.stringify({ type: event, timestamp: at.getTime(), data: bodies[event] ?? { userId: person.userId } });
  const headers = signStandardWebhook({ id: `msg_sandbox360_${sequence}`, timestampSeconds: at.getTime() / 1000, body, secret: stringOf(inbound.secret) });
  return { path: '', headers: { ...JSON_TYPE, ...headers }, body };
};
