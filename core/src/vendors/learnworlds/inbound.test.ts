/*
 * Sources:
 * - LearnWorlds support, "How to Use Webhooks":
 *   https://support.learnworlds.com/support/solutions/articles/12000025878-how-to-use-webhooks
 *   (the 17 hooks, the legacy and new "version 2" payloads side by side).
 * - LearnWorlds developer reference, "Webhooks" (learnworlds.dev): the Learnworlds-Webhook-Signature
 *   header `v1=<signature>` and the version-2 envelope {version, type, trigger, school_id, data}.
 *   That page could not be read through our search tool, so the bodies below are built from the
 *   event names and envelope fields as noted in /work/shared/notes/vendors-wave2.md, not copied
 *   from a published example: a real school's body should be added here when one is at hand.
 */
import { describe, expect, it } from 'vitest';
import { SignatureError } from '../../errors.ts';
import { ingestRequest } from '../../testing/ingest-request.ts';
import type { IngestRequest } from '../adapter.ts';
import { LEARNWORLDS_OTHER_EVENTS, learnWorldsAdapter } from './inbound.ts';

const SIGNATURE = 'lw-signature-2f9a6c1e8b7d';
const inbound = { signature: SIGNATURE };
const context = { connection: 'academy', receivedAt: new Date('2026-11-20T14:03:11.482Z') };

const USER = { id: '5f8d0d55b54764421b7156c1', email: 'maya.chen@example.com', username: 'mayachen' };
const COURSE = { id: 'intro-to-python', title: 'Intro to Python' };

function hook(type: string, data: Record<string, unknown>) {
  return { version: 2, type, trigger: type, school_id: 'acme-academy', data: { created: 1732111391, ...data } };
}

function signed(body: unknown, signature = SIGNATURE): IngestRequest {
  return ingestRequest({ body, headers: { 'Learnworlds-Webhook-Signature': `v1=${signature}` } });
}

function mapOne(body: unknown) {
  const events = learnWorldsAdapter.parse(signed(body));
  expect(events).toHaveLength(1);
  const [event] = events;
  if (!event) throw new Error('no event');
  return learnWorldsAdapter.toCatalog(event, context);
}

describe('the LearnWorlds signature', () => {
  const body = hook('courseCompleted', { user: USER, course: COURSE });

  it('accepts the v1= value LearnWorlds shows in its settings', () => {
    expect(() => learnWorldsAdapter.verify(signed(body), inbound)).not.toThrow();
  });

  it('refuses a wrong value', () => {
    expect(() => learnWorldsAdapter.verify(signed(body, 'lw-signature-someone-else'), inbound)).toThrow(SignatureError);
  });

  it('refuses a request without the header', () => {
    expect(() => learnWorldsAdapter.verify(ingestRequest({ body }), inbound)).toThrow(SignatureError);
  });

  it('refuses the right value without its v1= prefix', () => {
    const request = ingestRequest({ body, headers: { 'Learnworlds-Webhook-Signature': SIGNATURE } });
    expect(() => learnWorldsAdapter.verify(request, inbound)).toThrow(SignatureError);
  });
});

describe('LearnWorlds version-2 hooks in the catalog', () => {
  it('maps courseCompleted to enrollment.completed with the learner and course it names', () => {
    const [mapped] = mapOne(hook('courseCompleted', { user: USER, course: COURSE }));
    expect(mapped?.event).toMatchObject({
      type: 'enrollment.completed',
      source: { vendor: 'learnworlds', event: 'courseCompleted' },
      learner: { id: USER.id, email: USER.email, username: USER.username },
      course: { id: COURSE.id, title: COURSE.title, kind: 'online_course' },
      enrollment: { status: 'completed', progress: 100, completed_at: '2024-11-20T14:03:11.000Z' },
    });
    // The hook carries no first or last name: the API fills the learner in.
    expect(mapped?.hydration).toEqual({ user: USER.id });
  });

  it('maps learningProgramCompleted to enrollment.completed of a learning path', () => {
    const [mapped] = mapOne(hook('learningProgramCompleted', { user: USER, course: { id: 'data-track', title: 'Data track' } }));
    expect(mapped?.event).toMatchObject({ type: 'enrollment.completed', course: { id: 'data-track', kind: 'learning_path' } });
  });

  it('maps enrolledFreeCourse to enrollment.created and asks the API for a course it names by id only', () => {
    const [mapped] = mapOne(hook('enrolledFreeCourse', { user: USER, course: { id: COURSE.id } }));
    expect(mapped?.event).toMatchObject({
      type: 'enrollment.created',
      learner: { id: USER.id },
      course: { id: COURSE.id },
      enrollment: { status: 'enrolled' },
    });
    expect(mapped?.hydration).toEqual({ user: USER.id, course: { id: COURSE.id, kind: 'online_course' } });
  });

  it('maps awardedCertificate to certificate.awarded with the certificate and its course', () => {
    const [mapped] = mapOne(
      hook('awardedCertificate', { user: USER, course: COURSE, certificate: { id: 'cert-77', title: 'Python basics', issued_at: 1732111391 } }),
    );
    expect(mapped?.event).toMatchObject({
      type: 'certificate.awarded',
      learner: { id: USER.id },
      course: { id: COURSE.id },
      data: { certificate: { id: 'cert-77', title: 'Python basics', awarded_at: '2024-11-20T14:03:11.000Z' } },
    });
  });

  it('maps productBought to order.created, the decimal price in minor units and the course sold as the course', () => {
    const [mapped] = mapOne(
      hook('productBought', {
        user: USER,
        product: { id: COURSE.id, name: COURSE.title, type: 'course', price: 49.9, currency: 'usd' },
        payment: { id: 'pay-1', order_id: 'ord-1', amount: 49.9, currency: 'usd', gateway: 'stripe' },
      }),
    );
    expect(mapped?.event).toMatchObject({
      type: 'order.created',
      learner: { id: USER.id },
      course: { id: COURSE.id },
      data: { order: { id: 'ord-1', amount: 4990, currency: 'USD' }, product: { id: COURSE.id, kind: 'course' } },
    });
  });

  it('maps paymentCreated to payment.succeeded', () => {
    const [mapped] = mapOne(hook('paymentCreated', { user: USER, payment: { id: 'pay-9', amount: '19.00', currency: 'EUR', method: 'card' } }));
    expect(mapped?.event).toMatchObject({
      type: 'payment.succeeded',
      learner: { id: USER.id },
      data: { payment: { id: 'pay-9', amount: 1900, currency: 'EUR', method: 'card' } },
    });
  });

  it.each([
    ['subscriptionPaymentPlanBought', 'subscription.started'],
    ['subscriptionTrialStarted', 'subscription.trial_started'],
    ['subscriptionPaymentPlanCanceled', 'subscription.cancelled'],
  ])('maps %s to %s', (name, type) => {
    const [mapped] = mapOne(
      hook(name, {
        user: USER,
        product: { id: 'plan-pro', name: 'Pro', type: 'subscription' },
        subscription: { id: 'sub-3', interval: 'monthly', price: 19, currency: 'USD' },
      }),
    );
    expect(mapped?.event).toMatchObject({ type, course: null, data: { subscription: { id: 'sub-3', interval: 'month', amount: 1900, plan_id: 'plan-pro' } } });
  });

  it('maps leadCreated to lead.created even without a user account', () => {
    const [mapped] = mapOne(hook('leadCreated', { email: 'lead@example.com', lead: { source: 'popup' } }));
    expect(mapped?.event).toMatchObject({ type: 'lead.created', learner: null, data: { lead: { email: 'lead@example.com', source: 'popup' } } });
  });

  it('maps userTagAdded to one user.tag_added per tag', () => {
    const mapped = mapOne(hook('userTagAdded', { user: USER, tags: ['vip', 'beta'] }));
    expect(mapped.map((one) => [one.event.type, one.event.data])).toEqual([
      ['user.tag_added', { tag: { id: null, name: 'vip' } }],
      ['user.tag_added', { tag: { id: null, name: 'beta' } }],
    ]);
    expect(new Set(mapped.map((one) => one.dedupeKey)).size).toBe(2);
  });

  it('maps userUpdated to user.updated', () => {
    const [mapped] = mapOne(hook('userUpdated', { user: USER }));
    expect(mapped?.event).toMatchObject({ type: 'user.updated', learner: { id: USER.id } });
  });

  it.each(LEARNWORLDS_OTHER_EVENTS)('keeps %s, which no catalog type covers, as lms.event', (name) => {
    const [mapped] = mapOne(hook(name, { user: USER }));
    expect(mapped?.event).toMatchObject({ type: 'lms.event', source: { event: name }, learner: { id: USER.id } });
  });

  it('gives a resent hook the same event id', () => {
    const body = hook('courseCompleted', { user: USER, course: COURSE });
    expect(mapOne(body)[0]?.event.id).toBe(mapOne(JSON.parse(JSON.stringify(body)))[0]?.event.id);
  });

  it('refuses a body that names no event', () => {
    expect(() => learnWorldsAdapter.parse(signed({ version: 2, data: { user: USER } }))).toThrow(/names no event/);
  });
});
