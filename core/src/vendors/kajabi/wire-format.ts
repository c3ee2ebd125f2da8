import { vendorId } from '../../sandbox/vendor-ids.ts';
import { JSON_TYPE, type Subject, type WireFormat } from '../../sandbox/wire-request.ts';

/**
 * What the sandbox sends as Kajabi: `{id, event, payload}` with the JSON:API resources of Kajabi's
 * published samples (GET /v1/hooks/<event>_sample), unsigned as Kajabi's are. The sandbox's user
 * is the contact (and customer), its course stands in for the offer sold.
 */

const SITE = { data: { id: '2', type: 'sites' } };
/** What a sandbox course sells for, in cents: the sandbox keeps no prices. */
const PRICE_CENTS = 4900;

function customer({ user, at }: Subject) {
  const id = vendorId('kajabi', 'user', user.id);
  return {
    id,
    type: 'customers',
    attributes: {
      name: `${user.first_name} ${user.last_name}`,
      email: user.email,
      external_user_id: null,
      created_at: user.created_at,
      updated_at: at.toISOString(),
    },
    relationships: { site: SITE, contact: { data: { id, type: 'contacts' } } },
  };
}

function offer({ course }: Subject) {
  return {
    id: vendorId('kajabi', 'course', course.id),
    type: 'offers',
    attributes: { title: course.title, currency: 'USD', price_in_cents: PRICE_CENTS, payment_type: 'single', subscription: false, one_time: true, free: false },
    relationships: { site: SITE },
  };
}

function transaction(subject: Subject, id: string) {
  return {
    id,
    type: 'transactions',
    attributes: {
      action: 'charge',
      state: 'succeeded',
      payment_type: 'charge',
      amount_in_cents: PRICE_CENTS,
      sales_tax_in_cents: 0,
      currency: 'USD',
      currency_symbol: '$',
      formatted_amount: '$49.00',
      created_at: subject.at.toISOString(),
    },
    relationships: {
      customer: { data: { id: vendorId('kajabi', 'user', subject.user.id), type: 'customers' } },
      offer: { data: { id: vendorId('kajabi', 'course', subject.course.id), type: 'offers' } },
    },
  };
}

function resources(event: string, subject: Subject, id: string): unknown[] {
  const { user, course, at } = subject;
  const contactId = vendorId('kajabi', 'user', user.id);
  switch (event) {
    case 'purchase':
      return [
        {
          id,
          type: 'purchases',
          attributes: { amount_in_cents: PRICE_CENTS, payment_type: 'single', currency: 'USD', coupon_code: null, quantity: 1, created_at: at.toISOString() },
          relationships: { customer: { data: { id: contactId, type: 'customers' } }, offer: { data: { id: offer(subject).id, type: 'offers' } } },
        },
        offer(subject),
        customer(subject),
      ];
    case 'payment_succeeded':
      return [transaction(subject, id), customer(subject)];
    case 'order_created':
      return [
        transaction(subject, `${id}1`),
        customer(subject),
        {
          id,
          type: 'orders',
          attributes: {
            order_number: Number(id),
            currency_code: 'USD',
            created_at: at.toISOString(),
            total_price_in_cents: PRICE_CENTS,
            subtotal_in_cents: PRICE_CENTS,
            sales_tax_amount_in_cents: 0,
            discount_amount_in_cents: 0,
          },
          relationships: { site: SITE, customer: { data: { id: contactId, type: 'customers' } }, order_items: { data: [{ id, type: 'order_items' }] } },
        },
        {
          id,
          type: 'order_items',
          attributes: {
            quantity: 1,
            currency_code: 'USD',
            item_type: 'Offer',
            item_id: Number(vendorId('kajabi', 'course', course.id)),
            title: course.title,
            total_price_in_cents: PRICE_CENTS,
          },
          relationships: { order: { data: { id, type: 'orders' } } },
        },
      ];
    case 'form_submission':
      return [
        {
          id,
          type: 'form_submissions',
          attributes: { name: `${user.first_name} ${user.last_name}`, email: user.email, phone_number: null, address_city: null },
          relationships: { site: SITE, form: { data: { id: '7', type: 'forms' } } },
        },
        {
          id: '7',
          type: 'forms',
          attributes: { url: 'https://acme-training.mykajabi.com/forms/7', title: 'Newsletter sign-up' },
          relationships: { site: SITE },
        },
      ];
    default:
      // tag_added and tag_removed: the contact and the tag.
      return [
        {
          id: contactId,
          type: 'contacts',
          attributes: { name: `${user.first_name} ${user.last_name}`, email: user.email, updated_at: at.toISOString() },
          relationships: { site: SITE },
        },
        { id: '31', type: 'contact_tags', attributes: { name: 'Onboarding' }, relationships: { site: SITE } },
      ];
  }
}

export const kajabiWireFormat: WireFormat = (event, subject) => {
  const resourceId = String(900000 + subject.sequence);
  // Kajabi's `id` is the triggering resource's: the contact for tag events.
  const id = event.startsWith('tag_') ? vendorId('kajabi', 'user', subject.user.id) : resourceId;
  const body = JSON.stringify({ id, event, payload: resources(event, subject, resourceId) });
  return { path: '', headers: { ...JSON_TYPE }, body };
};
