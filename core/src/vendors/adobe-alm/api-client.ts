import { z } from 'zod';
import type { Course, CourseKind, Enrollment, EnrollmentStatus, Learner } from '../../catalog/index.ts';
import { createBearerTokens, type IssuedToken } from '../../hydrate/bearer-token.ts';
import { type LmsApiClient, LmsApiError, type LmsHttp, type VendorApi } from '../../hydrate/client.ts';
import { isRefusal } from '../../hydrate/http-json.ts';
import { answerParser } from '../../hydrate/parse-answer.ts';
import { splitFullName } from '../../hydrate/person-name.ts';
import { secret } from '../../secret-fields.ts';
import { lookupName, normaliseName } from '../names.ts';
import { toIsoTimestamp } from '../timestamps.ts';

/**
 * Adobe Learning Manager (ALM) public API v2 client (learningmanager.adobe.com/primeapi/v2; an
 * account on another data centre gives its own host as base_url). OAuth 2.0 with an integration
 * admin's refresh token: POST /oauth/token/refresh (client_id, client_secret, refresh_token,
 * form-encoded) answers an access token for seven days, sent as `Authorization: Bearer`.
 *
 * The connection's one access token is fetched on first use and shared by every request
 * (bearer-token.ts); a 401 renews it once (the first request to see it refreshes, the others wait
 * for that token) and the request is tried once more.
 *
 * - GET /users/{id}: name, email, userUniqueId, and the "Department" active field if the account has one.
 * - GET /learningObjects/{loId}: the title (en-US, else the first locale), loType and loFormat.
 * - GET /users/{id}/enrollments?filter.loTypes=&filter.loIds=: the user's enrollment in a
 *   learning object, matched on its learningObject relationship (so it still works should ALM
 *   ignore filter.loIds), following links.next for a few pages.
 * - Searches: ALM has no name search for users or titles an admin token can use, so a search
 *   reads a few pages (ALM allows 10 records a page) and matches here; an email is looked up
 *   exactly with ids=email:<address>.
 *
 * ALM keeps one `name` per user: first_name is its first word and last_name the rest.
 *
 * Nothing is listed for warming the cache: at 10 records a page and under 100 calls a minute,
 * reading 10,000 users would hold the connection's whole budget for over ten minutes.
 */

/** A connection's ALM API settings: the host, the registered application and an admin refresh token. */
export const AdobeAlmApiSettings = z.object({
  base_url: z
    .url({ protocol: /^https?$/ })
    .default('https://learningmanager.adobe.com')
    .meta({ title: 'API Base URL', description: "https://learningmanager.adobe.com, or your data centre's host (e.g. https://learningmanagereu.adobe.com)." }),
  client_id: z.string().min(1).meta({ title: 'Client ID', description: 'Integration Admin > Applications: the application id.' }),
  client_secret: secret(z.string().min(1)).meta({ title: 'Client Secret', description: 'Integration Admin > Applications: the application secret.' }),
  refresh_token: secret(z.string().min(1)).meta({ title: 'Refresh Token', description: 'An admin refresh token for this application (admin:read scope).' }),
});
export type AdobeAlmApiSettings = z.infer<typeof AdobeAlmApiSettings>;

/**
 * ALM documents (100, 100) for v2 admin GETs: 100 requests a minute per user and application,
 * plus a burst of 100. A bucket of 50 refilled at 1.5/s (90 a minute) stays under both however
 * the calls bunch up, leaving room for the account's other use of the same application.
 */
const RATE_LIMIT = { capacity: 50, perSecond: 1.5 };

/** Renewed a minute before ALM's own expiry, so a request does not meet it on the way. */
const EXPIRY_MARGIN_MS = 60 * 1000;
/** When ALM leaves out expires_in: its documented seven days. */
const DEFAULT_EXPIRES_IN_S = 7 * 24 * 60 * 60;

/** ALM's page size for lists; what a search reads at most. */
const PAGE_SIZE = 10;
const MAX_SEARCH_PAGES = 5;
const MAX_ENROLLMENT_PAGES = 3;

const JSON_API = 'application/vnd.api+json';

/** ALM user ids are numbers. */
const USER_ID = /^\d+$/;
/** Learning-object ids: type and number ("course:501"); a bare number is taken as a course. */
const LO_ID = /^(course|learningProgram|certification|jobAid):(\d+)$/;

const text = z.string().nullish();

const Relationship = z.looseObject({ data: z.looseObject({ id: z.union([z.string(), z.number()]).transform(String) }).nullish() }).nullish();

const AlmUser = z.looseObject({
  id: z.union([z.string().min(1), z.number()]).transform(String),
  attributes: z.looseObject({
    name: text,
    email: text,
    userUniqueId: text,
    fields: z.record(z.string(), z.unknown()).nullish(),
    state: text,
  }),
});
type AlmUser = z.infer<typeof AlmUser>;

const AlmLearningObject = z.looseObject({
  id: z.string().min(1),
  attributes: z.looseObject({
    loType: text,
    loFormat: text,
    state: text,
    localizedMetadata: z.array(z.looseObject({ locale: text, name: text })).nullish(),
  }),
});
type AlmLearningObject = z.infer<typeof AlmLearningObject>;

const AlmEnrollment = z.looseObject({
  id: z.string().min(1),
  attributes: z.looseObject({
    state: text,
    progressPercent: z.number().nullish(),
    score: z.number().nullish(),
    hasPassed: z.boolean().nullish(),
    dateEnrolled: text,
    dateStarted: text,
    dateCompleted: text,
  }),
  relationships: z.looseObject({ learningObject: Relationship, learner: Relationship }).nullish(),
});
type AlmEnrollment = z.infer<typeof AlmEnrollment>;

const one = <S extends z.ZodType>(item: S) => z.looseObject({ data: item });
const many = <S extends z.ZodType>(item: S) => z.looseObject({ data: z.array(item), links: z.looseObject({ next: text }).nullish() });

const TokenAnswer = z.looseObject({ access_token: z.string().min(1), expires_in: z.union([z.number(), z.string()]).nullish() });

const LO_KINDS: Readonly<Record<string, CourseKind | null>> = {
  course: 'online_course',
  learningprogram: 'learning_path',
  certification: 'certification',
  jobaid: null,
};

/** ALM's loFormat for classroom and virtual-classroom courses: taught by an instructor. */
const INSTRUCTOR_FORMATS = new Set(['classroom', 'virtualclassroom']);

/**
 * ALM's enrollment states. PENDING_ACCEPTANCE (a nomination the learner has yet to accept) is
 * pending, like an approval; REJECTED is a declined request; WAITING is a waitlist seat.
 */
const STATES: Readonly<Record<string, EnrollmentStatus>> = {
  enrolled: 'enrolled',
  started: 'in_progress',
  completed: 'completed',
  pendingapproval: 'pending_approval',
  pendingacceptance: 'pending_approval',
  rejected: 'declined',
  waiting: 'waitlisted',
};

const orNull = (value: string | null | undefined): string | null => value?.trim() || null;

/** The account's "Department" active field, whatever its case; a multi-valued field gives its first value. */
function departmentOf(fields: Record<string, unknown> | null | undefined): string | null {
  for (const [key, value] of Object.entries(fields ?? {})) {
    if (normaliseName(key) !== 'department') continue;
    const first: unknown = Array.isArray(value) ? value[0] : value;
    return typeof first === 'string' ? orNull(first) : null;
  }
  return null;
}

function toLearner(user: AlmUser): Learner {
  const name = orNull(user.attributes.name);
  return {
    id: user.id,
    email: orNull(user.attributes.email),
    // ALM's customer-defined unique id (often the email): what an account signs people in and matches them by.
    username: orNull(user.attributes.userUniqueId),
    ...splitFullName(name),
    name,
    department: departmentOf(user.attributes.fields),
  };
}

function titleOf(lo: AlmLearningObject): string | null {
  const metadata = lo.attributes.localizedMetadata ?? [];
  const chosen = metadata.find((entry) => entry.locale === 'en-US') ?? metadata.find((entry) => orNull(entry.name));
  return orNull(chosen?.name);
}

function kindOf(lo: AlmLearningObject): CourseKind | null {
  const loType = lo.attributes.loType ?? lo.id.split(':')[0];
  const kind = lookupName(LO_KINDS, loType);
  if (kind === 'online_course' && lo.attributes.loFormat && INSTRUCTOR_FORMATS.has(normaliseName(lo.attributes.loFormat))) return 'instructor_led';
  return kind;
}

function toCourse(lo: AlmLearningObject): Course {
  // The API gives no learner-facing link to a learning object.
  return { id: lo.id, title: titleOf(lo), kind: kindOf(lo), url: null };
}

function toEnrollment(enrollment: AlmEnrollment): Enrollment {
  const { attributes } = enrollment;
  const status = lookupName(STATES, attributes.state) ?? 'unknown';
  const progress = typeof attributes.progressPercent === 'number' ? Math.min(100, Math.max(0, attributes.progressPercent)) : null;
  return {
    id: enrollment.id,
    status,
    progress: progress ?? (status === 'completed' ? 100 : null),
    score: attributes.score ?? null,
    // hasPassed is false until a learner passes: it says something only once the enrollment is complete.
    passed: status === 'completed' ? (attributes.hasPassed ?? null) : null,
    enrolled_at: toIsoTimestamp(attributes.dateEnrolled),
    completed_at: toIsoTimestamp(attributes.dateCompleted),
  };
}

function contains(q: string | undefined, ...fields: Array<string | null | undefined>): boolean {
  const words = q?.toLowerCase().split(/\s+/).filter(Boolean) ?? [];
  const haystack = fields.filter(Boolean).join(' ').toLowerCase();
  return words.every((word) => haystack.includes(word));
}

/** A learning-object id in ALM's form; a bare number is taken as a course, or as the loType `kind` implies. */
function learningObjectId(id: string, kind?: CourseKind): string | null {
  if (LO_ID.test(id)) return id;
  if (!/^\d+$/.test(id)) return null;
  const loType = kind === 'learning_path' ? 'learningProgram' : kind === 'certification' ? 'certification' : 'course';
  return `${loType}:${id}`;
}

const parse = answerParser('Adobe Learning Manager');

function createClient(settings: AdobeAlmApiSettings, http: LmsHttp): LmsApiClient {
  const root = settings.base_url.replace(/\/+$/, '');
  const api = `${root}/primeapi/v2`;

  async function refresh(): Promise<IssuedToken> {
    const form = new URLSearchParams({ client_id: settings.client_id, client_secret: settings.client_secret, refresh_token: settings.refresh_token });
    let body: unknown;
    try {
      body = await http.json({
        method: 'POST',
        url: `${root}/oauth/token/refresh`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
      });
    } catch (error) {
      if (isRefusal(error) && error.status !== null) {
        // ALM's own words stay in `cause`: only the status goes into the message.
        throw new LmsApiError(`Adobe Learning Manager refused the token refresh (${error.status}): check the client id, client secret and refresh token.`, {
          status: error.status,
          cause: error,
        });
      }
      throw error;
    }
    if (body === null) throw new LmsApiError('Adobe Learning Manager answered the token refresh with 404: check the API base URL.', { status: 404 });
    const answer = parse(TokenAnswer, body, 'the token refresh');
    const expiresIn = Number(answer.expires_in ?? DEFAULT_EXPIRES_IN_S);
    return { value: answer.access_token, lifetimeMs: (Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : DEFAULT_EXPIRES_IN_S) * 1000 };
  }

  const tokens = createBearerTokens({ issue: refresh, renewEarlyMs: EXPIRY_MARGIN_MS });

  async function get<S extends z.ZodType>(url: string, schema: S, what: string): Promise<z.infer<S> | null> {
    // A 401 means expired or revoked: the request is sent once more with a renewed token.
    const body = await tokens.send((token) => http.json({ url, headers: { accept: JSON_API, authorization: `Bearer ${token}` } }));
    return body === null ? null : parse(schema, body, what);
  }

  const url = (path: string, query: Record<string, string> = {}) => {
    const search = new URLSearchParams(query).toString();
    return `${api}${path}${search ? `?${search}` : ''}`;
  };

  /** Reads a list and its next pages, up to `maxPages`, until `enough` says so. */
  async function pages<S extends z.ZodType>(
    first: string,
    item: S,
    what: string,
    maxPages: number,
    enough: (items: Array<z.infer<S>>) => boolean,
  ): Promise<Array<z.infer<S>>> {
    const items: Array<z.infer<S>> = [];
    let next: string | null = first;
    for (let page = 0; next && page < maxPages && !enough(items); page += 1) {
      const found: { data: Array<z.infer<S>>; links?: { next?: string | null | undefined } | null | undefined } | null = await get(next, many(item), what);
      if (!found) break;
      items.push(...found.data);
      // Only links back to the same API are followed: the token goes nowhere else.
      next = found.links?.next?.startsWith(`${api}/`) ? found.links.next : null;
    }
    return items;
  }

  return {
    async user(id) {
      if (!USER_ID.test(id)) return null;
      const found = await get(url(`/users/${id}`), one(AlmUser), 'a user');
      return found ? toLearner(found.data) : null;
    },

    async course(id, kind) {
      const loId = learningObjectId(id, kind);
      if (!loId) return null;
      const found = await get(url(`/learningObjects/${loId}`), one(AlmLearningObject), 'a learning object');
      return found ? toCourse(found.data) : null;
    },

    async enrollment(ref) {
      const loId = learningObjectId(ref.course);
      if (!USER_ID.test(ref.user) || !loId) return null;
      const loType = loId.split(':')[0] ?? 'course';
      const first = url(`/users/${ref.user}/enrollments`, { 'filter.loTypes': loType, 'filter.loIds': loId, 'page[limit]': String(PAGE_SIZE) });
      const forObject = (enrollments: AlmEnrollment[]) => enrollments.filter((enrollment) => enrollment.relationships?.learningObject?.data?.id === loId);
      const found = await pages(first, AlmEnrollment, "a user's enrollments", MAX_ENROLLMENT_PAGES, (items) => forObject(items).length > 0);
      // With several enrollments in one object (multiple attempts), the latest is the current one.
      const latest = forObject(found).toSorted((a, b) =>
        (toIsoTimestamp(b.attributes.dateEnrolled) ?? '').localeCompare(toIsoTimestamp(a.attributes.dateEnrolled) ?? ''),
      )[0];
      return latest ? toEnrollment(latest) : null;
    },

    async searchCourses(q, limit) {
      const wanted = q?.trim();
      const first = url('/learningObjects', { 'filter.loTypes': 'course,learningProgram,certification', 'page[limit]': String(PAGE_SIZE), sort: 'name' });
      const matches = (items: AlmLearningObject[]) => items.map(toCourse).filter((course) => contains(wanted, course.id, course.title));
      const found = await pages(first, AlmLearningObject, 'a learning-object search', MAX_SEARCH_PAGES, (items) => matches(items).length >= limit);
      return matches(found).slice(0, limit);
    },

    async searchUsers(q, limit) {
      const wanted = q?.trim();
      if (wanted && /^[^\s@,]+@[^\s@,]+$/.test(wanted)) {
        // An email is looked up exactly: one call, however large the account.
        const found = await get(url('/users', { ids: `email:${wanted}` }), many(AlmUser), 'a user search');
        return (found?.data ?? []).map(toLearner).slice(0, limit);
      }
      const first = url('/users', { 'page[limit]': String(PAGE_SIZE), 'page[offset]': '0' });
      const matches = (items: AlmUser[]) =>
        items
          .filter((user) => user.attributes.state !== 'DELETED')
          .map(toLearner)
          .filter((learner) => contains(wanted, learner.name, learner.email, learner.username));
      const found = await pages(first, AlmUser, 'a user search', MAX_SEARCH_PAGES, (items) => matches(items).length >= limit);
      return matches(found).slice(0, limit);
    },
  };
}

/** Hydration through the Adobe Learning Manager API v2. */
export const adobeAlmApiClient: VendorApi<AdobeAlmApiSettings> = {
  vendor: 'adobe-alm',
  settingsSchema: AdobeAlmApiSettings,
  rateLimit: RATE_LIMIT,
  createClient,
};
