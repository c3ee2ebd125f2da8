import { vendorId } from '../../sandbox/vendor-ids.ts';
import { JSON_TYPE, stringOf, type WireFormat } from '../../sandbox/wire-request.ts';
import { LEARNWORLDS_EVENTS, SIGNATURE_HEADER } from './inbound.ts';

/**
 * What LearnWorlds sends: a version-2 webhook `{version: 2, type, trigger, school_id, data}` with
 * `Learnworlds-Webhook-Signature: v1=<the connection's signature>`. Like LearnWorlds, it names the
 * user and course with their ids and the few fields the hook carries; the API fills in the rest.
 */
export const learnWorldsWireFormat: WireFormat = (event, subject, inbound) => {
  const { user, course, enrollment, sequence, at } = subject;
  const shape = LEARNWORLDS_EVENTS[event]?.shape;
  const created = Math.floor(at.getTime() / 1000);
  const lwUser = { id: vendorId('learnworlds', 'user', user.id), email: user.email, username: user.username };
  const lwCourse = { id: vendorId('learnworlds', 'course', course.id), title: course.title };
  const product = { id: lwCourse.id, name: course.title, type: 'course', price: 49.9, currency: 'USD' };
  const data: Record<string, unknown> = { user: lwUser, created };
  switch (shape) {
    case 'enrollment':
      data.course = lwCourse;
      if (enrollment?.score !== undefined && enrollment?.score !== null) data.score = enrollment.score;
      break;
    case 'certificate':
      data.course = lwCourse;
      data.certificate = { id: `cert-${sequence}`, title: course.title, issued_at: created };
      break;
    case 'order':
      data.product = product;
      data.payment = { id: `pay-${sequence}`, order_id: `ord-${sequence}`, amount: 49.9, currency: 'USD', gateway: 'stripe' };
      break;
    case 'payment':
      data.product = product;
      data.payment = { id: `pay-${sequence}`, amount: 49.9, currency: 'USD', gateway: 'stripe', method: 'card' };
      break;
    case 'subscription':
      data.product = { id: 'plan-pro', name: 'Pro membership', type: 'subscription', price: 19, currency: 'USD' };
      data.subscription = { id: `sub-${sequence}`, status: event === 'subscriptionPaymentPlanCanceled' ? 'canceled' : 'active', interval: 'month', created };
      break;
    case 'tag':
      data.tags = ['vip'];
      break;
    case 'lead':
      delete data.user;
      data.email = user.email;
      data.lead = { id: `lead-${sequence}`, email: user.email, source: 'popup' };
      break;
    default:
      data.course = lwCourse;
  }
  const body = { version: 2, type: event, trigger: event, school_id: 'acme-academy', data };
  return { path: '', headers: { ...JSON_TYPE, [SIGNATURE_HEADER]: `v1=${stringOf(inbound.signature)}` }, body: JSON.stringify(body) };
};
