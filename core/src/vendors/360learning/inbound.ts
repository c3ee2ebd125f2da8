import { z } from 'zod';
import type { HydrationNeeds } from '../../catalog/hydration-needs.ts';
import type { CourseKind, EnrollmentStatus, EventType } from '../../catalog/index.ts';
import { secret } from '../../secret-fields.ts';
import { generateSecret, verifyStandardWebhook } from '../../signatures/standard-webhooks.ts';
import { eventTypesOf, type IngestRequest, type MappedEvent, type MappingContext, type VendorAdapter } from '../adapter.ts';
import { buildEvent, type EventParts } from '../build-event.ts';
import { bodyDigest } from '../event-id.ts';
import { lookupName } from '../names.ts';
import { parseJsonBody, parseWith } from '../parse-body.ts';

/**
 * 360Learning webhooks (https://360learning.readme.io/docs/webhooks). One subscription per event
 * type and URL, each with its own signing secret; 360Learning delivers through Svix and signs the
 * Standard Webhooks way (https://360learning.readme.io/docs/security-and-signature-verification):
 * `webhook-id`, `webhook-timestamp` (unix seconds), `webhook-signature: v1,<base64 HMAC-SHA256>`,
 * several space-separated while a secret is rotated. Verified with signatures/standard-webhooks.ts
 * and a 5-minute window either way, as the standard vendor does.
 *
 * Body (https://360learning.readme.io/docs/event-payload-and-headers): `{type, timestamp, data}`,
 * `timestamp` in epoch milliseconds; `data` per type as the webhook OpenAPI's DTOs define it, lean:
 * ObjectId strings (`userId`, `courseId`, `pathId`, `sessionId`, ...), names only on user events.
 * So learner and course are hydrated from the API v2 (api-client.ts).
 *
 * Retries (https://360learning.readme.io/docs/retry-logic): 8 attempts over about 27.5 hours
 * (0, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h), a 15-second answer deadline, 2xx accepted;
 * `webhook-id` stays the same on every retry, so it is the dedupe key.
 *
 * Where the docs are silent:
 * - the signing secret's text form: the docs show only "retrieve" and "rotate" (example
 *   "password123"). Svix secrets are `whsec_<base64>`; a bare base64 secret is read too.
 * - `path.session.users.enrolled` / `.unenrolled` name a path session but no user: no per-learner
 *   event can be built, so they arrive as lms.event (nothing dropped).
 * - `course.attempt.closed` is documented as sent only when a learner finishes an attempt
 *   (reason `learnerFinished`): it is read as the course completed; another reason is lms.event.
 */

const WebhookSecret = z
  .string()
  .trim()
  .regex(/^(?:whsec_)?[A-Za-z0-9+/]+={0,2}$/, { error: "must be 360Learning's signing secret (whsec_ followed by base64)" });

/** The subscription's signing secret, and the previous one while 360Learning rotates it. */
export const ThreeSixtyLearningInbound = z.object({
  secret: secret(WebhookSecret).meta({ title: 'Signing Secret', description: "The webhook subscription's signing secret (360Learning: Settings > Webhooks)." }),
  previous_secrets: secret(z.array(WebhookSecret))
    .optional()
    .meta({ title: 'Previous Signing Secrets', description: 'Secrets still accepted during a rotation.' }),
});
export type ThreeSixtyLearningInbound = z.infer<typeof ThreeSixtyLearningInbound>;

const ObjectId = z.string().min(1);
const optionalId = ObjectId.nullish();

/** The fields of `data` this adapter reads, across every documented DTO; the rest stays in raw. */
const EventData = z.looseObject({
  userId: optionalId,
  courseId: optionalId,
  pathId: optionalId,
  sessionId: optionalId,
  pathSessionId: optionalId,
  enrollmentId: optionalId,
  attemptId: optionalId,
  certificateId: optionalId,
  certificateOutlineId: optionalId,
  assessmentId: optionalId,
  groupId: optionalId,
  name: z.string().nullish(),
  firstName: z.string().nullish(),
  lastName: z.string().nullish(),
  mail: z.string().nullish(),
  username: z.string().nullish(),
  status: z.string().nullish(),
  reason: z.string().nullish(),
  success: z.boolean().nullish(),
  score: z.number().nullish(),
  context: z.looseObject({ pathId: optionalId, pathSessionId: optionalId }).nullish(),
  closedAt: z.string().nullish(),
  deliveryDate: z.string().nullish(),
  correctedAt: z.string().nullish(),
  updatedAt: z.string().nullish(),
});
type EventData = z.infer<typeof EventData>;

const Envelope = z.looseObject({
  type: z.string().trim().min(1),
  timestamp: z.union([z.number(), z.string()]).nullish(),
  data: EventData.default({}),
});

/** What a 360Learning event is about: decides which ids fill which envelope parts. */
type Subject = 'user' | 'attempt' | 'path_status' | 'certificate' | 'assessment' | 'path' | 'group';

interface Rule {
  type: EventType;
  subject: Subject;
  /** The object no longer exists at 360Learning: asking its API would only fail. */
  gone?: boolean;
}

/** 360Learning event type -> catalog mapping; any other type is lms.event. */
export const THREE_SIXTY_EVENTS: Readonly<Record<string, Rule>> = {
  'user.created': { type: 'user.created', subject: 'user' },
  'user.updated': { type: 'user.updated', subject: 'user' },
  'user.reactivated': { type: 'user.reactivated', subject: 'user' },
  // Soft deleted (the API still shows the user, status "deleted"): the payload's names are kept.
  'user.deleted': { type: 'user.deleted', subject: 'user', gone: true },
  'course.attempt.closed': { type: 'enrollment.completed', subject: 'attempt' },
  // Listed as its most wanted outcome; the status it reports picks progressed, completed or removed (PATH_STATUSES).
  'path.session.user.status.updated': { type: 'enrollment.completed', subject: 'path_status' },
  'user.certificate.awarded': { type: 'certificate.awarded', subject: 'certificate' },
  'user.assessment.corrected': { type: 'assessment.completed', subject: 'assessment' },
  'path.created': { type: 'course.created', subject: 'path' },
  'path.archived': { type: 'course.unpublished', subject: 'path' },
  'path.deleted': { type: 'course.deleted', subject: 'path', gone: true },
  'group.created': { type: 'group.created', subject: 'group' },
  'group.deleted': { type: 'group.deleted', subject: 'group' },
};

/**
 * A learner's status on a path session (UserPathSessionStatusUpdatedDTO.status) -> the catalog
 * type and enrollment status. Finished either way is a completion (passed or not); notEnrolled is
 * a removal; the rest report progress.
 */
const PATH_STATUSES: Readonly<Record<string, { type: EventType; status: EnrollmentStatus; passed: boolean | null }>> = {
  successful: { type: 'enrollment.completed', status: 'completed', passed: true },
  unsuccessful: { type: 'enrollment.completed', status: 'failed', passed: false },
  notenrolled: { type: 'enrollment.removed', status: 'removed', passed: null },
  notyetstarted: { type: 'enrollment.progressed', status: 'not_started', passed: null },
  sessionnotopened: { type: 'enrollment.progressed', status: 'enrolled', passed: null },
  ontime: { type: 'enrollment.progressed', status: 'in_progress', passed: null },
  late: { type: 'enrollment.progressed', status: 'in_progress', passed: null },
  toretake: { type: 'enrollment.progressed', status: 'in_progress', passed: null },
  awaitingcorrection: { type: 'enrollment.progressed', status: 'in_progress', passed: null },
};

/** One 360Learning webhook request. */
export interface ThreeSixtyLearningEvent {
  type: string;
  timestamp: string | number | null | undefined;
  data: EventData;
  webhookId: string | null;
  raw: unknown;
  digest: string;
}

type Parts = Pick<EventParts, 'type' | 'learner' | 'course' | 'enrollment' | 'data' | 'occurredAt'> & { hydration: HydrationNeeds };

const PATH: CourseKind = 'learning_path';

function learnerOf(data: EventData) {
  if (!data.userId) return undefined;
  return {
    id: data.userId,
    ...(data.firstName ? { first_name: data.firstName } : {}),
    ...(data.lastName ? { last_name: data.lastName } : {}),
    ...(data.mail ? { email: data.mail } : {}),
    ...(data.username ? { username: data.username } : {}),
  };
}

const userNeed = (data: EventData): HydrationNeeds => (data.userId ? { user: data.userId } : {});

/** The path a learner event names, as the course (kind learning_path), with its lookup. */
function pathOf(pathId: string | null | undefined, gone = false) {
  if (!pathId) return { course: undefined, need: {} };
  return { course: { id: pathId, kind: PATH }, need: gone ? {} : { course: { id: pathId, kind: PATH } } };
}

const SUBJECTS: Readonly<Record<Subject, (data: EventData, rule: Rule) => Parts>> = {
  user: (data, rule) => ({ type: rule.type, learner: learnerOf(data), hydration: rule.gone ? {} : userNeed(data), occurredAt: data.updatedAt }),
  attempt: (data, rule) => {
    const courseId = data.courseId ?? null;
    // Only a finished attempt is a completion; the docs promise more reasons later.
    const type: EventType = data.reason === 'learnerFinished' ? rule.type : 'lms.event';
    return {
      type,
      learner: learnerOf(data),
      course: courseId ? { id: courseId } : undefined,
      enrollment: { status: 'completed', completed_at: data.closedAt ?? null, progress: 100 },
      hydration: { ...userNeed(data), ...(courseId ? { course: { id: courseId } } : {}) },
      occurredAt: data.closedAt,
    };
  },
  path_status: (data) => {
    const status = lookupName(PATH_STATUSES, data.status);
    const { course, need } = pathOf(data.pathId);
    const done = status?.status === 'completed' || status?.status === 'failed';
    return {
      type: status?.type ?? 'lms.event',
      learner: learnerOf(data),
      course,
      enrollment: status
        ? { id: data.enrollmentId ?? null, status: status.status, passed: status.passed, ...(done ? { completed_at: data.updatedAt ?? null } : {}) }
        : undefined,
      // enrollment.removed carries how the learner had been enrolled: the event does not say.
      ...(status?.type === 'enrollment.removed' ? { data: { enrollment_source: null } } : {}),
      hydration: { ...userNeed(data), ...need },
      occurredAt: data.updatedAt,
    };
  },
  certificate: (data) => {
    const { course, need } = pathOf(data.pathId);
    const certificate = { id: data.certificateId ?? null, title: null, awarded_at: null, expires_at: null };
    return {
      type: 'certificate.awarded',
      learner: learnerOf(data),
      course,
      data: { certificate },
      hydration: { ...userNeed(data), ...need },
      occurredAt: data.deliveryDate,
    };
  },
  assessment: (data) => {
    const { course, need } = pathOf(data.pathId);
    const assessment = { id: data.assessmentId ?? null, title: data.name ?? null, score: data.score ?? null, passed: data.success ?? null };
    return {
      type: 'assessment.completed',
      learner: learnerOf(data),
      course,
      data: { assessment },
      hydration: { ...userNeed(data), ...need },
      occurredAt: data.correctedAt,
    };
  },
  path: (data, rule) => {
    const { course, need } = pathOf(data.pathId, rule.gone);
    return { type: rule.type, course, hydration: need };
  },
  group: (data, rule) => ({ type: rule.type, data: { group: data.groupId ? { id: data.groupId, name: data.name ?? null } : undefined }, hydration: {} }),
};

function verify(request: IngestRequest, inbound: ThreeSixtyLearningInbound): void {
  verifyStandardWebhook({
    headers: request.headers,
    body: request.body,
    secrets: [inbound.secret, ...(inbound.previous_secrets ?? [])],
    nowSeconds: Math.floor(request.receivedAt.getTime() / 1000),
  });
}

function parse(request: IngestRequest): ThreeSixtyLearningEvent[] {
  const raw = parseJsonBody(request.body);
  const body = parseWith(Envelope, raw, '360Learning webhook');
  return [
    { type: body.type, timestamp: body.timestamp, data: body.data, webhookId: request.headers['webhook-id'] ?? null, raw, digest: bodyDigest(request.body) },
  ];
}

function toCatalog(event: ThreeSixtyLearningEvent, context: MappingContext): MappedEvent[] {
  const common = {
    vendor: '360learning' as const,
    vendorEvent: event.type,
    vendorEventId: event.webhookId,
    // webhook-id is the same on every retry of one event (event-payload-and-headers).
    dedupeKey: event.webhookId ?? `body:${event.digest}`,
    raw: event.raw,
  };
  const rule = Object.hasOwn(THREE_SIXTY_EVENTS, event.type) ? THREE_SIXTY_EVENTS[event.type] : undefined;
  if (!rule) return [buildEvent({ ...common, type: 'lms.event', occurredAt: event.timestamp }, context)];
  const { occurredAt, ...parts } = SUBJECTS[rule.subject](event.data, rule);
  const actorId = event.data.userId ?? null;
  return [
    buildEvent(
      {
        ...common,
        ...parts,
        // The body's timestamp is when it happened on the platform; the DTO's own date is a fallback.
        occurredAt: event.timestamp ?? occurredAt,
        actor: parts.learner ? { id: actorId, role: 'learner' } : null,
      },
      context,
    ),
  ];
}

/** 360Learning: Standard Webhooks signatures, lean events hydrated through the API v2. */
export const threeSixtyLearningAdapter: VendorAdapter<ThreeSixtyLearningEvent, ThreeSixtyLearningInbound> = {
  vendor: '360learning',
  title: '360Learning',
  inboundSchema: ThreeSixtyLearningInbound,
  routes: ['webhook'],
  events: eventTypesOf(THREE_SIXTY_EVENTS),
  verify,
  parse,
  toCatalog,
};

/**
 * A generated whsec_ secret so no connection starts unprotected (and the sandbox can sign); a
 * person replaces it with the one 360Learning shows for the subscription, which it generates itself.
 */
export const threeSixtyLearningInboundDefaults = (): Record<string, unknown> => ({ secret: generateSecret() });
