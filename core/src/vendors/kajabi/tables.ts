import type { EventType } from '../../catalog/index.ts';

/**
 * Kajabi's webhook events as data: the six a hook may subscribe to (`POST /v1/hooks {target_url,
 * event}`, Kajabi Public API "Webhooks": purchase, payment_succeeded, order_created,
 * form_submission, tag_added, tag_removed) and the catalog type each maps to. Kajabi sends no
 * learning events. Any other name becomes lms.event.
 */

export type KajabiShape = 'purchase' | 'payment' | 'order' | 'form' | 'tag';

export interface KajabiEventRule {
  type: EventType;
  shape: KajabiShape;
}

export const KAJABI_EVENTS: Readonly<Record<string, KajabiEventRule>> = {
  // A purchase of an offer outside Kajabi Cart (one-time, first subscription payment, payment plan);
  // order_created covers Cart orders, so the two do not describe one sale twice.
  purchase: { type: 'order.created', shape: 'purchase' },
  order_created: { type: 'order.created', shape: 'order' },
  payment_succeeded: { type: 'payment.succeeded', shape: 'payment' },
  form_submission: { type: 'form.submitted', shape: 'form' },
  tag_added: { type: 'user.tag_added', shape: 'tag' },
  tag_removed: { type: 'user.tag_removed', shape: 'tag' },
};

/** The rule for an event name; undefined for one the table does not know (never Object.prototype's members). */
export function kajabiRule(event: string): KajabiEventRule | undefined {
  return Object.hasOwn(KAJABI_EVENTS, event) ? KAJABI_EVENTS[event] : undefined;
}
