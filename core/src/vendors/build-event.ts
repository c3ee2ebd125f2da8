import type { z } from 'zod';
import type { HydrationNeeds } from '../catalog/hydration-needs.ts';
import { type CatalogEvent, type Course, type Enrollment, EVENT_DEFINITIONS, type EventType, type Learner, type Vendor } from '../catalog/index.ts';
import { PayloadError } from '../errors.ts';
import type { MappedEvent, MappingContext } from './adapter.ts';
import { eventId } from './event-id.ts';
import { toIsoTimestamp } from './timestamps.ts';

type Actor = NonNullable<CatalogEvent['actor']>;

/** What an adapter knows about one event; everything it does not know is left out and becomes null. */
export interface EventParts {
  type: EventType;
  vendor: Vendor;
  /** The vendor's own event name ("Enrollment Completed by Learner", "COURSE_COMPLETED", a verb IRI). */
  vendorEvent: string;
  /** The vendor's own event id, when it sends one. */
  vendorEventId: string | null;
  /** Stable identity of this event at the vendor (see MappedEvent.dedupeKey). */
  dedupeKey: string;
  /** When it happened, in any format toIsoTimestamp reads; the receive time when absent. */
  occurredAt?: unknown;
  actor?: Actor | null;
  learner?: Partial<Learner> & { id: string };
  course?: Partial<Course> & { id: string };
  enrollment?: Partial<Enrollment> & { status: Enrollment['status'] };
  data?: Record<string, unknown>;
  raw: unknown;
  hydration?: HydrationNeeds;
}

const SCHEMAS = new Map<string, z.ZodType<CatalogEvent>>(
  EVENT_DEFINITIONS.map((definition) => [definition.type, definition.schema as z.ZodType<CatalogEvent>]),
);

export function learnerOf(parts: Partial<Learner> & { id: string }): Learner {
  return {
    id: parts.id,
    email: parts.email ?? null,
    username: parts.username ?? null,
    first_name: parts.first_name ?? null,
    last_name: parts.last_name ?? null,
    name: parts.name ?? ([parts.first_name, parts.last_name].filter(Boolean).join(' ') || null),
    department: parts.department ?? null,
  };
}

export function courseOf(parts: Partial<Course> & { id: string }): Course {
  return { id: parts.id, title: parts.title ?? null, kind: parts.kind ?? null, url: parts.url ?? null };
}

export function enrollmentOf(parts: Partial<Enrollment> & { status: Enrollment['status'] }): Enrollment {
  return {
    id: parts.id ?? null,
    status: parts.status,
    progress: parts.progress ?? null,
    score: parts.score ?? null,
    passed: parts.passed ?? null,
    enrolled_at: parts.enrolled_at ?? null,
    completed_at: parts.completed_at ?? null,
  };
}

const LMS_EVENT = lmsEventSchema();

function lmsEventSchema(): z.ZodType<CatalogEvent> {
  const schema = SCHEMAS.get('lms.event');
  if (!schema) throw new Error('The catalog has no lms.event type.');
  return schema;
}

function hasNeeds(needs: HydrationNeeds): boolean {
  return Boolean(needs.user || needs.course || needs.enrollment);
}

/**
 * Assembles and validates one catalog event. When the parts do not satisfy the type's schema
 * (a vendor event without the user id its type needs, say), the event becomes lms.event with
 * the raw payload and the reason: accepted input is never dropped.
 */
export function buildEvent(parts: EventParts, context: MappingContext): MappedEvent {
  // The vendor's event identity is stored as a key, and PostgreSQL text holds no NUL: refused
  // here, as bad input, rather than failing the durable write.
  if (parts.dedupeKey.includes('\0')) {
    throw new PayloadError(`The ${parts.vendorEvent} event's id contains a NUL character.`, [{ path: 'id', message: 'contains a NUL character' }]);
  }
  const hydration = parts.hydration ?? {};
  const receivedAt = context.receivedAt.toISOString();
  const occurredAt = toIsoTimestamp(parts.occurredAt) ?? receivedAt;
  const candidate = {
    id: eventId(context.connection, parts.dedupeKey, Date.parse(occurredAt)),
    type: parts.type,
    occurred_at: occurredAt,
    received_at: receivedAt,
    source: { vendor: parts.vendor, connection: context.connection, event: parts.vendorEvent, event_id: parts.vendorEventId },
    actor: parts.actor ?? null,
    learner: parts.learner ? learnerOf(parts.learner) : null,
    course: parts.course ? courseOf(parts.course) : null,
    enrollment: parts.enrollment ? enrollmentOf(parts.enrollment) : null,
    data: parts.data ?? {},
    hydration: { status: hasNeeds(hydration) ? 'pending' : 'complete', missing: [] },
    raw: parts.raw,
  };
  const schema = SCHEMAS.get(parts.type);
  const result = schema?.safeParse(candidate);
  if (result?.success) return { event: result.data, dedupeKey: parts.dedupeKey, hydration };
  const reason = result ? result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ') : 'unknown type';
  const raw = { mapped_as: parts.type, reason, payload: parts.raw };
  const asOther = LMS_EVENT.safeParse({ ...candidate, type: 'lms.event', data: {}, raw });
  // Parts that broke the type's schema may break lms.event's too (a progress of 140, say): keep only the envelope then.
  const event = asOther.success
    ? asOther.data
    : LMS_EVENT.parse({ ...candidate, type: 'lms.event', actor: null, learner: null, course: null, enrollment: null, data: {}, raw });
  return { event, dedupeKey: parts.dedupeKey, hydration };
}
