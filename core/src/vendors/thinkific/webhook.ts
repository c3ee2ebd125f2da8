import { z } from 'zod';
import type { IngestRequest } from '../adapter.ts';
import { parseJsonBody, parseWith } from '../parse-body.ts';
import { type ThinkificTopicRule, thinkificRule, thinkificTopic } from './tables.ts';

/**
 * Reading a Thinkific webhook body: one event per request, in the envelope
 * `{id, resource, action, tenant_id, created_at, payload}` the Webhooks Documentation shows
 * (https://support.thinkific.dev/hc/en-us/articles/4422658311703-Webhooks-Documentation).
 * Ids come as numbers in payloads and as strings in the envelope: both are read as text. Every
 * payload is read loosely (only what the mapping uses is typed), since Thinkific adds fields.
 */

const Id = z.union([z.number().int(), z.string().min(1)]).transform(String);
const text = z.string().nullish();
const amount = z.union([z.number(), z.string()]).nullish();

export const ThinkificUser = z.looseObject({
  id: Id,
  email: text,
  first_name: text,
  last_name: text,
  full_name: text,
  company: text,
});
export type ThinkificUser = z.infer<typeof ThinkificUser>;

export const ThinkificEnrollment = z.looseObject({
  id: Id.nullish(),
  course: z.looseObject({ id: Id, name: text }).nullish(),
  course_id: Id.nullish(),
  user: ThinkificUser,
  percentage_completed: amount,
  activated_at: text,
  started_at: text,
  completed_at: text,
  created_at: text,
  updated_at: text,
});

export const ThinkificOrder = z.looseObject({
  id: Id,
  order_number: Id.nullish(),
  status: text,
  amount_cents: z.number().int().nullish(),
  coupon: z.unknown().optional(),
  coupon_code: text,
  payment_type: text,
  affiliate_referral_code: text,
  product_id: Id.nullish(),
  product_name: text,
  created_at: text,
  user: ThinkificUser.nullish(),
});

/**
 * order_transaction.* and subscription.* payloads: their published examples were not reachable
 * (see inbound.ts), so only fields whose meaning is plain are read, and the buyer is looked for
 * on the payload and on the order it nests.
 */
export const ThinkificTransaction = z.looseObject({
  id: Id,
  order_id: Id.nullish(),
  subscription_id: Id.nullish(),
  amount_cents: z.number().int().nullish(),
  currency: text,
  payment_method: text,
  payment_provider: text,
  failure_reason: text,
  created_at: text,
  user: ThinkificUser.nullish(),
  order: ThinkificOrder.partial({ id: true }).nullish(),
});

export const ThinkificSubscription = z.looseObject({
  id: Id,
  status: text,
  product_id: Id.nullish(),
  product_name: text,
  cancelled_at: text,
  created_at: text,
  user: ThinkificUser.nullish(),
  order: ThinkificOrder.partial({ id: true }).nullish(),
});

export const ThinkificLead = z.looseObject({
  id: Id.nullish(),
  email: text,
  first_name: text,
  last_name: text,
  phone: text,
  source: text,
  created_at: text,
  user: ThinkificUser.nullish(),
  user_id: Id.nullish(),
});

const Envelope = z.looseObject({
  id: Id,
  resource: z.string().min(1),
  action: z.string().min(1),
  tenant_id: Id.nullish(),
  created_at: text,
  payload: z.record(z.string(), z.unknown()),
});

/** One Thinkific webhook: its topic, the table's rule for it (absent: lms.event), and the whole body as raw. */
export interface ThinkificEvent {
  id: string;
  topic: string;
  rule: ThinkificTopicRule | undefined;
  createdAt: string | null;
  payload: Record<string, unknown>;
  raw: unknown;
}

/** The one event of a Thinkific webhook request. Throws PayloadError (400) for a body that is no Thinkific envelope. */
export function parseThinkificWebhook(request: IngestRequest): ThinkificEvent[] {
  const raw = parseJsonBody(request.body);
  const envelope = parseWith(Envelope, raw, 'Thinkific webhook');
  const topic = thinkificTopic(envelope.resource, envelope.action);
  return [{ id: envelope.id, topic, rule: thinkificRule(topic), createdAt: envelope.created_at ?? null, payload: envelope.payload, raw }];
}
