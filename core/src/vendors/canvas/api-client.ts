import { z } from 'zod';
import type { Course, Learner } from '../../catalog/index.ts';
import { type LmsApiClient, LmsApiError, type LmsHttp, type VendorApi } from '../../hydrate/client.ts';
import { answerParser } from '../../hydrate/parse-answer.ts';
import { splitFullName } from '../../hydrate/person-name.ts';
import { secret } from '../../secret-fields.ts';

/**
 * Canvas LMS REST API client (instructure/canvas-lms doc/api): `Authorization: Bearer <access
 * token>` (an admin's manually generated token, or a developer key's).
 *
 * - GET /api/v1/users/:id: id, name, sortable_name, short_name, login_id, sis_user_id, email (email
 *   only for callers allowed to see it).
 * - GET /api/v1/courses/:id: id, name, course_code, workflow_state; the course page is
 *   <base_url>/courses/:id.
 * - Searches: GET /api/v1/accounts/self/users?search_term= and /accounts/self/courses?search_term=
 *   (Canvas wants at least two characters; shorter or no text lists the first page).
 * - Enrollments are not looked up: the events that need one carry its state.
 *
 * Throttling (doc/api/throttling.md): a cost-based quota per access token, no published numbers;
 * beyond it Canvas answers `403 Forbidden (Rate Limit Exceeded)`, not 429, with
 * `X-Rate-Limit-Remaining`. That 403 is turned into a retryable 429 here, unlike a 403 for a
 * missing permission. The docs give no wait; the hydrator's own backoff applies. They do say a
 * client making one request at a time is unlikely to be throttled, and parallel requests pay a
 * pre-flight penalty: hence a bucket of one, refilled five times a second.
 */

export const CanvasApiSettings = z.object({
  base_url: z.url({ protocol: /^https?$/ }).meta({ title: 'Canvas URL', description: 'Your Canvas address, e.g. https://acme.instructure.com.' }),
  access_token: secret(z.string().min(1)).meta({
    title: 'Access Token',
    description: 'Account > Settings > New Access Token, by an admin who can read users and courses.',
  }),
});
export type CanvasApiSettings = z.infer<typeof CanvasApiSettings>;

const RATE_LIMIT = { capacity: 1, perSecond: 5 };

/** Canvas ids: local or global numbers (canvas-ids.ts). SIS ids are not what events carry. */
const CANVAS_ID = /^\d+$/;

const Id = z.union([z.string(), z.number()]).transform(String);
const text = z.string().nullish();
const User = z.looseObject({ id: Id, name: text, sortable_name: text, short_name: text, login_id: text, email: text });
type User = z.infer<typeof User>;
const CanvasCourse = z.looseObject({ id: Id, name: text, course_code: text });
type CanvasCourse = z.infer<typeof CanvasCourse>;

const orNull = (value: string | null | undefined): string | null => value?.trim() || null;

function toLearner(user: User): Learner {
  const name = orNull(user.name);
  // sortable_name is "Last, First": the surest split when Canvas gives it.
  const [last, first] = (user.sortable_name ?? '').split(',').map((part) => part.trim());
  const parts = first && last ? { first_name: first, last_name: last } : splitFullName(name);
  return { id: user.id, email: orNull(user.email), username: orNull(user.login_id), ...parts, name, department: null };
}

const parse = answerParser('Canvas');

function createClient(settings: CanvasApiSettings, http: LmsHttp): LmsApiClient {
  const root = settings.base_url.replace(/\/+$/, '');
  const toCourse = (course: CanvasCourse): Course => ({
    id: course.id,
    title: orNull(course.name),
    kind: 'online_course',
    url: `${root}/courses/${course.id}`,
  });

  async function get<S extends z.ZodType>(path: string, schema: S, what: string): Promise<z.infer<S> | null> {
    let body: unknown;
    try {
      body = await http.json({ url: root + path, headers: { authorization: `Bearer ${settings.access_token}` } });
    } catch (error) {
      if (error instanceof LmsApiError && error.status === 403 && /rate limit exceeded/i.test(error.message)) {
        throw new LmsApiError(`Canvas throttled ${what} (403 Rate Limit Exceeded).`, { status: 429, cause: error });
      }
      throw error;
    }
    return body === null ? null : parse(schema, body, what);
  }

  const search = (q: string | undefined) => {
    const term = q?.trim() ?? '';
    return term.length >= 2 ? `&search_term=${encodeURIComponent(term)}` : '';
  };

  return {
    async user(id) {
      if (!CANVAS_ID.test(id)) return null;
      const found = await get(`/api/v1/users/${id}`, User, 'a user');
      return found ? toLearner(found) : null;
    },
    async course(id) {
      if (!CANVAS_ID.test(id)) return null;
      const found = await get(`/api/v1/courses/${id}`, CanvasCourse, 'a course');
      return found ? toCourse(found) : null;
    },
    async enrollment() {
      return null;
    },
    async searchCourses(q, limit) {
      const found = await get(`/api/v1/accounts/self/courses?per_page=${Math.min(limit, 100)}${search(q)}`, z.array(CanvasCourse), 'a course search');
      return (found ?? []).map(toCourse).slice(0, limit);
    },
    async searchUsers(q, limit) {
      const found = await get(`/api/v1/accounts/self/users?per_page=${Math.min(limit, 100)}${search(q)}`, z.array(User), 'a user search');
      return (found ?? []).map(toLearner).slice(0, limit);
    },
  };
}

/** Hydration through the Canvas REST API. */
export const canvasApiClient: VendorApi<CanvasApiSettings> = {
  vendor: 'canvas',
  settingsSchema: CanvasApiSettings,
  rateLimit: RATE_LIMIT,
  createClient,
};
