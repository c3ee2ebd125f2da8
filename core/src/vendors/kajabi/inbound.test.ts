/*
 * Payloads copied from Kajabi's published samples, the Public API reference's Webhooks section
 * (https://developers.kajabi.com; GET /v1/hooks/purchase_sample, payment_succeeded_sample,
 * order_created_sample, form_submission_sample, tag_added_sample, tag_removed_sample), each wrapped
 * in the documented envelope {"id": <the triggering resource's id>, "event", "payload": [...]}.
 * The OpenAPI text read: github.com/api-evangelist/kajabi openapi/kajabi-webhooks-api-openapi.yml,
 * a copy of Kajabi's "Kajabi API V1" spec. Kajabi documents no webhook signature.
 */
import { describe, expect, it } from 'vitest';
import { CatalogEventSchema } from '../../catalog/index.ts';
import { PayloadError } from '../../errors.ts';
import { thrownBy } from '../../testing/errors.ts';
import { ingestRequest } from '../../testing/ingest-request.ts';
import type { MappedEvent } from '../adapter.ts';
import { kajabiAdapter } from './inbound.ts';

const context = { connection: 'studio', receivedAt: new Date('2026-11-20T14:03:11.482Z') };
const SITE = { data: { id: '2', type: 'sites' } };

const CUSTOMER = {
  id: '0',
  type: 'customers',
  attributes: {
    name: 'John Doe',
    email: 'john.doe@example.com',
    avatar: null,
    external_user_id: null,
    public_bio: null,
    public_location: null,
    public_website: null,
    socials: null,
    net_revenue: '0.0',
    sign_in_count: 0,
    last_request_at: null,
    bounced_at: null,
    created_at: '2025-07-31T16:59:27.552Z',
    updated_at: '2025-07-31T16:59:27.552Z',
  },
  links: { contact: 'https://www.kajabi.test/api/v1/contacts/0' },
  relationships: {
    site: SITE,
    contact: { data: { id: '0', type: 'contacts' } },
    offers: { data: [], links: { self: 'https://www.kajabi.test/api/v1/customers/0/relationships/offers' } },
    products: { data: [] },
  },
};

const TRANSACTION = {
  id: '0',
  type: 'transactions',
  attributes: {
    action: 'charge',
    state: 'succeeded',
    payment_type: 'charge',
    amount_in_cents: 1000,
    sales_tax_in_cents: 0,
    currency: 'USD',
    currency_symbol: '$',
    formatted_amount: '$10.00',
    created_at: '2025-07-31T17:10:19.285Z',
  },
  relationships: { customer: { data: { id: '0', type: 'customers' } }, offer: { data: null } },
};

const PURCHASE = {
  id: '0',
  event: 'purchase',
  payload: [
    {
      id: '0',
      type: 'purchases',
      attributes: {
        amount_in_cents: 1000,
        payment_type: 'single',
        multipay_payments_made: null,
        opt_in: false,
        raw_extra_contact_information: {},
        currency: 'USD',
        effective_start_at: null,
        cardholder_name: null,
        billing_address_zip: null,
        deactivated_at: null,
        deactivation_reason: null,
        coupon_code: null,
        source: null,
        referrer: null,
        quantity: 1,
        created_at: '2025-07-31T16:59:27.580Z',
        updated_at: '2025-07-31T16:59:27.580Z',
      },
      relationships: { customer: { data: { id: '0', type: 'customers' } }, offer: { data: { id: '0', type: 'offers' } }, products: { data: [] } },
    },
    {
      id: '0',
      type: 'offers',
      attributes: {
        title: 'Kajabi Test Offer',
        description: null,
        internal_title: null,
        currency: 'USD',
        price_in_cents: 1000,
        payment_type: 'single',
        token: 'n8NtoHUZ',
        image_url: null,
        payment_method: 'stripe_and_paypal',
        price_description: '$10.00 USD',
        checkout_url: 'https://bill-heaton.kajabi-products.test/offers/n8NtoHUZ',
        recurring_offer: false,
        subscription: false,
        one_time: true,
        single: true,
        free: false,
      },
      relationships: { site: SITE, products: { data: [] }, forms: { data: [] } },
    },
    CUSTOMER,
  ],
};

const PAYMENT_SUCCEEDED = { id: '0', event: 'payment_succeeded', payload: [TRANSACTION, CUSTOMER] };

const ORDER_CREATED = {
  id: '0',
  event: 'order_created',
  payload: [
    TRANSACTION,
    CUSTOMER,
    {
      id: '0',
      type: 'orders',
      attributes: {
        order_number: 0,
        currency_code: 'USD',
        fulfilled_at: null,
        created_at: '2025-07-31T17:13:05.207Z',
        total_price_in_cents: 1000,
        subtotal_in_cents: 800,
        sales_tax_amount_in_cents: 200,
        discount_amount_in_cents: 0,
        formatted_total_price: '$10.00',
        formatted_subtotal: '$8.00',
        currency_symbol: '$',
      },
      relationships: {
        site: SITE,
        customer: { data: { id: '0', type: 'customers' } },
        order_items: { data: [{ id: '0', type: 'order_items' }] },
        payment_transactions: { data: [] },
      },
    },
    {
      id: '0',
      type: 'order_items',
      attributes: {
        quantity: 1,
        currency_code: 'USD',
        item_type: 'Offer',
        item_id: 0,
        title: 'Kajabi Test Offer',
        fulfilled_at: null,
        created_at: '2025-07-31T17:13:05.229Z',
        total_price_in_cents: 1000,
        subtotal_in_cents: 800,
        sales_tax_amount_in_cents: 200,
        discount_amount_in_cents: 0,
        formatted_total_price: '$10.00',
        formatted_subtotal: '$8.00',
        currency_symbol: '$',
      },
      relationships: { order: { data: { id: '0', type: 'orders' } } },
    },
  ],
};

const FORM_SUBMISSION = {
  id: '0',
  event: 'form_submission',
  payload: [
    {
      id: '0',
      type: 'form_submissions',
      attributes: {
        name: 'John Doe',
        email: 'john.doe@example.com',
        address_line_1: null,
        address_line_2: null,
        address_city: null,
        address_country: null,
        address_state: null,
        address_zip: null,
        phone_number: null,
        business_number: null,
        mobile_phone_number: null,
      },
      relationships: { site: SITE, form: { data: { id: '0', type: 'forms' } } },
    },
    {
      id: '0',
      type: 'forms',
      attributes: {
        url: 'https://bill-heaton.kajabi-products.test/forms/0',
        title: 'Sample Form',
        default: false,
        webhook_url: null,
        created_at: null,
        updated_at: null,
      },
      relationships: { site: SITE, fields: { data: [] }, contact_tags: { data: [] } },
    },
  ],
};

const tagEvent = (event: 'tag_added' | 'tag_removed') => ({
  id: '0',
  event,
  payload: [
    {
      id: '0',
      type: 'contacts',
      attributes: {
        name: 'Sample Recipient',
        email: 'sample@example.com',
        address_line_1: '123 Kajabi Ln',
        address_line_2: 'Kajabi Suite 4',
        address_city: 'Kajabiwood',
        address_country: 'United Sites of Kajabi',
        address_state: 'Kajabifornia',
        address_zip: '99999',
        phone_number: '5555555555',
        business_number: null,
        subscribed: false,
        external_user_id: null,
        created_at: '2025-07-31T16:51:04.010Z',
        updated_at: '2025-07-31T16:51:04.010Z',
      },
      links: { customer: '' },
      relationships: { site: SITE },
    },
    { id: '0', type: 'contact_tags', attributes: { name: 'Tag' }, relationships: { site: SITE } },
  ],
});

function mapped(body: unknown): MappedEvent[] {
  const request = ingestRequest({ body });
  kajabiAdapter.verify(request, {});
  return kajabiAdapter.parse(request).flatMap((event) => kajabiAdapter.toCatalog(event, context));
}

function only(body: unknown): MappedEvent {
  const events = mapped(body);
  expect(events).toHaveLength(1);
  const [first] = events;
  if (!first) throw new Error('no event');
  expect(CatalogEventSchema.parse(first.event)).toEqual(first.event);
  return first;
}

describe('the Kajabi adapter', () => {
  it('checks no signature, since Kajabi documents none: the ingest URL token is the protection', () => {
    expect(() => kajabiAdapter.verify(ingestRequest({ body: PURCHASE }), {})).not.toThrow();
    expect(kajabiAdapter.inboundSchema.parse({})).toEqual({});
  });

  it('refuses a body that is no {id, event, payload} envelope with a 400', () => {
    thrownBy(PayloadError, () => kajabiAdapter.parse(ingestRequest({ body: { id: '1', event: 'purchase' } })));
  });

  it('maps purchase to order.created with the contact as learner, cents and currency, and the offer as product', () => {
    const { event, hydration } = only(PURCHASE);
    expect(event.type).toBe('order.created');
    expect(event.source).toMatchObject({ vendor: 'kajabi', event: 'purchase', event_id: '0' });
    expect(event.learner).toMatchObject({ id: '0', email: 'john.doe@example.com', name: 'John Doe' });
    expect(event.course).toBeNull();
    expect(event.data).toMatchObject({
      order: { id: '0', amount: 1000, currency: 'USD', payment_type: 'single', coupon_code: null },
      product: { id: '0', name: 'Kajabi Test Offer', kind: 'offer' },
    });
    expect(event.occurred_at).toBe('2025-07-31T16:59:27.580Z');
    expect(hydration).toEqual({});
  });

  it('maps payment_succeeded to payment.succeeded with the amount in cents', () => {
    const { event } = only(PAYMENT_SUCCEEDED);
    expect(event.type).toBe('payment.succeeded');
    expect(event.learner?.id).toBe('0');
    expect(event.data).toMatchObject({ payment: { id: '0', amount: 1000, currency: 'USD', method: 'charge' }, product: null });
  });

  it('maps order_created to order.created with total, subtotal, tax and discount, and the order item as product', () => {
    const { event } = only(ORDER_CREATED);
    expect(event.type).toBe('order.created');
    expect(event.data).toMatchObject({
      order: { id: '0', number: '0', amount: 1000, subtotal: 800, tax: 200, discount: 0, currency: 'USD' },
      product: { id: '0', name: 'Kajabi Test Offer', kind: 'offer' },
    });
  });

  it('maps form_submission to form.submitted with every submitted field, and no learner', () => {
    const { event } = only(FORM_SUBMISSION);
    expect(event.type).toBe('form.submitted');
    expect(event.learner).toBeNull();
    expect(event.data).toMatchObject({
      form: { id: '0', name: 'Sample Form', url: 'https://bill-heaton.kajabi-products.test/forms/0' },
      submission: { id: '0', email: 'john.doe@example.com', name: 'John Doe', phone: null },
    });
    expect((event.data as { submission: { fields: Record<string, unknown> } }).submission.fields).toMatchObject({ address_city: null, name: 'John Doe' });
  });

  it.each(['tag_added', 'tag_removed'] as const)('maps %s to the tag event about the contact', (name) => {
    const { event } = only(tagEvent(name));
    expect(event.type).toBe(name === 'tag_added' ? 'user.tag_added' : 'user.tag_removed');
    expect(event.learner).toMatchObject({ id: '0', email: 'sample@example.com', name: 'Sample Recipient' });
    expect(event.data).toEqual({ tag: { id: '0', name: 'Tag' } });
  });

  it('stores a resend of the same body once, but a later event about the same resource apart', () => {
    const first = only(tagEvent('tag_added')).dedupeKey;
    expect(only(tagEvent('tag_added')).dedupeKey).toBe(first);
    // The same contact tagged again later: its updated_at has moved on.
    const later: unknown = JSON.parse(
      JSON.stringify(tagEvent('tag_added')).replace('"updated_at":"2025-07-31T16:51:04.010Z"', '"updated_at":"2025-08-01T09:00:00.000Z"'),
    );
    expect(only(later).dedupeKey).not.toBe(first);
  });

  it('asks for the contact when the payload carries no customer details', () => {
    const lean = {
      ...PAYMENT_SUCCEEDED,
      payload: [{ ...TRANSACTION, relationships: { customer: { data: { id: '42', type: 'customers' } }, contact: { data: { id: '42', type: 'contacts' } } } }],
    };
    const { event, hydration } = only(lean);
    expect(event.learner?.id).toBe('42');
    expect(hydration).toEqual({ user: '42' });
  });

  it('keeps an event it does not know as lms.event with the whole body', () => {
    const body = { id: '9', event: 'offer_granted', payload: [] };
    const { event } = only(body);
    expect(event.type).toBe('lms.event');
    expect(event.raw).toEqual(body);
  });
});
