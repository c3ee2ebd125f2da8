import type { HydrationNeeds } from '../../catalog/hydration-needs.ts';
import type { CourseKind, EventType, Learner, Vendor } from '../../catalog/index.ts';
import type { MappedEvent, MappingContext } from '../adapter.ts';
import { buildEvent, type EventParts } from '../build-event.ts';
import { toIsoTimestamp } from '../timestamps.ts';
import type { ReceivedStatement } from './lrs.ts';
import type { XapiStatement } from './schema.ts';

/**
 * Mapping xAPI statements to the catalog: the verb table as data, and how each kind of verb fills
 * the event (xAPI-Data.md §2.4, https://github.com/adlnet/xAPI-Spec).
 */

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
