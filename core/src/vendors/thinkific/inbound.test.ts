/*
 * Payloads copied from Thinkific's published examples:
 * - "Webhooks Documentation": https://support.thinkific.dev/hc/en-us/articles/4422658311703-Webhooks-Documentation
 *   (topics; the order.created example)
 * - "Webhook Payload Samples": https://support.thinkific.com/hc/en-us/articles/360042258053-Webhook-Payload-Samples
 *   (order.created, user.signin, user.signup)
 * - Thinkific's enrollment examples, as published with the docs' links in
 *   https://gist.github.com/mattapayne/4d51d024f12f9e38cdea85b3d8f06064 (enrollment created, progress, completed)
 * Signature: "Using Webhooks", https://support.thinkific.dev/hc/en-us/articles/4422685850775-Using-Webhooks —
 * X-Thinkific-Hmac-Sha256, the hex HMAC-SHA256 of the body keyed with the API key.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CatalogEventSchema } from '../../catalog/index.ts';
import { PayloadError, SignatureError } from '../../errors.ts';
import { thrownBy } from '../../testing/errors.ts';
import { ingestRequest } from '../../testing/ingest-request.ts';
import type { MappedEvent } from '../adapter.ts';
import { thinkificAdapter } from './inbound.ts';

const API_KEY = 'thinkific-api-key-5e1d';
const context = { connection: 'acme', receivedAt: new Date('2026-11-20T14:03:11.482Z') };

const ORDER_CREATED = {
  id: '20180126172320940835610',
  resource: 'order',
  action: 'created',
  tenant_id: '3',
  created_at: '2018-01-26T22:23:20.808Z',
  payload: {
    affiliate_referral_code: null,
    amount_cents: 5000,
    amount_dollars: 50,
    billing_name: 'Robert Smith',
    coupon: null,
    created_at: '2018-01-26T22:23:18.400Z',
    id: 19796,
    order_number: 1010,
    payment_type: 'one-time',
    product_id: 1,
    product_name: 'Introduction to Webhooks',
    status: 'Complete',
    user: { email: 'ninjas@thinkific.com', first_name: 'Robert', id: 123456, last_name: 'Smith' },
  },
};

const ENROLLMENT_CREATED = {
  id: '20190131191810790022472',
  resource: 'enrollment',
  action: 'created',
  tenant_id: '59',
  created_at: '2014-02-01T00:18:10.768Z',
  payload: {
    activated_at: '2014-02-01T00:18:10.768Z',
    completed_at: '2014-02-01T00:18:10.767Z',
    course: { id: 68, name: '[TEST] lorem ipsum' },
    course_id: 68,
    created_at: '2014-02-01T00:18:10.767Z',
    expiry_date: '2014-02-01T00:18:10.767Z',
    free_trial: false,
    id: 3,
    percentage_completed: '0',
    started_at: '2014-02-01T00:18:10.768Z',
    updated_at: '2014-02-01T00:18:10.768Z',
    user: { email: '[TEST] john@doe.com', first_name: '[TEST] John', id: 94, last_name: 'Doe' },
  },
};

const ENROLLMENT_PROGRESS = {
  id: '20190131192004041953291',
  resource: 'enrollment',
  action: 'progress',
  tenant_id: '59',
  created_at: '2014-02-01T00:20:04.019Z',
  payload: {
    activated_at: '2014-02-01T00:20:04.019Z',
    completed_at: '2014-02-01T00:20:04.019Z',
    course: { id: 25, name: '[TEST] lorem ipsum' },
    course_id: 25,
    created_at: '2014-02-01T00:20:04.019Z',
    expiry_date: '2014-02-01T00:20:04.019Z',
    free_trial: false,
    id: 4,
    percentage_completed: '24.0',
    started_at: '2014-02-01T00:20:04.019Z',
    updated_at: '2014-02-01T00:20:04.019Z',
    user: { email: '[TEST] john@doe.com', first_name: '[TEST] John', id: 95, last_name: 'Doe' },
  },
};

/** The completed example has the progress example's fields, at 100 %. */
const ENROLLMENT_COMPLETED = {
  ...ENROLLMENT_PROGRESS,
  id: '20190131192005552012814',
  action: 'completed',
  created_at: '2014-02-01T00:20:05.537Z',
  payload: { ...ENROLLMENT_PROGRESS.payload, id: 5, percentage_completed: '100.0', completed_at: '2014-02-01T00:20:05.537Z' },
};

const USER_SIGNUP = {
  id: '20180123170248040678392',
  resource: 'user',
  action: 'signup',
  tenant_id: '73394',
  created_at: '2018-01-23T22:02:45.001Z',
  payload: {
    administered_course_ids: null,
    affiliate_code: 'e7c7eb',
    company: '',
    created_at: '2017-07-23T02:42:13.043Z',
    custom_profile_fields: [],
    email: 'ninjas@thinkific.com',
    external_source: null,
    first_name: 'Robert',
    id: 123456,
    last_name: 'Smith',
    roles: ['affiliate'],
  },
};

const sign = (body: string, key = API_KEY) => createHmac('sha256', key).update(body).digest('hex');

function signed(envelope: unknown, signature?: string | null) {
  const body = JSON.stringify(envelope);
  const headers: Record<string, string> = { 'x-thinkific-topic': 'order.created' };
  if (signature !== null) headers['x-thinkific-hmac-sha256'] = signature ?? sign(body);
  return ingestRequest({ body, headers });
}

function only(envelope: unknown): MappedEvent {
  const request = signed(envelope);
  thinkificAdapter.verify(request, { signing_key: API_KEY });
  const events = thinkificAdapter.parse(request).flatMap((event) => thinkificAdapter.toCatalog(event, context));
  expect(events).toHaveLength(1);
  const [first] = events;
  if (!first) throw new Error('no event');
  expect(CatalogEventSchema.parse(first.event)).toEqual(first.event);
  return first;
}

describe('the Thinkific adapter', () => {
  describe('verifies', () => {
    it('accepts the hex HMAC-SHA256 of the body keyed with the API key', () => {
      expect(() => thinkificAdapter.verify(signed(ORDER_CREATED), { signing_key: API_KEY })).not.toThrow();
    });

    it('accepts the same signature in upper-case hex', () => {
      expect(() => thinkificAdapter.verify(signed(ORDER_CREATED, sign(JSON.stringify(ORDER_CREATED)).toUpperCase()), { signing_key: API_KEY })).not.toThrow();
    });

    it('refuses a signature made with another key', () => {
      const error = thrownBy(SignatureError, () =>
        thinkificAdapter.verify(signed(ORDER_CREATED, sign(JSON.stringify(ORDER_CREATED), 'other')), { signing_key: API_KEY }),
      );
      expect(error.status).toBe(401);
    });

    it('refuses a body changed after signing', () => {
      const request = signed(ORDER_CREATED);
      const tampered = { ...request, body: Buffer.from(request.body.toString().replace('5000', '50')) };
      thrownBy(SignatureError, () => thinkificAdapter.verify(tampered, { signing_key: API_KEY }));
    });

    it('refuses a request without the signature header', () => {
      expect(thrownBy(SignatureError, () => thinkificAdapter.verify(signed(ORDER_CREATED, null), { signing_key: API_KEY })).message).toMatch(/Missing/);
    });

    it('refuses a signature that is not hex', () => {
      thrownBy(SignatureError, () => thinkificAdapter.verify(signed(ORDER_CREATED, 'sha256=zz'), { signing_key: API_KEY }));
    });
  });

  describe('parses', () => {
    it('refuses a body that is not a Thinkific envelope with a 400 naming the path', () => {
      const error = thrownBy(PayloadError, () => thinkificAdapter.parse(ingestRequest({ body: { id: '1', resource: 'order' } })));
      expect(error.message).toMatch(/action/);
    });
  });

  describe('maps the documented examples', () => {
    it('maps order.created to order.created with the buyer, the order in cents and the product', () => {
      const { event, dedupeKey, hydration } = only(ORDER_CREATED);
      expect(event.type).toBe('order.created');
      expect(dedupeKey).toBe('20180126172320940835610');
      expect(event.source).toMatchObject({ vendor: 'thinkific', event: 'order.created', event_id: '20180126172320940835610' });
      expect(event.learner).toMatchObject({ id: '123456', email: 'ninjas@thinkific.com', name: 'Robert Smith' });
      expect(event.course).toBeNull();
      expect(event.data).toEqual({
        order: {
          id: '19796',
          number: '1010',
          status: 'Complete',
          amount: 5000,
          subtotal: null,
          discount: null,
          tax: null,
          currency: null,
          coupon_code: null,
          payment_type: 'one-time',
          affiliate_code: null,
        },
        product: { id: '1', name: 'Introduction to Webhooks', kind: null },
      });
      expect(hydration).toEqual({});
    });

    it('maps enrollment.created to enrollment.created with learner and course, and asks for the course details', () => {
      const { event, hydration } = only(ENROLLMENT_CREATED);
      expect(event.type).toBe('enrollment.created');
      expect(event.learner).toMatchObject({ id: '94', email: '[TEST] john@doe.com', first_name: '[TEST] John', last_name: 'Doe' });
      expect(event.course).toEqual({ id: '68', title: '[TEST] lorem ipsum', kind: 'online_course', url: null });
      // The example's completed_at is set on a new enrollment; only a completion's is believed.
      expect(event.enrollment).toMatchObject({ id: '3', status: 'enrolled', progress: 0, completed_at: null, enrolled_at: '2014-02-01T00:18:10.768Z' });
      expect(event.data).toEqual({ enrollment_source: null });
      expect(hydration).toEqual({ course: { id: '68', kind: 'online_course' } });
    });

    it('maps enrollment.progress to enrollment.progressed with the percent', () => {
      const { event } = only(ENROLLMENT_PROGRESS);
      expect(event.type).toBe('enrollment.progressed');
      expect(event.learner?.id).toBe('95');
      expect(event.course?.id).toBe('25');
      expect(event.enrollment).toMatchObject({ status: 'in_progress', progress: 24 });
    });

    it('maps enrollment.completed to enrollment.completed at 100 % with its completion time', () => {
      const { event } = only(ENROLLMENT_COMPLETED);
      expect(event.type).toBe('enrollment.completed');
      expect(event.occurred_at).toBe('2014-02-01T00:20:05.537Z');
      expect(event.enrollment).toMatchObject({ status: 'completed', progress: 100, completed_at: '2014-02-01T00:20:05.537Z' });
      expect(event.course?.id).toBe('25');
    });

    it('maps user.signup to user.created', () => {
      const { event, hydration } = only(USER_SIGNUP);
      expect(event.type).toBe('user.created');
      expect(event.learner).toMatchObject({ id: '123456', email: 'ninjas@thinkific.com', first_name: 'Robert', last_name: 'Smith' });
      expect(hydration).toEqual({});
    });

    it('reads the subscription example\'s "canceled" action as subscription.cancelled', () => {
      const { event } = only({
        id: '20230101000000000000001',
        resource: 'subscription',
        action: 'canceled',
        created_at: '2023-01-01T00:00:00.000Z',
        payload: { id: 77, status: 'cancelled', cancelled_at: '2023-01-01T00:00:00.000Z', user: { id: 5, email: 'a@b.example' } },
      });
      expect(event.type).toBe('subscription.cancelled');
      expect(event.learner?.id).toBe('5');
    });

    it('keeps a topic it has no type for (user.signin) as lms.event with the whole body', () => {
      const signin = { ...USER_SIGNUP, id: '20180123154501518395902', action: 'signin' };
      const { event } = only(signin);
      expect(event.type).toBe('lms.event');
      expect(event.source.event).toBe('user.signin');
      expect(event.raw).toEqual(signin);
    });

    it('keeps an enrollment without a user as lms.event rather than drop it', () => {
      const { event } = only({ ...ENROLLMENT_CREATED, payload: { ...ENROLLMENT_CREATED.payload, user: null } });
      expect(event.type).toBe('lms.event');
    });

    it('asks for the learner only when the payload lacks the email', () => {
      const lean = { ...ORDER_CREATED, payload: { ...ORDER_CREATED.payload, user: { id: 123456 } } };
      expect(only(lean).hydration).toEqual({ user: '123456' });
    });
  });
});
