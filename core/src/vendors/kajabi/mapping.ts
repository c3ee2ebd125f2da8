import type { Learner } from '../../catalog/index.ts';
import type { MappedEvent, MappingContext } from '../adapter.ts';
import { buildEvent, type EventParts } from '../build-event.ts';
import type { KajabiEventRule } from './tables.ts';
import { centsOf, type KajabiEvent, type KajabiResource, relatedId, resourceOf, textOf } from './webhook.ts';

/**
 * Mapping one Kajabi webhook to the catalog by KAJABI_EVENTS. The learner is the Kajabi contact
 * (a customer names its contact; tag events are about the contact itself), so one id names a
 * person across purchases and tags, and hydration looks contacts up. Kajabi keeps one `name` per
 * person: it is passed on whole. Offers are no courses, so course stays null and what was sold is
 * data.product. Money already comes in cents with a currency.
 */

type Parts = Pick<EventParts, 'vendor' | 'vendorEvent' | 'vendorEventId' | 'dedupeKey' | 'raw'>;

function base(event: KajabiEvent): Parts {
  return { vendor: 'kajabi', vendorEvent: event.event, vendorEventId: event.id, dedupeKey: event.dedupeKey, raw: event.raw };
}

const currencyOf = (value: string | null) => (value && /^[a-z]{3}$/i.test(value) ? value.toUpperCase() : null);

/** The buyer as a learner: the customer's contact id (its own id when it names none), its name and email. */
function buyer(event: KajabiEvent, owner: KajabiResource | undefined): (Partial<Learner> & { id: string }) | null {
  const customer = resourceOf(event, 'customers');
  const contactId = relatedId(customer, 'contact') ?? relatedId(owner, 'contact');
  const id = contactId ?? customer?.id ?? relatedId(owner, 'customer');
  if (!id) return null;
  return { id, email: textOf(customer, 'email'), name: textOf(customer, 'name') };
}

/** The contact lookup an event needs: only when the payload lacks the email and names a contact. */
const userNeed = (learner: { id: string; email?: string | null } | null) => (learner && !learner.email ? { user: learner.id } : {});

function offerProduct(event: KajabiEvent, owner: KajabiResource | undefined) {
  const offer = resourceOf(event, 'offers');
  const id = offer?.id ?? relatedId(owner, 'offer');
  return id ? { id, name: textOf(offer, 'title'), kind: 'offer' } : null;
}

function mapPurchase(event: KajabiEvent, rule: KajabiEventRule, context: MappingContext): MappedEvent | null {
  const purchase = resourceOf(event, 'purchases');
  const learner = buyer(event, purchase);
  if (!purchase || !learner) return null;
  return buildEvent(
    {
      ...base(event),
      type: rule.type,
      occurredAt: textOf(purchase, 'created_at'),
      actor: { id: learner.id, role: 'learner' },
      learner,
      data: {
        order: {
          id: purchase.id,
          number: null,
          status: textOf(purchase, 'deactivated_at') ? 'deactivated' : null,
          amount: centsOf(purchase, 'amount_in_cents'),
          subtotal: null,
          discount: null,
          tax: null,
          currency: currencyOf(textOf(purchase, 'currency')),
          coupon_code: textOf(purchase, 'coupon_code'),
          payment_type: textOf(purchase, 'payment_type'),
          affiliate_code: null,
        },
        product: offerProduct(event, purchase) ?? { id: purchase.id, name: null, kind: 'offer' },
      },
      hydration: userNeed(learner),
    },
    context,
  );
}

function mapOrder(event: KajabiEvent, rule: KajabiEventRule, context: MappingContext): MappedEvent | null {
  const order = resourceOf(event, 'orders');
  const learner = buyer(event, order);
  if (!order || !learner) return null;
  const item = resourceOf(event, 'order_items');
  const itemId = item?.attributes.item_id;
  return buildEvent(
    {
      ...base(event),
      type: rule.type,
      occurredAt: textOf(order, 'created_at'),
      actor: { id: learner.id, role: 'learner' },
      learner,
      data: {
        order: {
          id: order.id,
          number: order.attributes.order_number === undefined || order.attributes.order_number === null ? null : String(order.attributes.order_number),
          status: textOf(order, 'fulfilled_at') ? 'fulfilled' : null,
          amount: centsOf(order, 'total_price_in_cents'),
          subtotal: centsOf(order, 'subtotal_in_cents'),
          discount: centsOf(order, 'discount_amount_in_cents'),
          tax: centsOf(order, 'sales_tax_amount_in_cents'),
          currency: currencyOf(textOf(order, 'currency_code')),
          coupon_code: null,
          payment_type: null,
          affiliate_code: null,
        },
        product: {
          id: typeof itemId === 'number' || typeof itemId === 'string' ? String(itemId) : (item?.id ?? order.id),
          name: textOf(item, 'title'),
          kind: textOf(item, 'item_type')?.toLowerCase() ?? null,
        },
      },
      hydration: userNeed(learner),
    },
    context,
  );
}

function mapPayment(event: KajabiEvent, rule: KajabiEventRule, context: MappingContext): MappedEvent | null {
  const transaction = resourceOf(event, 'transactions');
  const learner = buyer(event, transaction);
  if (!transaction || !learner) return null;
  return buildEvent(
    {
      ...base(event),
      type: rule.type,
      occurredAt: textOf(transaction, 'created_at'),
      actor: { id: learner.id, role: 'learner' },
      learner,
      data: {
        payment: {
          id: transaction.id,
          order_id: null,
          subscription_id: null,
          amount: centsOf(transaction, 'amount_in_cents'),
          currency: currencyOf(textOf(transaction, 'currency')),
          method: textOf(transaction, 'payment_type'),
          provider: null,
          failure_reason: null,
        },
        product: offerProduct(event, transaction),
      },
      hydration: userNeed(learner),
    },
    context,
  );
}

function mapForm(event: KajabiEvent, rule: KajabiEventRule, context: MappingContext): MappedEvent | null {
  const submission = resourceOf(event, 'form_submissions');
  if (!submission) return null;
  const form = resourceOf(event, 'forms');
  const formId = form?.id ?? relatedId(submission, 'form');
  const fields = Object.fromEntries(
    Object.entries(submission.attributes).flatMap(([key, value]) => (typeof value === 'string' || value === null ? [[key, value]] : [])),
  );
  return buildEvent(
    {
      ...base(event),
      type: rule.type,
      occurredAt: textOf(submission, 'created_at'),
      actor: null,
      // A form may be filled in by someone who is no contact yet, and the sample names none: no learner.
      data: {
        form: { id: formId ?? event.id, name: textOf(form, 'title'), url: textOf(form, 'url') },
        submission: {
          id: submission.id,
          email: textOf(submission, 'email'),
          name: textOf(submission, 'name'),
          phone: textOf(submission, 'phone_number') ?? textOf(submission, 'mobile_phone_number'),
          fields,
        },
      },
    },
    context,
  );
}

function mapTag(event: KajabiEvent, rule: KajabiEventRule, context: MappingContext): MappedEvent | null {
  const contact = resourceOf(event, 'contacts');
  const tag = resourceOf(event, 'contact_tags');
  const name = textOf(tag, 'name');
  if (!contact || !name) return null;
  const learner = { id: contact.id, email: textOf(contact, 'email'), name: textOf(contact, 'name') };
  return buildEvent(
    {
      ...base(event),
      type: rule.type,
      occurredAt: textOf(contact, 'updated_at'),
      actor: null,
      learner,
      data: { tag: { id: tag?.id ?? null, name } },
      hydration: userNeed(learner),
    },
    context,
  );
}

const MAPPERS = { purchase: mapPurchase, order: mapOrder, payment: mapPayment, form: mapForm, tag: mapTag } as const;

/** The catalog event of one Kajabi webhook; an unknown event or a payload without what its type needs is kept as lms.event. */
export function kajabiToCatalog(event: KajabiEvent, context: MappingContext): MappedEvent[] {
  const mapped = event.rule ? MAPPERS[event.rule.shape](event, event.rule, context) : null;
  return [mapped ?? buildEvent({ ...base(event), type: 'lms.event' }, context)];
}
