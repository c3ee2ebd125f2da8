import { SignatureError, verifyStandardWebhook } from '@learnhook/core';
import { z as zod } from 'zod';

/**
 * What the hub POSTs to a Zap's hook URL: the catalog envelope (DESIGN §2), signed with Standard
 * Webhooks using the subscription's own secret. Only the keys the app reads are checked; every
 * other key is kept as sent, so a Zap gets the documented shape, and new keys, untouched.
 */
export const DeliveredEvent = zod.looseObject({
  id: zod.string().min(1),
  type: zod.string().min(1),
  source: zod.looseObject({ vendor: zod.string(), connection: zod.string() }).optional(),
  course: zod.looseObject({ id: zod.string() }).nullable().optional(),
});
export type DeliveredEvent = zod.infer<typeof DeliveredEvent>;

/** What performSubscribe keeps for Zapier (bundle.subscribeData): the hook's id and signing secret. */
export const SubscribeData = zod.object({
  id: zod.string().min(1),
  secret: zod.string().min(1).optional(),
});
export type SubscribeData = zod.infer<typeof SubscribeData>;

/** bundle.rawRequest: content is the body exactly as received, which is what was signed. */
const RawRequest = zod.object({
  headers: zod.record(zod.string(), zod.string()).optional(),
  content: zod.string().optional(),
});

/**
 * Wider than the spec's default 5 minutes: Zapier runs perform after hooks.zapier.com has already
 * answered the hub, so a late run cannot be retried and a rejected event would be lost; a replayed
 * request does no harm, because Zapier deduplicates on the event id.
 */
export const DELIVERY_TOLERANCE_SECONDS = 60 * 60;

/**
 * Zapier hands headers over as "Http-Webhook-Signature" (prefixed, Camel-Cased), except
 * Content-Type and Content-Length; the verifier wants the spec's lower-case names.
 */
export function standardHeaders(headers: Readonly<Record<string, string>> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name.toLowerCase().replace(/^http-/, '')] = value;
  }
  return out;
}

export type DeliveryResult = { ok: true; event: DeliveredEvent; verified: boolean } | { ok: false; reason: string };

/**
 * Turns the request Zapier received into the event it carries. Where Zapier gives the raw request
 * and the subscription has a secret, the signature must match the raw body; otherwise the parsed
 * body (cleanedRequest) is used as it is.
 */
export function readDelivery(input: { rawRequest: unknown; cleanedRequest: unknown; secret: string | undefined; nowSeconds: number }): DeliveryResult {
  const raw = RawRequest.safeParse(input.rawRequest);
  const content = raw.success ? raw.data.content : undefined;
  let body: unknown = input.cleanedRequest;
  let verified = false;
  if (content !== undefined && content !== '') {
    if (input.secret) {
      try {
        verifyStandardWebhook({
          headers: standardHeaders(raw.success ? raw.data.headers : undefined),
          body: content,
          secrets: [input.secret],
          nowSeconds: input.nowSeconds,
          toleranceSeconds: DELIVERY_TOLERANCE_SECONDS,
        });
        verified = true;
      } catch (error) {
        if (error instanceof SignatureError) return { ok: false, reason: error.message };
        throw error;
      }
    }
    try {
      body = JSON.parse(content);
    } catch {
      return { ok: false, reason: 'The request body is not JSON.' };
    }
  }
  const event = DeliveredEvent.safeParse(body);
  if (!event.success) return { ok: false, reason: 'The request is not a learnhook event: it has no id and type.' };
  return { ok: true, event: event.data, verified };
}
