import { z } from 'zod';
import type { HydrationNeeds } from '../../catalog/hydration-needs.ts';
import type { CourseKind, EventType } from '../../catalog/index.ts';
import { eventTypesOf, type IngestRequest, type MappedEvent, type MappingContext, type VendorAdapter } from '../adapter.ts';
import { buildEvent, type EventParts } from '../build-event.ts';
import { bodyDigest } from '../event-id.ts';
import { normaliseName } from '../names.ts';
import { parseJsonBody, parseWith } from '../parse-body.ts';

/**
 * Absorb LMS webhooks (support.absorblms.com, "Webhooks"). Each request reports one event and is lean:
 * the event name and the ids around it; everything else comes from the Absorb Integration API
 * (hydration). Absorb publishes no sample body and no signature header, so the accepted shape is ours:
 *
 * ```json
 * {
 *   "eventName": "Enrollment Completed by Learner",  // required: the event's name as Absorb lists it
 *   "userId": "…",         // the user the event is about (learner)
 *   "adminId": "…",        // the admin who acted, for admin events
 *   "clientId": "…",       // the Absorb portal
 *   "correlationId": "…",  // Absorb's id for the occurrence
 *   "courseId": "…", "enrollmentId": "…", "sessionId": "…", "groupId": "…", "departmentId": "…",
 *   "certificateId": "…", "competencyId": "…",   // when sent: the object the event is about
 *   "entityId": "…",       // when sent: a generic id of that object, used when no specific key is present
 *   "credits": 1.5         // when sent: the amount a Course Credits Awarded event awarded
 * }
 * ```
 *
 * Keys are read in camelCase or PascalCase (`EventName`); ids may be strings or numbers; other keys
 * are kept in raw. Event names match ignoring case, spaces and punctuation ("EnrollmentCompletedByLearner").
 *
 * No signature is checked: Absorb sends none that is published. The connection is protected by its
 * ingest URL, whose path carries an unguessable token (DESIGN §3), so inboundSchema is empty.
 */

/** Absorb needs no inbound secret: the ingest URL's token is the credential. */
export const AbsorbInbound = z.object({});
export type AbsorbInbound = z.infer<typeof AbsorbInbound>;

const id = z
  .union([z.string(), z.number()])
  .nullish()
  .transform((value) => (value === null || value === undefined || value === '' ? null : String(value)));

/** .NET services often write PascalCase; Absorb's Integration API writes camelCase. Read both. */
function camelKeys(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([key, field]) => [key.charAt(0).toLowerCase() + key.slice(1), field]));
}

const AbsorbPayload = z.preprocess(
  camelKeys,
  z.looseObject({
    eventName: z.string().trim().min(1),
    userId: id,
    adminId: id,
    clientId: id,
    correlationId: id,
    courseId: id,
    enrollmentId: id,
    sessionId: id,
    groupId: id,
    departmentId: id,
    certificateId: id,
    competencyId: id,
    entityId: id,
    credits: z.number().nullish(),
  }),
);
type AbsorbPayload = z.infer<typeof AbsorbPayload>;

/** What the event is about: decides which ids fill which envelope parts. */
type Subject = 'user' | 'enrollment' | 'session' | 'course' | 'certificate' | 'competency' | 'credits' | 'assessment' | 'group' | 'department';

interface AbsorbRule {
  type: EventType;
  subject: Subject;
  actor: 'learner' | 'admin';
  kind?: CourseKind;
  /** The object no longer exists at Absorb: asking its API would only fail. */
  gone?: boolean;
}

/** The catalog kinds of Absorb's course types, by the names its course events use. */
const COURSE_TYPES: ReadonlyArray<readonly [string, CourseKind]> = [
  ['Online Course', 'online_course'],
  ['Instructor Led Course', 'instructor_led'],
  ['Curriculum', 'curriculum'],
  ['Course Bundle', 'bundle'],
];

const COURSE_CHANGES: ReadonlyArray<readonly [string, EventType]> = [
  ['Added', 'course.created'],
  ['Activated', 'course.published'],
  ['Deactivated', 'course.unpublished'],
  ['Deleted', 'course.deleted'],
];

/** Absorb event name -> catalog mapping (DESIGN §2). */
const EVENTS: Readonly<Record<string, AbsorbRule>> = {
  'User Created': { type: 'user.created', subject: 'user', actor: 'admin' },
  'Enrollment Completed by Learner': { type: 'enrollment.completed', subject: 'enrollment', actor: 'learner' },
  'Enrollment Completed by Admin': { type: 'enrollment.completed', subject: 'enrollment', actor: 'admin' },
  'Learning Path Completed': { type: 'enrollment.completed', subject: 'enrollment', actor: 'learner', kind: 'learning_path' },
  'Session Enrollment Completed': { type: 'session.enrolled', subject: 'session', actor: 'learner' },
  'Certificate Awarded': { type: 'certificate.awarded', subject: 'certificate', actor: 'learner' },
  'Competency Awarded': { type: 'competency.awarded', subject: 'competency', actor: 'learner' },
  'Course Credits Awarded': { type: 'credits.awarded', subject: 'credits', actor: 'learner' },
  'Self-Assessment Completed': { type: 'assessment.completed', subject: 'assessment', actor: 'learner' },
  'Group Created': { type: 'group.created', subject: 'group', actor: 'admin' },
  'Group Deleted': { type: 'group.deleted', subject: 'group', actor: 'admin', gone: true },
  'Department Created': { type: 'department.created', subject: 'department', actor: 'admin' },
  'Department Deleted': { type: 'department.deleted', subject: 'department', actor: 'admin', gone: true },
  ...Object.fromEntries(
    COURSE_TYPES.flatMap(([name, kind]) =>
      COURSE_CHANGES.map(([change, type]): [string, AbsorbRule] => [
        `${name} ${change}`,
        { type, subject: 'course', actor: 'admin', kind, gone: type === 'course.deleted' },
      ]),
    ),
  ),
};

const RULES = new Map(Object.entries(EVENTS).map(([name, rule]) => [normaliseName(name), rule]));

/** One Absorb webhook request. */
export interface AbsorbEvent {
  payload: AbsorbPayload;
  /** The mapping rule for the event name; null for names learnhook does not know. */
  rule: AbsorbRule | null;
  /** The body as received. */
  raw: unknown;
  /** Hash of the exact body bytes: the dedupe key when Absorb sends no correlation id. */
  digest: string;
}

type Parts = Pick<EventParts, 'learner' | 'course' | 'enrollment' | 'data'> & { hydration: HydrationNeeds; subjectId: string | null };

const learnerOf = (payload: AbsorbPayload) => (payload.userId ? { id: payload.userId } : undefined);

/** The course the event names, if any, with what hydration must fetch for it. */
function courseOf(courseId: string | null, kind: CourseKind | undefined, gone = false) {
  if (!courseId) return { course: undefined, need: {} };
  const ref = kind ? { id: courseId, kind } : { id: courseId };
  return { course: { ...ref, kind: kind ?? null }, need: gone ? {} : { course: ref } };
}

const userNeed = (payload: AbsorbPayload): HydrationNeeds => (payload.userId ? { user: payload.userId } : {});

/** Learner events that may also name a course: the learner, the course if any, and both to hydrate. */
function awardParts(payload: AbsorbPayload, rule: AbsorbRule, subjectId: string | null, data: Record<string, unknown>): Parts {
  const { course, need } = courseOf(payload.courseId, rule.kind);
  return { learner: learnerOf(payload), course, data, hydration: { ...userNeed(payload), ...need }, subjectId };
}

/** How each subject's ids fill the envelope; anything a schema then misses turns the event into lms.event. */
const SUBJECTS: Readonly<Record<Subject, (payload: AbsorbPayload, rule: AbsorbRule) => Parts>> = {
  user: (payload) => ({ learner: learnerOf(payload), hydration: userNeed(payload), subjectId: payload.userId }),
  enrollment: (payload, rule) => {
    const courseId = payload.courseId ?? payload.entityId;
    const { course, need } = courseOf(courseId, rule.kind);
    const hydration: HydrationNeeds = { ...userNeed(payload), ...need };
    if (payload.userId && courseId) {
      hydration.enrollment = payload.enrollmentId
        ? { user: payload.userId, course: courseId, id: payload.enrollmentId }
        : { user: payload.userId, course: courseId };
    }
    const enrollment = { status: 'completed' as const, id: payload.enrollmentId };
    return { learner: learnerOf(payload), course, enrollment, hydration, subjectId: courseId };
  },
  session: (payload, rule) => {
    const sessionId = payload.sessionId ?? payload.entityId;
    const session = sessionId ? { id: sessionId, title: null, starts_at: null } : undefined;
    return awardParts(payload, rule, sessionId, { session });
  },
  course: (payload, rule) => {
    const courseId = payload.courseId ?? payload.entityId;
    const { course, need } = courseOf(courseId, rule.kind, rule.gone);
    return { course, hydration: need, subjectId: courseId };
  },
  certificate: (payload, rule) => {
    const certificateId = payload.certificateId ?? payload.entityId;
    return awardParts(payload, rule, certificateId, { certificate: { id: certificateId, title: null, awarded_at: null, expires_at: null } });
  },
  competency: (payload, rule) => {
    const competencyId = payload.competencyId ?? payload.entityId;
    return awardParts(payload, rule, competencyId, { competency: { id: competencyId, title: null, level: null } });
  },
  credits: (payload, rule) => awardParts(payload, rule, payload.courseId, { credits: { amount: payload.credits, type: null } }),
  assessment: (payload, rule) => awardParts(payload, rule, payload.entityId, { assessment: { id: payload.entityId, title: null, score: null, passed: null } }),
  group: (payload) => {
    const groupId = payload.groupId ?? payload.entityId;
    return { data: { group: groupId ? { id: groupId, name: null } : undefined }, hydration: {}, subjectId: groupId };
  },
  department: (payload) => {
    const departmentId = payload.departmentId ?? payload.entityId;
    return { data: { department: departmentId ? { id: departmentId, name: null } : undefined }, hydration: {}, subjectId: departmentId };
  },
};

function parseBody(request: IngestRequest): AbsorbEvent[] {
  const raw = parseJsonBody(request.body);
  const payload = parseWith(AbsorbPayload, raw, 'Absorb webhook');
  return [{ payload, rule: RULES.get(normaliseName(payload.eventName)) ?? null, raw, digest: bodyDigest(request.body) }];
}

/**
 * Absorb's correlation id is taken to name the occurrence across its retries (its docs say no more).
 * The event name and ids are added because a correlation id usually spans one whole action: an admin
 * completing a course for several learners must stay several events.
 */
function dedupeKeyOf(event: AbsorbEvent, subjectId: string | null): string {
  const { payload } = event;
  if (!payload.correlationId) return event.digest;
  return [payload.correlationId, normaliseName(payload.eventName), payload.userId ?? '', subjectId ?? ''].join('/');
}

function toCatalog(event: AbsorbEvent, context: MappingContext): MappedEvent[] {
  const { payload, rule } = event;
  const common = { vendor: 'absorb' as const, vendorEvent: payload.eventName, vendorEventId: payload.correlationId, raw: event.raw };
  if (!rule) {
    return [buildEvent({ ...common, type: 'lms.event', dedupeKey: dedupeKeyOf(event, payload.entityId) }, context)];
  }
  const { subjectId, ...parts } = SUBJECTS[rule.subject](payload, rule);
  const actorId = rule.actor === 'admin' ? payload.adminId : payload.userId;
  return [buildEvent({ ...common, ...parts, type: rule.type, dedupeKey: dedupeKeyOf(event, subjectId), actor: { id: actorId, role: rule.actor } }, context)];
}

/** Absorb LMS: lean events, hydrated through the Integration API; protected by the ingest URL's token. */
export const absorbAdapter: VendorAdapter<AbsorbEvent, AbsorbInbound> = {
  vendor: 'absorb',
  title: 'Absorb LMS',
  inboundSchema: AbsorbInbound,
  routes: ['webhook'],
  events: eventTypesOf(EVENTS),
  // Absorb publishes no signature; the unguessable ingest URL is the only credential (see the module note).
  verify: () => {},
  parse: parseBody,
  toCatalog,
};

/** Absorb signs nothing: the ingest URL's token is all there is, so there is nothing to generate. */
export const absorbInboundDefaults = (): Record<string, unknown> => ({});
