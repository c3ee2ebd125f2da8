import { z } from 'zod';
import type { Course, CourseKind, Enrollment, EnrollmentStatus, Learner } from '../../catalog/index.ts';
import { type ListPage, type LmsApiClient, LmsApiError, type LmsHttp, type VendorApi } from '../../hydrate/client.ts';
import { answerParser } from '../../hydrate/parse-answer.ts';
import { splitFullName } from '../../hydrate/person-name.ts';
import { secret } from '../../secret-fields.ts';
import { toIsoTimestamp } from '../timestamps.ts';

/**
 * Seismic Learning (formerly Lessonly) API client: api.lessonly.com/api/v1 and /v1.1, HTTP Basic
 * with the company's subdomain as user name and the API key as password.
 *
 * - Users: GET /api/v1/users/{id}; the list (GET /api/v1.1/users) filters by exact email or
 *   ext_uid only, so a name search reads pages and matches here.
 * - Lessons and paths are Lessonly's courses: GET /api/v1/lessons/{id}, /api/v1/paths/{id}
 *   (a path with is_certification is a certification). Their lists are not paged or searchable:
 *   a course search reads both lists and matches titles here.
 * - Enrollments are assignments: GET /api/v1/users/{id}/assignments, matched on assignable_id.
 * - Users are listed for warming the cache (GET /api/v1.1/users, archived ones too, as
 *   /users/{id} answers them); courses are not, since a lesson and a path may share an id and
 *   which one an event means depends on its kind.
 *
 * Lessonly keeps one `name` per user. first_name is its first word and last_name the rest
 * ("Mary Ann Smith" -> "Mary" / "Ann Smith"; "Cher" -> "Cher" / null), the split most address
 * books make; `name` itself is passed on whole.
 */

export const SeismicLearningApiSettings = z.object({
  base_url: z
    .url({ protocol: /^https?$/ })
    .default('https://api.lessonly.com')
    .meta({ title: 'API Base URL', description: 'Without /api/v1: https://api.lessonly.com.' }),
  subdomain: z.string().min(1).meta({ title: 'Lessonly Subdomain', description: 'The "acme" of acme.lessonly.com.' }),
  api_key: secret(z.string().min(1)).meta({ title: 'API Key', description: 'Company settings > API & Webhook in Lessonly.' }),
});
export type SeismicLearningApiSettings = z.infer<typeof SeismicLearningApiSettings>;

/**
 * Lessonly publishes 500 requests a minute. A token bucket of capacity C refilled at r/s lets
 * C + 60·r through in any minute; 16 + 7/s (436) keeps a margin under 500, since calls sent at
 * the exact limit can arrive bunched together and still be refused.
 */
const RATE_LIMIT = { capacity: 16, perSecond: 7 };

/** Lessonly's largest page (per_page); more is silently capped by the API. */
const MAX_PER_PAGE = 1000;
/** How many pages of users a name search reads at most: bounded, so a search never costs O(company). */
const MAX_SEARCH_PAGES = 3;

const LessonlyId = z.union([z.number().int(), z.string().min(1)]).transform(String);
const text = z.string().nullish();

const LessonlyUser = z.looseObject({
  id: LessonlyId,
  name: text,
  email: text,
  ext_uid: z.union([z.string(), z.number()]).nullish(),
  department: text,
  archived_at: text,
});
type LessonlyUser = z.infer<typeof LessonlyUser>;

const UserList = z.looseObject({
  users: z.array(LessonlyUser),
  total_pages: z.number().int().nullish(),
});

const Links = z.looseObject({ overview: text, shareable: text }).nullish();

const LessonlyLesson = z.looseObject({ id: LessonlyId, title: text, links: Links, archived_at: text });
const LessonlyPath = LessonlyLesson.extend({ is_certification: z.boolean().nullish() });
type LessonlyPath = z.infer<typeof LessonlyPath>;

const LessonList = z.looseObject({ lessons: z.array(LessonlyLesson) });
const PathList = z.looseObject({ paths: z.array(LessonlyPath) });

const Assignment = z.looseObject({
  id: LessonlyId,
  assignable_id: LessonlyId,
  assignable_type: text,
  status: text,
  score: z.number().nullish(),
  assigned_at: text,
  started_at: text,
  completed_at: text,
});
type Assignment = z.infer<typeof Assignment>;

const UserAssignments = z.looseObject({ assignments: z.array(Assignment) });

/** Lessonly ids are positive integers: anything else names nothing there, so it is not asked for. */
const NUMERIC_ID = /^\d+$/;

const PATH_KINDS: ReadonlySet<CourseKind> = new Set(['learning_path', 'certification']);

const orNull = (value: string | number | null | undefined): string | null => {
  if (value === null || value === undefined) return null;
  return String(value).trim() || null;
};

function toLearner(user: LessonlyUser): Learner {
  const name = orNull(user.name);
  return {
    id: user.id,
    email: orNull(user.email),
    // Lessonly has no user name of its own (people sign in with their email); ext_uid is another system's id.
    username: null,
    ...splitFullName(name),
    name,
    department: orNull(user.department),
  };
}

function lessonToCourse(lesson: z.infer<typeof LessonlyLesson>): Course {
  return { id: lesson.id, title: orNull(lesson.title), kind: 'lesson', url: orNull(lesson.links?.overview) ?? orNull(lesson.links?.shareable) };
}

function pathToCourse(path: LessonlyPath): Course {
  return {
    id: path.id,
    title: orNull(path.title),
    kind: path.is_certification ? 'certification' : 'learning_path',
    url: orNull(path.links?.overview) ?? orNull(path.links?.shareable),
  };
}

/**
 * Lessonly's assignment statuses are Incomplete, Overdue, Grade Pending and Completed. Lessonly
 * counts a lesson awaiting its grade as completed ("completed" or "awaiting grade" in its completion
 * counts), and so does this; an overdue assignment is an incomplete one past its due date.
 */
function statusOf(assignment: Assignment): EnrollmentStatus {
  const status = assignment.status?.toLowerCase().replace(/[^a-z]/g, '') ?? '';
  if (status === 'completed' || status === 'complete' || status === 'gradepending') return 'completed';
  if (status === 'incomplete' || status === 'overdue') return assignment.started_at ? 'in_progress' : 'not_started';
  return 'unknown';
}

function toEnrollment(assignment: Assignment): Enrollment {
  const status = statusOf(assignment);
  return {
    id: assignment.id,
    status,
    // Assignments carry no progress; only their ends are certain.
    progress: status === 'completed' ? 100 : status === 'not_started' ? 0 : null,
    score: assignment.score ?? null,
    // The pass mark (the lesson's retake_score) is on the lesson: not worth a second call per enrollment.
    passed: null,
    enrolled_at: toIsoTimestamp(assignment.assigned_at),
    completed_at: toIsoTimestamp(assignment.completed_at),
  };
}

function contains(q: string | undefined, ...fields: Array<string | null | undefined>): boolean {
  if (!q) return true;
  const needle = q.toLowerCase();
  return fields.some((field) => field?.toLowerCase().includes(needle));
}

const parse = answerParser('Lessonly');

function createClient(settings: SeismicLearningApiSettings, http: LmsHttp): LmsApiClient {
  const root = `${settings.base_url.replace(/\/+$/, '')}/api`;
  const authorization = `Basic ${Buffer.from(`${settings.subdomain}:${settings.api_key}`).toString('base64')}`;

  async function get<S extends z.ZodType>(path: string, schema: S, what: string): Promise<z.infer<S> | null> {
    let body: unknown;
    try {
      body = await http.json({ url: root + path, headers: { authorization } });
    } catch (error) {
      // Lessonly answers its rate limit with "403 Forbidden (Rate Limit Exceeded)", not 429:
      // that 403 is worth waiting for, unlike one for a missing privilege.
      if (error instanceof LmsApiError && error.status === 403 && /rate.?limit/i.test(error.message)) {
        throw new LmsApiError(`Lessonly rate-limited ${what} (403 Rate Limit Exceeded).`, { status: 429, cause: error });
      }
      throw error;
    }
    return body === null ? null : parse(schema, body, what);
  }

  async function lesson(id: string): Promise<Course | null> {
    const found = await get(`/v1/lessons/${id}`, LessonlyLesson, 'a lesson');
    return found ? lessonToCourse(found) : null;
  }

  async function path(id: string): Promise<Course | null> {
    const found = await get(`/v1/paths/${id}`, LessonlyPath, 'a path');
    return found ? pathToCourse(found) : null;
  }

  return {
    async user(id) {
      if (!NUMERIC_ID.test(id)) return null;
      const found = await get(`/v1/users/${id}`, LessonlyUser, 'a user');
      return found ? toLearner(found) : null;
    },

    async course(id, kind) {
      if (!NUMERIC_ID.test(id)) return null;
      if (kind && PATH_KINDS.has(kind)) return path(id);
      // Lessonly's courses are lessons unless said otherwise (its events are about lessons); paths have ids of their own.
      return (await lesson(id)) ?? (kind ? null : path(id));
    },

    async enrollment(ref) {
      if (!NUMERIC_ID.test(ref.user) || !NUMERIC_ID.test(ref.course)) return null;
      const found = await get(`/v1/users/${ref.user}/assignments`, UserAssignments, "a user's assignments");
      if (!found) return null;
      const forCourse = found.assignments.filter((assignment) => assignment.assignable_id === ref.course);
      // Lessons and paths number separately, so one id can name both: the named assignment, else the lesson's.
      const match =
        forCourse.find((assignment) => ref.id !== undefined && assignment.id === ref.id) ??
        forCourse.find((assignment) => assignment.assignable_type === 'Lesson') ??
        forCourse[0];
      return match ? toEnrollment(match) : null;
    },

    async searchCourses(q, limit) {
      const [lessons, paths] = await Promise.all([get('/v1.1/lessons', LessonList, 'the lesson list'), get('/v1.1/paths', PathList, 'the path list')]);
      const courses = [
        ...(lessons?.lessons ?? []).filter((item) => !item.archived_at).map(lessonToCourse),
        ...(paths?.paths ?? []).filter((item) => !item.archived_at).map(pathToCourse),
      ];
      return courses.filter((course) => contains(q, course.id, course.title)).slice(0, limit);
    },

    async searchUsers(q, limit) {
      const wanted = q?.trim();
      if (wanted?.includes('@')) {
        // Lessonly filters on the exact email itself: one call, however large the company.
        const found = await get(`/v1.1/users?filter[email]=${encodeURIComponent(wanted)}&per_page=${Math.min(limit, MAX_PER_PAGE)}`, UserList, 'a user search');
        return (found?.users ?? []).map(toLearner).slice(0, limit);
      }
      const perPage = wanted ? MAX_PER_PAGE : Math.min(Math.max(limit, 1), MAX_PER_PAGE);
      const learners: Learner[] = [];
      for (let pageNumber = 1; pageNumber <= MAX_SEARCH_PAGES && learners.length < limit; pageNumber += 1) {
        const found = await get(`/v1.1/users?filter[active_only]=true&page=${pageNumber}&per_page=${perPage}`, UserList, 'the user list');
        if (!found) break;
        for (const user of found.users) {
          if (learners.length < limit && contains(wanted, user.name, user.email, orNull(user.ext_uid))) learners.push(toLearner(user));
        }
        if (found.users.length < perPage || pageNumber >= (found.total_pages ?? pageNumber)) break;
      }
      return learners;
    },

    async listUsers(cursor): Promise<ListPage<Learner>> {
      const pageNumber = Number(cursor ?? '1');
      const found = await get(`/v1.1/users?page=${pageNumber}&per_page=${MAX_PER_PAGE}`, UserList, 'the user list');
      const users = found?.users ?? [];
      const last = users.length < MAX_PER_PAGE || pageNumber >= (found?.total_pages ?? pageNumber);
      return { items: users.map(toLearner), next: last ? null : String(pageNumber + 1) };
    },
  };
}

/** Hydration through the Seismic Learning (Lessonly) API. */
export const seismicLearningApiClient: VendorApi<SeismicLearningApiSettings> = {
  vendor: 'seismic-learning',
  settingsSchema: SeismicLearningApiSettings,
  rateLimit: RATE_LIMIT,
  createClient,
};
