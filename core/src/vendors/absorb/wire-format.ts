import { vendorId } from '../../sandbox/vendor-ids.ts';
import { JSON_TYPE, uuidFrom, type WireFormat } from '../../sandbox/wire-request.ts';

/** What Absorb sends: lean JSON naming ids only, unsigned (the ingest URL's token protects it). */
export const absorbWireFormat: WireFormat = (event, subject) => {
  const { user, course, enrollment, data, sequence } = subject;
  const id = (entity: Parameters<typeof vendorId>[1], value: number) => vendorId('absorb', entity, value);
  const session = data.sessions.find((candidate) => candidate.course_id === course.id);
  const certificate = data.certificates.find((candidate) => candidate.user_id === user.id);
  const body = {
    eventName: event,
    userId: id('user', user.id),
    adminId: id('user', data.users[data.users.length - 1]?.id ?? user.id),
    clientId: 'acme-sandbox',
    correlationId: uuidFrom(`absorb-${sequence}`),
    courseId: id('course', course.id),
    enrollmentId: enrollment ? id('enrollment', enrollment.id) : null,
    sessionId: session ? id('session', session.id) : null,
    certificateId: certificate ? id('certificate', certificate.id) : null,
    groupId: id('group', data.groups[0]?.id ?? 1),
    departmentId: id('department', user.department_id ?? 1),
    competencyId: uuidFrom(`competency-${sequence}`),
    credits: 1.5,
  };
  return { path: '', headers: JSON_TYPE, body: JSON.stringify(body) };
};
