import { z } from 'zod';
import type { Course, Enrollment, EnrollmentStatus, Learner } from '../../catalog/index.ts';
import type { ListPage, LmsApiClient, LmsHttp, VendorApi } from '../../hydrate/client.ts';
import { answerParser } from '../../hydrate/parse-answer.ts';
import { splitFullName } from '../../hydrate/person-name.ts';
import { secret } from '../../secret-fields.ts';
import { lookupName } from '../names.ts';
import { toIsoTimestamp } from '../timestamps.ts';
import { LEARN365_COURSE_KINDS, LEARN365_REGISTRATION_STATUSES } from './tables.ts';

/**
 * Learn365 (Zensai, formerly LMS365) Cloud API client: OData v4 under /odata/v2, HTTP Basic with
 * the user name "api" and a Learn365 API key (Admin Center > Global Settings > API key management)
 * as the password. https://api.365.systems routes each tenant to its region; a regional endpoint
 * (us-api, ne-api, au-api, ... .365.systems) may be given as base_url instead.
 *
 * - Users({id}): the profile a webhook left without Email or Department.
 * - Courses({id})?$expand=SharepointWeb: title, CourseType and the course site's URL.
 * - Enrollments({id}), else Enrollments?$filter=UserId eq .. and CourseId eq ..: status and dates
 *   for CourseStarted / CourseCompleted.
 * - Searches are OData $filter with contains(tolower(..)) and $top.
 * - Lists for warming the cache: Users and Courses (with SharepointWeb) in pages of $top/$skip.
 *
 * Ids go into keys and filters bare: Learn365's are GUIDs (and the sandbox's numbers), both of
 * which OData writes without quotes.
 *
 * Learn365 keeps one display name (Title) per user. first_name is its first word and last_name the
 * rest ("Mary Ann Smith" -> "Mary" / "Ann Smith"; "Cher" -> "Cher" / null); `name` is Title whole.
 */

export const Learn365ApiSettings = z.object({
  base_url: z
    .url({ protocol: /^https?$/ })
    .default('https://api.365.systems')
    .meta({ title: 'API Base URL', description: "https://api.365.systems, or your region's endpoint such as https://ne-api.365.systems." }),
  api_key: secret(z.string().min(1)).meta({
    title: 'API Key',
    description: 'Learn365 Admin Center > Global Settings > API key management (Read only is enough).',
  }),
});
export type Learn365ApiSettings = z.infer<typeof Learn365ApiSettings>;

/**
 * Learn365 publishes no rate limit for its API; the sandbox assumes 5 calls a second in bursts of
 * 10. The client stays a margin below that (8 + 4/s), since calls sent at the exact limit can
 * arrive bunched together and still be refused; a 429 with Retry-After slows the connection further.
 */
const RATE_LIMIT = { capacity: 8, perSecond: 4 };

/** Records a warm-up page asks for; a service that pages smaller ends the list early, never wrongly. */
const LIST_PAGE = 1000;

/** How Learn365 expects the API key: Basic, user name "api", key as password (Zensai help center). */
const BASIC_USER = 'api';

/** Learn365 ids are GUIDs (the sandbox's are numbers); anything else is not asked for, and cannot break out of a key or filter. */
const ID = /^[0-9A-Za-z-]+$/;

const text = z.string().nullish();
const Id = z.union([z.string().min(1), z.number()]).transform(String);

const Learn365User = z.looseObject({
  Id,
  Title: text,
  Email: text,
  LoginName: text,
  Department: text,
});
type Learn365User = z.infer<typeof Learn365User>;

const Learn365Course = z.looseObject({
  Id,
  Title: text,
  CourseType: text,
  SharepointWeb: z.looseObject({ Url: text }).nullish(),
});
type Learn365Course = z.infer<typeof Learn365Course>;

const Learn365Enrollment = z.looseObject({
  Id,
  UserId: Id.nullish(),
  CourseId: Id.nullish(),
  RegistrationDate: text,
  StartDate: text,
  CompletionDate: text,
  RegistrationStatus: z.union([z.string(), z.number()]).nullish(),
  CoursePassingStatus: z.union([z.string(), z.number()]).nullish(),
});
type Learn365Enrollment = z.infer<typeof Learn365Enrollment>;

/** An OData collection: the items are in `value`. */
const collection = <S extends z.ZodType>(item: S) => z.looseObject({ value: z.array(item) });

/**
 * CoursePassingStatus: Zensai documents 0 Completed, 1 NotStarted, 2 InProgress (numbers when
 * written, names when read).
 */
const PASSING_STATUSES: Readonly<Record<string, EnrollmentStatus>> = {
  '0': 'completed',
  completed: 'completed',
  passed: 'completed',
  '1': 'not_started',
  notstarted: 'not_started',
  '2': 'in_progress',
  inprogress: 'in_progress',
  failed: 'failed',
};

const orNull = (value: string | null | undefined): string | null => value?.trim() || null;

function toLearner(user: Learn365User): Learner {
  const name = orNull(user.Title);
  return {
    id: user.Id,
    email: orNull(user.Email),
    // As the webhooks carry it (a SharePoint claim such as i:0#.f|membership|ann@contoso.com), so hydrated and sent values agree.
    username: orNull(user.LoginName),
    ...splitFullName(name),
    name,
    department: orNull(user.Department),
  };
}

function toCourse(course: Learn365Course): Course {
  return { id: course.Id, title: orNull(course.Title), kind: lookupName(LEARN365_COURSE_KINDS, course.CourseType), url: orNull(course.SharepointWeb?.Url) };
}

function statusOf(enrollment: Learn365Enrollment): EnrollmentStatus {
  // A RegistrationStatus saying the enrollment is not (or no longer) an ordinary one outranks how far the learner got.
  const registration = lookupName(LEARN365_REGISTRATION_STATUSES, enrollment.RegistrationStatus);
  if (registration) return registration;
  const passing = lookupName(PASSING_STATUSES, enrollment.CoursePassingStatus);
  if (passing) return passing;
  return enrollment.RegistrationStatus ? 'enrolled' : 'unknown';
}

function toEnrollment(enrollment: Learn365Enrollment): Enrollment {
  const status = statusOf(enrollment);
  return {
    id: enrollment.Id,
    status,
    // Learn365's enrollment has no percentage or score; only its ends are certain.
    progress: status === 'completed' ? 100 : status === 'not_started' ? 0 : null,
    score: null,
    passed: null,
    enrolled_at: toIsoTimestamp(enrollment.RegistrationDate),
    completed_at: toIsoTimestamp(enrollment.CompletionDate),
  };
}

/** An OData string literal: quoted, with quotes doubled. */
function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

const sameId = (a: string | null | undefined, b: string) => a?.toLowerCase() === b.toLowerCase();

const parse = answerParser('Learn365');

function createClient(settings: Learn365ApiSettings, http: LmsHttp): LmsApiClient {
  const root = `${settings.base_url.replace(/\/+$/, '')}/odata/v2`;
  const authorization = `Basic ${Buffer.from(`${BASIC_USER}:${settings.api_key}`).toString('base64')}`;

  async function get<S extends z.ZodType>(path: string, query: Record<string, string>, schema: S, what: string): Promise<z.infer<S> | null> {
    const search = new URLSearchParams(query).toString();
    const body = await http.json({ url: `${root}/${path}${search ? `?${search}` : ''}`, headers: { authorization } });
    return body === null ? null : parse(schema, body, what);
  }

  async function search<S extends z.ZodType>(set: string, filter: string | null, limit: number, schema: S, what: string): Promise<Array<z.infer<S>>> {
    const query: Record<string, string> = { $top: String(Math.max(1, limit)) };
    if (filter) query.$filter = filter;
    const found = await get(set, query, collection(schema), what);
    return found?.value ?? [];
  }

  /** Records from `cursor` (a $skip) on, and the next $skip while pages come back full. */
  async function listPage<S extends z.ZodType>(set: string, expand: Record<string, string>, cursor: string | null, schema: S, what: string) {
    const skip = Number(cursor ?? '0');
    const found = await get(set, { ...expand, $top: String(LIST_PAGE), $skip: String(skip) }, collection(schema), what);
    const items: Array<z.infer<S>> = found?.value ?? [];
    return { items, next: items.length === LIST_PAGE ? String(skip + LIST_PAGE) : null };
  }

  return {
    async user(id) {
      if (!ID.test(id)) return null;
      const found = await get(`Users(${id})`, {}, Learn365User, 'a user');
      return found ? toLearner(found) : null;
    },

    async course(id) {
      if (!ID.test(id)) return null;
      const found = await get(`Courses(${id})`, { $expand: 'SharepointWeb' }, Learn365Course, 'a course');
      return found ? toCourse(found) : null;
    },

    async enrollment(ref) {
      if (!ID.test(ref.user) || !ID.test(ref.course)) return null;
      if (ref.id !== undefined && ID.test(ref.id)) {
        const found = await get(`Enrollments(${ref.id})`, {}, Learn365Enrollment, 'an enrollment');
        // An enrollment id from a webhook names the user's enrollment in that course; anything else is looked up afresh.
        if (found && (!found.UserId || sameId(found.UserId, ref.user)) && (!found.CourseId || sameId(found.CourseId, ref.course))) return toEnrollment(found);
      }
      const found = await get(
        'Enrollments',
        { $filter: `UserId eq ${ref.user} and CourseId eq ${ref.course}` },
        collection(Learn365Enrollment),
        "a user's enrollments",
      );
      // A retaken course leaves one enrollment per attempt: the latest registration is the current one.
      const latest = (found?.value ?? []).toSorted((a, b) =>
        (toIsoTimestamp(b.RegistrationDate) ?? '').localeCompare(toIsoTimestamp(a.RegistrationDate) ?? ''),
      )[0];
      return latest ? toEnrollment(latest) : null;
    },

    async searchCourses(q, limit) {
      const wanted = q?.trim().toLowerCase();
      const courses = await search('Courses', wanted ? `contains(tolower(Title),${literal(wanted)})` : null, limit, Learn365Course, 'a course search');
      return courses.map(toCourse);
    },

    async searchUsers(q, limit) {
      const wanted = q?.trim().toLowerCase();
      const filter = wanted ? ['Title', 'Email', 'LoginName'].map((property) => `contains(tolower(${property}),${literal(wanted)})`).join(' or ') : null;
      const users = await search('Users', filter, limit, Learn365User, 'a user search');
      return users.map(toLearner);
    },

    async listUsers(cursor): Promise<ListPage<Learner>> {
      const listed = await listPage('Users', {}, cursor, Learn365User, 'the user list');
      return { items: listed.items.map(toLearner), next: listed.next };
    },

    async listCourses(cursor): Promise<ListPage<Course>> {
      const listed = await listPage('Courses', { $expand: 'SharepointWeb' }, cursor, Learn365Course, 'the course list');
      return { items: listed.items.map(toCourse), next: listed.next };
    },
  };
}

/** Hydration through the Learn365 (Zensai) OData API. */
export const learn365ApiClient: VendorApi<Learn365ApiSettings> = {
  vendor: 'learn365',
  settingsSchema: Learn365ApiSettings,
  rateLimit: RATE_LIMIT,
  createClient,
};
