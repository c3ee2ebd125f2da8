import { z } from 'zod';
import type { HydrationNeeds } from '../../catalog/hydration-needs.ts';
import type { EnrollmentStatus, EventType } from '../../catalog/index.ts';
import { PayloadError } from '../../errors.ts';
import { eventTypesOf, type IngestRequest, type MappedEvent, type MappingContext, type VendorAdapter } from '../adapter.ts';
import { buildEvent, type EventParts } from '../build-event.ts';
import { bodyDigest } from '../event-id.ts';
import { lookupName } from '../names.ts';
import { parseJsonBody, parseWith } from '../parse-body.ts';
import { toIsoTimestamp } from '../timestamps.ts';
import { canonicalId, shardOf } from './canvas-ids.ts';

/**
 * Canvas LMS Live Events over HTTPS (Canvas Data Services; instructure/canvas-lms
 * doc/api/data_services/md/static/data_service_setup.md), in the "Canvas" format: one event per
 * request, `{metadata, body}`, with `metadata.event_name` (course_completed, enrollment_created, ...),
 * `metadata.event_time` and `metadata.root_account_id`; `body` per event type as the
 * doc/api/data_services/json/canvas/event-types/*.json examples show it.
 *
 * Only the unsigned form is accepted ("Signed JWT payloads" Off in the subscription). Canvas can
 * instead send the body as a JWT signed RS256 with keys from a JWKS it rotates monthly
 * (https://8axpcl50e4.execute-api.us-east-1.amazonaws.com/main/jwks; Instructure's guide "How do I
 * configure and test Canvas Live Events using HTTPS delivery?"). Verifying it needs that key set
 * fetched and refreshed as it rotates, which the synchronous, I/O-free adapter contract cannot do,
 * and the docs do not say how the claims carry the event. So a JWT body is refused with a message
 * saying to turn signing off, and the connection is protected by its unguessable ingest URL alone.
 *
 * Canvas mixes local and global (shard * 10^13 + local) ids; ids on the root account's shard are
 * kept local, others global (canvas-ids.ts), so one learner is one id across events.
 *
 * Retries: none while the endpoint is down; repeated failures within 24 hours deactivate the
 * subscription (data_service_setup.md). Events carry no event id: the dedupe key is a digest of the
 * body, whose metadata (event_time to the millisecond, request_id) tells events apart.
 *
 * Learning events are mapped (table below); the other ~80 event types (submissions, grades,
 * assignments, discussions, page views, ...) arrive as lms.event with the body in raw. Only
 * StudentEnrollment enrollments are learner enrollments; teachers', TAs' and observers' are lms.event.
 */

/** Canvas signs nothing learnhook can check (see above): the ingest URL's token is the credential. */
export const CanvasInbound = z.object({});
export type CanvasInbound = z.infer<typeof CanvasInbound>;

const Id = z.union([z.string(), z.number()]).nullish();
const text = z.string().nullish();

const Metadata = z.looseObject({
  event_name: z.string().trim().min(1),
  event_time: text,
  root_account_id: Id,
  request_id: text,
  user_id: Id,
});

const Body = z.looseObject({
  // course_completed / course_progress
  course: z.looseObject({ id: Id, name: text, account_id: Id }).nullish(),
  user: z.looseObject({ id: Id, name: text, email: text }).nullish(),
  progress: z.looseObject({ completed_at: text, requirement_count: z.number().nullish(), requirement_completed_count: z.number().nullish() }).nullish(),
  // enrollment_* / user_* / course_created
  user_id: Id,
  course_id: Id,
  enrollment_id: Id,
  user_name: text,
  name: text,
  user_login: text,
  type: text,
  workflow_state: text,
  created_at: text,
  updated_at: text,
});
type Body = z.infer<typeof Body>;

const LiveEvent = z.looseObject({ metadata: Metadata, body: Body.default({}) });

type Subject = 'progress' | 'enrollment' | 'user' | 'course';

interface Rule {
  type: EventType;
  subject: Subject;
}

/** Canvas Live Event name -> catalog mapping; any other name is lms.event. */
export const CANVAS_EVENTS: Readonly<Record<string, Rule>> = {
  course_completed: { type: 'enrollment.completed', subject: 'progress' },
  course_progress: { type: 'enrollment.progressed', subject: 'progress' },
  enrollment_created: { type: 'enrollment.created', subject: 'enrollment' },
  // Listed as its removal: only workflow_state "deleted" maps; other changes are lms.event.
  enrollment_updated: { type: 'enrollment.removed', subject: 'enrollment' },
  user_created: { type: 'user.created', subject: 'user' },
  user_updated: { type: 'user.updated', subject: 'user' },
  course_created: { type: 'course.created', subject: 'course' },
};

/** Canvas enrollment workflow_state -> catalog status (invited and creation_pending: enrolled, not yet accepted). */
const ENROLLMENT_STATES: Readonly<Record<string, EnrollmentStatus>> = {
  active: 'enrolled',
  invited: 'enrolled',
  creationpending: 'enrolled',
  completed: 'completed',
  inactive: 'not_completed',
  deleted: 'removed',
  rejected: 'declined',
};

export interface CanvasEvent {
  name: string;
  metadata: z.infer<typeof Metadata>;
  body: Body;
  raw: unknown;
  digest: string;
}

type Parts = Pick<EventParts, 'type' | 'learner' | 'course' | 'enrollment' | 'data'> & { hydration: HydrationNeeds };

const name = (value: string | null | undefined) => value?.trim() || undefined;

function partsOf(event: CanvasEvent, rule: Rule): Parts {
  const home = shardOf(event.metadata.root_account_id == null ? null : String(event.metadata.root_account_id));
  const id = (value: string | number | null | undefined) => canonicalId(value, home);
  const { body } = event;
  switch (rule.subject) {
    case 'progress': {
      const userId = id(body.user?.id);
      const courseId = id(body.course?.id);
      const count = body.progress?.requirement_count ?? null;
      const done = body.progress?.requirement_completed_count ?? null;
      const completed = rule.type === 'enrollment.completed';
      const progress = completed ? 100 : count && done !== null ? Math.min(100, Math.round((done / count) * 100)) : null;
      return {
        type: rule.type,
        learner: userId ? { id: userId, name: name(body.user?.name), email: name(body.user?.email) } : undefined,
        course: courseId ? { id: courseId, title: name(body.course?.name) } : undefined,
        enrollment: { status: completed ? 'completed' : 'in_progress', progress, completed_at: toIsoTimestamp(body.progress?.completed_at) },
        hydration: { ...(userId ? { user: userId } : {}), ...(courseId ? { course: { id: courseId } } : {}) },
      };
    }
    case 'enrollment': {
      const userId = id(body.user_id);
      const courseId = id(body.course_id);
      const status = lookupName(ENROLLMENT_STATES, body.workflow_state) ?? 'unknown';
      const student = body.type === 'StudentEnrollment';
      const type = !student ? 'lms.event' : rule.type === 'enrollment.removed' ? (status === 'removed' ? rule.type : 'lms.event') : rule.type;
      return {
        type,
        learner: userId ? { id: userId, name: name(body.user_name) } : undefined,
        course: courseId ? { id: courseId } : undefined,
        enrollment: { id: id(body.enrollment_id), status, enrolled_at: toIsoTimestamp(body.created_at) },
        data: { enrollment_source: null },
        hydration: { ...(userId ? { user: userId } : {}), ...(courseId ? { course: { id: courseId } } : {}) },
      };
    }
    case 'user': {
      const userId = id(body.user_id);
      return {
        type: rule.type,
        learner: userId ? { id: userId, name: name(body.name), username: name(body.user_login) } : undefined,
        hydration: userId ? { user: userId } : {},
      };
    }
    case 'course': {
      const courseId = id(body.course_id);
      return {
        type: rule.type,
        course: courseId ? { id: courseId, title: name(body.name) } : undefined,
        hydration: courseId ? { course: { id: courseId } } : {},
      };
    }
  }
}

/** Drops parts zod left undefined, so the learner's missing name does not overwrite a split one. */
function compact<T extends object>(value: T | undefined): T | undefined {
  return value ? (Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T) : undefined;
}

function parse(request: IngestRequest): CanvasEvent[] {
  const text = request.body.toString('utf8').trim();
  // A compact JWT (three base64url parts): the subscription has "Signed JWT payloads" on.
  if (/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(text)) {
    throw new PayloadError(
      'This is a signed (JWT) Live Event, which learnhook cannot verify: turn "Signed JWT payloads" off in the Canvas Data Services subscription.',
      [{ path: 'body', message: 'signed JWT payloads are not supported' }],
    );
  }
  const raw = parseJsonBody(request.body);
  const event = parseWith(LiveEvent, raw, 'Canvas Live Event');
  return [{ name: event.metadata.event_name, metadata: event.metadata, body: event.body, raw, digest: bodyDigest(request.body) }];
}

function toCatalog(event: CanvasEvent, context: MappingContext): MappedEvent[] {
  const common = {
    vendor: 'canvas' as const,
    vendorEvent: event.name,
    vendorEventId: null,
    dedupeKey: `body:${event.digest}`,
    occurredAt: event.metadata.event_time,
    raw: event.raw,
  };
  const rule = Object.hasOwn(CANVAS_EVENTS, event.name) ? CANVAS_EVENTS[event.name] : undefined;
  if (!rule) return [buildEvent({ ...common, type: 'lms.event' }, context)];
  const { learner, course, ...parts } = partsOf(event, rule);
  const home = shardOf(event.metadata.root_account_id == null ? null : String(event.metadata.root_account_id));
  const actorId = canonicalId(event.metadata.user_id, home);
  const learnerParts = compact(learner);
  return [
    buildEvent(
      {
        ...common,
        ...parts,
        ...(learnerParts ? { learner: learnerParts } : {}),
        ...(course ? { course: compact(course) ?? course } : {}),
        // metadata.user_id is who made the request: the learner, or an admin or job acting for them.
        actor: actorId ? { id: actorId, role: learnerParts && actorId === learnerParts.id ? 'learner' : 'admin' } : null,
      },
      context,
    ),
  ];
}

/** Canvas LMS Live Events (HTTPS, Canvas format, unsigned): learning events mapped, the rest lms.event. */
export const canvasAdapter: VendorAdapter<CanvasEvent, CanvasInbound> = {
  vendor: 'canvas',
  title: 'Canvas LMS',
  inboundSchema: CanvasInbound,
  routes: ['webhook'],
  events: eventTypesOf(CANVAS_EVENTS),
  // Unsigned Live Events carry no credential; the ingest URL's token is checked before this (see the module note).
  verify: () => {},
  parse,
  toCatalog,
};

/** Canvas's unsigned Live Events carry no secret: nothing to generate. */
export const canvasInboundDefaults = (): Record<string, unknown> => ({});
