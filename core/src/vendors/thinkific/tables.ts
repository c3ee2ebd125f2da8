import type { EnrollmentStatus, EventType } from '../../catalog/index.ts';

/**
 * Thinkific's webhook topics as data: which catalog type each maps to and which part of the
 * payload carries it. The parser, the mapping, the sandbox and the tests read this table; a topic
 * it does not name (user.signin, course.updated, subscription.past_due, lesson.completed, ...)
 * becomes lms.event with its payload kept.
 *
 * Topics: https://support.thinkific.dev/hc/en-us/articles/4422658311703-Webhooks-Documentation
 */

export type ThinkificShape = 'enrollment' | 'order' | 'transaction' | 'subscription' | 'user' | 'lead';

export interface ThinkificTopicRule {
  type: EventType;
  shape: ThinkificShape;
  /** Enrollment topics: the status the topic implies. */
  status?: EnrollmentStatus;
  /** Enrollment topics: a progress the topic implies (completed is 100). */
  progress?: number;
  /** Enrollment topics: how the learner came to be enrolled, as data.enrollment_source. */
  source?: string | null;
}

/** Thinkific topic (`resource.action`) -> catalog mapping. */
export const THINKIFIC_TOPICS: Readonly<Record<string, ThinkificTopicRule>> = {
  'enrollment.created': { type: 'enrollment.created', shape: 'enrollment', status: 'enrolled', source: null },
  // A trial (free preview) enrollment is an enrollment all the same; the source says which.
  'enrollment.trial': { type: 'enrollment.created', shape: 'enrollment', status: 'enrolled', source: 'trial' },
  'enrollment.progress': { type: 'enrollment.progressed', shape: 'enrollment', status: 'in_progress' },
  'enrollment.completed': { type: 'enrollment.completed', shape: 'enrollment', status: 'completed', progress: 100 },
  'order.created': { type: 'order.created', shape: 'order' },
  'order_transaction.succeeded': { type: 'payment.succeeded', shape: 'transaction' },
  'order_transaction.failed': { type: 'payment.failed', shape: 'transaction' },
  'order_transaction.refunded': { type: 'payment.refunded', shape: 'transaction' },
  'subscription.cancelled': { type: 'subscription.cancelled', shape: 'subscription' },
  'user.signup': { type: 'user.created', shape: 'user' },
  'user.updated': { type: 'user.updated', shape: 'user' },
  'lead.created': { type: 'lead.created', shape: 'lead' },
};

/**
 * Spellings Thinkific's envelopes use for a topic other than the one registered: the
 * subscription.cancelled example's `action` is "canceled" (American spelling), so both are read.
 */
const ALIASES: Readonly<Record<string, string>> = { 'subscription.canceled': 'subscription.cancelled' };

/** The topic a `resource` and `action` name, aliases resolved, lower-cased as Thinkific writes them. */
export function thinkificTopic(resource: string, action: string): string {
  const topic = `${resource}.${action}`.toLowerCase();
  return ALIASES[topic] ?? topic;
}

/** The rule for a topic; undefined for a topic the table does not know (never Object.prototype's members). */
export function thinkificRule(topic: string): ThinkificTopicRule | undefined {
  return Object.hasOwn(THINKIFIC_TOPICS, topic) ? THINKIFIC_TOPICS[topic] : undefined;
}
