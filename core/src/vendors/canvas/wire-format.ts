import { JSON_TYPE, uuidFrom, type WireFormat } from '../../sandbox/wire-request.ts';
import { CANVAS_SANDBOX_SHARD } from './sandbox-api.ts';
import { signCanvasLiveEvent } from './sandbox-signing.ts';

const SHARD_FACTOR = 10_000_000_000_000n;
/** A sandbox id as Canvas's global form on the sandbox's shard, as the enrollment and user examples write ids. */
const globalId = (id: number) => String(CANVAS_SANDBOX_SHARD * SHARD_FACTOR + BigInt(id));

/**
 * What Canvas sends as a Live Event over HTTPS in the Canvas format: `{metadata, body}` shaped as
 * the doc/api/data_services examples, with their mix of local ids (course_completed,
 * course_progress) and global ids (enrollment_*, user_*, course_created). Unsigned as JSON; when
 * the connection requires signed payloads, as a subscription with "Sign Payload" on sends it: a
 * JWT signed RS256 with the sandbox's current key, `{metadata, body}` as its claims beside iat and
 * the issuer consumers report (inbound.ts says what is documented and what is not). Canvas's
 * Content-Type for it is not documented either; application/jwt is the registered one.
 */
export const canvasWireFormat: WireFormat = (event, subject, inbound) => {
  const { user, course, enrollment, sequence, at } = subject;
  const when = at.toISOString();
  const name = `${user.first_name} ${user.last_name}`;
  const courseRef = { account_id: '1', id: String(course.id), name: course.title, sis_source_id: `sis-course-${course.id}` };
  const progressOf = (done: number, count: number, completedAt: string | null) => ({
    completed_at: completedAt,
    next_requirement_url: completedAt ? null : `https://acme.instructure.example/courses/${course.id}/modules/items/${sequence}`,
    requirement_completed_count: done,
    requirement_count: count,
  });
  const enrollmentBody = (workflowState: string) => ({
    course_id: globalId(course.id),
    course_section_id: globalId(course.id + 4000),
    created_at: when,
    enrollment_id: globalId(enrollment?.id ?? sequence),
    limit_privileges_to_course_section: false,
    type: 'StudentEnrollment',
    updated_at: when,
    user_id: globalId(user.id),
    user_name: name,
    workflow_state: workflowState,
  });
  const bodies: Record<string, Record<string, unknown>> = {
    course_completed: { course: courseRef, progress: progressOf(6, 6, when), user: { email: user.email, id: String(user.id), name } },
    course_progress: { course: courseRef, progress: progressOf(3, 6, null), user: { email: user.email, id: String(user.id), name } },
    enrollment_created: enrollmentBody('active'),
    enrollment_updated: enrollmentBody('deleted'),
    user_created: {
      created_at: when,
      name,
      short_name: name,
      updated_at: when,
      user_id: globalId(user.id),
      user_login: user.email,
      user_sis_id: `sis-${user.id}`,
      uuid: uuidFrom(`canvas-user-${user.id}`),
      workflow_state: 'registered',
    },
    user_updated: {
      created_at: user.created_at,
      name,
      short_name: name,
      updated_at: when,
      user_id: globalId(user.id),
      user_login: user.email,
      workflow_state: 'registered',
    },
    course_created: {
      account_id: globalId(1),
      course_id: globalId(course.id),
      created_at: when,
      name: course.title,
      updated_at: when,
      uuid: uuidFrom(`canvas-course-${course.id}`),
      workflow_state: 'available',
    },
  };
  const body = {
    metadata: {
      event_name: event,
      event_time: when,
      producer: 'canvas',
      request_id: uuidFrom(`canvas-${sequence}`),
      root_account_id: globalId(1),
      root_account_uuid: 'SandboxRootAccountUuid0000000000000000000',
      user_id: globalId(user.id),
      user_login: user.email,
      hostname: 'acme.instructure.example',
    },
    body: bodies[event] ?? { user_id: globalId(user.id) },
  };
  if (inbound.signed_payloads !== 'required') return { path: '', headers: JSON_TYPE, body: JSON.stringify(body) };
  const claims = { ...body, iss: 'https://live-events.canvas.instructure.com', iat: Math.floor(at.getTime() / 1000) };
  return { path: '', headers: { 'content-type': 'application/jwt' }, body: signCanvasLiveEvent(claims) };
};
