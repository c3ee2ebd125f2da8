import { createHash, createHmac } from 'node:crypto';
import { SAMPLES, isEventType, type CourseKind, type EventType, type Vendor } from '../catalog/index.ts';
import { signStandardWebhook } from '../signatures/standard-webhooks.ts';
import { ADAPTERS } from '../vendors/index.ts';
import { LEARN365_COURSE_TYPES } from '../vendors/learn365-tables.ts';
import type { SandboxCourse, SandboxData, SandboxEnrollment, SandboxUser } from './demo-data.ts';
import { vendorId } from './vendor-ids.ts';

/**
 * What the sandbox LMS sends: each vendor's own wire format, ids and signature, as lean as the
 * real vendor is, so the hub's verification, mapping and hydration run exactly as in production.
 */

/** What an emitted event is about, resolved from the sandbox data. */
export interface Subject {
  user: SandboxUser;
  course: SandboxCourse;
  enrollment: SandboxEnrollment | null;
  data: SandboxData;
  /** Unique per emit: vendor event ids and correlation ids derive from it. */
  sequence: number;
  at: Date;
}

export interface WireRequest {
  /** Appended to the connection's ingest URL. */
  path: '' | '/xapi/statements';
  headers: Record<string, string>;
  body: string;
}

type Inbound = Record<string, unknown>;

const JSON_TYPE = { 'content-type': 'application/json' };

const stringOf = (value: unknown): string => (typeof value === 'string' ? value : '');

function basicFrom(credentials: unknown): string | null {
  if (typeof credentials !== 'object' || credentials === null) return null;
  const username = 'username' in credentials ? stringOf(credentials.username) : '';
  const password = 'password' in credentials ? stringOf(credentials.password) : '';
  return username ? `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` : null;
}

/** A UUID derived from a seed: stable for the same seed, so the webhooks and the emulated APIs name things alike. */
export function uuidFrom(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function absorb(event: string, subject: Subject): WireRequest {
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
}

/** The SharePoint site and web the sandbox's Learn365 courses live in: its webhooks and its API name the same ones. */
export const LEARN365_SITE = { SiteId: 'a3f1c2e4-5b6d-4e7f-8a9b-0c1d2e3f4a5b', WebId: 'b4e2d3f5-6c7e-4f8a-9b0c-1d2e3f4a5b6c' } as const;

/** A sandbox user's Learn365 login name: the SharePoint claim its webhooks and its API carry. */
export function learn365LoginName(user: SandboxUser): string {
  return `i:0#.f|membership|${user.email}`;
}

/** A sandbox user's directory (Entra ID) object id, the same in Learn365's webhooks and API. */
export function learn365DirectoryObjectId(user: SandboxUser): string {
  return uuidFrom(`aad-${user.id}`);
}

function learn365(event: string, subject: Subject, inbound: Inbound): WireRequest {
  const { user, course, enrollment, sequence, at } = subject;
  const type = ADAPTERS.learn365.events[event];
  const stamp = at.toISOString();
  const courseFields = {
    Id: String(course.id),
    ...LEARN365_SITE,
    Title: course.title,
    Url: course.url,
    CourseType: LEARN365_COURSE_TYPES[course.kind],
    Published: course.published,
  };
  const userFields = { LoginName: learn365LoginName(user), Title: `${user.first_name} ${user.last_name}`, Email: user.email };
  let notification: Record<string, unknown>;
  if (type?.startsWith('user.')) {
    // Learn365's user notifications carry no department: hydration asks the API.
    notification = {
      Action: event,
      UserId: String(user.id),
      DirectoryObjectId: learn365DirectoryObjectId(user),
      ...userFields,
      IsDeleted: type === 'user.deactivated',
      TimeStamp: stamp,
    };
  } else if (type?.startsWith('course.')) {
    notification = { Action: event, ...courseFields, TimeStamp: stamp };
  } else {
    notification = {
      Action: event,
      EnrollmentStatus: enrollment?.status === 'completed' ? 3 : 1,
      EnrollmentStatusText: enrollment?.status === 'completed' ? 'Completed' : 'Enrolled',
      Course: courseFields,
      Users: [{ Id: String(user.id), DirectoryObjectId: learn365DirectoryObjectId(user), EnrollmentId: String(enrollment?.id ?? sequence), ...userFields }],
      TimeStamp: stamp,
    };
  }
  // ASP.NET WebHooks send indented JSON with Windows line ends; the signature covers exactly these bytes.
  const body = JSON.stringify({ Id: uuidFrom(`learn365-${sequence}`), Attempt: 1, Properties: {}, Notifications: [notification] }, null, 2).replace(
    /\n/g,
    '\r\n',
  );
  const signature = createHmac('sha256', stringOf(inbound.secret)).update(body).digest('hex').toUpperCase();
  return { path: '', headers: { ...JSON_TYPE, 'ms-signature': `sha256=${signature}` }, body };
}

function adobeAlm(event: string, subject: Subject, inbound: Inbound): WireRequest {
  const { user, course, enrollment, sequence, at } = subject;
  const loId = vendorId('adobe-alm', 'course', course.id, course.kind);
  const type = ADAPTERS['adobe-alm'].events[event];
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
}

function xapiStatement(verb: string, subject: Subject): Record<string, unknown> {
  const { user, course, sequence, at } = subject;
  const activity = `https://acme.lessonly.example/lessons/${course.id}`;
  const result: Record<string, Record<string, unknown>> = {
    'http://adlnet.gov/expapi/verbs/completed': { completion: true, success: true, score: { scaled: 0.92 } },
    'http://adlnet.gov/expapi/verbs/answered': { success: true, response: 'Acknowledge, then ask an open question' },
    'http://id.tincanapi.com/verb/searched': { response: 'pricing objections' },
  };
  return {
    id: uuidFrom(`xapi-${sequence}`),
    actor: { objectType: 'Agent', name: `${user.first_name} ${user.last_name}`, mbox: `mailto:${user.email}` },
    verb: { id: verb, display: { 'en-US': verb.split('/').pop() ?? verb } },
    object: { objectType: 'Activity', id: activity, definition: { name: { 'en-US': course.title }, type: 'http://adlnet.gov/expapi/activities/lesson' } },
    ...(result[verb] ? { result: result[verb] } : {}),
    timestamp: at.toISOString(),
  };
}

function xapiRequest(verb: string, subject: Subject, inbound: Inbound): WireRequest {
  const authorization = basicFrom(inbound.xapi);
  return {
    path: '/xapi/statements',
    headers: { ...JSON_TYPE, 'x-experience-api-version': '1.0.3', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify([xapiStatement(verb, subject)]),
  };
}

function seismicLearning(event: string, subject: Subject, inbound: Inbound): WireRequest {
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
}

function standard(event: string, subject: Subject, inbound: Inbound): WireRequest {
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
}

const BUILDERS: { readonly [V in Vendor]: (event: string, subject: Subject, inbound: Inbound) => WireRequest } = {
  absorb,
  learn365,
  'adobe-alm': adobeAlm,
  'seismic-learning': seismicLearning,
  standard,
};

/** The request the vendor would send for `event` about `subject`, signed with the connection's inbound settings. */
export function wireRequest(vendor: Vendor, event: string, subject: Subject, inbound: Inbound): WireRequest {
  return BUILDERS[vendor](event, subject, inbound);
}

/** Words in vendor event names that say which kind of course the event is about. */
const KIND_HINTS: ReadonlyArray<readonly [RegExp, CourseKind]> = [
  [/learning.?path|learningprogram/i, 'learning_path'],
  [/certification/i, 'certification'],
  [/curriculum/i, 'curriculum'],
  [/bundle/i, 'bundle'],
  [/instructor|\bilc\b|session|attended/i, 'instructor_led'],
  [/lesson|xapi|^http/i, 'lesson'],
];

/** The kind of course an event name implies, so the sandbox picks a fitting course by default. */
export function courseKindFor(event: string): CourseKind {
  return KIND_HINTS.find(([pattern]) => pattern.test(event))?.[1] ?? 'online_course';
}

/** The catalog type a vendor event maps to, or null when the adapter does not know the name. */
export function catalogTypeOf(vendor: Vendor, event: string): EventType | null {
  return ADAPTERS[vendor].events[event] ?? null;
}
