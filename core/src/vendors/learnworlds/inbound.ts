import { z } from 'zod';
import { toMinorUnits } from '../../catalog/commerce.ts';
import type { HydrationNeeds } from '../../catalog/hydration-needs.ts';
import type { ACTOR_ROLES, CourseKind, EnrollmentStatus, EventType, Learner } from '../../catalog/index.ts';
import { PayloadError, SignatureError } from '../../errors.ts';
import { secret } from '../../secret-fields.ts';
import { constantTimeEqual } from '../../signatures/constant-time.ts';
import { eventTypesOf, type IngestRequest, type MappedEvent, type MappingContext, type VendorAdapter } from '../adapter.ts';
import { buildEvent, type EventParts } from '../build-event.ts';
import { bodyDigest } from '../event-id.ts';
import { randomText } from '../inbound-defaults.ts';
import { parseJsonBody, parseWith } from '../parse-body.ts';
import { toIsoTimestamp } from '../timestamps.ts';

/**
 * LearnWorlds webhooks (support.learnworlds.com "How to Use Webhooks", article 12000025878; the
 * developer reference at learnworlds.dev "Webhooks").
 *
 * Verify: every request carries `Learnworlds-Webhook-Signature: v1=<signature>`, where the
 * signature is the pre-shared value the school shows under Settings > Developers > Webhooks. It is
 * compared as-is, in constant time: LearnWorlds describes no HMAC of the body, no timestamp and no
 * rotation (several `v1=` values separated by commas are accepted, any one matching). The
 * developer page itself could not be read through our search tool; this follows the wording noted
 * in /work/shared/notes/vendors-wave2.md and what the support article implies. Not documented, so
 * not guessed: retries and their schedule, a delivery id (none is known: the dedupe key is the
 * event's own ids and time, or the body digest), and whether the header is sent by legacy hooks.
 *
 * Parse: version-2 payloads, `{version: 2, type, trigger?, school_id?, data: {...}}`, whose `data`
 * names `user`, `course`, `product`, `payment`, `subscription`, `tag`/`tags`, `certificate` or a
 * lead's `email` as the event has them. Legacy payloads (no `version`) are taken alike when they
 * carry `type` (or `event`) and `data`; anything else is a 400. The raw body is always kept.
 *
 * Map: the table below (the 17 hooks the support article lists, by LearnWorlds' event names);
 * any other name becomes lms.event. Money comes as decimals (49.9) and becomes minor units.
 */

/** The connection's inbound settings: the signature value shown in LearnWorlds. */
export const LearnWorldsInbound = z.object({
  signature: secret(z.string().min(8)).meta({
    title: 'Webhook Signature',
    description: 'Settings > Developers > Webhooks in LearnWorlds: the value LearnWorlds sends as Learnworlds-Webhook-Signature: v1=<value>.',
  }),
});
export type LearnWorldsInbound = z.infer<typeof LearnWorldsInbound>;

export const SIGNATURE_HEADER = 'learnworlds-webhook-signature';

const Id = z.union([z.string().min(1), z.number()]).transform(String);
const text = z.string().nullish();
const when = z.union([z.string(), z.number()]).nullish();
const money = z.union([z.number(), z.string()]).nullish();

const LwUser = z.looseObject({
  id: Id,
  email: text,
  username: text,
  first_name: text,
  last_name: text,
  fields: z.looseObject({ first_name: text, last_name: text }).nullish(),
});
type LwUser = z.infer<typeof LwUser>;

const LwCourse = z.looseObject({ id: Id, title: text, url: text });
const LwProduct = z.looseObject({ id: Id, name: text, title: text, type: text, price: money, currency: text });
const LwPayment = z.looseObject({
  id: Id.optional(),
  order_id: Id.nullish(),
  amount: money,
  price: money,
  currency: text,
  method: text,
  gateway: text,
  subscription_id: Id.nullish(),
  coupon: text,
});
const LwSubscription = z.looseObject({
  id: Id,
  status: text,
  plan_id: Id.nullish(),
  plan_name: text,
  name: text,
  interval: text,
  interval_count: z.number().int().nullish(),
  price: money,
  currency: text,
  created: when,
  trial_end: when,
  canceled_at: when,
  ends_at: when,
});
const LwTag = z.union([z.string().min(1), z.looseObject({ id: Id.optional(), name: z.string().min(1) })]);

const LwData = z.looseObject({
  user: LwUser.nullish(),
  course: LwCourse.nullish(),
  product: LwProduct.nullish(),
  payment: LwPayment.nullish(),
  subscription: LwSubscription.nullish(),
  certificate: z.looseObject({ id: Id.optional(), title: text, issued_at: when, expires_at: when }).nullish(),
  tag: LwTag.nullish(),
  tags: z.array(LwTag).nullish(),
  email: text,
  lead: z.looseObject({ id: Id.optional(), email: text, name: text, source: text }).nullish(),
  created: when,
  timestamp: when,
});
type LwData = z.infer<typeof LwData>;

const Envelope = z.looseObject({
  version: z.union([z.number(), z.string()]).optional(),
  type: z.string().min(1).optional(),
  event: z.string().min(1).optional(),
  trigger: z.string().nullish(),
  school_id: text,
  data: LwData,
});

export interface LearnWorldsEvent {
  name: string;
  data: LwData;
  raw: unknown;
  digest: string;
}

type ActorRole = (typeof ACTOR_ROLES)[number];
type Shape = 'enrollment' | 'certificate' | 'user' | 'order' | 'payment' | 'subscription' | 'tag' | 'lead';

interface LearnWorldsMapping {
  type: EventType;
  shape: Shape;
  actorRole: ActorRole | null;
  course?: { kind: CourseKind; status: EnrollmentStatus };
}

const learner = { actorRole: 'learner' } as const;

/** LearnWorlds event name -> catalog type: the hooks of the support article. Anything else is lms.event. */
export const LEARNWORLDS_EVENTS: Readonly<Record<string, LearnWorldsMapping>> = {
  courseCompleted: { type: 'enrollment.completed', shape: 'enrollment', ...learner, course: { kind: 'online_course', status: 'completed' } },
  learningProgramCompleted: { type: 'enrollment.completed', shape: 'enrollment', ...learner, course: { kind: 'learning_path', status: 'completed' } },
  enrolledFreeCourse: { type: 'enrollment.created', shape: 'enrollment', ...learner, course: { kind: 'online_course', status: 'enrolled' } },
  userUnenrolledFromProduct: { type: 'enrollment.removed', shape: 'enrollment', actorRole: null, course: { kind: 'online_course', status: 'removed' } },
  awardedCertificate: { type: 'certificate.awarded', shape: 'certificate', actorRole: 'system' },
  userRegistered: { type: 'user.created', shape: 'user', ...learner },
  userUpdated: { type: 'user.updated', shape: 'user', actorRole: null },
  productBought: { type: 'order.created', shape: 'order', ...learner },
  paymentCreated: { type: 'payment.succeeded', shape: 'payment', ...learner },
  subscriptionPaymentPlanBought: { type: 'subscription.started', shape: 'subscription', ...learner },
  subscriptionPaymentPlanCanceled: { type: 'subscription.cancelled', shape: 'subscription', actorRole: null },
  subscriptionTrialStarted: { type: 'subscription.trial_started', shape: 'subscription', ...learner },
  leadCreated: { type: 'lead.created', shape: 'lead', ...learner },
  userTagAdded: { type: 'user.tag_added', shape: 'tag', actorRole: null },
  userTagDeleted: { type: 'user.tag_removed', shape: 'tag', actorRole: null },
  userTagRemoved: { type: 'user.tag_removed', shape: 'tag', actorRole: null },
};

/** The hooks LearnWorlds sends that no catalog type covers: kept as lms.event, named here for the sandbox and docs. */
export const LEARNWORLDS_OTHER_EVENTS = ['subscriptionTrialWillEnd', 'subscriptionUpdated', 'previewedFree'] as const;

function orNull(value: string | number | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return String(value).trim() || null;
}

function verify(request: IngestRequest, inbound: LearnWorldsInbound): void {
  const header = request.headers[SIGNATURE_HEADER];
  if (header === undefined) throw new SignatureError(`The ${SIGNATURE_HEADER} header is missing; LearnWorlds sends v1=<signature> with every webhook.`);
  const given = header
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.startsWith('v1='))
    .map((part) => part.slice(3));
  if (given.length === 0) throw new SignatureError(`The ${SIGNATURE_HEADER} header has no v1= value.`);
  const expected = inbound.signature.trim();
  // Every value is compared, so the answer's timing does not say which one was close.
  let matched = false;
  for (const value of given) if (constantTimeEqual(value, expected)) matched = true;
  if (!matched) throw new SignatureError(`The ${SIGNATURE_HEADER} value does not match the signature configured for this connection.`);
}

function parse(request: IngestRequest): LearnWorldsEvent[] {
  const json = parseJsonBody(request.body);
  const envelope = parseWith(Envelope, json, 'LearnWorlds webhook');
  const name = envelope.type ?? envelope.event ?? envelope.trigger;
  if (!name) throw new PayloadError('The body is not a LearnWorlds webhook: it names no event in type.', [{ path: 'type', message: 'Required' }]);
  return [{ name, data: envelope.data, raw: json, digest: bodyDigest(request.body) }];
}

function learnerOfUser(user: LwUser): Partial<Learner> & { id: string } {
  return {
    id: user.id,
    email: orNull(user.email),
    username: orNull(user.username),
    first_name: orNull(user.first_name ?? user.fields?.first_name),
    last_name: orNull(user.last_name ?? user.fields?.last_name),
  };
}

function userNeeds(parts: Partial<Learner> & { id: string }): HydrationNeeds {
  // Hooks name the user by id, email and username; the person's name comes from the API.
  return parts.email && parts.first_name ? {} : { user: parts.id };
}

function productOf(data: LwData) {
  const product = data.product;
  if (!product) return null;
  return { id: product.id, name: orNull(product.name ?? product.title), kind: orNull(product.type) };
}

/** The course an event is about: its `course`, or a product that is one course (what was sold, enrolled in or left). */
function courseOf(data: LwData): { id: string; title: string | null } | null {
  if (data.course) return { id: data.course.id, title: orNull(data.course.title) };
  const product = data.product;
  if (product && (product.type ?? 'course').toLowerCase() === 'course') return { id: product.id, title: orNull(product.name ?? product.title) };
  return null;
}

function currencyOf(...values: (string | null | undefined)[]): string | null {
  const found = values.find((value) => typeof value === 'string' && /^[A-Za-z]{3}$/.test(value));
  return found ? found.toUpperCase() : null;
}

function minor(amount: number | string | null | undefined, currency: string | null): number | null {
  return currency ? toMinorUnits(amount, currency) : null;
}

const INTERVALS = new Set(['day', 'week', 'month', 'year']);

function interval(value: string | null | undefined): 'day' | 'week' | 'month' | 'year' | null {
  const normal = value?.toLowerCase().replace(/ly$/, '').replace(/^dai$/, 'day');
  return normal && INTERVALS.has(normal) ? (normal as 'day' | 'week' | 'month' | 'year') : null;
}

function tagsOf(data: LwData): { id: string | null; name: string }[] {
  const all = [...(data.tags ?? []), ...(data.tag ? [data.tag] : [])];
  return all.map((tag) => (typeof tag === 'string' ? { id: null, name: tag } : { id: tag.id ?? null, name: tag.name }));
}

/** The parts each shape adds: what the event is about beyond its learner. */
function shapeParts(mapping: LearnWorldsMapping, event: LearnWorldsEvent): Partial<EventParts> {
  const { data } = event;
  const course = courseOf(data);
  const product = productOf(data);
  switch (mapping.shape) {
    case 'enrollment': {
      const kind = mapping.course?.kind ?? 'online_course';
      const status = mapping.course?.status ?? 'unknown';
      const at = toIsoTimestamp(data.created ?? data.timestamp);
      return course
        ? {
            course: { id: course.id, title: course.title, kind },
            enrollment: { status, progress: status === 'completed' ? 100 : null, completed_at: status === 'completed' ? at : null },
            data: mapping.type === 'enrollment.created' || mapping.type === 'enrollment.removed' ? { enrollment_source: null } : {},
          }
        : {};
    }
    case 'certificate':
      return {
        ...(course ? { course: { id: course.id, title: course.title } } : {}),
        data: {
          certificate: {
            id: orNull(data.certificate?.id),
            title: orNull(data.certificate?.title) ?? course?.title ?? null,
            awarded_at: toIsoTimestamp(data.certificate?.issued_at ?? data.created),
            expires_at: toIsoTimestamp(data.certificate?.expires_at),
          },
        },
      };
    case 'order': {
      const payment = data.payment;
      const currency = currencyOf(payment?.currency, data.product?.currency);
      const amount = payment?.amount ?? payment?.price ?? data.product?.price;
      return {
        ...(course ? { course: { id: course.id, title: course.title } } : {}),
        data: {
          order: {
            id: orNull(payment?.order_id) ?? orNull(payment?.id) ?? `${event.name}:${event.digest.slice(0, 16)}`,
            number: null,
            status: null,
            amount: minor(amount, currency),
            subtotal: minor(data.product?.price, currency),
            discount: null,
            tax: null,
            currency,
            coupon_code: orNull(payment?.coupon),
            payment_type: null,
            affiliate_code: null,
          },
          product: product ?? { id: 'unknown', name: null, kind: null },
        },
      };
    }
    case 'payment': {
      const payment = data.payment;
      const currency = currencyOf(payment?.currency, data.product?.currency);
      return {
        ...(course ? { course: { id: course.id, title: course.title } } : {}),
        data: {
          payment: {
            id: orNull(payment?.id) ?? `${event.name}:${event.digest.slice(0, 16)}`,
            order_id: orNull(payment?.order_id),
            subscription_id: orNull(payment?.subscription_id),
            amount: minor(payment?.amount ?? payment?.price, currency),
            currency,
            method: orNull(payment?.method),
            provider: orNull(payment?.gateway),
            failure_reason: null,
          },
          product,
        },
      };
    }
    case 'subscription': {
      const subscription = data.subscription;
      const currency = currencyOf(subscription?.currency, data.product?.currency);
      return {
        data: {
          subscription: {
            id: orNull(subscription?.id) ?? `${event.name}:${event.digest.slice(0, 16)}`,
            status: orNull(subscription?.status),
            plan_id: orNull(subscription?.plan_id) ?? product?.id ?? null,
            plan_name: orNull(subscription?.plan_name ?? subscription?.name) ?? product?.name ?? null,
            interval: interval(subscription?.interval),
            interval_count: subscription?.interval_count ?? null,
            amount: minor(subscription?.price ?? data.product?.price, currency),
            currency,
            started_at: toIsoTimestamp(subscription?.created),
            trial_ends_at: toIsoTimestamp(subscription?.trial_end),
            cancelled_at: toIsoTimestamp(subscription?.canceled_at),
            ends_at: toIsoTimestamp(subscription?.ends_at),
          },
          product,
        },
      };
    }
    case 'tag': {
      const [tag] = tagsOf(data);
      return tag ? { data: { tag } } : {};
    }
    case 'lead': {
      const lead = data.lead;
      return {
        data: {
          lead: {
            id: orNull(lead?.id),
            email: orNull(lead?.email ?? data.email ?? data.user?.email),
            first_name: null,
            last_name: null,
            name: orNull(lead?.name),
            phone: null,
            source: orNull(lead?.source),
          },
        },
      };
    }
    case 'user':
      return {};
  }
}

/** What names one event across LearnWorlds' resends: the ids it carries and its time, or else the exact body. */
function dedupeKeyOf(event: LearnWorldsEvent, tag: string | null): string {
  const { data } = event;
  const ids = [data.user?.id, data.course?.id, data.product?.id, data.payment?.id, data.subscription?.id, data.certificate?.id, tag, data.email]
    .filter((value): value is string => typeof value === 'string' && value !== '')
    .join(':');
  const at = toIsoTimestamp(data.created ?? data.timestamp);
  return ids && at ? `${event.name}:${ids}:${at}` : `${event.name}:body:${event.digest}`;
}

function toCatalog(event: LearnWorldsEvent, context: MappingContext): MappedEvent[] {
  const mapping = LEARNWORLDS_EVENTS[event.name];
  const user = event.data.user;
  const learnerParts = user ? learnerOfUser(user) : undefined;
  const parts = mapping ? shapeParts(mapping, event) : {};
  const tags = mapping?.shape === 'tag' ? tagsOf(event.data) : [{ id: null, name: '' }];
  // One tag event may name several tags: one catalog event each, as each is its own change.
  return (tags.length > 0 ? tags : [{ id: null, name: '' }]).map((tag) => {
    const tagParts = mapping?.shape === 'tag' && tag.name ? { data: { tag } } : {};
    const course = parts.course;
    const needs: HydrationNeeds = {
      ...(learnerParts ? userNeeds(learnerParts) : {}),
      ...(course && !course.title ? { course: { id: course.id, ...(course.kind ? { kind: course.kind } : {}) } } : {}),
    };
    return buildEvent(
      {
        type: mapping?.type ?? 'lms.event',
        vendor: 'learnworlds',
        vendorEvent: event.name,
        vendorEventId: null,
        dedupeKey: dedupeKeyOf(event, tag.name || null),
        occurredAt: event.data.created ?? event.data.timestamp,
        actor: mapping?.actorRole ? { id: mapping.actorRole === 'learner' ? (learnerParts?.id ?? null) : null, role: mapping.actorRole } : null,
        ...(learnerParts ? { learner: learnerParts } : {}),
        ...parts,
        ...tagParts,
        raw: event.raw,
        hydration: needs,
      },
      context,
    );
  });
}

/** LearnWorlds: its version-2 webhooks, verified by the pre-shared signature value. */
export const learnWorldsAdapter: VendorAdapter<LearnWorldsEvent, LearnWorldsInbound> = {
  vendor: 'learnworlds',
  title: 'LearnWorlds',
  inboundSchema: LearnWorldsInbound,
  routes: ['webhook'],
  // The hooks no type covers are listed too (as lms.event), so the sandbox sends every hook LearnWorlds has.
  events: { ...eventTypesOf(LEARNWORLDS_EVENTS), ...Object.fromEntries(LEARNWORLDS_OTHER_EVENTS.map((name) => [name, 'lms.event' as const])) },
  verify,
  parse,
  toCatalog,
};

/** A generated signature value, to paste into LearnWorlds (which accepts the one it is given). */
export const learnWorldsInboundDefaults = (): Record<string, unknown> => ({ signature: randomText(24) });
