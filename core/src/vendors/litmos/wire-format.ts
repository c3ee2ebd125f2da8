import { vendorId } from '../../sandbox/vendor-ids.ts';
import { JSON_TYPE, type WireFormat } from '../../sandbox/wire-request.ts';

/** Litmos' own date format: ISO 8601 in UTC, without a zone ("2019-05-06T01:12:35.990"). */
const litmosDate = (at: Date) => at.toISOString().replace(/Z$/, '');

/**
 * What SAP Litmos sends: `{id, created, type, object: "event", data}`, unsigned (Litmos documents
 * no signature). The achievement's data follows the published example; the session and course
 * processing hooks, whose bodies are unpublished, use the same field names.
 */
export const litmosWireFormat: WireFormat = (event, subject) => {
  const { user, course, sequence, at, data: sandbox } = subject;
  const userPart = { userId: vendorId('litmos', 'user', user.id), userName: user.username, firstName: user.first_name, lastName: user.last_name };
  const courseId = vendorId('litmos', 'course', course.id);
  const session = sandbox.sessions.find((candidate) => candidate.course_id === course.id);
  const sessionPart = {
    sessionId: String(session?.id ?? sequence),
    sessionName: session?.title ?? `${course.title} session`,
    startDate: session?.starts_at ?? null,
  };
  const bodies: Record<string, Record<string, unknown>> = {
    'achievement.earned': {
      ...userPart,
      courseId,
      title: course.title,
      code: '',
      achievementDate: litmosDate(at),
      compliantTilldate: null,
      result: 'Completed',
      type: course.kind === 'learning_path' ? 'Learning Path Completed' : 'Course Completed',
      achievementId: sequence,
      certificateId: null,
    },
    'session.registration': { ...userPart, courseId, title: course.title, ...sessionPart },
    'session.created': { courseId, title: course.title, ...sessionPart },
    'elearningcourse.processed': { courseId, title: course.title },
  };
  const body = { id: sequence, created: litmosDate(at), type: event, object: 'event', data: bodies[event] ?? { courseId } };
  return { path: '', headers: { ...JSON_TYPE }, body: JSON.stringify(body) };
};
