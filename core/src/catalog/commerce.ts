import { z } from 'zod';

/**
 * The parts of the commerce, lead and tag events (issue 16 §3) that course-selling LMSs send:
 * Thinkific (order.created, order_transaction.*, subscription.*, lead.created), LearnWorlds
 * (productBought, paymentCreated, subscription*, leadCreated, userTag*) and Kajabi (purchase,
 * order_created, payment_succeeded, form_submission, tag_added, tag_removed). Same rules as
 * parts.ts: snake_case keys that never change, nullable rather than optional.
 *
 * Money is an integer in the currency's minor unit plus an ISO 4217 code, never a float: Thinkific
 * (amount_cents) and Kajabi (amount_in_cents, total_price_in_cents) already send minor units;
 * an adapter whose LMS sends decimals converts with toMinorUnits.
 */

const text = (title: string, description?: string) =>
  z
    .string()
    .nullable()
    .meta(description ? { title, description } : { title });
const when = (title: string, description?: string) =>
  z.iso
    .datetime()
    .nullable()
    .meta(description ? { title, description } : { title });

/** An amount in the currency's minor unit (cents): 4900 with USD is $49.00, 4900 with JPY is ¥4,900. */
const minor = (title: string, description: string) => z.int().nullable().meta({ title, description });

export const Currency = z
  .string()
  .regex(/^[A-Z]{3}$/, 'an ISO 4217 code in capitals, e.g. USD')
  .nullable()
  .meta({ title: 'Currency', description: 'ISO 4217 code, e.g. USD; null when the LMS does not say (Thinkific orders use the site currency).' });

/**
 * What was sold: a Thinkific product, a LearnWorlds product (course, bundle, subscription plan) or
 * a Kajabi offer. Not always a course, so it is its own part; when it is one course the LMS can look
 * up, the adapter also fills the envelope's `course`, so course filters and hydration work.
 */
export const Product = z
  .object({
    id: z.string().meta({ title: 'ID' }),
    name: text('Name'),
    kind: text('Kind', 'What the LMS sells it as, in its own words: course, bundle, membership, subscription, offer, ...'),
  })
  .meta({ title: 'Product' });
export type Product = z.infer<typeof Product>;

export const Order = z
  .object({
    id: z.string().meta({ title: 'ID' }),
    number: text('Number', 'The order number the customer sees, where the LMS has one.'),
    status: text('Status', 'As the LMS says it (Complete, paid, ...).'),
    amount: minor('Total (Minor Units)', 'What the customer paid, in cents or the currency’s smallest unit: 4900 is 49.00.'),
    subtotal: minor('Subtotal (Minor Units)', 'Before discounts and tax, in the currency’s smallest unit.'),
    discount: minor('Discount (Minor Units)', 'Taken off by coupons, in the currency’s smallest unit.'),
    tax: minor('Tax (Minor Units)', 'Sales tax or VAT, in the currency’s smallest unit.'),
    currency: Currency,
    coupon_code: text('Coupon Code'),
    payment_type: text('Payment Type', 'As the LMS says it: one-time, subscription, payment plan, free.'),
    affiliate_code: text('Affiliate Code'),
  })
  .meta({ title: 'Order' });
export type Order = z.infer<typeof Order>;

export const Payment = z
  .object({
    id: z.string().meta({ title: 'ID' }),
    order_id: text('Order ID'),
    subscription_id: text('Subscription ID', 'Set when the payment is a subscription or payment-plan installment.'),
    amount: minor('Amount (Minor Units)', 'Charged, or for a refund the amount refunded, in cents or the currency’s smallest unit.'),
    currency: Currency,
    method: text('Payment Method', 'How the customer paid, as the LMS says it: card, paypal, ...'),
    provider: text('Payment Provider', 'Who processed it, as the LMS says it: thinkific_payments, stripe, paypal, ...'),
    failure_reason: text('Failure Reason', 'Why a payment failed, as the LMS or its payment provider says it; null otherwise.'),
  })
  .meta({ title: 'Payment' });
export type Payment = z.infer<typeof Payment>;

export const BILLING_INTERVALS = ['day', 'week', 'month', 'year'] as const;

export const Subscription = z
  .object({
    id: z.string().meta({ title: 'ID' }),
    status: text('Status', 'As the LMS says it: active, trialing, past_due, cancelled, ...'),
    plan_id: text('Plan ID'),
    plan_name: text('Plan Name'),
    interval: z.enum(BILLING_INTERVALS).nullable().meta({ title: 'Billing Interval' }),
    interval_count: z.int().min(1).nullable().meta({ title: 'Billing Interval Count', description: '3 with month bills every three months.' }),
    amount: minor('Amount (Minor Units)', 'Charged each interval, in cents or the currency’s smallest unit.'),
    currency: Currency,
    started_at: when('Started At'),
    trial_ends_at: when('Trial Ends At'),
    cancelled_at: when('Cancelled At'),
    ends_at: when('Access Ends At', 'When access stops: a cancelled subscription often runs to the end of the paid period.'),
  })
  .meta({ title: 'Subscription' });
export type Subscription = z.infer<typeof Subscription>;

/**
 * Someone who left their email: a lead may have no user account yet, so the envelope's learner
 * (whose id is required) is only filled when the LMS says which user it is.
 */
export const Lead = z
  .object({
    id: text('ID'),
    email: text('Email'),
    first_name: text('First Name'),
    last_name: text('Last Name'),
    name: text('Name'),
    phone: text('Phone'),
    source: text('Source', 'Where the LMS captured it, in its own words: a form, a popup, checkout, ...'),
  })
  .meta({ title: 'Lead' });
export type Lead = z.infer<typeof Lead>;

export const Form = z.object({ id: z.string().meta({ title: 'ID' }), name: text('Name'), url: text('URL') }).meta({ title: 'Form' });

/**
 * One submission of a form. `fields` holds every submitted value under the form's own field key
 * (address_city, cf_company, ...): forms differ, so the keys are not fixed and have no field of
 * their own in the catalog; Zapier and n8n still show them from each event.
 */
export const Submission = z
  .object({
    id: text('ID'),
    email: text('Email'),
    name: text('Name'),
    phone: text('Phone'),
    fields: z.record(z.string(), z.string().nullable()).meta({
      title: 'Fields',
      description: "Every submitted value by the form's field key; several choices are joined with commas.",
    }),
  })
  .meta({ title: 'Submission' });

export const Tag = z.object({ id: text('ID'), name: z.string().meta({ title: 'Name' }) }).meta({ title: 'Tag' });

/**
 * A decimal amount as the LMS sends it (49.9, "49.90") in the currency's minor unit (4990), using
 * the currency's digits as the platform's Intl data knows them (JPY 0, USD 2, KWD 3).
 * Null for a missing or unparseable amount, or a currency that is no three-letter code.
 */
export function toMinorUnits(amount: number | string | null | undefined, currency: string): number | null {
  if (amount === null || amount === undefined || !/^[A-Za-z]{3}$/.test(currency)) return null;
  const value = typeof amount === 'string' ? (amount.trim() === '' ? Number.NaN : Number(amount.trim())) : amount;
  if (!Number.isFinite(value)) return null;
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  return Math.round(value * 10 ** digits);
}
