import { JSON_TYPE, type WireFormat } from '../../sandbox/wire-request.ts';
import { xapiRequest } from '../xapi/wire-format.ts';

/** What Seismic Learning sends: its user and reporting webhooks, or xAPI statements (a verb IRI as the event). */
export const seismicLearningWireFormat: WireFormat = (event, subject, inbound) => {
  if (event.startsWith('http')) return xapiRequest(event, subject, inbound);
  const { user, course, enrollment, sequence, at } = subject;
  const authorization: Record<string, string> = typeof inbound.authorization === 'string' ? { authorization: inbound.authorization } : {};
  const body =
    event === 'lesson-completed'
      ? {
          user: { id: user.id, ext_uid: null, name: `${user.first_name} ${user.last_name}`, email: user.email },
          lesson: { id: course.id, title: course.title, retake_score: 0.8 },
          score_percent: enrollment?.score ?? 92,
          started_at: enrollment?.enrolled_at ?? at.toISOString(),
          completed_at: at.toISOString(),
          assigned_at: enrollment?.enrolled_at ?? at.toISOString(),
        }
      : // Seismic's user webhooks name the user only: hydration fills in the rest.
        { event, id: `evt-${sequence}`, occurred_at: at.toISOString(), user: { id: user.id } };
  return { path: '', headers: { ...JSON_TYPE, ...authorization }, body: JSON.stringify(body) };
};
