import { z } from 'zod';
import { EVENT_TYPES, isEventType, VENDORS } from '../catalog/index.ts';

/**
 * The API's request and response shapes (DESIGN §4 API). Routes validate with these, and
 * /v1/openapi.json is generated from them: one source for both.
 */

const isoTimeSchema = z.iso.datetime();
const oneOrMany = z.union([z.string().min(1), z.array(z.string().min(1))]).transform((value) => (Array.isArray(value) ? value : [value]));

export const EventSelector = z.string().refine((value) => value === '*' || (EVENT_TYPES as readonly string[]).includes(value), {
  message: `Must be "*" or a catalog type (GET /v1/catalog), e.g. enrollment.completed.`,
});

export const HookFilterInput = z
  .object({
    course_id: oneOrMany.optional().meta({ description: 'Only events about this course (or any of these courses).' }),
    connection: oneOrMany.optional().meta({ description: 'Only events from this connection (or these).' }),
  })
  .strict();

export const HookCreate = z
  .object({
    url: z
      .url({ protocol: /^https?$/ })
      .max(2048)
      .meta({ description: 'Where events are POSTed.' }),
    events: z.array(EventSelector).min(1).meta({ description: 'Catalog types to receive, or ["*"] for all.' }),
    filter: HookFilterInput.optional(),
    description: z.string().max(500).optional(),
  })
  .strict();

export const HookPatch = z
  .object({
    url: HookCreate.shape.url.optional(),
    events: HookCreate.shape.events.optional(),
    filter: HookFilterInput.optional(),
    description: z.string().max(500).nullable().optional(),
    status: z.enum(['active', 'paused']).optional().meta({ description: 'paused stops deliveries until set active again.' }),
  })
  .strict();

export const Hook = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(z.string()),
  filter: z.object({ course_id: z.array(z.string()).optional(), connection: z.array(z.string()).optional() }),
  description: z.string().nullable(),
  status: z.enum(['active', 'paused', 'disabled']),
  status_reason: z.string().nullable(),
  previous_secret_expires_at: isoTimeSchema.nullable().meta({
    description: 'After a rotation with an overlap: until then every delivery carries a second signature, made with the previous secret.',
  }),
  created_at: isoTimeSchema,
  updated_at: isoTimeSchema,
  secret: z.string().optional().meta({ description: 'The whsec_ signing secret; answered when the hook is created.' }),
});

/** The longest a rotated-out secret may keep signing: a week covers a receiver updated by hand. */
export const MAX_SECRET_OVERLAP_SECONDS = 7 * 86_400;

/** POST /v1/hooks/:id/rotate-secret (the body is optional). */
export const HookRotateRequest = z.object({
  overlap_seconds: z
    .int()
    .min(0)
    .max(MAX_SECRET_OVERLAP_SECONDS)
    .default(86_400)
    .meta({ description: 'How long the previous secret keeps signing beside the new one (default 86400: a day; 0 stops it at once).' }),
});

/** POST /v1/hooks/:id/rotate-secret answers the hook with its new secret, this once. */
export const HookWithSecret = Hook.extend({
  secret: z.string().meta({ description: 'The new whsec_ signing secret; the previous one keeps signing until previous_secret_expires_at.' }),
});

/** POST /v1/hooks/:id/test (the body is optional). */
export const HookTestRequest = z.object({
  type: z
    .string()
    .refine(isEventType, { message: 'Must be a catalog type (GET /v1/catalog), e.g. enrollment.completed.' })
    .optional()
    .meta({ description: "The sample's type; default: the hook's first catalog type." }),
});

export const HookTestResult = z.object({
  ok: z.boolean(),
  status: z.number().nullable(),
  body: z.string().meta({ description: "The first 1 KB of the target's answer." }),
  duration_ms: z.number(),
  error: z.string().nullable(),
});

export const PageParams = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().optional(),
});

export const HookListParams = PageParams.extend({
  mine: z.stringbool().optional().meta({ description: 'true: only the hooks the calling key created.' }),
});

/** POST /v1/events/:id/replay (the body is optional). */
export const ReplayRequest = z
  .object({ hook_id: z.string().optional().meta({ description: 'Replay to this hook only; default: every hook that wants the event.' }) })
  .strict();

/** A time as a query parameter: any ISO 8601 form in, the stored form (toISOString) out. */
const isoQueryTime = z.iso
  .datetime({ offset: true })
  .transform((value) => new Date(value).toISOString())
  .optional();

export const EventListParams = PageParams.extend({
  type: z.string().optional().meta({ description: 'Only events of this catalog type.' }),
  connection: z.string().optional(),
  learner_email: z.string().max(254).optional().meta({
    description:
      'Only events about the learner with this email (any case). An event is found by email once processed (filled in and matched to subscriptions, seconds after it arrives), by the email it went out with: one still received is not found yet, nor ever one that went out without a learner email.',
  }),
  course: z.string().max(200).optional().meta({ description: 'Only events about this course: its id, or part of its title.' }),
  hydration: z.enum(['pending', 'complete', 'partial']).optional().meta({ description: 'Only events filled in this far.' }),
  delivery_status: z.enum(['pending', 'in_flight', 'succeeded', 'failed']).optional().meta({ description: 'Only events with a delivery in this status.' }),
  received_since: isoQueryTime.meta({ description: 'Only events received at or after this time.' }),
  received_before: isoQueryTime.meta({ description: 'Only events received before this time.' }),
});

export const DeliveryListParams = PageParams.extend({
  hook_id: z.string().optional(),
  event_id: z.string().optional(),
  status: z.enum(['pending', 'in_flight', 'succeeded', 'failed']).optional(),
});

export const Delivery = z.object({
  id: z.string(),
  event_id: z.string(),
  hook_id: z.string(),
  reason: z.enum(['event', 'replay', 'test']),
  status: z.enum(['pending', 'in_flight', 'succeeded', 'failed']),
  attempts: z.number(),
  next_attempt_at: isoTimeSchema.nullable(),
  last_status: z.number().nullable(),
  last_error: z.string().nullable(),
  created_at: isoTimeSchema,
  updated_at: isoTimeSchema,
});

export const Attempt = z.object({
  attempt: z.number(),
  started_at: isoTimeSchema,
  duration_ms: z.number(),
  status: z.number().nullable(),
  error: z.string().nullable(),
  response_snippet: z.string().nullable(),
});

/**
 * A connection's own retention window (issue 17 §1). The console's form sends what was typed as
 * text, so a string of digits counts as its number; null goes back to the hub's window.
 */
export const RetentionDays = z
  .preprocess((value) => (typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value), z.int().min(0).max(36_500))
  .meta({
    title: 'Keep events for (days)',
    description:
      "Events, raw requests and delivery attempts older than this are pruned (never one still being delivered); empty uses the hub's LEARNHOOK_RETENTION_DAYS, 0 keeps everything.",
  });

export const ConnectionName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'Use lower-case letters, digits and dashes (at most 63), e.g. "acme-absorb".');

/** Fields of POST /v1/connections besides the vendor's own inbound settings, which stand beside them. */
export const ConnectionCreateBase = z.object({
  name: ConnectionName,
  vendor: z.enum(VENDORS),
  description: z.string().max(500).optional(),
  retention_days: RetentionDays.optional(),
  api: z.record(z.string(), z.unknown()).optional().meta({ description: "The LMS API settings hydration uses (the vendor's base URL and credentials)." }),
  register: z.boolean().optional().meta({
    description:
      'Register the ingest URL at the LMS through its webhook registration API (issue 16 §5; Learn365, Kajabi, Thinkific), with the API settings in "api". The connection is saved even when the LMS refuses; `registration` says what happened.',
  }),
  events: z
    .array(z.string().min(1))
    .min(1)
    .optional()
    .meta({ description: "With register: the LMS's own event names to register for (e.g. CourseCompleted); every one it offers when left out." }),
});

export const ConnectionPatchBase = z.object({
  description: z.string().max(500).nullable().optional(),
  retention_days: RetentionDays.nullable().optional(),
  api: z.record(z.string(), z.unknown()).nullable().optional(),
  rotate_token: z.boolean().optional().meta({ description: 'Issue a new ingest URL; the old one stops working at once.' }),
});

/** What the hub registered at the LMS for a connection (issue 16 §5). */
export const Registration = z.object({
  state: z.enum(['registered', 'failed']).meta({ description: 'registered: the LMS holds the ingest URL; failed: it does not, and message says why.' }),
  remote_id: z.string().nullable().meta({ description: "The LMS's id of the registration; null when it failed." }),
  events: z.array(z.string()).meta({ description: "The LMS's own event names registered for (or asked for, when it failed)." }),
  message: z.string().meta({ description: 'What happened, in plain words.' }),
  at: isoTimeSchema,
});

export const ApiCheck = z.object({
  ok: z.boolean(),
  message: z.string().meta({ description: 'What the LMS answered, in plain words.' }),
});

export const ApiHealth = z.object({
  calls: z.int(),
  rate_limited: z.int().meta({ description: 'Calls the LMS answered with 429.' }),
  last_error: z.object({ at: isoTimeSchema, message: z.string() }).nullable(),
  last_success_at: isoTimeSchema.nullable(),
  circuit: z.enum(['closed', 'open', 'probing']).meta({
    description: 'open: the LMS API kept failing, so events go out partial at once (hydration.reason lms_unavailable) until a probe gets an answer.',
  }),
  circuit_retry_at: isoTimeSchema.nullable().meta({ description: 'When an open breaker lets its next probe through.' }),
});

export const Connection = z.object({
  id: z.string(),
  name: z.string(),
  vendor: z.enum(VENDORS),
  description: z.string().nullable(),
  ingest_url: z.string(),
  xapi_url: z.string().nullable().meta({ description: 'The xAPI LRS endpoint (POST statements here), for vendors that send xAPI.' }),
  inbound: z.record(z.string(), z.unknown()).meta({ description: 'The vendor auth settings; secrets are shown in full only when created.' }),
  api_configured: z.boolean(),
  retention_days: z
    .int()
    .nullable()
    .meta({ description: "This connection's own retention window in days; null when it uses the hub's (LEARNHOOK_RETENTION_DAYS)." }),
  api_check: ApiCheck.nullable().meta({
    description:
      'One real call to the LMS API (a search for one learner) with the API settings this request saved: wrong credentials show here, at once. Null when the request saved none.',
  }),
  api_health: ApiHealth.nullable().meta({ description: 'How the LMS API has answered this hub process since it started; null without API settings.' }),
  registration: Registration.nullable().meta({
    description: 'The webhook registration the hub made at the LMS (register: true); null when the URL is pasted by hand.',
  }),
  created_at: isoTimeSchema,
  updated_at: isoTimeSchema,
});

export const Me = z.object({
  key_id: z.string(),
  label: z.string(),
  scopes: z.array(z.enum(['admin', 'hooks', 'events'])),
  hub: z.object({ version: z.string(), url: z.string() }),
});

export const AuditItem = z.object({
  at: isoTimeSchema,
  actor: z.string(),
  action: z.string(),
  target: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});

export const LookupParams = z.object({
  q: z.string().max(200).optional(),
  connection: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});

export type HookCreate = z.infer<typeof HookCreate>;
export type HookPatch = z.infer<typeof HookPatch>;
/** A connection as the API answers it. */
export type ConnectionAnswer = z.infer<typeof Connection>;

/** Times are epoch milliseconds in the store and ISO 8601 in every answer. */
export function isoTime(ms: number): string;
export function isoTime(ms: number | null): string | null;
export function isoTime(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** DELETE /v1/connections/:id when the LMS kept the webhook registration the hub made there (otherwise 204, no body). */
export const ConnectionDeletedKeepingRegistration = z.object({
  deleted: z.literal(true),
  registration: z.object({
    removed: z.literal(false),
    message: z.string().meta({ description: 'What the LMS answered, and which registration to remove there by hand.' }),
  }),
});
