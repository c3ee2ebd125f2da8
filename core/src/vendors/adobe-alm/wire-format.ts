import { vendorId } from '../../sandbox/vendor-ids.ts';
import { basicFrom, JSON_TYPE, uuidFrom, type WireFormat } from '../../sandbox/wire-request.ts';
import { adobeAlmAdapter } from './inbound.ts';

/** What Adobe Learning Manager sends: its events envelope, with Basic auth when the connection asks for it. */
export const adobeAlmWireFormat: WireFormat = (event, subject, inbound) => {
  const { user, course, enrollment, sequence, at } = subject;
  const loId = vendorId('adobe-alm', 'course', course.id, course.kind);
  const type = adobeAlmAdapter.events[event];
  const data: Record<string, unknown> = type?.startsWith('course.')
    ? { loId, loType: loId.split(':')[0] }
    : {
        userId: Number(vendorId('adobe-alm', 'user', user.id)),
        loId,
        loInstanceId: `${loId}_${course.id + 9000}`,
        loType: loId.split(':')[0],
        enrollmentSource: 'SELF_ENROLL',
        dateEnrolled: Date.parse(enrollment?.enrolled_at ?? at.toISOString()),
        ...(type === 'enrollment.completed' ? { dateCompleted: at.getTime(), hasPassed: true } : {}),
        ...(type === 'enrollment.progressed' ? { progressPercent: Math.min(99, enrollment?.progress ?? 40) } : {}),
      };
  const body = {
    accountId: 4321,
    events: [{ eventId: uuidFrom(`alm-${sequence}`), eventName: event, timestamp: Math.floor(at.getTime() / 1000), eventInfo: '', data }],
  };
  const authorization = inbound.auth === 'basic' ? basicFrom(inbound) : null;
  return { path: '', headers: { ...JSON_TYPE, ...(authorization ? { authorization } : {}) }, body: JSON.stringify(body) };
};
