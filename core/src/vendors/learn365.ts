import { z } from 'zod';
import type { CourseKind, EnrollmentStatus, EventType } from '../catalog/index.ts';
import { PayloadError, SignatureError } from '../errors.ts';
import { constantTimeEqual } from '../signatures/constant-time.ts';
import { decodeHex, hmacKey, hmacSha256 } from '../signatures/hmac.ts';
import { eventTypesOf, type HydrationNeeds, type IngestReply, type IngestRequest, type MappedEvent, type MappingContext, type VendorAdapter } from './adapter.ts';
import { buildEvent, type EventParts } from './build-event.ts';
import { lookupName } from './names.ts';
import { parseJsonBody, parseWith, toPayloadIssues } from './parse-body.ts';
import { toIsoTimestamp } from './timestamps.ts';

/**
 * Learn365 (Zensai, formerly LMS365) sends ASP.NET WebHooks.
 *
 * Body: `{Id, Attempt, Properties, Notifications: [{Action, ...}]}`, serialised by Json.NET as indented
 * JSON (CRLF line ends on Windows hosts) and signed as it is sent: `ms-signature: sha256=<HEX>`, the
 * HMAC-SHA256 of the body bytes keyed with the registration's secret as UTF-8, in upper-case hex.
 * `Id` is the work item's id: the same on every retry while `Attempt` counts up (1, 2, 3).
 *
 * Notification shapes (the certified LMS365 Power Automate connector, microsoft/PowerPlatformConnectors):
 * - enrollment actions (CourseEnrollment, CourseUnenrollment, CourseStarted, CourseCompleted,
 *   EnrollmentApprovalRequest): `{Action, EnrollmentStatus, EnrollmentStatusText, Course{SiteId, WebId,
 *   Id, Title, Url, CourseType, Published}, Users[{Id, DirectoryObjectId, EnrollmentId, LoginName, Title,
 *   Department, Email}], TimeStamp}`; one notification may name several users.
 * - course actions (CoursePublished, CourseUnpublished, CourseCreated, CourseDeleted) are flat:
 *   `{Action, SiteId, WebId, Id (the course), Title, Url, CourseType, Published, TimeStamp}`.
 * - user actions (UserCreated, UserDeleted): `{Action, UserId, LoginName, Email, Title,
 *   DirectoryObjectId, IsDeleted, UserFieldValues[{FieldId, FieldTitle, Value}], TimeStamp}`.
 *
 * Before it sends anything Learn365 checks the URL with a GET whose query is replaced by
 * `?echo=<value>` and expects exactly that value back as the body.
 */

/** The connection's inbound settings: the WebHook secret registered at Learn365 (ASP.NET WebHooks allows 32–64 characters). */
export const Learn365Inbound = z.object({
  secret: z.string().min(32).max(64).meta({ title: 'WebHook Secret' }),
});
export type Learn365Inbound = z.infer<typeof Learn365Inbound>;

const text = z.string().nullish();

const Learn365User = z.looseObject({
  Id: z.string().min(1),
  DirectoryObjectId: text,
  EnrollmentId: text,
  LoginName: text,
  Title: text,
  Department: text,
  Email: text,
});

const Learn365Course = z.looseObject({
  Id: z.string().min(1),
  SiteId: text,
  WebId: text,
  Title: text,
  Url: text,
  CourseType: text,
  Published: z.boolean().nullish(),
});

const EnrollmentNotification = z.looseObject({
  Action: z.string(),
  EnrollmentStatus: z.number().nullish(),
  EnrollmentStatusText: text,
  Course: Learn365Course,
  Users: z.array(Learn365User).min(1),
  TimeStamp: text,
});

/** The flat shape: the notification itself describes the course. */
const CourseNotification = Learn365Course.extend({ Action: z.string(), TimeStamp: text });

const UserNotification = z.looseObject({
  Action: z.string(),
  UserId: z.string().min(1),
  LoginName: text,
  Email: text,
  Title: text,
  DirectoryObjectId: text,
  IsDeleted: z.boolean().nullish(),
  TimeStamp: text,
});

const Envelope = z.looseObject({
  Id: z.string().min(1),
  Attempt: z.number().int().nullish(),
  Properties: z.record(z.string(), z.unknown()).nullish(),
  Notifications: z.array(z.looseObject({ Action: z.string().min(1) })).min(1),
});

type Shape = 'enrollment' | 'course' | 'user';
type ActorRole = 'learner' | 'admin';

interface ActionRule {
  type: EventType;
  shape: Shape;
  /** Who acted, when the action says so; null when it could be the learner or an admin. */
  actor: ActorRole | null;
  /** Enrollment actions: the status the action implies. */
  status?: EnrollmentStatus;
  /** Whether EnrollmentStatusText may refine `status` (an enrollment can start out pending or waitlisted). */
  statusFromText?: boolean;
  /** Which enrollment date the notification's TimeStamp is. */
  stamp?: 'enrolled_at' | 'completed_at';
  progress?: number;
  /** Type-specific `data` the catalog schema requires. */
  data?: Record<string, unknown>;
  /** Whether to ask the LMS for progress, score and dates the notification lacks. */
  hydrateEnrollment?: boolean;
  /** The object is gone at the LMS: asking its API about it would only fail. */
  gone?: boolean;
}

const NO_SOURCE = { enrollment_source: null };

/** Learn365 Action -> catalog mapping (DESIGN §2). */
const ACTIONS: Readonly<Record<string, ActionRule>> = {
  CourseEnrollment: { type: 'enrollment.created', shape: 'enrollment', actor: null, status: 'enrolled', statusFromText: true, stamp: 'enrolled_at', data: NO_SOURCE },
  CourseUnenrollment: { type: 'enrollment.removed', shape: 'enrollment', actor: null, status: 'removed', data: NO_SOURCE, gone: true },
  EnrollmentApprovalRequest: { type: 'enrollment.approval_requested', shape: 'enrollment', actor: 'learner', status: 'pending_approval' },
  CourseStarted: { type: 'enrollment.started', shape: 'enrollment', actor: 'learner', status: 'in_progress', hydrateEnrollment: true },
  CourseCompleted: { type: 'enrollment.completed', shape: 'enrollment', actor: 'learner', status: 'completed', stamp: 'completed_at', progress: 100, hydrateEnrollment: true },
  CoursePublished: { type: 'course.published', shape: 'course', actor: 'admin' },
  CourseUnpublished: { type: 'course.unpublished', shape: 'course', actor: 'admin' },
  CourseCreated: { type: 'course.created', shape: 'course', actor: 'admin' },
  CourseDeleted: { type: 'course.deleted', shape: 'course', actor: 'admin', gone: true },
  UserCreated: { type: 'user.created', shape: 'user', actor: null },
  UserDeleted: { type: 'user.deactivated', shape: 'user', actor: null, gone: true },
};

/** Action names compare case-insensitively, as ASP.NET WebHooks matches its filters. */
const RULES = new Map(Object.entries(ACTIONS).map(([action, rule]) => [action.toLowerCase(), rule]));

/**
 * CourseType -> catalog kind, keyed by CourseType lower-cased without separators. The connector
 * documents ELearning, ClassRoom, Webinar, TrainingPlan. Hydration reads the API's CourseType with it too.
 */
export const LEARN365_COURSE_KINDS: Readonly<Record<string, CourseKind>> = {
  elearning: 'online_course',
  classroom: 'instructor_led',
  instructorled: 'instructor_led',
  instructorledtraining: 'instructor_led',
  webinar: 'instructor_led',
  trainingplan: 'learning_path',
};

/**
 * The CourseType for a course of each catalog kind, as the sandbox's webhooks and API write it:
 * the nearest of the connector's documented values, each of which LEARN365_COURSE_KINDS reads.
 */
export const LEARN365_COURSE_TYPES: Readonly<Record<CourseKind, string>> = {
  online_course: 'ELearning',
  instructor_led: 'ClassRoom',
  curriculum: 'TrainingPlan',
  bundle: 'TrainingPlan',
  learning_path: 'TrainingPlan',
  certification: 'ELearning',
  lesson: 'ELearning',
};

/**
 * Words in an enrollment's status (EnrollmentStatusText here, the API's RegistrationStatus in
 * hydration) saying the enrollment is not, or no longer, an ordinary one, lower-cased without
 * separators. Their values are not published; these are read leniently.
 */
export const LEARN365_REGISTRATION_STATUSES: Readonly<Record<string, EnrollmentStatus>> = {
  pending: 'pending_approval',
  pendingapproval: 'pending_approval',
  waitingforapproval: 'pending_approval',
  waitinglist: 'waitlisted',
  waitlist: 'waitlisted',
  waitlisted: 'waitlisted',
  rejected: 'declined',
  declined: 'declined',
  cancelled: 'removed',
  canceled: 'removed',
  unenrolled: 'removed',
};

/**
 * EnrollmentStatusText, lower-cased without separators. The integer EnrollmentStatus codes are not
 * published, so only the text is read; the number stays in raw.
 */
const STATUS_TEXTS: Readonly<Record<string, EnrollmentStatus>> = {
  enrolled: 'enrolled',
  registered: 'enrolled',
  notstarted: 'not_started',
  inprogress: 'in_progress',
  started: 'in_progress',
  completed: 'completed',
  passed: 'completed',
  failed: 'failed',
  ...LEARN365_REGISTRATION_STATUSES,
};

interface Common {
  /** The work item id: stable across Learn365's retries. */
  webhookId: string;
  attempt: number | null;
  /** Position in Notifications: one request can carry several. */
  index: number;
  action: string;
  /** The envelope as received with only this notification in it. */
  raw: unknown;
}

/** One Learn365 notification, checked against the shape its Action documents. */
export type Learn365Event = Common &
  (
    | { shape: 'enrollment'; rule: ActionRule; notification: z.infer<typeof EnrollmentNotification> }
    | { shape: 'course'; rule: ActionRule; notification: z.infer<typeof CourseNotification> }
    | { shape: 'user'; rule: ActionRule; notification: z.infer<typeof UserNotification> }
    | { shape: 'other'; notification: Record<string, unknown> }
  );

const SHAPES = { enrollment: EnrollmentNotification, course: CourseNotification, user: UserNotification } as const;

/** Like parseWith, for a notification, so issues name their place in the whole body ("Notifications.1.Users.0.Id"). */
function parseNotification<S extends z.ZodType>(schema: S, value: unknown, index: number, action: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = toPayloadIssues(result.error).map((issue) => ({
    path: issue.path ? `Notifications.${index}.${issue.path}` : `Notifications.${index}`,
    message: issue.message,
  }));
  const first = issues[0];
  const where = first ? ` at ${first.path}: ${first.message}` : '';
  throw new PayloadError(`The body is not a valid Learn365 ${action} notification${where}.`, issues);
}

function verifySignature(request: IngestRequest, inbound: Learn365Inbound): void {
  const header = request.headers['ms-signature'];
  if (!header) throw new SignatureError('Missing ms-signature header.');
  const match = /^\s*sha256=([0-9a-f]+)\s*$/i.exec(header);
  const given = match?.[1] ? decodeHex(match[1]) : null;
  if (!given) throw new SignatureError('The ms-signature header is not of the form sha256=<hex>.');
  const expected = hmacSha256(hmacKey(inbound.secret, 'utf8'), request.body);
  // Hex of either case decodes to the same bytes; comparing bytes, not strings, keeps upper-case senders valid.
  if (!constantTimeEqual(given, expected)) throw new SignatureError('The ms-signature does not match the body.');
}

function parseBody(request: IngestRequest): Learn365Event[] {
  const envelope = parseWith(Envelope, parseJsonBody(request.body), 'Learn365 notification');
  return envelope.Notifications.map((notification, index): Learn365Event => {
    const common: Common = {
      webhookId: envelope.Id,
      attempt: envelope.Attempt ?? null,
      index,
      action: notification.Action,
      raw: { Id: envelope.Id, Attempt: envelope.Attempt, Properties: envelope.Properties, Notifications: [notification] },
    };
    const rule = RULES.get(notification.Action.toLowerCase());
    if (!rule) return { ...common, shape: 'other', notification };
    switch (rule.shape) {
      case 'enrollment':
        return { ...common, shape: 'enrollment', rule, notification: parseNotification(SHAPES.enrollment, notification, index, notification.Action) };
      case 'course':
        return { ...common, shape: 'course', rule, notification: parseNotification(SHAPES.course, notification, index, notification.Action) };
      case 'user':
        return { ...common, shape: 'user', rule, notification: parseNotification(SHAPES.user, notification, index, notification.Action) };
    }
  });
}

const orNull = (value: string | null | undefined) => value || null;

function base(event: Learn365Event, dedupeKey: string): Pick<EventParts, 'vendor' | 'vendorEvent' | 'vendorEventId' | 'dedupeKey' | 'raw'> {
  return { vendor: 'learn365', vendorEvent: event.action, vendorEventId: event.webhookId, dedupeKey, raw: event.raw };
}

function mapEnrollment(event: Extract<Learn365Event, { shape: 'enrollment' }>, context: MappingContext): MappedEvent[] {
  const { rule, notification } = event;
  const { Course: course } = notification;
  const kind = lookupName(LEARN365_COURSE_KINDS, course.CourseType);
  const at = toIsoTimestamp(notification.TimeStamp);
  const status = (rule.statusFromText ? lookupName(STATUS_TEXTS, notification.EnrollmentStatusText) : null) ?? rule.status ?? 'unknown';
  return notification.Users.map((user) => {
    const hydration: HydrationNeeds = {};
    if (!rule.gone) {
      if (!user.Email || !user.Department) hydration.user = user.Id;
      if (!course.Title) hydration.course = kind ? { id: course.Id, kind } : { id: course.Id };
      if (rule.hydrateEnrollment) {
        hydration.enrollment = user.EnrollmentId
          ? { user: user.Id, course: course.Id, id: user.EnrollmentId }
          : { user: user.Id, course: course.Id };
      }
    }
    return buildEvent(
      {
        ...base(event, `${event.webhookId}/${event.index}/${user.Id}`),
        type: rule.type,
        occurredAt: notification.TimeStamp,
        actor: rule.actor ? { id: rule.actor === 'learner' ? user.Id : null, role: rule.actor } : null,
        learner: {
          id: user.Id,
          email: orNull(user.Email),
          username: orNull(user.LoginName),
          name: orNull(user.Title),
          department: orNull(user.Department),
        },
        course: { id: course.Id, title: orNull(course.Title), url: orNull(course.Url), kind },
        enrollment: {
          id: orNull(user.EnrollmentId),
          status,
          progress: rule.progress ?? null,
          enrolled_at: rule.stamp === 'enrolled_at' ? at : null,
          completed_at: rule.stamp === 'completed_at' ? at : null,
        },
        data: rule.data ?? {},
        hydration,
      },
      context,
    );
  });
}

function mapCourse(event: Extract<Learn365Event, { shape: 'course' }>, context: MappingContext): MappedEvent[] {
  const { rule, notification } = event;
  const kind = lookupName(LEARN365_COURSE_KINDS, notification.CourseType);
  // The flat notification already names the course; only a missing title is worth an API call.
  const hydration: HydrationNeeds =
    notification.Title || rule.gone ? {} : { course: kind ? { id: notification.Id, kind } : { id: notification.Id } };
  return [
    buildEvent(
      {
        ...base(event, `${event.webhookId}/${event.index}`),
        type: rule.type,
        occurredAt: notification.TimeStamp,
        actor: rule.actor ? { id: null, role: rule.actor } : null,
        course: { id: notification.Id, title: orNull(notification.Title), url: orNull(notification.Url), kind },
        data: rule.data ?? {},
        hydration,
      },
      context,
    ),
  ];
}

function mapUser(event: Extract<Learn365Event, { shape: 'user' }>, context: MappingContext): MappedEvent[] {
  const { rule, notification } = event;
  // User notifications carry no Department; the profile call fills it (and the email, when absent).
  const hydration: HydrationNeeds = rule.gone ? {} : { user: notification.UserId };
  return [
    buildEvent(
      {
        ...base(event, `${event.webhookId}/${event.index}/${notification.UserId}`),
        type: rule.type,
        occurredAt: notification.TimeStamp,
        actor: null,
        learner: {
          id: notification.UserId,
          email: orNull(notification.Email),
          username: orNull(notification.LoginName),
          name: orNull(notification.Title),
        },
        data: rule.data ?? {},
        hydration,
      },
      context,
    ),
  ];
}

function mapOther(event: Extract<Learn365Event, { shape: 'other' }>, context: MappingContext): MappedEvent[] {
  return [
    buildEvent(
      { ...base(event, `${event.webhookId}/${event.index}`), type: 'lms.event', occurredAt: event.notification['TimeStamp'] },
      context,
    ),
  ];
}

function toCatalog(event: Learn365Event, context: MappingContext): MappedEvent[] {
  switch (event.shape) {
    case 'enrollment':
      return mapEnrollment(event, context);
    case 'course':
      return mapCourse(event, context);
    case 'user':
      return mapUser(event, context);
    case 'other':
      return mapOther(event, context);
  }
}

/** Learn365's URL check: a GET with `?echo=`, answered with exactly the value as plain text. */
function handshake(request: IngestRequest): IngestReply | null {
  const echo = request.query['echo'];
  if (request.method.toUpperCase() !== 'GET' || echo === undefined) return null;
  return { status: 200, contentType: 'text/plain; charset=utf-8', body: echo, headers: { 'x-content-type-options': 'nosniff' } };
}

/** Learn365 (Zensai) ASP.NET WebHooks: ms-signature check, ?echo= URL check, one event per notification and user. */
export const learn365Adapter: VendorAdapter<Learn365Event, Learn365Inbound> = {
  vendor: 'learn365',
  title: 'Learn365 (Zensai)',
  inboundSchema: Learn365Inbound,
  routes: ['webhook'],
  events: eventTypesOf(ACTIONS),
  verify: verifySignature,
  parse: parseBody,
  toCatalog,
  handshake,
};
