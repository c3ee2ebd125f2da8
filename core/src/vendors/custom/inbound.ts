import { createHmac } from 'node:crypto';
import { ENROLLMENT_STATUSES, type EnrollmentStatus, EVENT_DEFINITIONS, type EventType } from '../../catalog/index.ts';
import { PayloadError, SignatureError } from '../../errors.ts';
import { constantTimeEqual, digestsEqual } from '../../signatures/constant-time.ts';
import { hmacKey } from '../../signatures/hmac.ts';
import type { IngestRequest, MappedEvent, MappingContext, VendorAdapter } from '../adapter.ts';
import { buildEvent, type EventParts } from '../build-event.ts';
import { bodyDigest } from '../event-id.ts';
import { lookupName, normaliseName } from '../names.ts';
import { parseJsonBody } from '../parse-body.ts';
import { toIsoTimestamp } from '../timestamps.ts';
import { MAX_MATCHES, parsePath, readOne, readPath } from './json-path.ts';
import { type CustomField, CustomInbound, type CustomMapping, type CustomVerify } from './mapping.ts';

/**
 * Any JSON webhook, read by the mapping stored on the connection (issue 16 §4): `verify` says how
 * the LMS proves itself beyond the ingest URL's token, `mapping` where the events are and where
 * each envelope field comes from. The same mapEvents serves ingest and the preview, so what the
 * preview shows is what ingest stores; everything the LMS sends is hostile, and the paths are
 * a bounded subset (json-path.ts).
 */

/** One thing the mapping could not do for one event, named for the person writing the mapping. */
export interface MappingProblem {
  /** The mapping setting concerned: "mapping.fields.learner_email", "mapping.events", "verify". */
  setting: string;
  message: string;
}

export interface CustomEvent {
  /** The event as the LMS sent it (one element of a batch, or the whole body). */
  value: unknown;
  body: unknown;
  index: number;
  digest: string;
  mapping: CustomMapping;
  /** The events path found nothing: the whole body is kept as one lms.event rather than dropped. */
  misplaced?: true;
}

export interface PreviewedEvent {
  mapped: MappedEvent;
  problems: MappingProblem[];
}

const DEFAULT_INBOUND = CustomInbound.parse({});

const STATUS_SYNONYMS: Readonly<Record<string, EnrollmentStatus>> = {
  ...Object.fromEntries(ENROLLMENT_STATUSES.map((status) => [normaliseName(status), status])),
  passed: 'completed',
  complete: 'completed',
  finished: 'completed',
  started: 'in_progress',
  inprogress: 'in_progress',
  incomplete: 'not_completed',
  enroled: 'enrolled',
  assigned: 'enrolled',
  unenrolled: 'removed',
};

/** The status an enrollment event's type implies, for an LMS that does not send one. */
const IMPLIED_STATUS: Readonly<Partial<Record<EventType, EnrollmentStatus>>> = {
  'enrollment.created': 'enrolled',
  'enrollment.started': 'in_progress',
  'enrollment.progressed': 'in_progress',
  'enrollment.completed': 'completed',
  'enrollment.removed': 'removed',
  'enrollment.approval_requested': 'pending_approval',
};

/** Which parts each type carries: a part the type never has (a course on user.created) is left out, not an error. */
const PRESENCE = new Map<string, { learner: string; course: string; enrollment: string }>(EVENT_DEFINITIONS.map((definition) => [definition.type, definition]));

function signatureOf(verify: CustomVerify, request: IngestRequest): { signed: Buffer; expected: string } {
  let signed = request.body;
  if (verify.signed === 'timestamp.body') {
    const timestamp = request.headers[verify.timestamp_header ?? ''];
    if (!timestamp) throw new SignatureError(`Missing the ${verify.timestamp_header} header the signature covers.`);
    signed = Buffer.concat([Buffer.from(`${timestamp}.`), request.body]);
  }
  const digest = createHmac(verify.algorithm, hmacKey(verify.secret ?? '', 'utf8'))
    .update(signed)
    .digest(verify.encoding);
  return { signed, expected: `${verify.prefix ?? ''}${digest}` };
}

/** Checks the request against the connection's `verify` settings; throws SignatureError (401). */
export function verifyCustom(request: IngestRequest, verify: CustomVerify): void {
  if (verify.method === 'token') return;
  const header = verify.header ?? '';
  const given = request.headers[header];
  if (!given) throw new SignatureError(`Missing the ${header} header this connection requires.`);
  if (verify.method === 'header') {
    if (!constantTimeEqual(given, verify.secret ?? '')) throw new SignatureError(`The ${header} header does not match this connection's secret.`);
    return;
  }
  // Several signatures may be sent comma- or space-separated while the LMS rotates its key.
  const { expected } = signatureOf(verify, request);
  const candidates = given.split(/[\s,]+/).filter(Boolean);
  if (!candidates.some((candidate) => digestsEqual(candidate, expected)))
    throw new SignatureError(`The ${header} signature does not match the body signed with this connection's secret.`);
}

/** The events the mapping finds in a JSON body; throws PayloadError when it finds none to read or too many. */
export function eventsOf(body: unknown, mapping: CustomMapping, digest: string): CustomEvent[] {
  const path = parsePath(mapping.events);
  let found: unknown[];
  try {
    found = readPath(body, path);
  } catch (error) {
    throw new PayloadError(`The events path ${mapping.events} finds more than ${MAX_MATCHES} events; send smaller batches.`, [
      { path: 'mapping.events', message: (error as Error).message },
    ]);
  }
  // Accepted input is never dropped (DESIGN §3): a body without events where the mapping looks is
  // kept whole, as lms.event, so the preview can show it and the mapping can be fixed.
  if (found.length === 0) return [{ value: body, body, index: 0, digest, mapping, misplaced: true }];
  // A path to an array (events, without [*]) means its elements: the LMS batches them there.
  const values = found.length === 1 && Array.isArray(found[0]) ? found[0] : found;
  if (values.length > MAX_MATCHES) throw new PayloadError(`The body carries more than ${MAX_MATCHES} events; send smaller batches.`);
  return values.map((value, index) => ({ value, body, index, digest, mapping }));
}

const scalarText = (value: unknown): string | null =>
  typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : null;

/** Reads one field: its path in the event (or, with $, in the body), else its constant. */
function sourceValue(
  event: CustomEvent,
  setting: string,
  source: { path?: string | undefined; value?: string | undefined } | undefined,
  problems: MappingProblem[],
): unknown {
  if (!source) return undefined;
  if (source.path !== undefined && source.path !== '') {
    const root = source.path.trim().startsWith('$') ? event.body : event.value;
    const value = readOne(root, parsePath(source.path));
    if (value !== undefined && value !== null && value !== '') return value;
    if (source.value === undefined)
      problems.push({ setting, message: `${source.path} finds ${value === undefined ? 'nothing' : 'an empty value'} in this event.` });
  }
  return source.value;
}

/** A field that must be text (an id, an email, a title); objects and arrays are named as problems. */
function textField(event: CustomEvent, field: CustomField, problems: MappingProblem[]): string | null {
  const setting = `mapping.fields.${field}`;
  const value = sourceValue(event, setting, event.mapping.fields[field], problems);
  if (value === undefined || value === null) return null;
  const text = scalarText(value);
  if (text === null)
    problems.push({ setting, message: `finds ${Array.isArray(value) ? 'a list' : 'an object'}, not a value: point the path at a field inside it.` });
  else if (text.includes('\0')) problems.push({ setting, message: 'finds text with a NUL character; it is left out.' });
  return text === null || text.includes('\0') ? null : text.slice(0, 1000);
}

function scoreField(event: CustomEvent, problems: MappingProblem[]): number | null {
  const text = textField(event, 'enrollment_score', problems);
  if (text === null) return null;
  const score = Number(text.trim().replace(/%$/, ''));
  if (text.trim() === '' || !Number.isFinite(score) || score < 0 || score > 100) {
    problems.push({ setting: 'mapping.fields.enrollment_score', message: `${JSON.stringify(text)} is not a score from 0 to 100; it is left out.` });
    return null;
  }
  return score;
}

function timeField(event: CustomEvent, field: 'enrollment_completed_at' | 'occurred_at', problems: MappingProblem[]): string | null {
  const text = textField(event, field, problems);
  if (text === null) return null;
  const iso = toIsoTimestamp(text);
  if (!iso) problems.push({ setting: `mapping.fields.${field}`, message: `${JSON.stringify(text)} is not a time; it is left out.` });
  return iso;
}

function statusField(event: CustomEvent, problems: MappingProblem[]): EnrollmentStatus | null {
  const text = textField(event, 'enrollment_status', problems);
  if (text === null) return null;
  const status = lookupName(STATUS_SYNONYMS, text);
  if (!status)
    problems.push({
      setting: 'mapping.fields.enrollment_status',
      message: `${JSON.stringify(text)} is no enrollment status learnhook knows; it is read as unknown.`,
    });
  return status ?? 'unknown';
}

function typeOf(name: string | null, mapping: CustomMapping): EventType {
  if (name === null) return 'lms.event';
  if (Object.hasOwn(mapping.types, name)) return mapping.types[name] ?? 'lms.event';
  // The LMS may spell a name differently from how it was typed into the mapping (case, spaces, dashes).
  const wanted = normaliseName(name);
  const match = Object.entries(mapping.types).find(([key]) => normaliseName(key) === wanted);
  return match?.[1] ?? 'lms.event';
}

/** Maps one event and names every problem on the way: ingest stores `mapped`, the preview shows both. */
export function mapCustomEvent(event: CustomEvent, context: MappingContext): PreviewedEvent {
  const { mapping } = event;
  if (event.misplaced) {
    // Fields are read within events; with none found, reading them in the body would only add noise.
    const parts: EventParts = {
      type: 'lms.event',
      vendor: 'custom',
      vendorEvent: 'event',
      vendorEventId: null,
      dedupeKey: `body:${event.digest}`,
      raw: event.body,
    };
    const message = `${mapping.events} finds nothing in this body; the whole body is kept as one lms.event.`;
    return { mapped: buildEvent(parts, context), problems: [{ setting: 'mapping.events', message }] };
  }
  const problems: MappingProblem[] = [];
  const name = mapping.event_name
    ? (() => {
        const value = sourceValue(event, 'mapping.event_name', mapping.event_name, problems);
        return scalarText(value);
      })()
    : null;
  const type = typeOf(name, mapping);
  if (name !== null && type === 'lms.event' && Object.keys(mapping.types).length > 0)
    problems.push({ setting: 'mapping.types', message: `No type is mapped for the event name ${JSON.stringify(name)}; it becomes lms.event.` });
  const learnerId = textField(event, 'learner_id', problems);
  const email = textField(event, 'learner_email', problems);
  const learnerName = textField(event, 'learner_name', problems);
  const courseId = textField(event, 'course_id', problems);
  const courseTitle = textField(event, 'course_title', problems);
  const status = statusField(event, problems);
  const score = scoreField(event, problems);
  const completedAt = timeField(event, 'enrollment_completed_at', problems);
  const occurredAt = timeField(event, 'occurred_at', problems);
  const vendorEventId = textField(event, 'event_id', problems);
  const learner = learnerId ?? email;
  const presence = PRESENCE.get(type);
  const has = (part: 'learner' | 'course' | 'enrollment') => presence?.[part] !== 'none';
  const enrollmentStatus = status ?? IMPLIED_STATUS[type] ?? (completedAt ? 'completed' : score !== null ? 'unknown' : null);
  const parts: EventParts = {
    type,
    vendor: 'custom',
    vendorEvent: name ?? 'event',
    vendorEventId,
    dedupeKey: vendorEventId ? `id:${vendorEventId}` : `body:${event.digest}:${event.index}`,
    occurredAt,
    ...(learner && has('learner') ? { learner: { id: learner, email, name: learnerName } } : {}),
    ...(courseId && has('course') ? { course: { id: courseId, title: courseTitle } } : {}),
    ...(enrollmentStatus && has('enrollment') ? { enrollment: { status: enrollmentStatus, score, completed_at: completedAt } } : {}),
    raw: event.value,
  };
  const mapped = buildEvent(parts, context);
  if (mapped.event.type !== type) {
    const raw = mapped.event.raw;
    const reason = typeof raw === 'object' && raw !== null && 'reason' in raw ? String(raw.reason) : 'its parts do not fit';
    problems.push({ setting: 'mapping.fields', message: `${type} needs more than this event gave (${reason}); it becomes lms.event.` });
  }
  return { mapped, problems };
}

/** The request's events as ingest reads them (the preview too): JSON, bounded depth (parseJsonBody), where the mapping says. */
export function readEvents(request: IngestRequest, mapping: CustomMapping): CustomEvent[] {
  const body = parseJsonBody(request.body);
  return eventsOf(body, mapping, bodyDigest(request.body));
}

function parse(request: IngestRequest, inbound?: CustomInbound): CustomEvent[] {
  return readEvents(request, (inbound ?? DEFAULT_INBOUND).mapping);
}

/** Any JSON webhook, mapped by data on the connection. */
export const customAdapter: VendorAdapter<CustomEvent, CustomInbound> = {
  vendor: 'custom',
  title: 'Any other LMS (custom mapping)',
  inboundSchema: CustomInbound,
  routes: ['webhook'],
  // The names are the connection's own (mapping.types): none is known before it is mapped.
  events: {},
  verify: (request, inbound) => verifyCustom(request, inbound.verify),
  // A fixed header value is a password; an HMAC signature is not, and is kept so the preview can check it.
  credentialHeaders: ({ verify }) => (verify.method === 'header' && verify.header ? [verify.header] : []),
  parse,
  toCatalog: (event, context) => [mapCustomEvent(event, context).mapped],
};

/** A new custom connection is protected by its URL token and maps everything to lms.event until mapped. */
export const customInboundDefaults = (): Record<string, unknown> => ({});
