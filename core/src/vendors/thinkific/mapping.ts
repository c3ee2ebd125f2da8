import type { HydrationNeeds } from '../../catalog/hydration-needs.ts';
import type { Learner } from '../../catalog/index.ts';
import type { MappedEvent, MappingContext } from '../adapter.ts';
import { buildEvent, type EventParts } from '../build-event.ts';
import { toIsoTimestamp } from '../timestamps.ts';
import type { ThinkificTopicRule } from './tables.ts';
import {
  ThinkificEnrollment,
  type ThinkificEvent,
  ThinkificLead,
  ThinkificOrder,
  ThinkificSubscription,
  ThinkificTransaction,
  type ThinkificUser,
} from './webhook.ts';

/**
 * Mapping one Thinkific webhook to the catalog by THINKIFIC_TOPICS. Thinkific's payloads carry the
 * user (id, email, names) and, for enrollments, the course (id, name): the learner is only looked
 * up when the email is missing, and an enrollment's course is always looked up, since the webhook
 * names it but only the API gives its address (its slug). Orders are about a product, which is
 * not always a course (bundles, memberships), so they fill data.product and leave course null.
 */

const orNull = (value: string | null | undefined) => value || null;

type Parts = Pick<EventParts, 'vendor' | 'vendorEvent' | 'vendorEventId' | 'dedupeKey' | 'raw'>;

function base(event: ThinkificEvent): Parts {
  // The envelope id names the event; the docs do not say whether a retry keeps it (see inbound.ts).
  return { vendor: 'thinkific', vendorEvent: event.topic, vendorEventId: event.id, dedupeKey: event.id, raw: event.raw };
}

function learnerOf(user: ThinkificUser): Partial<Learner> & { id: string } {
  return {
    id: user.id,
    email: orNull(user.email),
    first_name: orNull(user.first_name),
    last_name: orNull(user.last_name),
    name: orNull(user.full_name) ?? ([user.first_name, user.last_name].filter(Boolean).join(' ') || null),
  };
}

/** The learner lookup an event needs: only when the payload lacks the email. */
function userNeed(user: ThinkificUser | null | undefined): HydrationNeeds {
  return user && !user.email ? { user: user.id } : {};
}

/** Thinkific writes percentage_completed as a percent ("24.0", "100.0"), as text or a number. */
function percent(value: string | number | null | undefined): number | null {
  if (value === null || value === undefined || value === '') return null;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 && n <= 100 ? n : null;
}

function mapEnrollment(event: ThinkificEvent, rule: ThinkificTopicRule, context: MappingContext): MappedEvent | null {
  const parsed = ThinkificEnrollment.safeParse(event.payload);
  if (!parsed.success) return null;
  const enrollment = parsed.data;
  const courseId = enrollment.course?.id ?? enrollment.course_id;
  if (!courseId) return null;
  const completed = rule.status === 'completed';
  return buildEvent(
    {
      ...base(event),
      type: rule.type,
      occurredAt: (completed ? enrollment.completed_at : null) ?? event.createdAt ?? enrollment.updated_at,
      actor: { id: enrollment.user.id, role: 'learner' },
      learner: learnerOf(enrollment.user),
      course: { id: courseId, title: orNull(enrollment.course?.name), kind: 'online_course' },
      enrollment: {
        id: enrollment.id ?? null,
        status: rule.status ?? 'unknown',
        progress: rule.progress ?? percent(enrollment.percentage_completed),
        enrolled_at: toIsoTimestamp(enrollment.activated_at ?? enrollment.created_at),
        // The sample enrollment.created payload carries a completed_at too: only a completion's is believed.
        completed_at: completed ? toIsoTimestamp(enrollment.completed_at ?? event.createdAt) : null,
      },
      data: rule.type === 'enrollment.created' ? { enrollment_source: rule.source ?? null } : {},
      hydration: { ...userNeed(enrollment.user), course: { id: courseId, kind: 'online_course' } },
    },
    context,
  );
}

function productOf(order: { product_id?: string | null | undefined; product_name?: string | null | undefined } | null | undefined) {
  return order?.product_id ? { id: order.product_id, name: orNull(order.product_name), kind: null } : null;
}

function mapOrder(event: ThinkificEvent, rule: ThinkificTopicRule, context: MappingContext): MappedEvent | null {
  const parsed = ThinkificOrder.safeParse(event.payload);
  if (!parsed.success || !parsed.data.user) return null;
  const order = parsed.data;
  const user = order.user;
  if (!user) return null;
  return buildEvent(
    {
      ...base(event),
      type: rule.type,
      occurredAt: order.created_at ?? event.createdAt,
      actor: { id: user.id, role: 'learner' },
      learner: learnerOf(user),
      data: {
        order: {
          id: order.id,
          number: order.order_number ?? null,
          status: orNull(order.status),
          amount: order.amount_cents ?? null,
          subtotal: null,
          discount: null,
          tax: null,
          // Thinkific orders carry no currency: they are in the site's currency, which the webhook does not name.
          currency: null,
          coupon_code: orNull(order.coupon_code) ?? (typeof order.coupon === 'string' ? order.coupon : null),
          payment_type: orNull(order.payment_type),
          affiliate_code: orNull(order.affiliate_referral_code),
        },
        product: productOf(order) ?? { id: order.id, name: null, kind: null },
      },
      hydration: userNeed(user),
    },
    context,
  );
}

const currencyOf = (value: string | null | undefined) => (value && /^[a-z]{3}$/i.test(value) ? value.toUpperCase() : null);

function mapTransaction(event: ThinkificEvent, rule: ThinkificTopicRule, context: MappingContext): MappedEvent | null {
  const parsed = ThinkificTransaction.safeParse(event.payload);
  if (!parsed.success) return null;
  const transaction = parsed.data;
  const user = transaction.user ?? transaction.order?.user;
  if (!user) return null;
  return buildEvent(
    {
      ...base(event),
      type: rule.type,
      // A refund's payload may carry the charge's own created_at: the envelope's time is when this happened.
      occurredAt: event.createdAt ?? transaction.created_at,
      actor: { id: user.id, role: 'learner' },
      learner: learnerOf(user),
      data: {
        payment: {
          id: transaction.id,
          order_id: transaction.order_id ?? transaction.order?.id ?? null,
          subscription_id: transaction.subscription_id ?? null,
          // Only amount_cents has a stated unit; a bare `amount` stays in raw rather than be guessed at.
          amount: transaction.amount_cents ?? null,
          currency: currencyOf(transaction.currency),
          method: orNull(transaction.payment_method),
          provider: orNull(transaction.payment_provider) ?? 'thinkific_payments',
          failure_reason: orNull(transaction.failure_reason),
        },
        product: productOf(transaction.order),
      },
      hydration: userNeed(user),
    },
    context,
  );
}

function mapSubscription(event: ThinkificEvent, rule: ThinkificTopicRule, context: MappingContext): MappedEvent | null {
  const parsed = ThinkificSubscription.safeParse(event.payload);
  if (!parsed.success) return null;
  const subscription = parsed.data;
  const user = subscription.user ?? subscription.order?.user;
  if (!user) return null;
  return buildEvent(
    {
      ...base(event),
      type: rule.type,
      occurredAt: subscription.cancelled_at ?? event.createdAt,
      actor: null,
      learner: learnerOf(user),
      data: {
        subscription: {
          id: subscription.id,
          status: orNull(subscription.status),
          plan_id: null,
          plan_name: null,
          interval: null,
          interval_count: null,
          amount: null,
          currency: null,
          started_at: toIsoTimestamp(subscription.created_at),
          trial_ends_at: null,
          cancelled_at: toIsoTimestamp(subscription.cancelled_at ?? event.createdAt),
          ends_at: null,
        },
        product: productOf(subscription) ?? productOf(subscription.order),
      },
      hydration: userNeed(user),
    },
    context,
  );
}

function mapUser(event: ThinkificEvent, rule: ThinkificTopicRule, context: MappingContext): MappedEvent | null {
  const parsed = ThinkificEnrollment.shape.user.safeParse(event.payload);
  if (!parsed.success) return null;
  const user = parsed.data;
  return buildEvent(
    { ...base(event), type: rule.type, occurredAt: event.createdAt, actor: null, learner: learnerOf(user), hydration: userNeed(user) },
    context,
  );
}

function mapLead(event: ThinkificEvent, rule: ThinkificTopicRule, context: MappingContext): MappedEvent | null {
  const parsed = ThinkificLead.safeParse(event.payload);
  if (!parsed.success) return null;
  const lead = parsed.data;
  const userId = lead.user?.id ?? lead.user_id;
  const first = orNull(lead.first_name ?? lead.user?.first_name);
  const last = orNull(lead.last_name ?? lead.user?.last_name);
  const email = orNull(lead.email ?? lead.user?.email);
  return buildEvent(
    {
      ...base(event),
      type: rule.type,
      occurredAt: lead.created_at ?? event.createdAt,
      actor: null,
      ...(userId ? { learner: { id: userId, email, first_name: first, last_name: last } } : {}),
      data: {
        lead: {
          id: lead.id ?? null,
          email,
          first_name: first,
          last_name: last,
          name: [first, last].filter(Boolean).join(' ') || null,
          phone: orNull(lead.phone),
          source: orNull(lead.source),
        },
      },
      hydration: userId && !email ? { user: userId } : {},
    },
    context,
  );
}

const MAPPERS = {
  enrollment: mapEnrollment,
  order: mapOrder,
  transaction: mapTransaction,
  subscription: mapSubscription,
  user: mapUser,
  lead: mapLead,
} as const;

/**
 * The catalog event of one Thinkific webhook. A topic the table does not know, or a payload
 * without what its type needs (a user, a course), is kept whole as lms.event.
 */
export function thinkificToCatalog(event: ThinkificEvent, context: MappingContext): MappedEvent[] {
  const mapped = event.rule ? MAPPERS[event.rule.shape](event, event.rule, context) : null;
  return [mapped ?? buildEvent({ ...base(event), type: 'lms.event', occurredAt: event.createdAt }, context)];
}
