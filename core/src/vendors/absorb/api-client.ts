import { z } from 'zod';
import type { Course, Learner } from '../../catalog/index.ts';
import { createBearerTokens } from '../../hydrate/bearer-token.ts';
import { type ListPage, type LmsApiClient, LmsApiError, type LmsHttp, type VendorApi } from '../../hydrate/client.ts';
import { isRefusal } from '../../hydrate/http-json.ts';
import { answerParser } from '../../hydrate/parse-answer.ts';
import { secret } from '../../secret-fields.ts';
import { toIsoTimestamp } from '../timestamps.ts';
import {
  AbsorbCourse,
  AbsorbDepartment,
  AbsorbEnrollment,
  AbsorbToken,
  AbsorbUser,
  orNull,
  PageTotal,
  page,
  toCourse,
  toEnrollment,
  toLearner,
} from './api-answers.ts';

/**
 * Absorb Integration API v2 client (rest.myabsorb.com, .ca, .eu, .com.au; sandboxes at
 * rest.sandbox.myabsorb.*). Every request carries the portal's private key (`x-api-key`) and
 * `x-api-version: 2`; data requests also a bearer token from POST /authenticate.
 *
 * The token is the delicate part: it lives four hours, and a new one for the same admin cancels
 * the previous one. So the connection's one token is shared by every request (bearer-token.ts);
 * a 401 means another process took over the admin's token (or it ran out), and the first request
 * to see it authenticates again while the others wait for that same new token.
 *
 * - GET /users/{id}, then GET /departments/{id} for the department's name (cached a while).
 * - GET /courses/{id}: name and courseType.
 * - GET /users/{userId}/enrollments/{courseId}: status code, progress, score and dates.
 * - Searches: GET /users and /courses with `_filter` (substringof over tolower of the fields).
 * - Lists for warming the cache: GET /departments (their names), then /users, and /courses, in
 *   pages of 1,000 (`_offset` counts pages).
 *
 * How its answers read and become catalog parts: absorb-answers.ts.
 */

/** A connection's Absorb API settings: the regional gateway, the portal's private key and an admin's login. */
export const AbsorbApiSettings = z.object({
  base_url: z
    .url({ protocol: /^https?$/ })
    .default('https://rest.myabsorb.com')
    .meta({
      title: 'API Base URL',
      description: "Your region's gateway: https://rest.myabsorb.com (US), .ca, .eu or .com.au; sandboxes at rest.sandbox.myabsorb.*.",
    }),
  private_key: secret(z.string().min(1)).meta({ title: 'Private API Key', description: 'Portal Settings > Integration API private key.' }),
  username: z
    .string()
    .min(1)
    .meta({ title: 'Admin Username', description: 'An admin kept for this integration alone: a new token for this admin cancels any other.' }),
  password: secret(z.string().min(1)).meta({ title: 'Admin Password' }),
});
export type AbsorbApiSettings = z.infer<typeof AbsorbApiSettings>;

/**
 * Absorb publishes 200 requests a second per portal with a burst of 100 more. That budget is the
 * portal's, shared with every other integration it runs, so hydration takes a quarter of it.
 */
const RATE_LIMIT = { capacity: 50, perSecond: 50 };

/** Tokens live four hours; renewing five minutes early keeps a request from meeting the expiry. */
const TOKEN_LIFETIME_MS = 4 * 60 * 60 * 1000;
const RENEW_EARLY_MS = 5 * 60 * 1000;

/** Department names change rarely; every user of a department shares one lookup for this long. */
const DEPARTMENT_TTL_MS = 15 * 60 * 1000;
const MAX_DEPARTMENTS = 1000;

/** Absorb's largest page, and its last page number (Integration API overview, "Pagination"). */
const MAX_LIMIT = 1000;
const MAX_OFFSET = 65_535;

/** Absorb ids are GUIDs: anything else names nothing there and is not sent (nor can it break out of a path). */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An OData string literal: quoted, quotes doubled. */
const literal = (value: string) => `'${value.replace(/'/g, "''")}'`;

/**
 * `_filter` for "every word of q appears in one of the fields" ("maya chen" finds Maya Chen),
 * matched on lower-cased values so case does not matter.
 */
function containsFilter(q: string, fields: readonly string[]): string {
  const words = q.toLowerCase().split(/\s+/).filter(Boolean);
  return words.map((word) => `(${fields.map((field) => `substringof(${literal(word)},tolower(${field}))`).join(' or ')})`).join(' and ');
}

const parse = answerParser('Absorb');

function createClient(settings: AbsorbApiSettings, http: LmsHttp): LmsApiClient {
  const root = settings.base_url.replace(/\/+$/, '');
  const common = { 'x-api-key': settings.private_key, 'x-api-version': '2' };

  async function login(): Promise<string> {
    let body: unknown;
    try {
      body = await http.json({
        method: 'POST',
        url: `${root}/authenticate`,
        headers: common,
        body: JSON.stringify({ username: settings.username, password: settings.password, privateKey: settings.private_key }),
      });
    } catch (error) {
      if (isRefusal(error) && error.status !== null) {
        // The LMS's own words stay in `cause`: only the status goes into the message.
        throw new LmsApiError(`Absorb refused the API credentials (${error.status}): check the username, password and private key.`, {
          status: error.status,
          cause: error,
        });
      }
      throw error;
    }
    if (body === null) throw new LmsApiError('Absorb answered the authentication with no token (404): check the API base URL.', { status: 404 });
    return parse(AbsorbToken, body, 'the authentication');
  }

  const tokens = createBearerTokens({ issue: async () => ({ value: await login(), lifetimeMs: TOKEN_LIFETIME_MS }), renewEarlyMs: RENEW_EARLY_MS });

  async function get<S extends z.ZodType>(path: string, query: Record<string, string>, schema: S, what: string): Promise<z.infer<S> | null> {
    const search = new URLSearchParams(query).toString();
    const url = `${root}${path}${search ? `?${search}` : ''}`;
    // A 401 means cancelled by a newer token for the same admin, or expired: the request is sent once more with a new one.
    const body = await tokens.send((token) => http.json({ url, headers: { ...common, authorization: `Bearer ${token}` } }));
    return body === null ? null : parse(schema, body, what);
  }

  const departments = new Map<string, { name: Promise<string | null>; expiresAt: number }>();

  /** A department's name, shared by every lookup of it for a while; null when Absorb will not say. */
  function departmentName(id: string | null | undefined): Promise<string | null> {
    if (!id || !GUID.test(id)) return Promise.resolve(null);
    const cached = departments.get(id);
    if (cached && cached.expiresAt > Date.now()) return cached.name;
    const name = get(`/departments/${id}`, {}, AbsorbDepartment, 'a department').then(
      (department) => orNull(department?.name),
      (error: unknown) => {
        // The admin may not see every department (403): the learner goes out without it rather
        // than not at all, and that answer is kept like a name. What may work later is not kept.
        if (isRefusal(error)) return null;
        departments.delete(id);
        throw error;
      },
    );
    if (departments.size >= MAX_DEPARTMENTS) departments.delete(departments.keys().next().value ?? '');
    departments.set(id, { name, expiresAt: Date.now() + DEPARTMENT_TTL_MS });
    return name;
  }

  /** Keeps listed department names as departmentName would have fetched them one by one. */
  function rememberDepartments(listed: Array<z.infer<typeof AbsorbDepartment>>): void {
    for (const department of listed) {
      if (!GUID.test(department.id)) continue;
      if (departments.size >= MAX_DEPARTMENTS && !departments.has(department.id)) departments.delete(departments.keys().next().value ?? '');
      departments.set(department.id, { name: Promise.resolve(orNull(department.name)), expiresAt: Date.now() + DEPARTMENT_TTL_MS });
    }
  }

  async function withDepartments(users: AbsorbUser[]): Promise<Learner[]> {
    const names = await Promise.all(users.map((user) => departmentName(user.departmentId)));
    return users.map((user, index) => toLearner(user, names[index] ?? null));
  }

  /** No _sort: Absorb sorts only on fields a portal allows, and an unsortable one would fail the whole search. */
  function listQuery(limit: number, filter: string | null): Record<string, string> {
    const query: Record<string, string> = { _limit: String(Math.min(Math.max(1, limit), MAX_LIMIT)), _offset: '0' };
    if (filter) query._filter = filter;
    return query;
  }

  /** Page `offset` of a whole collection, and the next page's number while pages come back full. */
  async function listPage<S extends z.ZodType>(path: string, name: string, item: S, offset: number, what: string) {
    const found = await get(path, { _limit: String(MAX_LIMIT), _offset: String(offset) }, page(name, item), what);
    const items: Array<z.infer<S>> = found?.[name] ?? [];
    // totalItems spares asking for an empty page after a full last one.
    const total = PageTotal.safeParse(found);
    const more = items.length === MAX_LIMIT && (!total.success || (offset + 1) * MAX_LIMIT < total.data.totalItems);
    return { items, next: more && offset < MAX_OFFSET ? offset + 1 : null };
  }

  return {
    async user(id) {
      if (!GUID.test(id)) return null;
      const found = await get(`/users/${id}`, {}, AbsorbUser, 'a user');
      if (!found) return null;
      return toLearner(found, await departmentName(found.departmentId));
    },

    async course(id) {
      if (!GUID.test(id)) return null;
      const found = await get(`/courses/${id}`, {}, AbsorbCourse, 'a course');
      return found ? toCourse(found) : null;
    },

    async enrollment(ref) {
      if (!GUID.test(ref.user) || !GUID.test(ref.course)) return null;
      const found = await get(`/users/${ref.user}/enrollments/${ref.course}`, {}, z.union([AbsorbEnrollment, z.array(AbsorbEnrollment)]), 'an enrollment');
      if (found === null) return null;
      // Should a list come back, the latest enrollment is the current one (older ones are earlier attempts).
      const enrollment = Array.isArray(found)
        ? found.toSorted((a, b) => (toIsoTimestamp(b.dateAdded) ?? '').localeCompare(toIsoTimestamp(a.dateAdded) ?? ''))[0]
        : found;
      return enrollment ? toEnrollment(enrollment) : null;
    },

    async searchCourses(q, limit) {
      const wanted = q?.trim();
      const found = await get('/courses', listQuery(limit, wanted ? containsFilter(wanted, ['name']) : null), page('courses', AbsorbCourse), 'a course search');
      return (found?.courses ?? []).slice(0, limit).map(toCourse);
    },

    async searchUsers(q, limit) {
      const wanted = q?.trim();
      const filter = wanted ? containsFilter(wanted, ['firstName', 'lastName', 'emailAddress', 'username']) : null;
      const found = await get('/users', listQuery(limit, filter), page('users', AbsorbUser), 'a user search');
      return withDepartments((found?.users ?? []).slice(0, limit));
    },

    async listUsers(cursor): Promise<ListPage<Learner>> {
      // Departments first ("d<page>"), so users' department names come from memory; then users ("u<page>").
      const at = /^([du])(\d+)$/.exec(cursor ?? 'd0');
      if (!at) throw new TypeError(`Not an Absorb user list cursor: ${cursor}`);
      const offset = Number(at[2]);
      if (at[1] === 'd') {
        const listed = await listPage('/departments', 'departments', AbsorbDepartment, offset, 'the department list');
        rememberDepartments(listed.items);
        return { items: [], next: listed.next === null ? 'u0' : `d${listed.next}` };
      }
      const listed = await listPage('/users', 'users', AbsorbUser, offset, 'the user list');
      return { items: await withDepartments(listed.items), next: listed.next === null ? null : `u${listed.next}` };
    },

    async listCourses(cursor): Promise<ListPage<Course>> {
      const offset = Number(cursor ?? '0');
      const listed = await listPage('/courses', 'courses', AbsorbCourse, offset, 'the course list');
      return { items: listed.items.map(toCourse), next: listed.next === null ? null : String(listed.next) };
    },
  };
}

/** Hydration through the Absorb Integration API v2. */
export const absorbApiClient: VendorApi<AbsorbApiSettings> = {
  vendor: 'absorb',
  settingsSchema: AbsorbApiSettings,
  rateLimit: RATE_LIMIT,
  createClient,
};
