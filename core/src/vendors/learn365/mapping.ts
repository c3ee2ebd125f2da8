import type { HydrationNeeds } from '../../catalog/hydration-needs.ts';
import type { MappedEvent, MappingContext } from '../adapter.ts';
import { buildEvent, type EventParts } from '../build-event.ts';
import { lookupName } from '../names.ts';
import { toIsoTimestamp } from '../timestamps.ts';
import type { Learn365Event } from './notifications.ts';
import { LEARN365_COURSE_KINDS, LEARN365_STATUS_TEXTS } from './tables.ts';

/**
 * Mapping Learn365 notifications to the catalog by LEARN365_ACTIONS: one event per user an
 * enrollment notification names, one per course or user notification, lms.event for any other Action.
 */

const orNull = (value: string | null | undefined) => value || null;

function base(event: Learn365Event, dedupeKey: string): Pick<EventParts, 'vendor' | 'vendorEvent' | 'vendorEventId' | 'dedupeKey' | 'raw'> {
  return { vendor: 'learn365', vendorEvent: event.action, vendorEventId: event.webhookId, dedupeKey, raw: event.raw };
}

function mapEnrollment(event: Extract<Learn365Event, { shape: 'enrollment' }>, context: MappingContext): MappedEvent[] {
  const { rule, notification } = event;
  const { Course: course } = notification;
  const kind = lookupName(LEARN365_COURSE_KINDS, course.CourseType);
  const at = toIsoTimestamp(notification.TimeStamp);
  const status = (rule.statusFromText ? lookupName(LEARN365_STATUS_TEXTS, notification.EnrollmentStatusText) : null) ?? rule.status ?? 'unknown';
  return notification.Users.map((user) => {
    const hydration: HydrationNeeds = {};
    if (!rule.gone) {
      if (!user.Email || !user.Department) hydration.user = user.Id;
      if (!course.Title) hydration.course = kind ? { id: course.Id, kind } : { id: course.Id };
      if (rule.hydrateEnrollment) {
        hydration.enrollment = user.EnrollmentId ? { user: user.Id, course: course.Id, id: user.EnrollmentId } : { user: user.Id, course: course.Id };
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
  const hydration: HydrationNeeds = notification.Title || rule.gone ? {} : { course: kind ? { id: notification.Id, kind } : { id: notification.Id } };
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
  return [buildEvent({ ...base(event, `${event.webhookId}/${event.index}`), type: 'lms.event', occurredAt: event.notification.TimeStamp }, context)];
}

/** The catalog events of one notification; their dedupe keys hold the work item id, so a retry maps to the same ones. */
export function learn365ToCatalog(event: Learn365Event, context: MappingContext): MappedEvent[] {
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
