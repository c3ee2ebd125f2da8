import { z } from 'zod';
import type { HydrationNeeds } from '../../catalog/hydration-needs.ts';
import type { ACTOR_ROLES, CourseKind, EnrollmentStatus, EventType, Learner } from '../../catalog/index.ts';
import { AuthenticationError } from '../../errors.ts';
import { secret } from '../../secret-fields.ts';
import { constantTimeEqual } from '../../signatures/constant-time.ts';
import { eventTypesOf, type IngestRequest, type MappedEvent, type MappingContext, type VendorAdapter } from '../adapter.ts';
import { buildEvent } from '../build-event.ts';
import { bodyDigest } from '../event-id.ts';
import { lrsCredentials, randomText } from '../inbound-defaults.ts';
import { parseJsonBody, parseWith } from '../parse-body.ts';
import { toIsoTimestamp } from '../timestamps.ts';
import { type StatementEvent, withXapiRoute, XapiCredentials } from '../xapi/route.ts';

/**
 * Seismic Learning (formerly Lessonly). Two routes:
 *
 * `webhook` takes two bodies, told apart by whether they name an event:
 * - The reporting webhook (lessonly.com "Reporting Webhook Documentation"; Seismic Learning help
 *   center "Reporting Webhook"), POSTed when a learner completes a lesson, with no event name or id:
 *   `{user: {id, ext_uid?, name, email, custom_fields}, lesson: {id, title, retake_score},
 *   score (0–1, deprecated), score_percent (0–100), started_at, completed_at, assigned_at,
 *   report_card_url}`. Ids may be strings or numbers. Auth is an optional static Authorization
 *   header value the customer types into Lessonly; it is sent exactly as typed (no HMAC).
 * - User webhooks. Seismic publishes no envelope for them, so this is the shape accepted here:
 *   `{event: "user-created" | "user-updated" | "user-archived" | "user-restored", id?, occurred_at?,
 *   user: {id, email?, name?, first_name?, last_name?, ext_uid?, department?, ...}}`.
 *   `type` is read when `event` is absent and `timestamp` when `occurred_at` is; names match
 *   case-insensitively with `-`, `_`, `.` or spaces between words ("user.created", "User Created").
 *   Any other event name becomes lms.event. The body is always kept as raw.
 *
 * `xapi-statements` is an xAPI LRS endpoint (POST /statements, Basic auth), read by xapi-route.ts
 * (withXapiRoute) and answered with the statement ids.
 */

/** The connection's inbound settings. */
export const SeismicLearningInbound = z.object({
  authorization: secret(z.string().min(1))
    .optional()
    .meta({ title: 'Authorization Header Value', description: "The value typed into Lessonly's webhook settings; it arrives as the Authorization header." }),
  xapi: XapiCredentials,
});
export type SeismicLearningInbound = z.infer<typeof SeismicLearningInbound>;

const LessonlyId = z.union([z.string().min(1), z.number().int()]).transform(String);
const text = z.string().nullish();
const when = z.union([z.string(), z.number()]).nullish();

const LessonlyUser = z.looseObject({
  id: LessonlyId,
  ext_uid: z.union([z.string(), z.number()]).nullish(),
  name: text,
  first_name: text,
  last_name: text,
  email: text,
  department: text,
  custom_fields: z.record(z.string(), z.unknown()).nullish(),
});
type LessonlyUser = z.infer<typeof LessonlyUser>;

const LessonCompletedBody = z.looseObject({
  user: LessonlyUser,
  lesson: z.looseObject({ id: LessonlyId, title: text, retake_score: z.number().nullish() }),
  score: z.number().nullish(),
  score_percent: z.number().nullish(),
  started_at: when,
  completed_at: when,
  assigned_at: when,
  report_card_url: text,
});
type LessonCompletedBody = z.infer<typeof LessonCompletedBody>;

const EventBody = z.looseObject({
  event: z.string().min(1).optional(),
  type: z.string().min(1).optional(),
  id: LessonlyId.optional(),
  occurred_at: when,
  timestamp: when,
  user: z.unknown().optional(),
});
type EventBody = z.infer<typeof EventBody>;

type ActorRole = (typeof ACTOR_ROLES)[number];

interface SeismicMapping {
  type: EventType;
  /** Who acts: the learner completes a lesson; an admin (or SSO/SCIM on their behalf) manages users. null when unknown. */
  actorRole: ActorRole | null;
  course?: { kind: CourseKind; status: EnrollmentStatus };
}

/** The reporting webhook carries no event name; this is the name it is known by here. */
const LESSON_COMPLETED = 'lesson-completed';

const LESSON_COMPLETED_MAPPING = {
  type: 'enrollment.completed',
  actorRole: 'learner',
  course: { kind: 'lesson', status: 'completed' },
} as const satisfies SeismicMapping;

/** Seismic event name (normalised: lower case, words joined by "-") -> catalog type. Anything else is lms.event. */
const EVENT_MAPPINGS: Readonly<Record<string, SeismicMapping>> = {
  [LESSON_COMPLETED]: LESSON_COMPLETED_MAPPING,
  'user-created': { type: 'user.created', actorRole: 'admin' },
  'user-updated': { type: 'user.updated', actorRole: null },
  'user-archived': { type: 'user.deactivated', actorRole: 'admin' },
  'user-restored': { type: 'user.reactivated', actorRole: 'admin' },
};

type WebhookEvent =
  | { kind: 'lesson-completed'; body: LessonCompletedBody; raw: unknown; digest: string }
  | { kind: 'event'; name: string; body: EventBody; user: LessonlyUser | null; raw: unknown; digest: string };

export type SeismicLearningEvent = WebhookEvent | StatementEvent;

function normaliseName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[\s._-]+/g, '-');
}

function orNull(value: string | number | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return String(value).trim() || null;
}

function verify(request: IngestRequest, inbound: SeismicLearningInbound): void {
  const given = request.headers.authorization;
  // HTTP strips the whitespace around header values, so a value typed with a trailing space must match without it.
  const expected = inbound.authorization?.trim();
  if (!expected) return;
  if (given === undefined) throw new AuthenticationError('The Authorization header is missing; Lessonly sends the value set in its webhook settings.');
  if (!constantTimeEqual(given.trim(), expected)) {
    throw new AuthenticationError('The Authorization header does not match the value configured for this connection.');
  }
}

function parse(request: IngestRequest): WebhookEvent[] {
  const json = parseJsonBody(request.body);
  const digest = bodyDigest(request.body);
  const envelope = parseWith(EventBody, json, 'Seismic Learning webhook');
  const name = envelope.event ?? envelope.type;
  if (name === undefined) {
    return [{ kind: 'lesson-completed', body: parseWith(LessonCompletedBody, json, 'Seismic Learning lesson completed webhook'), raw: json, digest }];
  }
  const known = EVENT_MAPPINGS[normaliseName(name)];
  // A user event without its user cannot be mapped; any other event keeps whatever user it names.
  const user = known
    ? parseWith(z.object({ user: LessonlyUser }), json, `Seismic Learning ${name} webhook`).user
    : (LessonlyUser.safeParse(envelope.user).data ?? null);
  return [{ kind: 'event', name, body: envelope, user, raw: json, digest }];
}

function learnerOfUser(user: LessonlyUser): Partial<Learner> & { id: string } {
  return {
    id: user.id,
    email: orNull(user.email),
    name: orNull(user.name),
    first_name: orNull(user.first_name),
    last_name: orNull(user.last_name),
    department: orNull(user.department),
  };
}

function userNeeds(learner: Partial<Learner> & { id: string }): HydrationNeeds {
  return learner.email && learner.name ? {} : { user: learner.id };
}

/**
 * Lessonly's retake score is the lesson's pass mark: below it the learner is asked to retake. So
 * passed is known only when both the score and the retake score are.
 */
function passedOf(score: number | null, retakeScore: number | null | undefined): boolean | null {
  return score === null || retakeScore === null || retakeScore === undefined ? null : score >= retakeScore;
}

function mapLessonCompleted(event: Extract<WebhookEvent, { kind: 'lesson-completed' }>, context: MappingContext): MappedEvent {
  const { body, digest } = event;
  const mapping = LESSON_COMPLETED_MAPPING;
  const learner = learnerOfUser(body.user);
  const title = orNull(body.lesson.title);
  const score = body.score_percent ?? (body.score === null || body.score === undefined ? null : body.score * 100);
  const completedAt = toIsoTimestamp(body.completed_at);
  // No event id is sent; learner, lesson and completion time name one completion across Lessonly's retries.
  const dedupeKey = completedAt ? `${LESSON_COMPLETED}:${learner.id}:${body.lesson.id}:${completedAt}` : `${LESSON_COMPLETED}:body:${digest}`;
  return buildEvent(
    {
      type: mapping.type,
      vendor: 'seismic-learning',
      vendorEvent: LESSON_COMPLETED,
      vendorEventId: null,
      dedupeKey,
      occurredAt: completedAt,
      actor: { id: learner.id, role: mapping.actorRole },
      learner,
      course: { id: body.lesson.id, title, kind: mapping.course.kind },
      enrollment: {
        status: mapping.course.status,
        progress: 100,
        score,
        passed: passedOf(score, body.lesson.retake_score),
        enrolled_at: toIsoTimestamp(body.assigned_at),
        completed_at: completedAt,
      },
      raw: event.raw,
      hydration: {
        ...userNeeds(learner),
        ...(title ? {} : { course: { id: body.lesson.id, kind: mapping.course.kind } }),
      },
    },
    context,
  );
}

function mapEvent(event: Extract<WebhookEvent, { kind: 'event' }>, context: MappingContext): MappedEvent {
  const { body, user } = event;
  const mapping = EVENT_MAPPINGS[normaliseName(event.name)];
  const learner = user ? learnerOfUser(user) : undefined;
  const occurredAt = body.occurred_at ?? body.timestamp;
  const iso = toIsoTimestamp(occurredAt);
  const dedupeKey =
    body.id !== undefined
      ? `${normaliseName(event.name)}:${body.id}`
      : learner && iso
        ? `${normaliseName(event.name)}:${learner.id}:${iso}`
        : `${normaliseName(event.name)}:body:${event.digest}`;
  return buildEvent(
    {
      type: mapping?.type ?? 'lms.event',
      vendor: 'seismic-learning',
      vendorEvent: event.name,
      vendorEventId: body.id ?? null,
      dedupeKey,
      occurredAt,
      actor: mapping?.actorRole ? { id: null, role: mapping.actorRole } : null,
      ...(learner ? { learner, hydration: userNeeds(learner) } : {}),
      raw: event.raw,
    },
    context,
  );
}

function toCatalog(event: WebhookEvent, context: MappingContext): MappedEvent[] {
  switch (event.kind) {
    case 'lesson-completed':
      return [mapLessonCompleted(event, context)];
    case 'event':
      return [mapEvent(event, context)];
  }
}

/** Seismic Learning (Lessonly): lesson-completed reporting webhook, user webhooks, and an xAPI LRS endpoint. */
export const seismicLearningAdapter: VendorAdapter<SeismicLearningEvent, SeismicLearningInbound> = withXapiRoute({
  vendor: 'seismic-learning',
  title: 'Seismic Learning (Lessonly)',
  inboundSchema: SeismicLearningInbound,
  routes: ['webhook'],
  events: eventTypesOf(EVENT_MAPPINGS),
  verify,
  parse,
  toCatalog,
});

/** A generated authorization value for the webhooks, and LRS credentials for xAPI. */
export const seismicLearningInboundDefaults = (): Record<string, unknown> => ({ authorization: `Bearer ${randomText(24)}`, xapi: lrsCredentials() });
