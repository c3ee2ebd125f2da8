import { z } from 'zod';
import type { HydrationNeeds } from '../../catalog/hydration-needs.ts';
import { type CourseKind, type EnrollmentStatus, EVENT_DEFINITIONS, type EventType } from '../../catalog/index.ts';
import { AuthenticationError } from '../../errors.ts';
import { secret } from '../../secret-fields.ts';
import { basicAuthMatches } from '../../signatures/basic-auth.ts';
import { eventTypesOf, type IngestRequest, type MappedEvent, type MappingContext, type VendorAdapter } from '../adapter.ts';
import { buildEvent } from '../build-event.ts';
import { parseJsonBody, parseWith } from '../parse-body.ts';
import { toIsoTimestamp } from '../timestamps.ts';

/**
 * Adobe Learning Manager (ALM, formerly Captivate Prime) webhooks, as its "Webhooks" and "Webhooks
 * usage guide" pages describe them.
 *
 * Body: `{accountId, events: [{eventId, eventName, timestamp, eventInfo, data}]}`. One POST carries
 * several events of mixed names. `data` holds ids only, in the public API v2's formats: `userId`
 * (a number), `loId` ("course:123", "learningProgram:45", "certification:6"), `loInstanceId`
 * ("course:123_789"), `loType`, `enrollmentSource` ("SELF_ENROLL", "ADMIN_ENROLL"), `dateEnrolled`,
 * `dateStarted`, `dateCompleted`, `hasPassed`, `progressPercent`; CI_STATS carries seat counts for an
 * instance instead. Times come as epoch seconds, epoch milliseconds or ISO strings, even for one field.
 *
 * `*_BATCH` names are the same facts marked by an admin, manager or platform rather than by the
 * learner; ALM sends one event object per learner (each with its own `userId`), many per request.
 * So each event object maps to one catalog event, and a batch event's dedupe key also names its
 * learner in case ALM reuses one eventId across a batch (its own samples do).
 *
 * An empty `events` array is accepted as zero events: refusing it would only make ALM retry the same
 * empty request for seven days and then disable the webhook.
 *
 * ALM retries unanswered requests for up to 7 days, so duplicates are normal; the dedupe key is the
 * event's `eventId`, which ALM keeps across retries.
 */

/**
 * The connection's inbound settings, one per ALM webhook authentication method.
 * - `none`: nothing to check; the unguessable token in the ingest URL is the protection.
 * - `basic`: ALM sends the username and password typed into the webhook as HTTP Basic credentials.
 * - `signature`: ALM's Signature mode adds a signature whose header name and algorithm Adobe does not
 *   publish. Rather than guess (and reject genuine requests, or accept forged ones believing them
 *   checked), such connections are accepted unchecked and rely on the ingest URL's token, as `none` does.
 */
export const AdobeAlmInbound = z.discriminatedUnion('auth', [
  z.object({ auth: z.literal('none') }),
  z.object({
    auth: z.literal('basic'),
    username: z.string().min(1).meta({ title: 'Username' }),
    password: secret(z.string().min(1)).meta({ title: 'Password' }),
  }),
  z.object({ auth: z.literal('signature') }),
]);
export type AdobeAlmInbound = z.infer<typeof AdobeAlmInbound>;

/** ALM writes ids as numbers (userId, accountId) or strings (loId); both are kept as sent. */
const AlmId = z.union([z.string().min(1), z.number()]);

const AlmTime = z
  .union([z.number(), z.string()])
  .refine((value) => toIsoTimestamp(value) !== null, 'not a time ALM sends: epoch seconds, epoch milliseconds or ISO 8601');

const AlmEventData = z.looseObject({
  userId: AlmId.nullish(),
  loId: z.string().min(1).nullish(),
  loInstanceId: z.string().min(1).nullish(),
  loType: z.string().nullish(),
  enrollmentSource: z.string().nullish(),
  dateEnrolled: AlmTime.nullish(),
  dateStarted: AlmTime.nullish(),
  dateCompleted: AlmTime.nullish(),
  hasPassed: z.boolean().nullish(),
  progressPercent: z.number().nullish(),
  /** Not in ALM's samples; the API's learning-object state ("Published", "Retired") if ALM ever adds it. */
  state: z.string().nullish(),
});
type AlmEventData = z.infer<typeof AlmEventData>;

const AlmEventItem = z.looseObject({
  eventId: z.string().min(1),
  eventName: z.string().min(1),
  timestamp: AlmTime.nullish(),
  eventInfo: z.string().nullish(),
  data: AlmEventData.nullish(),
});

const AlmBody = z.looseObject({
  accountId: AlmId.nullish(),
  events: z.array(AlmEventItem),
});

/** One event object of an ALM request, with the account it came from. */
export interface AdobeAlmEvent {
  accountId: string | number | null;
  event: z.infer<typeof AlmEventItem>;
}

interface AlmEventMapping {
  type: EventType;
  /** The kind the event name implies; used when `loType` and `loId` do not say. */
  kind: CourseKind | null;
  /** 'learner' where ALM documents the event as the learner's own action; batches come from an admin, manager or the platform, unnamed. */
  actor: 'learner' | null;
  /** The enrollment status the event states; 'progress' derives it from the payload (progressStatus). */
  enrollment: EnrollmentStatus | 'progress' | null;
  /** One learner per event object, possibly under an eventId shared with other learners. */
  batch: boolean;
  /** Read the type from the payload's learning-object `state` when it carries one (LO_STATE_TYPES). */
  byState?: true;
}

const enrolled = { type: 'enrollment.created', enrollment: 'enrolled' } as const;
const unenrolled = { type: 'enrollment.removed', enrollment: 'removed' } as const;
const completed = { type: 'enrollment.completed', enrollment: 'completed' } as const;
const byLearner = { actor: 'learner', batch: false } as const;
const inBatch = { actor: null, batch: true } as const;
const course = { kind: 'online_course' } as const;
const path = { kind: 'learning_path' } as const;
const certification = { kind: 'certification' } as const;
const catalogChange = { actor: null, enrollment: null, batch: false } as const;
const other = { type: 'lms.event', kind: null, actor: null, enrollment: null, batch: false } as const;

/**
 * ALM event name -> catalog event. Names not listed here become lms.event with the raw payload.
 *
 * - LEARNING_OBJECT_DRAFT fires when a learning object is created, and again on every later edit of
 *   the draft: it is course.created, which may therefore repeat for one course.
 * - LEARNING_OBJECT_MODIFICATION(_BATCH) fires on publication (draft -> published), on every later edit
 *   and on retirement, and its payload carries only loId and loType: it cannot tell these apart, so it
 *   is lms.event, unless the payload states the object's state (then course.published/unpublished).
 * - LEARNING_OBJECT_INSTANCE_* concern one instance (a session or run) of a course or learning path,
 *   not the object itself, and CI_STATS reports an instance's seat and waitlist counts: lms.event.
 * - LEARNING_PATH_COMPLETION_ROLLBACK(_BATCH) withdraws a learning path completion: no catalog type
 *   says that, so lms.event, keeping the learner and the path.
 */
const EVENT_MAPPINGS: Readonly<Record<string, AlmEventMapping>> = {
  COURSE_ENROLLMENT: { ...enrolled, ...course, ...byLearner },
  COURSE_ENROLLMENT_BATCH: { ...enrolled, ...course, ...inBatch },
  LEARNING_PATH_ENROLLMENT: { ...enrolled, ...path, ...byLearner },
  LEARNING_PATH_ENROLLMENT_BATCH: { ...enrolled, ...path, ...inBatch },
  CERTIFICATION_ENROLLMENT: { ...enrolled, ...certification, ...byLearner },
  CERTIFICATION_ENROLLMENT_BATCH: { ...enrolled, ...certification, ...inBatch },

  COURSE_UNENROLLMENT: { ...unenrolled, ...course, ...byLearner },
  COURSE_UNENROLLMENT_BATCH: { ...unenrolled, ...course, ...inBatch },
  LEARNING_PATH_UNENROLLMENT: { ...unenrolled, ...path, ...byLearner },
  LEARNING_PATH_UNENROLLMENT_BATCH: { ...unenrolled, ...path, ...inBatch },
  CERTIFICATION_UNENROLLMENT: { ...unenrolled, ...certification, ...byLearner },
  CERTIFICATION_UNENROLLMENT_BATCH: { ...unenrolled, ...certification, ...inBatch },

  COURSE_COMPLETED: { ...completed, ...course, ...byLearner },
  COURSE_COMPLETED_BATCH: { ...completed, ...course, ...inBatch },
  LEARNING_PATH_COMPLETED: { ...completed, ...path, ...byLearner },
  LEARNING_PATH_COMPLETED_BATCH: { ...completed, ...path, ...inBatch },
  CERTIFICATION_COMPLETED: { ...completed, ...certification, ...byLearner },
  CERTIFICATION_COMPLETED_BATCH: { ...completed, ...certification, ...inBatch },

  LEARNER_PROGRESS: { type: 'enrollment.progressed', kind: null, actor: 'learner', enrollment: 'progress', batch: false },

  LEARNING_OBJECT_DRAFT: { type: 'course.created', kind: null, ...catalogChange },
  LEARNING_OBJECT_DELETION: { type: 'course.deleted', kind: null, ...catalogChange },
  LEARNING_OBJECT_MODIFICATION: { ...other, byState: true },
  LEARNING_OBJECT_MODIFICATION_BATCH: { ...other, byState: true },
  LEARNING_OBJECT_INSTANCE_MODIFICATION: other,
  LEARNING_OBJECT_INSTANCE_MODIFICATION_BATCH: other,
  LEARNING_OBJECT_INSTANCE_DELETION: other,
  CI_STATS: { ...other, kind: 'online_course' },

  LEARNING_PATH_COMPLETION_ROLLBACK: { ...other, ...path, actor: 'learner' },
  LEARNING_PATH_COMPLETION_ROLLBACK_BATCH: { ...other, ...path, batch: true },
};

const UNKNOWN_EVENT: AlmEventMapping = other;

/** The learning-object state, as the public API spells it (lower-cased here), -> catalog type. */
const LO_STATE_TYPES: Readonly<Record<string, EventType>> = {
  published: 'course.published',
  retired: 'course.unpublished',
};

/**
 * ALM's loType (also the prefix of every loId) -> course.kind. Job aids have no catalog kind.
 * "learning_program" is how the usage guide's unenrollment samples spell learningProgram.
 */
const LO_TYPE_KINDS: Readonly<Record<string, CourseKind | null>> = {
  course: 'online_course',
  learningProgram: 'learning_path',
  learning_program: 'learning_path',
  certification: 'certification',
  jobAid: null,
};

/** Which envelope objects each catalog type carries, read from the catalog itself so the two cannot drift. */
const PRESENCE = new Map(
  EVENT_DEFINITIONS.map((definition) => [
    definition.type,
    { learner: definition.learner !== 'none', course: definition.course !== 'none', enrollment: definition.enrollment !== 'none' },
  ]),
);

/** Plain-object lookups that never answer with Object.prototype's members ("constructor", "__proto__"). */
function lookup<V>(table: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

function typeOf(mapping: AlmEventMapping, data: AlmEventData): EventType {
  const byState = mapping.byState && data.state ? lookup(LO_STATE_TYPES, data.state.toLowerCase()) : undefined;
  return byState ?? mapping.type;
}

/** The learning object's id; CI_STATS names only the instance ("course:123_789"), whose prefix is the object's id. */
function learningObjectId(data: AlmEventData): string | undefined {
  if (data.loId) return data.loId;
  return data.loInstanceId ? /^([A-Za-z_]+:\d+)_-?\d+$/.exec(data.loInstanceId)?.[1] : undefined;
}

function kindOf(data: AlmEventData, loId: string, mapping: AlmEventMapping): CourseKind | null {
  for (const loType of [data.loType, loId.split(':')[0]]) {
    if (loType && Object.hasOwn(LO_TYPE_KINDS, loType)) return lookup(LO_TYPE_KINDS, loType) ?? null;
  }
  return mapping.kind;
}

/**
 * LEARNER_PROGRESS lags up to 15 minutes and may arrive after the completion, so it only says
 * "completed" when its own payload carries a completion date; 100% without one stays 'unknown'
 * (the hydrator reads the real status) rather than echoing a completion the completion event owns.
 */
function progressStatus(data: AlmEventData): EnrollmentStatus {
  if (data.dateCompleted != null) return 'completed';
  if (typeof data.progressPercent === 'number' && data.progressPercent < 100) return 'in_progress';
  return 'unknown';
}

function toCatalog(vendorEvent: AdobeAlmEvent, context: MappingContext): MappedEvent[] {
  const { event } = vendorEvent;
  const data: AlmEventData = event.data ?? {};
  const mapping = lookup(EVENT_MAPPINGS, event.eventName) ?? UNKNOWN_EVENT;
  const type = typeOf(mapping, data);
  const presence = PRESENCE.get(type);
  const learnerId = presence?.learner && data.userId != null ? String(data.userId) : undefined;
  const loId = presence?.course ? learningObjectId(data) : undefined;
  const kind = loId ? kindOf(data, loId, mapping) : null;
  const stated = presence?.enrollment ? mapping.enrollment : null;
  const status = stated === 'progress' ? progressStatus(data) : (stated ?? undefined);

  const hydration: HydrationNeeds = {};
  if (learnerId) hydration.user = learnerId;
  if (loId) hydration.course = kind ? { id: loId, kind } : { id: loId };
  // ALM never sends a score, and an 'unknown' status is the LMS's to tell.
  if (learnerId && loId && (status === 'completed' || status === 'unknown')) hydration.enrollment = { user: learnerId, course: loId };

  const mapped = buildEvent(
    {
      type,
      vendor: 'adobe-alm',
      vendorEvent: event.eventName,
      vendorEventId: event.eventId,
      dedupeKey: mapping.batch && data.userId != null ? `${event.eventId}:${data.userId}` : event.eventId,
      occurredAt: event.timestamp ?? data.dateCompleted ?? data.dateEnrolled,
      actor: mapping.actor === 'learner' && learnerId ? { id: learnerId, role: 'learner' } : null,
      ...(learnerId ? { learner: { id: learnerId } } : {}),
      ...(loId ? { course: { id: loId, kind } } : {}),
      ...(status
        ? {
            enrollment: {
              status,
              // ALM: a completion event implies progress reached 100%.
              progress: data.progressPercent ?? (status === 'completed' ? 100 : null),
              passed: data.hasPassed ?? null,
              enrolled_at: toIsoTimestamp(data.dateEnrolled),
              completed_at: toIsoTimestamp(data.dateCompleted),
            },
          }
        : {}),
      // Only enrollment.created/removed declare enrollment_source; the other types' schemas drop it.
      data: { enrollment_source: data.enrollmentSource ?? null },
      // Each catalog event keeps its own event object, in ALM's own one-event body shape.
      raw: { accountId: vendorEvent.accountId, events: [event] },
      hydration,
    },
    context,
  );
  return [mapped];
}

function verify(request: IngestRequest, inbound: AdobeAlmInbound): void {
  // none and signature: the ingest URL's token is the check (see AdobeAlmInbound).
  if (inbound.auth !== 'basic') return;
  const header = request.headers.authorization;
  if (!header) {
    throw new AuthenticationError('Adobe Learning Manager sent no Authorization header; this connection expects Basic credentials.');
  }
  if (!basicAuthMatches(header, inbound)) {
    throw new AuthenticationError("The Basic credentials do not match this connection's; check the webhook's username and password in Adobe Learning Manager.");
  }
}

function parse(request: IngestRequest): AdobeAlmEvent[] {
  const body = parseWith(AlmBody, parseJsonBody(request.body), 'Adobe Learning Manager webhook body');
  return body.events.map((event) => ({ accountId: body.accountId ?? null, event }));
}

/** Adobe Learning Manager webhooks: several events per request, Basic auth or none (see AdobeAlmInbound). */
export const adobeAlmAdapter: VendorAdapter<AdobeAlmEvent, AdobeAlmInbound> = {
  vendor: 'adobe-alm',
  title: 'Adobe Learning Manager',
  inboundSchema: AdobeAlmInbound,
  routes: ['webhook'],
  events: eventTypesOf(EVENT_MAPPINGS),
  verify,
  parse,
  toCatalog,
};

/** No auth: the ingest URL's token protects it (ALM's Signature mode is unpublished); Basic is the creator's choice. */
export const adobeAlmInboundDefaults = (): Record<string, unknown> => ({ auth: 'none' });
