import { vendorId } from '../../sandbox/vendor-ids.ts';
import { JSON_TYPE, type Subject, stringOf, type WireFormat } from '../../sandbox/wire-request.ts';
import { hmacSha256 } from '../../signatures/hmac.ts';

/**
 * What the sandbox sends as Thinkific: the `{id, resource, action, tenant_id, created_at, payload}`
 * envelope with the payload fields of the Webhooks Documentation's examples, signed as Thinkific
 * signs (hex HMAC-SHA256 of the body, keyed with the connection's signing key).
 */

const TENANT_ID = '73394';
/** What a sandbox course sells for, in cents: the sandbox keeps no prices. */
const PRICE_CENTS = 4900;

const num = (entity: 'user' | 'course' | 'enrollment', id: number) => Number(vendorId('thinkific', entity, id));

/** Thinkific's envelope ids are the time to the microsecond: 20180126172320940835610. */
function envelopeId(at: Date, sequence: number): string {
  return `${at.toISOString().replace(/\D/g, '').slice(0, 17)}${String(sequence % 1_000_000).padStart(6, '0')}`;
}

function userOf({ user }: Subject) {
  return { email: user.email, first_name: user.first_name, id: num('user', user.id), last_name: user.last_name };
}

function orderOf(subject: Subject) {
  const { course, sequence, at } = subject;
  return {
    affiliate_referral_code: null,
    amount_cents: PRICE_CENTS,
    amount_dollars: PRICE_CENTS / 100,
    billing_name: `${subject.user.first_name} ${subject.user.last_name}`,
    coupon: null,
    created_at: at.toISOString(),
    id: 19000 + sequence,
    order_number: 1000 + sequence,
    payment_type: 'one-time',
    product_id: num('course', course.id),
    product_name: course.title,
    status: 'Complete',
    user: userOf(subject),
  };
}

function payloadFor(topic: string, subject: Subject): Record<string, unknown> {
  const { course, enrollment, sequence, at } = subject;
  const [resource] = topic.split('.');
  switch (resource) {
    case 'enrollment': {
      const completed = topic === 'enrollment.completed';
      return {
        activated_at: enrollment?.enrolled_at ?? at.toISOString(),
        completed_at: completed ? at.toISOString() : null,
        course: { id: num('course', course.id), name: course.title },
        course_id: num('course', course.id),
        created_at: enrollment?.enrolled_at ?? at.toISOString(),
        expiry_date: null,
        free_trial: topic === 'enrollment.trial',
        id: num('enrollment', enrollment?.id ?? sequence),
        percentage_completed: completed ? '100.0' : topic === 'enrollment.progress' ? `${enrollment?.progress ?? 24}.0` : '0.0',
        started_at: enrollment?.enrolled_at ?? at.toISOString(),
        updated_at: at.toISOString(),
        user: userOf(subject),
      };
    }
    case 'order':
      return orderOf(subject);
    case 'order_transaction':
      return {
        id: 50000 + sequence,
        order_id: 19000 + sequence,
        amount_cents: PRICE_CENTS,
        currency: 'USD',
        payment_provider: 'thinkific_payments',
        failure_reason: topic === 'order_transaction.failed' ? 'card_declined' : null,
        created_at: at.toISOString(),
        order: orderOf(subject),
      };
    case 'subscription':
      return {
        id: 7000 + sequence,
        status: 'cancelled',
        product_id: num('course', course.id),
        product_name: course.title,
        created_at: enrollment?.enrolled_at ?? at.toISOString(),
        cancelled_at: at.toISOString(),
        user: userOf(subject),
      };
    case 'lead':
      return {
        id: 3000 + sequence,
        email: subject.user.email,
        first_name: subject.user.first_name,
        last_name: subject.user.last_name,
        created_at: at.toISOString(),
        user_id: num('user', subject.user.id),
      };
    default:
      // user.signup and user.updated: the user is the payload.
      return { ...userOf(subject), created_at: subject.user.created_at, roles: [], company: null, custom_profile_fields: [] };
  }
}

export const thinkificWireFormat: WireFormat = (event, subject, inbound) => {
  const [resource = event, action = ''] = event.split('.');
  const body = JSON.stringify({
    id: envelopeId(subject.at, subject.sequence),
    resource,
    action,
    tenant_id: TENANT_ID,
    created_at: subject.at.toISOString(),
    payload: payloadFor(event, subject),
  });
  return {
    path: '',
    headers: {
      ...JSON_TYPE,
      'x-thinkific-topic': event,
      'x-thinkific-subdomain': 'acme-training',
      'x-thinkific-hmac-sha256': hmacSha256(stringOf(inbound.signing_key), body).toString('hex'),
    },
    body,
  };
};
