import { z } from 'zod';
import { PayloadError } from '../errors.ts';
import type { RawRequest } from '../store/store.ts';
import type { IngestRequest } from '../vendors/adapter.ts';
import { type MappingProblem, mapCustomEvent, readEvents, verifyCustom } from '../vendors/custom/inbound.ts';
import { CustomInbound, CustomMapping, CustomVerify } from '../vendors/custom/mapping.ts';
import { parseWith } from '../vendors/parse-body.ts';
import { openConnection } from './connections.ts';
import type { OperationsContext } from './context.ts';
import { isoTime } from './schemas.ts';

/**
 * POST /v1/connections/:id/preview and the console's mapping page (issue 16 §4): a draft mapping
 * applied to the connection's latest raw requests, or to a pasted sample, answering the envelopes
 * ingest would store and every problem by name. It reads and computes only: nothing is stored,
 * nothing is delivered, the connection is not changed. The mapping code is the adapter's own
 * (vendors/custom/inbound.ts), so the preview cannot disagree with ingest.
 */

export const PREVIEW_MAX_REQUESTS = 10;

export const PreviewRequest = z.object({
  mapping: CustomMapping.optional().meta({ description: "The draft mapping; the connection's saved one when left out." }),
  verify: CustomVerify.optional().meta({ description: 'Draft verify settings; the saved ones when left out (their secret stays on the hub).' }),
  sample: z
    .object({
      body: z.unknown().meta({ description: 'A pasted body: text as the LMS sent it (so a signature can be checked), or JSON.' }),
      headers: z.record(z.string(), z.string()).optional(),
    })
    .optional()
    .meta({ description: "Preview this instead of the connection's latest requests." }),
  limit: z.int().min(1).max(PREVIEW_MAX_REQUESTS).default(3).meta({ description: 'How many of the latest requests to preview.' }),
});
export type PreviewRequest = z.input<typeof PreviewRequest>;

const Problem = z.object({
  setting: z.string().meta({ description: 'The setting concerned, e.g. mapping.fields.learner_email.' }),
  message: z.string(),
});

export const PreviewAnswer = z.object({
  message: z.string().meta({ description: 'What was previewed, in plain words.' }),
  requests: z.array(
    z.object({
      source: z.enum(['recent', 'sample']),
      received_at: z.string().nullable(),
      body: z.string().meta({ description: 'The body previewed (at most 20,000 characters of it).' }),
      verification: z.object({ ok: z.boolean(), message: z.string() }),
      problems: z.array(Problem).meta({ description: 'Problems with the request as a whole: not JSON, no events where the mapping says.' }),
      events: z.array(
        z.object({
          type: z.string(),
          vendor_event: z.string(),
          envelope: z.record(z.string(), z.unknown()).meta({ description: 'The event as ingest would store it, before hydration.' }),
          problems: z.array(Problem),
        }),
      ),
    }),
  ),
});
export type PreviewAnswer = z.infer<typeof PreviewAnswer>;
type PreviewedRequest = PreviewAnswer['requests'][number];

const BODY_SHOWN = 20_000;

function sampleRequest(sample: { body?: unknown; headers?: Record<string, string> | undefined }, now: number): IngestRequest {
  const text = typeof sample.body === 'string' ? sample.body : JSON.stringify(sample.body ?? null);
  const headers = Object.fromEntries(Object.entries(sample.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
  return { method: 'POST', route: 'webhook', headers, query: {}, body: Buffer.from(text), receivedAt: new Date(now) };
}

const fromStored = (raw: RawRequest): IngestRequest => ({
  method: raw.method,
  route: raw.route,
  headers: raw.headers,
  query: {},
  body: raw.body,
  receivedAt: new Date(raw.received_at),
});

function verification(request: IngestRequest, verify: CustomVerify, source: 'recent' | 'sample'): PreviewedRequest['verification'] {
  if (verify.method === 'token') return { ok: true, message: 'Only the ingest URL is checked: no header to verify.' };
  if (source === 'recent' && request.headers[verify.header ?? ''] === '[redacted]')
    return { ok: false, message: `The ${verify.header} header is blanked when stored, so it cannot be checked here; send a new request to try it.` };
  try {
    verifyCustom(request, verify);
    return { ok: true, message: `The ${verify.header} header matches: ingest would accept this request.` };
  } catch (error) {
    if (error instanceof Error) return { ok: false, message: `Ingest would refuse this request (401): ${error.message}` };
    throw error;
  }
}

function previewOne(request: IngestRequest, source: 'recent' | 'sample', inbound: CustomInbound, connection: string): PreviewedRequest {
  const base = {
    source,
    received_at: source === 'recent' ? isoTime(request.receivedAt.getTime()) : null,
    body: request.body.toString('utf8').slice(0, BODY_SHOWN),
    verification: verification(request, inbound.verify, source),
  };
  try {
    const events = readEvents(request, inbound.mapping);
    const problems: MappingProblem[] = events.length
      ? []
      : [{ setting: 'mapping.events', message: `${inbound.mapping.events} is an empty list in this request: it carries no events.` }];
    return {
      ...base,
      problems,
      events: events.map((event) => {
        const { mapped, problems: eventProblems } = mapCustomEvent(event, { connection, receivedAt: request.receivedAt });
        return { type: mapped.event.type, vendor_event: mapped.event.source.event, envelope: { ...mapped.event }, problems: eventProblems };
      }),
    };
  } catch (error) {
    if (!(error instanceof PayloadError)) throw error;
    const setting = error.issues[0]?.path.startsWith('mapping') ? (error.issues[0]?.path ?? 'body') : 'body';
    return { ...base, problems: [{ setting, message: `Ingest would refuse this request (400): ${error.message}` }], events: [] };
  }
}

/**
 * Applies a draft mapping (or the saved one) to a sample or the latest requests. A draft that is
 * not a valid mapping is a PayloadError naming each setting, as a save would be.
 */
export async function previewMapping(ctx: OperationsContext, idOrName: string, input: unknown): Promise<PreviewAnswer> {
  const connection = await openConnection(ctx, idOrName);
  if (connection.record.vendor !== 'custom')
    throw new PayloadError(`Only custom connections have a mapping to preview; ${connection.record.name} is a ${connection.record.vendor} connection.`);
  const given = parseWith(PreviewRequest, input ?? {}, 'mapping preview');
  const saved = CustomInbound.parse(connection.inbound);
  const inbound: CustomInbound = { verify: given.verify ?? saved.verify, mapping: given.mapping ?? saved.mapping };
  const name = connection.record.name;
  if (given.sample) {
    return {
      message: 'The pasted sample, as ingest would read it with this mapping. Nothing was stored.',
      requests: [previewOne(sampleRequest(given.sample, ctx.now()), 'sample', inbound, name)],
    };
  }
  const recent = await ctx.store.listRawRequests(connection.record.id, given.limit);
  return {
    message: recent.length
      ? `The latest ${recent.length === 1 ? 'request' : `${recent.length} requests`} your LMS sent, as ingest would read ${recent.length === 1 ? 'it' : 'them'} with this mapping. Nothing was stored.`
      : 'Nothing has reached this connection yet: make your LMS send an event, or paste a sample body.',
    requests: recent.map((raw) => previewOne(fromStored(raw), 'recent', inbound, name)),
  };
}
