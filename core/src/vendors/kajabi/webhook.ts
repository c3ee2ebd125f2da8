import { z } from 'zod';
import type { IngestRequest } from '../adapter.ts';
import { bodyDigest } from '../event-id.ts';
import { parseJsonBody, parseWith } from '../parse-body.ts';
import { type KajabiEventRule, kajabiRule } from './tables.ts';

/**
 * Reading a Kajabi webhook body: `{id, event, payload}` where `payload` is a list of JSON:API
 * resources (`{id, type, attributes, relationships}`: the purchase, transaction or order with the
 * customer and offer; the form submission with its form; the contact with its tag), as the
 * samples at GET /v1/hooks/<event>_sample show. `id` is the id of the resource that triggered the
 * event, not a delivery id: see KajabiEvent.dedupeKey.
 */

const Id = z.union([z.string().min(1), z.number().int()]).transform(String);
const Ref = z.looseObject({ data: z.looseObject({ id: Id, type: z.string() }).nullish() }).nullish();

export const KajabiResource = z.looseObject({
  id: Id,
  type: z.string(),
  attributes: z.record(z.string(), z.unknown()).default({}),
  relationships: z.record(z.string(), z.unknown()).nullish(),
});
export type KajabiResource = z.infer<typeof KajabiResource>;

const Envelope = z.looseObject({
  id: Id,
  event: z.string().min(1),
  payload: z.array(KajabiResource),
});

export interface KajabiEvent {
  /** The triggering resource's id, as Kajabi sends it. */
  id: string;
  event: string;
  rule: KajabiEventRule | undefined;
  resources: KajabiResource[];
  /**
   * The event's identity for the store's dedupe. Kajabi sends no delivery id and its `id` is the
   * resource's (one contact gets many tags; a tag removed and added again is a new event about the
   * same contact), so the key is the event, that id and a digest of the exact body: a resend of
   * the same bytes is stored once, a new event about the same resource is not mistaken for it.
   */
  dedupeKey: string;
  raw: unknown;
}

/** The one event of a Kajabi webhook request. Throws PayloadError (400) for a body that is no Kajabi envelope. */
export function parseKajabiWebhook(request: IngestRequest): KajabiEvent[] {
  const raw = parseJsonBody(request.body);
  const envelope = parseWith(Envelope, raw, 'Kajabi webhook');
  return [
    {
      id: envelope.id,
      event: envelope.event,
      rule: kajabiRule(envelope.event),
      resources: envelope.payload,
      dedupeKey: `${envelope.event}/${envelope.id}/${bodyDigest(request.body)}`,
      raw,
    },
  ];
}

/** The first resource of a JSON:API type in the payload. */
export function resourceOf(event: KajabiEvent, type: string): KajabiResource | undefined {
  return event.resources.find((resource) => resource.type === type);
}

/** The id a resource's relationship points at ("customer", "contact", "form"); null when it has none. */
export function relatedId(resource: KajabiResource | undefined, name: string): string | null {
  const parsed = Ref.safeParse(resource?.relationships?.[name]);
  return parsed.success ? (parsed.data?.data?.id ?? null) : null;
}

/** A text attribute; null when absent, empty or not text. */
export function textOf(resource: KajabiResource | undefined, name: string): string | null {
  const value = resource?.attributes[name];
  return typeof value === 'string' && value.trim() ? value : null;
}

/** An integer attribute (Kajabi's *_in_cents); null otherwise. */
export function centsOf(resource: KajabiResource | undefined, name: string): number | null {
  const value = resource?.attributes[name];
  return typeof value === 'number' && Number.isInteger(value) ? value : null;
}
