import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { CourseKind, EventType, Learner, Vendor } from '../catalog/index.ts';
import { AuthenticationError, PayloadError, UnsupportedMediaTypeError, type PayloadIssue } from '../errors.ts';
import { basicAuthMatches, type BasicCredentials } from '../signatures/basic-auth.ts';
import { eventTypesOf, type HydrationNeeds, type IngestReply, type IngestRequest, type MappedEvent, type MappingContext, type VendorAdapter } from './adapter.ts';
import { buildEvent, type EventParts } from './build-event.ts';
import { bodyDigest } from './event-id.ts';
import { parseJsonBody, parseWith } from './parse-body.ts';
import { toIsoTimestamp } from './timestamps.ts';

/**
 * Reading xAPI 1.0.3 statements as a Learning Record Store's `POST /statements` does, and mapping
 * them to the catalog. Not an adapter itself: withXapiRoute gives a webhook adapter (seismic-learning,
 * standard) this LRS as its second route.
 *
 * Spec: https://github.com/adlnet/xAPI-Spec (xAPI-Data.md §2.4 Statement properties,
 * xAPI-Communication.md §2.1 Statement Resource and §3.3 Versioning).
 */

/** The version this LRS answers with; requests may carry any 1.0.x (xAPI-Communication §3.3). */
export const XAPI_VERSION = '1.0.3';

const VERSION_HEADER = 'x-experience-api-version';

const IRI = z.string().regex(/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/, { error: 'must be an absolute IRI, e.g. http://adlnet.gov/expapi/verbs/completed' });
const LanguageMap = z.record(z.string(), z.string());
const Timestamp = z.iso.datetime({ offset: true, local: true, error: 'must be an ISO 8601 timestamp' });

const Account = z.looseObject({ homePage: IRI, name: z.string().min(1) });

/** Agent fields; a Group adds `member`. Each identifies by exactly one inverse functional identifier. */
const agentFields = {
  name: z.string().optional(),
  mbox: z.string().regex(/^mailto:[^\s@]+@[^\s@]+$/i, { error: 'must be a mailto: IRI' }).optional(),
  mbox_sha1sum: z.string().regex(/^[0-9a-f]{40}$/i, { error: 'must be 40 hex digits' }).optional(),
  openid: IRI.optional(),
  account: Account.optional(),
};

const IDENTIFIERS = ['mbox', 'mbox_sha1sum', 'openid', 'account'] as const;

interface Identified {
  objectType?: string | undefined;
  member?: unknown[] | undefined;
  mbox?: unknown;
  mbox_sha1sum?: unknown;
  openid?: unknown;
  account?: unknown;
}

/** xAPI-Data §2.4.2: one identifier per Agent or identified Group; an anonymous Group lists members instead. */
function checkIdentifier(value: Identified, ctx: z.core.$RefinementCtx): void {
  const given = IDENTIFIERS.filter((key) => value[key] !== undefined);
  if (given.length > 1) {
    ctx.addIssue({ code: 'custom', message: `has ${given.join(' and ')}; an agent carries exactly one identifier`, input: value });
  } else if (given.length === 0 && !(value.objectType === 'Group' && value.member && value.member.length > 0)) {
    ctx.addIssue({ code: 'custom', message: 'needs one of mbox, mbox_sha1sum, openid or account', input: value });
  }
}

const Agent = z.looseObject({ objectType: z.literal('Agent').optional(), ...agentFields }).superRefine(checkIdentifier);

const Actor = z
  .looseObject({ objectType: z.enum(['Agent', 'Group']).optional(), ...agentFields, member: z.array(Agent).optional() })
  .superRefine(checkIdentifier);

const ActivityDefinition = z.looseObject({
  name: LanguageMap.optional(),
  description: LanguageMap.optional(),
  type: IRI.optional(),
  moreInfo: z.string().optional(),
});

const StatementObject = z
  .looseObject({
    objectType: z.enum(['Activity', 'Agent', 'Group', 'StatementRef', 'SubStatement']).optional(),
    id: z.string().optional(),
    definition: ActivityDefinition.optional(),
    ...agentFields,
    member: z.array(Agent).optional(),
    actor: z.unknown().optional(),
    verb: z.unknown().optional(),
    object: z.unknown().optional(),
  })
  .superRefine((value, ctx) => {
    const kind = value.objectType ?? 'Activity';
    if (kind === 'Activity' && !IRI.safeParse(value.id).success) {
      ctx.addIssue({ code: 'custom', path: ['id'], message: 'an Activity needs an id IRI', input: value.id });
    } else if (kind === 'StatementRef' && !z.guid().safeParse(value.id).success) {
      ctx.addIssue({ code: 'custom', path: ['id'], message: 'a StatementRef needs the UUID of the statement it refers to', input: value.id });
    } else if (kind === 'Agent' || kind === 'Group') {
      checkIdentifier(value, ctx);
    } else if (kind === 'SubStatement') {
      for (const key of ['actor', 'verb', 'object'] as const) {
        if (value[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'a SubStatement needs actor, verb and object', input: value });
      }
    }
  });

const Result = z.looseObject({
  score: z
    .looseObject({
      scaled: z.number().min(-1).max(1).optional(),
      raw: z.number().optional(),
      min: z.number().optional(),
      max: z.number().optional(),
    })
    .optional(),
  success: z.boolean().optional(),
  completion: z.boolean().optional(),
  response: z.string().optional(),
  duration: z.string().optional(),
});

/** One statement as validated here: strict on what the mapping reads, every other property kept. */
export const XapiStatementSchema = z.looseObject({
  id: z.guid({ error: 'must be a UUID' }).optional(),
  actor: Actor,
  verb: z.looseObject({ id: IRI, display: LanguageMap.optional() }),
  object: StatementObject,
  result: Result.optional(),
  context: z.looseObject({}).optional(),
  timestamp: Timestamp.optional(),
  stored: Timestamp.optional(),
});
export type XapiStatement = z.infer<typeof XapiStatementSchema>;

/** The connection's LRS Basic credentials, in the inbound settings of an adapter with the xAPI route. */
export const XapiCredentials = z
  .object({
    username: z.string().min(1).meta({ title: 'LRS Username' }),
    password: z.string().min(1).meta({ title: 'LRS Password' }),
  })
  .optional()
  .meta({ title: 'xAPI (LRS) Basic Credentials' });

/** A statement read from a request, with the id the LRS answers for it. */
export interface ReceivedStatement {
  /** The statement's own id (lower-cased), or the one assigned here when it came without. */
  id: string;
  /** True when the statement had no id and `id` was derived from the body. */
  assigned: boolean;
  statement: XapiStatement;
  /** The statement exactly as it was in the body. */
  raw: unknown;
}

/**
 * The LRS endpoint's Basic auth (xAPI-Communication §4.0). A connection without LRS credentials
 * refuses every statement rather than taking them unauthenticated.
 */
export function verifyStatementCredentials(request: IngestRequest, credentials: BasicCredentials | undefined): void {
  if (!credentials) throw new AuthenticationError('This connection has no xAPI credentials; set an LRS username and password on it first.');
  if (!basicAuthMatches(request.headers['authorization'], credentials)) {
    throw new AuthenticationError('The LRS Basic credentials are missing or wrong.');
  }
}

/**
 * Reads `POST /statements` (one statement or an array) or `PUT /statements?statementId=`.
 * Requires X-Experience-API-Version 1.0.x ("1.0" counts as 1.0.0); a missing or other version, a
 * malformed statement, or one id twice in a batch is a 400 PayloadError naming the path (`1.verb.id`).
 *
 * Statements without an id get a UUID (version 5) derived from the SHA-256 of the body bytes and the
 * statement's position, so the function stays pure and a resend of the identical id-less batch gets
 * the same ids and dedupes in the store, as a resend with ids would.
 */
export function parseStatements(request: IngestRequest): ReceivedStatement[] {
  checkVersion(request.headers[VERSION_HEADER]);
  const contentType = request.headers['content-type'] ?? '';
  // Statements with attachments come as multipart/mixed (xAPI-Communication §1.5.2), which this LRS does not store.
  if (/^multipart\//i.test(contentType)) throw new UnsupportedMediaTypeError(contentType);
  const body = parseJsonBody(request.body);
  const put = request.method.toUpperCase() === 'PUT';
  const putId = put ? statementIdParameter(request.query['statementId']) : null;
  if (put && Array.isArray(body)) throw new PayloadError('PUT /statements stores one statement; POST an array instead.');
  const items: unknown[] = Array.isArray(body) ? body : [body];
  const statements = Array.isArray(body)
    ? parseWith(z.array(XapiStatementSchema), body, 'xAPI statement batch')
    : [parseWith(XapiStatementSchema, body, 'xAPI statement')];
  const digest = bodyDigest(request.body);
  const received = statements.map((statement, index): ReceivedStatement => {
    const own = statement.id?.toLowerCase();
    if (putId && own && own !== putId) {
      throw new PayloadError('The statement id differs from the statementId parameter.', [{ path: 'id', message: `must equal statementId ${putId}` }]);
    }
    const id = own ?? putId ?? derivedStatementId(digest, index);
    return { id, assigned: !own && !putId, statement, raw: items[index] };
  });
  rejectDuplicateIds(received, Array.isArray(body));
  return received;
}

function checkVersion(header: string | undefined): void {
  if (!header) {
    throw new PayloadError(`The X-Experience-API-Version header is missing; send "X-Experience-API-Version: ${XAPI_VERSION}".`, [
      { path: '', message: 'X-Experience-API-Version header required' },
    ]);
  }
  const version = header.trim();
  if (version !== '1.0' && !/^1\.0\.\d+$/.test(version)) {
    throw new PayloadError(`X-Experience-API-Version ${JSON.stringify(version)} is not supported; this LRS accepts 1.0.x (answers ${XAPI_VERSION}).`, [
      { path: '', message: 'X-Experience-API-Version must be 1.0 or 1.0.x' },
    ]);
  }
}

function statementIdParameter(value: string | undefined): string {
  if (!value) throw new PayloadError('PUT /statements needs the statementId query parameter.', [{ path: 'statementId', message: 'required' }]);
  if (!z.guid().safeParse(value).success) {
    throw new PayloadError('The statementId parameter is not a UUID.', [{ path: 'statementId', message: 'must be a UUID' }]);
  }
  return value.toLowerCase();
}

/** xAPI-Communication §2.1.2: a batch naming one id twice is rejected whole. */
function rejectDuplicateIds(statements: readonly ReceivedStatement[], batch: boolean): void {
  const firstAt = new Map<string, number>();
  const issues: PayloadIssue[] = [];
  statements.forEach((statement, index) => {
    const earlier = firstAt.get(statement.id);
    if (earlier === undefined) firstAt.set(statement.id, index);
    else issues.push({ path: batch ? `${index}.id` : 'id', message: `repeats the id of statement ${earlier} (${statement.id})` });
  });
  const first = issues[0];
  if (first) throw new PayloadError(`The batch holds the statement id ${first.path} twice: ${first.message}.`, issues);
}

/** A fixed namespace for the ids this hub assigns, so they never collide with another generator's v5 ids. */
const ASSIGNED_ID_NAMESPACE = Buffer.from('37837dd6e11b47559aad959bbcf0afb6', 'hex');

/** RFC 4122 §4.3 name-based UUID (version 5): SHA-1 of namespace + name, version and variant bits set. */
function derivedStatementId(digest: string, index: number): string {
  const hash = createHash('sha1').update(ASSIGNED_ID_NAMESPACE).update(`${digest}#${index}`).digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The LRS's answer: 200 with the ids in request order (xAPI-Communication §2.1.2), or 204 for a PUT
 * (§2.1.1); always with the version header (§3.3).
 */
export function acknowledgeStatements(statements: readonly ReceivedStatement[], options: { method?: string } = {}): IngestReply {
  const headers = { 'X-Experience-API-Version': XAPI_VERSION };
  if (options.method?.toUpperCase() === 'PUT') return { status: 204, contentType: 'text/plain', body: '', headers };
  return { status: 200, contentType: 'application/json', body: JSON.stringify(statements.map((statement) => statement.id)), headers };
}

/** How a verb's statement fills the catalog event beyond learner and actor. */
type StatementShape = 'completion' | 'session' | 'interaction' | 'search' | 'other';

interface VerbMapping {
  type: EventType;
  shape: StatementShape;
}

/**
 * Verb IRI -> catalog type. Verbs are compared as exact IRIs (xAPI-Data §2.4.3: the IRI, never the
 * display, carries the meaning). Any verb not listed becomes lms.event with the statement as raw.
 */
export const VERB_MAPPINGS: Readonly<Record<string, VerbMapping>> = {
  'http://adlnet.gov/expapi/verbs/completed': { type: 'enrollment.completed', shape: 'completion' },
  'http://adlnet.gov/expapi/verbs/attended': { type: 'session.attended', shape: 'session' },
  'http://id.tincanapi.com/verb/viewed': { type: 'activity.viewed', shape: 'interaction' },
  'http://activitystrea.ms/schema/1.0/like': { type: 'activity.liked', shape: 'interaction' },
  'http://activitystrea.ms/schema/1.0/dislike': { type: 'activity.disliked', shape: 'interaction' },
  'http://adlnet.gov/expapi/verbs/answered': { type: 'question.answered', shape: 'interaction' },
  // The registry's skipped is tincanapi's; adlnet's spelling is not in ADL's vocabulary but is common in the wild.
  'http://id.tincanapi.com/verb/skipped': { type: 'question.skipped', shape: 'interaction' },
  'http://adlnet.gov/expapi/verbs/skipped': { type: 'question.skipped', shape: 'interaction' },
  'http://id.tincanapi.com/verb/searched': { type: 'search.performed', shape: 'search' },
};

const OTHER: VerbMapping = { type: 'lms.event', shape: 'other' };

/** Activity type IRI -> course kind for completions; any other type is taken as a lesson. */
const COURSE_KINDS: Readonly<Record<string, CourseKind>> = {
  'http://adlnet.gov/expapi/activities/course': 'online_course',
  'https://w3id.org/xapi/cmi5/activitytype/course': 'online_course',
};

interface Activity {
  id: string;
  name: string | null;
  type: string | null;
}

type ShapeParts = Pick<EventParts, 'course' | 'enrollment' | 'data'>;

function statementPart(received: ReceivedStatement, activity: Activity) {
  const { result } = received.statement;
  return {
    statement_id: received.id,
    verb: received.statement.verb.id,
    activity,
    result: result
      ? {
          success: result.success ?? null,
          completion: result.completion ?? null,
          response: result.response ?? null,
          score_scaled: result.score?.scaled ?? null,
          duration: result.duration ?? null,
        }
      : null,
  };
}

/** A scaled score is a fraction (xAPI-Data §2.4.5.1); the catalog's score is a percentage where one is known. */
function scoreOf(statement: XapiStatement): number | null {
  const score = statement.result?.score;
  if (score?.scaled !== undefined) return Math.round(score.scaled * 10000) / 100;
  return score?.raw ?? null;
}

const SHAPES: Readonly<Record<StatementShape, (received: ReceivedStatement, activity: Activity, occurredAt: string) => ShapeParts>> = {
  completion: (received, activity, occurredAt) => ({
    course: { id: activity.id, title: activity.name, kind: (activity.type && COURSE_KINDS[activity.type]) || 'lesson' },
    enrollment: {
      status: 'completed',
      progress: 100,
      score: scoreOf(received.statement),
      passed: received.statement.result?.success ?? null,
      completed_at: occurredAt,
    },
  }),
  session: (_received, activity) => ({ data: { session: { id: activity.id, title: activity.name, starts_at: null } } }),
  interaction: (received, activity) => ({ data: { statement: statementPart(received, activity) } }),
  search: (received, activity) => ({
    data: { statement: statementPart(received, activity), query: received.statement.result?.response ?? activity.name },
  }),
  other: () => ({}),
};

/** The readable name of a language map: US English, then any English, then whatever comes first. */
function pickLanguage(map: Readonly<Record<string, string>> | undefined): string | null {
  if (!map) return null;
  const entries = Object.entries(map);
  const english = entries.find(([tag]) => tag.toLowerCase() === 'en-us') ?? entries.find(([tag]) => /^en\b/i.test(tag));
  return (english ?? entries[0])?.[1] ?? null;
}

/** The statement's object as an activity; null when the object is an agent or another statement. */
function activityOf(statement: XapiStatement): Activity | null {
  const { object } = statement;
  if ((object.objectType ?? 'Activity') !== 'Activity' || object.id === undefined) return null;
  return { id: object.id, name: pickLanguage(object.definition?.name), type: object.definition?.type ?? null };
}

interface ActorIdentity {
  learner: Partial<Learner> & { id: string };
  hydration: HydrationNeeds;
}

/**
 * The learner behind the actor. The id must stay the same across statements, so it is the email
 * (mbox), the account name, or failing those the sha1sum or openid; never the display name.
 * The user is looked up only when the actor gives neither an email nor a name, and only by an
 * account name: that is an id the LMS knows, where a sha1sum or openid is not.
 */
function identityOf(statement: XapiStatement): ActorIdentity | null {
  const { actor } = statement;
  // Mail domains are case-insensitive and senders vary the case: lower-case it so the id stays one.
  const email = actor.mbox ? actor.mbox.slice('mailto:'.length).toLowerCase() : null;
  const id = email ?? actor.account?.name ?? actor.mbox_sha1sum ?? actor.openid;
  if (id === undefined) return null;
  const name = actor.name?.trim() || null;
  return {
    learner: { id, email, name, username: actor.account?.name ?? null },
    hydration: email || name || !actor.account ? {} : { user: id },
  };
}

/**
 * Maps one statement to its catalog event (see VERB_MAPPINGS). occurred_at is the statement's
 * timestamp, else its stored time, else the receive time; the dedupe key is the statement id, so
 * a statement resent by the LRS client is stored once.
 */
export function statementToCatalog(received: ReceivedStatement, vendor: Vendor, context: MappingContext): MappedEvent {
  const { statement } = received;
  const activity = activityOf(statement);
  const mapping = activity ? (VERB_MAPPINGS[statement.verb.id] ?? OTHER) : OTHER;
  const identity = identityOf(statement);
  const occurredAt = toIsoTimestamp(statement.timestamp ?? statement.stored) ?? context.receivedAt.toISOString();
  const shape = activity ? SHAPES[mapping.shape](received, activity, occurredAt) : {};
  return buildEvent(
    {
      type: mapping.type,
      vendor,
      vendorEvent: statement.verb.id,
      vendorEventId: received.id,
      dedupeKey: received.id,
      occurredAt,
      actor: identity ? { id: identity.learner.id, role: 'learner' } : null,
      ...(identity ? { learner: identity.learner, hydration: identity.hydration } : {}),
      ...shape,
      raw: received.raw,
    },
    context,
  );
}

/** A statement from the xapi-statements route, as an adapter with that route carries it among its events. */
export interface StatementEvent {
  kind: 'statement';
  statement: ReceivedStatement;
}

/**
 * Gives a webhook adapter the xapi-statements route as well: an LRS endpoint behind the
 * connection's `xapi` Basic credentials, whose statements map by VERB_MAPPINGS and are answered with
 * their ids. The webhook route stays the adapter's own.
 */
export function withXapiRoute<Event extends { kind: string }, Inbound extends { xapi?: BasicCredentials | undefined }>(
  webhook: VendorAdapter<Event, Inbound>,
): VendorAdapter<Event | StatementEvent, Inbound> {
  const isStatement = (event: Event | StatementEvent): event is StatementEvent => event.kind === 'statement';
  return {
    ...webhook,
    routes: [...webhook.routes, 'xapi-statements'],
    events: { ...webhook.events, ...eventTypesOf(VERB_MAPPINGS) },
    verify(request, inbound) {
      if (request.route === 'xapi-statements') return verifyStatementCredentials(request, inbound.xapi);
      webhook.verify(request, inbound);
    },
    parse(request) {
      if (request.route === 'xapi-statements') return parseStatements(request).map((statement): StatementEvent => ({ kind: 'statement', statement }));
      return webhook.parse(request);
    },
    toCatalog(event, context) {
      if (isStatement(event)) return [statementToCatalog(event.statement, webhook.vendor, context)];
      return webhook.toCatalog(event, context);
    },
    acknowledge(events, request) {
      if (request.route === 'xapi-statements') {
        return acknowledgeStatements(events.flatMap((event) => (isStatement(event) ? [event.statement] : [])), { method: request.method });
      }
      // Elsewhere the webhook's own answer, or the hub's default.
      return webhook.acknowledge?.(events.filter((event): event is Event => !isStatement(event)), request) ?? null;
    },
  };
}
