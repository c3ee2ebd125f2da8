import { isEventType, SAMPLES } from '../../catalog/index.ts';
import { JSON_TYPE, stringOf, type WireFormat } from '../../sandbox/wire-request.ts';
import { signStandardWebhook } from '../../signatures/standard-webhooks.ts';
import { xapiRequest } from '../xapi/wire-format.ts';

/** What a Standard Webhooks source sends (catalog-shaped, signed), or xAPI statements (a verb IRI as the event). */
export const standardWireFormat: WireFormat = (event, subject, inbound) => {
  if (event.startsWith('http')) return xapiRequest(event, subject, inbound);
  const { user, course, enrollment, sequence, at } = subject;
  // A Standard Webhooks source sends catalog-shaped data: the parts its type involves (as the
  // catalog sample shows them) and the sample's type-specific details.
  const sample = isEventType(event) ? SAMPLES[event] : null;
  const body = JSON.stringify({
    type: event,
    timestamp: at.toISOString(),
    data: {
      ...(sample?.data ?? {}),
      ...(sample?.learner ? { learner: { id: String(user.id), email: user.email, first_name: user.first_name, last_name: user.last_name } } : {}),
      ...(sample?.course ? { course: { id: String(course.id), title: course.title, kind: course.kind } } : {}),
      ...(sample?.enrollment && enrollment ? { enrollment: { id: String(enrollment.id), status: enrollment.status, progress: enrollment.progress } } : {}),
    },
  });
  const headers = signStandardWebhook({ id: `msg_sandbox_${sequence}`, timestampSeconds: at.getTime() / 1000, body, secret: stringOf(inbound.secret) });
  return { path: '', headers: { ...JSON_TYPE, ...headers }, body };
};
