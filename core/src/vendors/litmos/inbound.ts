import { z } from 'zod';
import type { CourseKind, EventType, Learner } from '../../catalog/index.ts';
import { eventTypesOf, type IngestRequest, type MappedEvent, type MappingContext, type VendorAdapter } from '../adapter.ts';
import { buildEvent } from '../build-event.ts';
import { bodyDigest } from '../event-id.ts';
import { lookupName, normaliseName } from '../names.ts';
import { parseJsonBody, parseWith } from '../parse-body.ts';

/**
 * SAP Litmos webhooks (litmos.com/docs "Webhooks payload"; support.litmos.com "Webhooks").
 *
 * Body: `{id, created, type, object: "event", data: {...}}`, one event per POST, UTF-8 JSON, dates
 * ISO 8601 in UTC (written without a zone: read as UTC). The data's ids (userId, courseId) are the
 * encoded ids the Litmos API answers. Litmos offers five hooks: Achievement.Earned (course),
 * Achievement.Earned (learning path), Session.Created, Session.Registration and
 * ELearningCourse.Processed. Only achievement.earned has a published example body; the others'
 * fields are not documented, so they are read by the same envelope and the field names the example
 * uses (userId, courseId, firstName, lastName), plus sessionId, and kept whole as raw.
 *
 * Verify: Litmos documents no signature, shared secret or auth header for webhooks, so none is
 * checked; the connection's unguessable ingest URL token is what protects it.
 *
 * Delivery: Litmos waits up to 10 seconds for 200, 201 or 202 and otherwise re-attempts (the
 * schedule is not published), and "may deliver the same webhook multiple times": the dedupe key is
 * the event's `id`, which names the event across those deliveries.
 *
 * Map: achievement.earned is a completion: of a course, or of a learning path when data.type says
 * so ("Course Completed" is the documented value; the learning path's value is not published, so
 * any type naming a learning path is read as one). Session.Registration is session.enrolled;
 * Session.Created (no learner) and ELearningCourse.Processed (content processing) have no catalog
 * type and stay lms.event, as does any other name. Names match case-insensitively.
 */

/** Litmos webhooks carry no credential: nothing to configure. */
export const LitmosInbound = z.object({});
export type LitmosInbound = z.infer<typeof LitmosInbound>;

const Id = z.union([z.string().min(1), z.number()]).transform(String);
const text = z.string().nullish();

const LitmosData = z.looseObject({
  userId: Id.nullish(),
  userName: text,
  firstName: text,
  lastName: text,
  courseId: Id.nullish(),
  learningPathId: Id.nullish(),
  sessionId: Id.nullish(),
  title: text,
  code: text,
  achievementDate: text,
  compliantTilldate: text,
  result: text,
  type: text,
  achievementId: Id.nullish(),
  certificateId: text,
  sessionName: text,
  startDate: text,
});
type LitmosData = z.infer<typeof LitmosData>;

const LitmosBody = z.looseObject({
  id: Id,
  created: text,
  type: z.string().min(1),
  object: text,
  data: LitmosData.nullish(),
});

export interface LitmosEvent {
  id: string;
  name: string;
  created: string | null;
  data: LitmosData;
  raw: unknown;
  digest: string;
}

interface LitmosMapping {
  type: EventType;
}

/** Litmos event type (lower case) -> catalog type; anything else is lms.event. */
export const LITMOS_EVENTS: Readonly<Record<string, LitmosMapping>> = {
  'achievement.earned': { type: 'enrollment.completed' },
  'session.registration': { type: 'session.enrolled' },
  'session.created': { type: 'lms.event' },
  'elearningcourse.processed': { type: 'lms.event' },
};

/** The table keyed as lookupName reads it, so "Achievement.Earned" and "achievement.earned" both match. */
const BY_NAME = Object.fromEntries(Object.entries(LITMOS_EVENTS).map(([name, mapping]) => [normaliseName(name), mapping]));

function orNull(value: string | null | undefined): string | null {
  return value === null || value === undefined ? null : value.trim() || null;
}

/** Litmos writes UTC without a zone ("2019-05-06T01:12:35.990"): read as UTC, not the hub's local time. */
export function litmosTime(value: string | null | undefined): string | null {
  const given = orNull(value);
  if (!given) return null;
  const withZone = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(given) ? given : `${given}Z`;
  const ms = Date.parse(withZone);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

function verify(_request: IngestRequest, _inbound: LitmosInbound): void {
  // Nothing to check: Litmos signs nothing (see the module comment); the ingest URL's token has been checked.
}

function parse(request: IngestRequest): LitmosEvent[] {
  const json = parseJsonBody(request.body);
  const body = parseWith(LitmosBody, json, 'Litmos webhook');
  return [{ id: body.id, name: body.type, created: orNull(body.created), data: body.data ?? {}, raw: json, digest: bodyDigest(request.body) }];
}

function courseKindOf(data: LitmosData): CourseKind {
  return data.learningPathId || /learning\s*path/i.test(data.type ?? '') ? 'learning_path' : 'online_course';
}

function learnerOf(data: LitmosData): (Partial<Learner> & { id: string }) | undefined {
  if (!data.userId) return undefined;
  return { id: data.userId, username: orNull(data.userName), first_name: orNull(data.firstName), last_name: orNull(data.lastName) };
}

function toCatalog(event: LitmosEvent, context: MappingContext): MappedEvent[] {
  const mapping = lookupName(BY_NAME, event.name);
  const type = mapping?.type ?? 'lms.event';
  const { data } = event;
  const learner = learnerOf(data);
  const kind = courseKindOf(data);
  const courseId = data.learningPathId ?? data.courseId ?? null;
  const course = courseId ? { id: courseId, title: orNull(data.title), kind } : undefined;
  const completedAt = litmosTime(data.achievementDate);
  const enrollmentParts =
    type === 'enrollment.completed'
      ? {
          enrollment: {
            status: 'completed' as const,
            progress: 100,
            completed_at: completedAt,
            passed: /^(completed|passed)$/i.test(data.result ?? '') ? true : null,
          },
        }
      : {};
  const sessionParts =
    type === 'session.enrolled' && data.sessionId
      ? { data: { session: { id: data.sessionId, title: orNull(data.sessionName), starts_at: litmosTime(data.startDate) } } }
      : {};
  return [
    buildEvent(
      {
        type,
        vendor: 'litmos',
        vendorEvent: event.name,
        vendorEventId: event.id,
        // Litmos may deliver one event more than once; its id stays the same.
        dedupeKey: `${event.name.toLowerCase()}:${event.id}`,
        occurredAt: completedAt ?? litmosTime(event.created),
        actor: learner && type === 'enrollment.completed' ? { id: learner.id, role: 'learner' } : null,
        ...(learner ? { learner } : {}),
        ...(course ? { course } : {}),
        ...enrollmentParts,
        ...sessionParts,
        raw: event.raw,
        hydration: {
          // Litmos sends the user name but never the email: every learner is looked up.
          ...(learner ? { user: learner.id } : {}),
          ...(course && !course.title ? { course: { id: course.id, kind } } : {}),
        },
      },
      context,
    ),
  ];
}

/** SAP Litmos: its five webhooks, unsigned (protected by the ingest URL). */
export const litmosAdapter: VendorAdapter<LitmosEvent, LitmosInbound> = {
  vendor: 'litmos',
  title: 'SAP Litmos',
  inboundSchema: LitmosInbound,
  routes: ['webhook'],
  events: eventTypesOf(LITMOS_EVENTS),
  verify,
  parse,
  toCatalog,
};

/** Nothing to generate: Litmos has no webhook secret. */
export const litmosInboundDefaults = (): Record<string, unknown> => ({});
