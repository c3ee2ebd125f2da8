import { z } from 'zod';
import type { Course, CourseKind, Enrollment, Learner } from '../../catalog/index.ts';
import { createBearerTokens } from '../../hydrate/bearer-token.ts';
import { type LmsApiClient, LmsApiError, type LmsHttp, type VendorApi } from '../../hydrate/client.ts';
import { answerParser } from '../../hydrate/parse-answer.ts';
import { secret } from '../../secret-fields.ts';
import { toIsoTimestamp } from '../timestamps.ts';

/**
 * LearnWorlds API v2 client: https://<school>/admin/api/v2, every request with the `Lw-Client`
 * header (the client id) and a bearer token from the OAuth2 client-credentials grant
 * (POST /admin/api/oauth2/access_token {client_id, client_secret, grant_type}), answered as
 * `{success, tokenData: {access_token, expires_in}}` (a plain OAuth2 answer is read too).
 *
 * - GET /v2/users/{id}: email, username and the profile's first and last name.
 * - GET /v2/courses/{id}: title; the course page is <school>/course/{id}.
 * - GET /v2/users/{id}/courses/{courseId}/progress: status, progress and score. The path and its
 *   fields are as we understood the reference; not checked against a live school.
 * - Searches read the first page of /v2/users and /v2/courses and match here.
 *
 * Rate limit: about 30 requests per 10 seconds per school, answered 429 when exceeded. That figure
 * is the commonly cited one (learnworlds.dev "API" overview); we could not read it on the vendor's
 * page itself, so it is kept with a margin.
 */

export const LearnWorldsApiSettings = z.object({
  base_url: z
    .url({ protocol: /^https?$/ })
    .meta({ title: 'School URL', description: 'Your school address without a path, e.g. https://academy.example.com or https://acme.learnworlds.com.' }),
  client_id: z.string().min(1).meta({ title: 'Client ID', description: 'Settings > Developers > API in LearnWorlds; sent as the Lw-Client header too.' }),
  client_secret: secret(z.string().min(1)).meta({ title: 'Client Secret', description: 'Settings > Developers > API in LearnWorlds.' }),
});
export type LearnWorldsApiSettings = z.infer<typeof LearnWorldsApiSettings>;

/** 30 requests per 10 seconds: a burst of 5 plus 2.2/s lets at most 27 through in any 10 s. */
const RATE_LIMIT = { capacity: 5, perSecond: 2.2 };

/** When LearnWorlds does not say how long its token lives, an hour is assumed; renewed a minute early. */
const DEFAULT_TOKEN_LIFETIME_S = 3600;
const RENEW_EARLY_MS = 60 * 1000;

const parse = answerParser('LearnWorlds');
const Id = z.union([z.string().min(1), z.number()]).transform(String);
const text = z.string().nullish();

const Token = z.union([
  z.object({ tokenData: z.object({ access_token: z.string().min(1), expires_in: z.number().nullish() }) }),
  z.object({ access_token: z.string().min(1), expires_in: z.number().nullish() }),
]);

export const LwApiUser = z.looseObject({
  id: Id,
  email: text,
  username: text,
  first_name: text,
  last_name: text,
  fields: z.looseObject({ first_name: text, last_name: text }).nullish(),
});
export const LwApiCourse = z.looseObject({ id: Id, title: text });
export const LwApiProgress = z.looseObject({
  status: text,
  progress_rate: z.number().nullish(),
  average_score_rate: z.number().nullish(),
  enrolled_at: z.union([z.string(), z.number()]).nullish(),
  completed_at: z.union([z.string(), z.number()]).nullish(),
});
const Page = <T extends z.ZodType>(item: T) => z.looseObject({ data: z.array(item) });

const or = (value: string | null | undefined): string | null => (value ? value.trim() || null : null);

function toLearner(user: z.infer<typeof LwApiUser>): Learner {
  const first = or(user.first_name ?? user.fields?.first_name);
  const last = or(user.last_name ?? user.fields?.last_name);
  return {
    id: user.id,
    email: or(user.email),
    username: or(user.username),
    first_name: first,
    last_name: last,
    name: [first, last].filter(Boolean).join(' ') || or(user.username),
    department: null,
  };
}

/** LearnWorlds course ids are slugs: anything else names no course and is not sent (nor can it leave the path). */
const SLUG = /^[A-Za-z0-9_-]{1,128}$/;

function toEnrollment(progress: z.infer<typeof LwApiProgress>): Enrollment {
  const status = progress.status?.toLowerCase();
  return {
    id: null,
    status: status === 'completed' ? 'completed' : status === 'not_started' ? 'not_started' : status ? 'in_progress' : 'unknown',
    progress: progress.progress_rate ?? null,
    score: progress.average_score_rate ?? null,
    passed: null,
    enrolled_at: toIsoTimestamp(progress.enrolled_at),
    completed_at: toIsoTimestamp(progress.completed_at),
  };
}

function createClient(settings: LearnWorldsApiSettings, http: LmsHttp): LmsApiClient {
  const school = settings.base_url.replace(/\/+$/, '');
  const api = `${school}/admin/api`;
  const tokens = createBearerTokens({
    renewEarlyMs: RENEW_EARLY_MS,
    async issue() {
      const answer = await http.json({
        method: 'POST',
        url: `${api}/oauth2/access_token`,
        headers: { 'lw-client': settings.client_id },
        body: JSON.stringify({ client_id: settings.client_id, client_secret: settings.client_secret, grant_type: 'client_credentials' }),
      });
      if (answer === null) throw new LmsApiError('LearnWorlds has no token endpoint at this school URL (404).', { status: 404 });
      const token = parse(Token, answer, 'the token request');
      const data = 'tokenData' in token ? token.tokenData : token;
      return { value: data.access_token, lifetimeMs: (data.expires_in ?? DEFAULT_TOKEN_LIFETIME_S) * 1000 };
    },
  });
  const get = (path: string) =>
    tokens.send((token) => http.json({ url: `${api}/v2${path}`, headers: { authorization: `Bearer ${token}`, 'lw-client': settings.client_id } }));
  const toCourse = (course: z.infer<typeof LwApiCourse>, kind?: CourseKind): Course => ({
    id: course.id,
    title: or(course.title),
    kind: kind ?? 'online_course',
    url: `${school}/course/${encodeURIComponent(course.id)}`,
  });

  return {
    async user(id) {
      const answer = await get(`/users/${encodeURIComponent(id)}`);
      return answer === null ? null : toLearner(parse(LwApiUser, answer, `user ${id}`));
    },
    async course(id, kind) {
      if (!SLUG.test(id)) return null;
      const answer = await get(`/courses/${id}`);
      return answer === null ? null : toCourse(parse(LwApiCourse, answer, `course ${id}`), kind);
    },
    async enrollment(ref) {
      if (!SLUG.test(ref.course)) return null;
      const answer = await get(`/users/${encodeURIComponent(ref.user)}/courses/${ref.course}/progress`);
      return answer === null ? null : toEnrollment(parse(LwApiProgress, answer, `progress of ${ref.user} in ${ref.course}`));
    },
    async searchCourses(q, limit) {
      const answer = await get('/courses?page=1');
      const courses = answer === null ? [] : parse(Page(LwApiCourse), answer, 'the course list').data.map((course) => toCourse(course));
      const needle = q?.trim().toLowerCase() ?? '';
      return courses
        .filter((course) => !needle || course.id.toLowerCase().includes(needle) || (course.title ?? '').toLowerCase().includes(needle))
        .slice(0, limit);
    },
    async searchUsers(q, limit) {
      const answer = await get('/users?page=1');
      const users = answer === null ? [] : parse(Page(LwApiUser), answer, 'the user list').data.map(toLearner);
      const needle = q?.trim().toLowerCase() ?? '';
      return users
        .filter((user) => !needle || [user.name, user.email, user.username].some((value) => (value ?? '').toLowerCase().includes(needle)))
        .slice(0, limit);
    },
  };
}

/** LearnWorlds: what hydration needs of it. */
export const learnWorldsApiClient: VendorApi<LearnWorldsApiSettings> = {
  vendor: 'learnworlds',
  settingsSchema: LearnWorldsApiSettings,
  rateLimit: RATE_LIMIT,
  createClient,
};
