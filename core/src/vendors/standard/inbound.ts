import { z } from 'zod';
import { Actor, Course, Enrollment, EVENT_TYPES, type EventType, isEventType, Learner } from '../../catalog/index.ts';
import { secret } from '../../secret-fields.ts';
import { generateSecret, verifyStandardWebhook } from '../../signatures/standard-webhooks.ts';
import type { IngestRequest, MappedEvent, MappingContext, VendorAdapter } from '../adapter.ts';
import { buildEvent, type EventParts } from '../build-event.ts';
import { bodyDigest } from '../event-id.ts';
import { lrsCredentials } from '../inbound-defaults.ts';
import { parseJsonBody, parseWith, toPayloadIssues } from '../parse-body.ts';
import { type StatementEvent, withXapiRoute, XapiCredentials } from '../xapi/route.ts';

/**
 * Any source that signs with Standard Webhooks (https://www.standardwebhooks.com/), and raw xAPI.
 *
 * `webhook`: headers webhook-id, webhook-timestamp, webhook-signature, checked against the
 * connection's `whsec_` secret(s) with a 5-minute window either way. The body is the spec's
 * recommended payload `{type, timestamp, data}` (data may also be "squashed" into the top level).
 * When `type` is a catalog type, `data` speaks the catalog: `{actor?, learner?, course?,
 * enrollment?, ...the type's extras}` (e.g. `certificate` for certificate.awarded), and passes
 * straight through; parts that do not fit the type's schema make it lms.event with the reason.
 * Any other type is lms.event with the body as raw. The dedupe key is webhook-id, which the spec
 * keeps the same on every retry.
 *
 * `xapi-statements`: an xAPI LRS endpoint with Basic auth, read by xapi-route.ts (withXapiRoute).
 */

const WebhookSecret = z.string().regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, { error: 'must be a Standard Webhooks secret: whsec_ followed by base64' });

/** The connection's inbound settings: one secret, or several while a new one is rolled out. */
export const StandardInbound = z
  .object({
    secret: secret(WebhookSecret).optional().meta({ title: 'Signing Secret', description: 'The whsec_ secret the source signs with.' }),
    secrets: secret(z.array(WebhookSecret).min(1))
      .optional()
      .meta({ title: 'Signing Secrets', description: 'Several whsec_ secrets, any of which may sign (key rotation).' }),
    xapi: XapiCredentials,
  })
  .refine((inbound) => inbound.secret !== undefined || inbound.secrets !== undefined, {
    error: 'Give the signing secret (secret) or several (secrets).',
    path: ['secret'],
  });
export type StandardInbound = z.infer<typeof StandardInbound>;

const StandardBody = z.looseObject({
  type: z.string().min(1),
  timestamp: z.union([z.string(), z.number()]).optional(),
  data: z.record(z.string(), z.unknown()).optional(),
});

/** The catalog parts a body may carry in `data`, as strict as the envelope itself. */
const CatalogParts = z.looseObject({
  actor: Actor.nullish(),
  learner: Learner.partial().required({ id: true }).nullish(),
  course: Course.partial().required({ id: true }).nullish(),
  enrollment: Enrollment.partial().required({ status: true }).nullish(),
});

const PART_KEYS = new Set(['actor', 'learner', 'course', 'enrollment']);

interface WebhookEvent {
  kind: 'webhook';
  type: string;
  timestamp: string | number | undefined;
  data: Record<string, unknown>;
  webhookId: string | null;
  raw: unknown;
  digest: string;
}

export type StandardEvent = WebhookEvent | StatementEvent;

function verify(request: IngestRequest, inbound: StandardInbound): void {
  verifyStandardWebhook({
    headers: request.headers,
    body: request.body,
    secrets: [...(inbound.secret ? [inbound.secret] : []), ...(inbound.secrets ?? [])],
    nowSeconds: Math.floor(request.receivedAt.getTime() / 1000),
  });
}

function parse(request: IngestRequest): WebhookEvent[] {
  const raw = parseJsonBody(request.body);
  const body = parseWith(StandardBody, raw, 'Standard Webhooks payload');
  const { type, timestamp, data, ...rest } = body;
  return [
    {
      kind: 'webhook',
      type,
      timestamp,
      // The spec lets the event's fields sit at the top level instead of under data.
      data: data ?? rest,
      webhookId: request.headers['webhook-id'] ?? null,
      raw,
      digest: bodyDigest(request.body),
    },
  ];
}

function mapWebhook(event: WebhookEvent, context: MappingContext): MappedEvent {
  const known: EventType | null = isEventType(event.type) ? event.type : null;
  const base = {
    vendor: 'standard',
    vendorEvent: event.type,
    vendorEventId: event.webhookId,
    dedupeKey: event.webhookId ?? `body:${event.digest}`,
    occurredAt: event.timestamp,
  } satisfies Partial<EventParts>;
  const parts = CatalogParts.safeParse(event.data);
  if (!parts.success) {
    const reason = toPayloadIssues(parts.error)
      .map((issue) => `data.${issue.path}: ${issue.message}`)
      .join('; ');
    const raw = known ? { mapped_as: known, reason, payload: event.raw } : event.raw;
    return buildEvent({ ...base, type: 'lms.event', raw }, context);
  }
  const { actor, learner, course, enrollment } = parts.data;
  const extras = Object.fromEntries(Object.entries(event.data).filter(([key]) => !PART_KEYS.has(key)));
  return buildEvent(
    {
      ...base,
      type: known ?? 'lms.event',
      actor: actor ?? null,
      ...(learner ? { learner } : {}),
      ...(course ? { course } : {}),
      ...(enrollment ? { enrollment } : {}),
      data: extras,
      raw: event.raw,
    },
    context,
  );
}

/** Standard Webhooks sources (signature, rotation, replay window) and raw xAPI statements. */
export const standardAdapter: VendorAdapter<StandardEvent, StandardInbound> = withXapiRoute({
  vendor: 'standard',
  title: 'Standard Webhooks / xAPI',
  inboundSchema: StandardInbound,
  routes: ['webhook'],
  events: Object.fromEntries(EVENT_TYPES.map((type) => [type, type])),
  verify,
  parse,
  toCatalog: (event, context) => [mapWebhook(event, context)],
});

/** A generated whsec_ signing secret, and LRS credentials for xAPI. */
export const standardInboundDefaults = (): Record<string, unknown> => ({ secret: generateSecret(), xapi: lrsCredentials() });
