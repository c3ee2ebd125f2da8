import { z } from 'zod';
import type { Course, Enrollment, Learner } from '../../catalog/index.ts';
import type { ListPage, LmsApiClient, LmsHttp, VendorApi } from '../../hydrate/client.ts';
import { answerParser } from '../../hydrate/parse-answer.ts';
import { secret } from '../../secret-fields.ts';
import { toIsoTimestamp } from '../timestamps.ts';

/**
 * Thinkific Admin API client (https://developers.thinkific.com/api/api-documentation): base
 * https://api.thinkific.com/api/public/v1, headers `X-Auth-API-Key` and `X-Auth-Subdomain`
 * ("Authorization using API Key", support.thinkific.dev/hc/en-us/articles/4422657425431).
 *
 * - GET /users/{id}, /courses/{id}; GET /enrollments?query[user_id]=&query[course_id]=.
 * - Lists answer `{items, meta: {pagination: {current_page, next_page, total_pages, ...}}}`, `limit`
 *   at most 250 ("REST API Response Format", .../4422657182743).
 * - A course's address is not in its answer: it is built from the site's subdomain and the
 *   course's slug (https://<subdomain>.thinkific.com/courses/<slug>); a site on its own domain
 *   still answers there.
 * - The API's percentage_completed unit is not stated, so an enrollment's progress is only given
 *   when it is complete (100); the webhook's own percent is what events carry.
 */

export const ThinkificApiSettings = z.object({
  base_url: z
    .url({ protocol: /^https?$/ })
    .default('https://api.thinkific.com/api/public/v1')
    .meta({ title: 'API Base URL', description: 'https://api.thinkific.com/api/public/v1' }),
  subdomain: z.string().min(1).meta({ title: 'Subdomain', description: 'The "acme" of acme.thinkific.com.' }),
  api_key: secret(z.string().min(1)).meta({ title: 'API Key', description: 'Settings > Code & analytics > API in Thinkific.' }),
  access_token: secret(z.string().min(1)).optional().meta({
    title: 'App Access Token (for registering webhooks)',
    description:
      "Only to let learnhook register its URL in Thinkific: the OAuth access token of a Thinkific app installed on the site, since Thinkific's Webhooks API takes no API key. Webhooks made with it are signed with that app's client secret: enter it as the Signing Key.",
  }),
});
export type ThinkificApiSettings = z.infer<typeof ThinkificApiSettings>;

/**
 * "REST API requests are limited to 120 requests per minute" with at most 10 at once ("REST API
 * Rate Limits", support.thinkific.dev/hc/en-us/articles/4422684774935): a burst of 10 plus 1.8/s
 * lets at most 118 through in any minute.
 */
const RATE_LIMIT = { capacity: 10, perSecond: 1.8 };

const PAGE_LIMIT = 250;
/** How many pages a search reads at most, so a search never costs O(site). */
const MAX_SEARCH_PAGES = 2;

const Id = z.union([z.number().int(), z.string().min(1)]).transform(String);
const text = z.string().nullish();

const ApiUser = z.looseObject({ id: Id, email: text, first_name: text, last_name: text, full_name: text, company: text });
type ApiUser = z.infer<typeof ApiUser>;
const ApiCourse = z.looseObject({ id: Id, name: text, slug: text });
type ApiCourse = z.infer<typeof ApiCourse>;
const ApiEnrollment = z.looseObject({
  id: Id,
  user_id: Id,
  course_id: Id,
  completed: z.boolean().nullish(),
  completed_at: text,
  started_at: text,
  activated_at: text,
  expired: z.boolean().nullish(),
});
type ApiEnrollment = z.infer<typeof ApiEnrollment>;

const Pagination = z.looseObject({ next_page: z.number().int().nullish() }).nullish();
const listOf = <S extends z.ZodType>(item: S) => z.looseObject({ items: z.array(item), meta: z.looseObject({ pagination: Pagination }).nullish() });

/** Thinkific ids are positive integers: anything else names nothing there, so it is not asked for. */
const NUMERIC_ID = /^\d+$/;

const orNull = (value: string | null | undefined) => value?.trim() || null;

function toLearner(user: ApiUser): Learner {
  const first = orNull(user.first_name);
  const last = orNull(user.last_name);
  return {
    id: user.id,
    email: orNull(user.email),
    // Thinkific users sign in with their email; it has no user name of its own.
    username: null,
    first_name: first,
    last_name: last,
    name: orNull(user.full_name) ?? ([first, last].filter(Boolean).join(' ') || null),
    department: orNull(user.company),
  };
}

function toEnrollment(enrollment: ApiEnrollment): Enrollment {
  const completed = enrollment.completed === true || Boolean(enrollment.completed_at);
  return {
    id: enrollment.id,
    status: completed ? 'completed' : enrollment.expired ? 'not_completed' : enrollment.started_at ? 'in_progress' : 'enrolled',
    progress: completed ? 100 : null,
    score: null,
    passed: null,
    enrolled_at: toIsoTimestamp(enrollment.activated_at),
    completed_at: toIsoTimestamp(enrollment.completed_at),
  };
}

function contains(q: string | undefined, ...fields: Array<string | null | undefined>): boolean {
  if (!q) return true;
  const needle = q.toLowerCase();
  return fields.some((field) => field?.toLowerCase().includes(needle));
}

const parse = answerParser('Thinkific');

function createClient(settings: ThinkificApiSettings, http: LmsHttp): LmsApiClient {
  const root = settings.base_url.replace(/\/+$/, '');
  const headers = { 'x-auth-api-key': settings.api_key, 'x-auth-subdomain': settings.subdomain };
  const toCourse = (course: ApiCourse): Course => ({
    id: course.id,
    title: orNull(course.name),
    kind: 'online_course',
    url: course.slug ? `https://${settings.subdomain}.thinkific.com/courses/${encodeURIComponent(course.slug)}` : null,
  });

  async function get<S extends z.ZodType>(path: string, schema: S, what: string): Promise<z.infer<S> | null> {
    const body = await http.json({ url: root + path, headers });
    return body === null ? null : parse(schema, body, what);
  }

  async function page<S extends z.ZodType>(path: string, item: S, pageNumber: number, what: string) {
    const separator = path.includes('?') ? '&' : '?';
    const found = await get(`${path}${separator}page=${pageNumber}&limit=${PAGE_LIMIT}`, listOf(item), what);
    const items: Array<z.infer<S>> = found?.items ?? [];
    return { items, next: found?.meta?.pagination?.next_page ?? null };
  }

  return {
    async user(id) {
      if (!NUMERIC_ID.test(id)) return null;
      const found = await get(`/users/${id}`, ApiUser, 'a user');
      return found ? toLearner(found) : null;
    },

    async course(id) {
      if (!NUMERIC_ID.test(id)) return null;
      const found = await get(`/courses/${id}`, ApiCourse, 'a course');
      return found ? toCourse(found) : null;
    },

    async enrollment(ref) {
      if (!NUMERIC_ID.test(ref.user) || !NUMERIC_ID.test(ref.course)) return null;
      const { items } = await page(`/enrollments?query[user_id]=${ref.user}&query[course_id]=${ref.course}`, ApiEnrollment, 1, 'enrollments');
      const match = items.find((item) => ref.id !== undefined && item.id === ref.id) ?? items[0];
      return match ? toEnrollment(match) : null;
    },

    async searchCourses(q, limit) {
      const courses: Course[] = [];
      for (let n = 1; n <= MAX_SEARCH_PAGES && courses.length < limit; n++) {
        const { items, next } = await page('/courses', ApiCourse, n, 'the course list');
        for (const course of items) if (courses.length < limit && contains(q, course.id, course.name)) courses.push(toCourse(course));
        if (next === null) break;
      }
      return courses;
    },

    async searchUsers(q, limit) {
      const wanted = q?.trim();
      if (wanted?.includes('@')) {
        // Thinkific filters on the email itself: one call, however large the site.
        const { items } = await page(`/users?query[email]=${encodeURIComponent(wanted)}`, ApiUser, 1, 'a user search');
        return items.map(toLearner).slice(0, limit);
      }
      const learners: Learner[] = [];
      for (let n = 1; n <= MAX_SEARCH_PAGES && learners.length < limit; n++) {
        const { items, next } = await page('/users', ApiUser, n, 'the user list');
        for (const user of items) {
          if (learners.length < limit && contains(wanted, user.full_name, user.first_name, user.last_name, user.email)) learners.push(toLearner(user));
        }
        if (next === null) break;
      }
      return learners;
    },

    async listUsers(cursor): Promise<ListPage<Learner>> {
      const { items, next } = await page('/users', ApiUser, Number(cursor ?? '1'), 'the user list');
      return { items: items.map(toLearner), next: next === null ? null : String(next) };
    },

    async listCourses(cursor): Promise<ListPage<Course>> {
      const { items, next } = await page('/courses', ApiCourse, Number(cursor ?? '1'), 'the course list');
      return { items: items.map(toCourse), next: next === null ? null : String(next) };
    },
  };
}

/** Hydration through the Thinkific Admin API. */
export const thinkificApiClient: VendorApi<ThinkificApiSettings> = {
  vendor: 'thinkific',
  settingsSchema: ThinkificApiSettings,
  rateLimit: RATE_LIMIT,
  createClient,
};
