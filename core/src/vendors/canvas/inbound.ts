import { z } from 'zod';
import type { HydrationNeeds } from '../../catalog/hydration-needs.ts';
import type { EnrollmentStatus, EventType } from '../../catalog/index.ts';
import { SignatureError } from '../../errors.ts';
import { isCompactJwt, type JsonWebKeySet, jwtKeyId, jwtPayloadBytes, verifyJwt } from '../../signatures/jwks.ts';
import { eventTypesOf, type IngestRequest, type KeySetNeed, type MappedEvent, type MappingContext, type VendorAdapter } from '../adapter.ts';
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
 * Signed or not, as the subscription's "Sign Payload" says (data_service_setup.md): unsigned, the
 * POST body is the event JSON; signed, "the event body will be a signed JWT with the live event
 * data in the claims", its header's kid naming a key in the JWKS at
 * https://8axpcl50e4.execute-api.us-east-1.amazonaws.com/main/jwks, which "returns the previous,
 * current, and next (future) JWK" and is rotated monthly; RS256 (Instructure's guide "How do I
 * configure and test Canvas Live Events using HTTPS delivery?"). Neither says which claims carry
 * the event; consumers that run against Canvas read `metadata` and `body` as top-level claims
 * beside the standard ones (Pontificia Universidad Católica de Chile's lti-gradebook,
 * EventHandlingController.java; it notes Canvas may wrap the token in JSON quotes, read here too),
 * and name `https://live-events.canvas.instructure.com` as the issuer, which nothing official
 * states, so the issuer is not checked: the key set is Instructure's either way. Whether tokens
 * carry exp is not documented; it is checked when present. The key set is I/O, so this adapter
 * names it (keySet) and the ingest path fetches it (http/key-sets.ts); `signed_payloads: required`
 * refuses unsigned events, else both forms are taken and a signed one must verify.
 *
 * Canvas mixes local and global (shard * 10^13 + local) ids; ids on the root account's shard are
 * kept local, others global (canvas-ids.ts), so one learner is one id across events.
 *
 * Retries: a non-2xx answer is retried up to three times over about 10 to 20 minutes, then the
 * event is lost at Canvas's side; many failures within 24 hours deactivate the subscription
 * (data_service_setup.md, "HTTPS delivery failures"). Events carry no event id: the dedupe key is
 * a digest of `{metadata, body}`, whose metadata (event_time to the millisecond, request_id) tells
 * events apart.
 *
 * Learning events are mapped (table below); the other ~80 event types (submissions, grades,
 * assignments, discussions, page views, ...) arrive as lms.event with the body in raw. Only
 * StudentEnrollment enrollments are learner enrollments; teachers', TAs' and observers' are lms.event.
 */

/** Instructure's published key set for signed Live Events (data_service_setup.md). */
export const INSTRUCTURE_LIVE_EVENTS_JWKS = 'https://8axpcl50e4.execute-api.us-east-1.amazonaws.com/main/jwks';

/** Signed Live Events are checked against a key set; the ingest URL's token protects either form. */
export const CanvasInbound = z.object({
  signed_payloads: z.enum(['accepted', 'required']).default('accepted').meta({
    title: 'Signed payloads',
    description: 'required: refuse Live Events unless "Sign Payload" is on in Canvas. accepted: take unsigned ones too (a signed one must still verify).',
  }),
  jwks_url: z
    .url({ protocol: /^https?$/ })
    .default(INSTRUCTURE_LIVE_EVENTS_JWKS)
    .meta({ title: 'Key set (JWKS) URL', description: "Where Canvas's signing keys are published; Instructure's unless you test with your own." }),
});
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

const ALGORITHMS = ['RS256'] as const;

/** The compact JWT a signed Live Event's body is, bare or in JSON quotes; null for an unsigned one. */
function signedToken(body: Buffer): string | null {
  const text = body.toString('utf8').trim();
  const unquoted = text.length > 2 && text.startsWith('"') && text.endsWith('"') ? text.slice(1, -1) : text;
  return isCompactJwt(unquoted) ? unquoted : null;
}

function keySet(request: IngestRequest, inbound: CanvasInbound): KeySetNeed | null {
  const token = signedToken(request.body);
  return token ? { url: inbound.jwks_url, kid: jwtKeyId(token, ALGORITHMS) } : null;
}

function verify(request: IngestRequest, inbound: CanvasInbound, keys?: JsonWebKeySet): void {
  const token = signedToken(request.body);
  if (token) {
    verifyJwt(token, keys ?? { keys: [] }, { algorithms: ALGORITHMS, at: request.receivedAt });
    return;
  }
  if (inbound.signed_payloads === 'required') {
    throw new SignatureError(
      'This Live Event is unsigned, and this connection takes signed ones only: turn "Sign Payload" on in the Canvas Data Services subscription, or set the connection\'s signed payloads to "accepted".',
    );
  }
}

function parse(request: IngestRequest): CanvasEvent[] {
  const token = signedToken(request.body);
  // verify has checked the token's signature; its claims are the event, beside iat, exp, iss.
  const raw = parseJsonBody(token ? jwtPayloadBytes(token) : request.body);
  const event = parseWith(LiveEvent, raw, 'Canvas Live Event');
  // The event itself, not the token: a re-signed retry (new iat or exp) is still the same event.
  const digest = token ? bodyDigest(Buffer.from(JSON.stringify({ metadata: event.metadata, body: event.body }))) : bodyDigest(request.body);
  return [{ name: event.metadata.event_name, metadata: event.metadata, body: event.body, raw, digest }];
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

/** Canvas LMS Live Events (HTTPS, Canvas format, signed or not): learning events mapped, the rest lms.event. */
export const canvasAdapter: VendorAdapter<CanvasEvent, CanvasInbound> = {
  vendor: 'canvas',
  title: 'Canvas LMS',
  inboundSchema: CanvasInbound,
  routes: ['webhook'],
  events: eventTypesOf(CANVAS_EVENTS),
  keySet,
  verify,
  parse,
  toCatalog,
};

/** Canvas signs with Instructure's published keys: no secret to generate. */
export const canvasInboundDefaults = (): Record<string, unknown> => ({});
