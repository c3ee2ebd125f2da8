import { z } from 'zod';
import type { Course, CourseKind, Enrollment, Learner } from '../../catalog/index.ts';
import type { LmsApiClient, LmsHttp, VendorApi } from '../../hydrate/client.ts';
import { answerParser } from '../../hydrate/parse-answer.ts';
import { secret } from '../../secret-fields.ts';
import { litmosTime } from './inbound.ts';

/**
 * SAP Litmos API client (support.litmos.com "Overview Developer API"; litmos.com/docs "Locate your
 * API key", "Users via API"): https://api.litmos.com/v1.svc in the US, api.litmoseu.com in the EU,
 * api.litmos.com.au in Australia. Every request carries the Account Owner's key in the `apikey`
 * header, never in the URL (a URL ends up in logs and error messages), and the required `source`
 * query parameter naming the calling app. JSON is asked for with the content type, as the docs
 * say; the key is limited to 100 requests a minute.
 *
 * - GET /users/{id}: Id, UserName, FirstName, LastName, FullName, Email.
 * - GET /courses/{id} (Id, Name) and, for a learning path, GET /learningpaths/{id}.
 * - GET /users/{id}/courses/{courseId}: the learner's result in the course (Complete,
 *   PercentageComplete, DateCompleted); these field names follow the API's course list, not a
 *   published single-course example.
 * - Searches: GET /users and /courses with `search`.
 */

/** The regional API hosts Litmos lists; a person picks theirs (or types another, e.g. the sandbox's). */
export const LITMOS_REGIONS = {
  US: 'https://api.litmos.com/v1.svc',
  EU: 'https://api.litmoseu.com/v1.svc',
  AU: 'https://api.litmos.com.au/v1.svc',
} as const;

export const LitmosApiSettings = z.object({
  base_url: z
    .url({ protocol: /^https?$/ })
    .default(LITMOS_REGIONS.US)
    .meta({
      title: 'API Base URL',
      description: `Your region's API, with /v1.svc: ${LITMOS_REGIONS.US} (US), ${LITMOS_REGIONS.EU} (EU) or ${LITMOS_REGIONS.AU} (AU).`,
      examples: Object.values(LITMOS_REGIONS),
    }),
  api_key: secret(z.string().min(1).max(50)).meta({ title: 'API Key', description: "An Account Owner's key: My Profile & Settings > API Key in Litmos." }),
  source: z
    .string()
    .min(1)
    .max(50)
    .default('learnhook')
    .meta({ title: 'Source', description: 'The app name Litmos asks every request to give (its source parameter).' }),
});
export type LitmosApiSettings = z.infer<typeof LitmosApiSettings>;

/** 100 requests a minute per key: a burst of 10 plus 1.4/s lets at most 94 through in any minute. */
const RATE_LIMIT = { capacity: 10, perSecond: 1.4 };

const parse = answerParser('Litmos');
const text = z.string().nullish();

const LitmosUser = z.looseObject({ Id: z.string().min(1), UserName: text, FirstName: text, LastName: text, FullName: text, Email: text });
const LitmosCourse = z.looseObject({ Id: z.string().min(1), Name: text });
const LitmosResult = z.looseObject({
  Id: text,
  Complete: z.boolean().nullish(),
  PercentageComplete: z.number().nullish(),
  DateCompleted: text,
  AssignedDate: text,
});

const or = (value: string | null | undefined): string | null => (value ? value.trim() || null : null);

function toLearner(user: z.infer<typeof LitmosUser>): Learner {
  const first = or(user.FirstName);
  const last = or(user.LastName);
  return {
    id: user.Id,
    email: or(user.Email),
    username: or(user.UserName),
    first_name: first,
    last_name: last,
    name: or(user.FullName) ?? ([first, last].filter(Boolean).join(' ') || null),
    department: null,
  };
}

function toCourse(course: z.infer<typeof LitmosCourse>, kind: CourseKind): Course {
  return { id: course.Id, title: or(course.Name), kind, url: null };
}

function toEnrollment(result: z.infer<typeof LitmosResult>): Enrollment {
  const progress = result.PercentageComplete ?? null;
  return {
    id: or(result.Id),
    status: result.Complete ? 'completed' : progress ? 'in_progress' : 'enrolled',
    progress,
    score: null,
    passed: null,
    enrolled_at: litmosTime(result.AssignedDate),
    completed_at: litmosTime(result.DateCompleted),
  };
}

function createClient(settings: LitmosApiSettings, http: LmsHttp): LmsApiClient {
  const base = settings.base_url.replace(/\/+$/, '');
  const get = (path: string, query: Record<string, string> = {}) => {
    const params = new URLSearchParams({ source: settings.source, ...query });
    // The key goes in a header only: a URL is logged and shown in errors.
    return http.json({ url: `${base}${path}?${params}`, headers: { apikey: settings.api_key, 'content-type': 'application/json' } });
  };
  const id = (value: string) => encodeURIComponent(value);

  return {
    async user(userId) {
      const answer = await get(`/users/${id(userId)}`);
      return answer === null ? null : toLearner(parse(LitmosUser, answer, `user ${userId}`));
    },
    async course(courseId, kind) {
      if (kind === 'learning_path') {
        const path = await get(`/learningpaths/${id(courseId)}`);
        return path === null ? null : toCourse(parse(LitmosCourse, path, `learning path ${courseId}`), 'learning_path');
      }
      const answer = await get(`/courses/${id(courseId)}`);
      return answer === null ? null : toCourse(parse(LitmosCourse, answer, `course ${courseId}`), kind ?? 'online_course');
    },
    async enrollment(ref) {
      const answer = await get(`/users/${id(ref.user)}/courses/${id(ref.course)}`);
      return answer === null ? null : toEnrollment(parse(LitmosResult, answer, `the result of ${ref.user} in ${ref.course}`));
    },
    async searchCourses(q, limit) {
      const answer = await get('/courses', { ...(q ? { search: q } : {}), limit: String(limit) });
      return answer === null
        ? []
        : parse(z.array(LitmosCourse), answer, 'the course list')
            .map((course) => toCourse(course, 'online_course'))
            .slice(0, limit);
    },
    async searchUsers(q, limit) {
      const answer = await get('/users', { ...(q ? { search: q } : {}), limit: String(limit) });
      return answer === null ? [] : parse(z.array(LitmosUser), answer, 'the user list').map(toLearner).slice(0, limit);
    },
  };
}

/** SAP Litmos: what hydration needs of it. */
export const litmosApiClient: VendorApi<LitmosApiSettings> = {
  vendor: 'litmos',
  settingsSchema: LitmosApiSettings,
  rateLimit: RATE_LIMIT,
  createClient,
};
