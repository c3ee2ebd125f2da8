import { z } from 'zod';
import type { Course, Learner } from '../../catalog/index.ts';
import { createBearerTokens, type IssuedToken } from '../../hydrate/bearer-token.ts';
import { type LmsApiClient, LmsApiError, type LmsHttp, type VendorApi } from '../../hydrate/client.ts';
import { isRefusal } from '../../hydrate/http-json.ts';
import { answerParser } from '../../hydrate/parse-answer.ts';
import { secret } from '../../secret-fields.ts';

/**
 * 360Learning API v2 client (https://360learning.readme.io/docs/authentication). OAuth 2.0 client
 * credentials: POST /api/v2/oauth2/token with `{grant_type: "client_credentials", client_id,
 * client_secret}` (JSON) answers `{token_type: "Bearer", access_token, expires_in}`; a token lives
 * one hour. Every request sends `Authorization: Bearer <token>` and `360-api-version: v2.0`.
 * The connection's one token is shared by every request and renewed once on expiry or 401
 * (hydrate/bearer-token.ts).
 *
 * - GET /api/v2/users/{userId}: _id, mail, username, firstName, lastName, organization, status.
 * - GET /api/v2/courses/{courseId} and GET /api/v2/paths/{pathId}: _id, name. Events name paths
 *   (kind learning_path) apart from courses, so the kind picks the endpoint.
 * - Searches read the first page of GET /api/v2/users (500 a page) or /api/v2/courses and match
 *   here: the docs show no name filter on either.
 *
 * Enrollments are not looked up: a path enrollment is read per path session
 * (/paths/{pathId}/sessions/{sessionId}/user-statuses) and the events carry what they report.
 *
 * Rate limits (https://360learning.readme.io/docs/copy-of-rate-limiting-errors): 50 reads a second
 * per company, 429 beyond; the docs say to wait about a second and name no Retry-After header, so a
 * 429 without one is retried after a second.
 */

export const ThreeSixtyLearningApiSettings = z.object({
  base_url: z
    .url({ protocol: /^https?$/ })
    .default('https://app.360learning.com')
    .meta({ title: 'API Base URL', description: 'https://app.360learning.com (EU) or https://app.us.360learning.com (US).' }),
  client_id: z.string().min(1).meta({ title: 'Client ID', description: 'Settings > API v2 > API credentials: the client ID.' }),
  client_secret: secret(z.string().min(1)).meta({ title: 'Client Secret', description: 'Settings > API v2 > API credentials: the client secret.' }),
});
export type ThreeSixtyLearningApiSettings = z.infer<typeof ThreeSixtyLearningApiSettings>;

/**
 * Half the company's documented 50 reads a second: the same credentials' other integrations share
 * the company-wide budget.
 */
const RATE_LIMIT = { capacity: 25, perSecond: 25 };

const API_VERSION = 'v2.0';
/** Renewed five minutes before the hour runs out. */
const EXPIRY_MARGIN_MS = 5 * 60 * 1000;
const DEFAULT_EXPIRES_IN_S = 3600;
/** "Wait ~1 second before retrying" (rate limiting errors). */
const RATE_LIMIT_WAIT_MS = 1000;

/** An ObjectId: anything else cannot name a 360Learning object, so it is not asked for. */
const OBJECT_ID = /^[a-f0-9]{24}$/i;

const text = z.string().nullish();

const User = z.looseObject({ _id: z.string().min(1), mail: text, username: text, firstName: text, lastName: text, organization: text, status: text });
type User = z.infer<typeof User>;
const Named = z.looseObject({ _id: z.string().min(1), name: text });
type Named = z.infer<typeof Named>;

// The docs' example writes expires_in as the string "3600"; the OpenAPI says a number.
const TokenAnswer = z.looseObject({ access_token: z.string().min(1), expires_in: z.union([z.number(), z.string()]).nullish() });

const orNull = (value: string | null | undefined): string | null => value?.trim() || null;

function toLearner(user: User): Learner {
  const first = orNull(user.firstName);
  const last = orNull(user.lastName);
  return {
    id: user._id,
    email: orNull(user.mail),
    username: orNull(user.username),
    first_name: first,
    last_name: last,
    name: [first, last].filter(Boolean).join(' ') || null,
    // 360Learning keeps groups, not departments; `organization` is the closest a profile has.
    department: orNull(user.organization),
  };
}

const toCourse = (found: Named, kind: Course['kind']): Course => ({ id: found._id, title: orNull(found.name), kind, url: null });

function contains(q: string | undefined, ...fields: Array<string | null | undefined>): boolean {
  const words = q?.toLowerCase().split(/\s+/).filter(Boolean) ?? [];
  const haystack = fields.filter(Boolean).join(' ').toLowerCase();
  return words.every((word) => haystack.includes(word));
}

const parse = answerParser('360Learning');

function createClient(settings: ThreeSixtyLearningApiSettings, http: LmsHttp): LmsApiClient {
  const root = settings.base_url.replace(/\/+$/, '');

  async function issue(): Promise<IssuedToken> {
    let body: unknown;
    try {
      body = await http.json({
        method: 'POST',
        url: `${root}/api/v2/oauth2/token`,
        body: JSON.stringify({ grant_type: 'client_credentials', client_id: settings.client_id, client_secret: settings.client_secret }),
      });
    } catch (error) {
      if (isRefusal(error) && error.status !== null) {
        throw new LmsApiError(`360Learning refused the access token request (${error.status}): check the client ID and secret.`, {
          status: error.status,
          cause: error,
        });
      }
      throw error;
    }
    if (body === null) throw new LmsApiError('360Learning answered the token request with 404: check the API base URL.', { status: 404 });
    const answer = parse(TokenAnswer, body, 'the token request');
    const expiresIn = Number(answer.expires_in ?? DEFAULT_EXPIRES_IN_S);
    return { value: answer.access_token, lifetimeMs: (Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : DEFAULT_EXPIRES_IN_S) * 1000 };
  }

  const tokens = createBearerTokens({ issue, renewEarlyMs: EXPIRY_MARGIN_MS });

  async function get<S extends z.ZodType>(path: string, schema: S, what: string): Promise<z.infer<S> | null> {
    let body: unknown;
    try {
      body = await tokens.send((token) => http.json({ url: root + path, headers: { authorization: `Bearer ${token}`, '360-api-version': API_VERSION } }));
    } catch (error) {
      if (error instanceof LmsApiError && error.status === 429 && error.retryAfterMs === null) {
        throw new LmsApiError(error.message, { status: 429, retryAfterMs: RATE_LIMIT_WAIT_MS, cause: error });
      }
      throw error;
    }
    return body === null ? null : parse(schema, body, what);
  }

  return {
    async user(id) {
      if (!OBJECT_ID.test(id)) return null;
      const found = await get(`/api/v2/users/${id}`, User, 'a user');
      return found ? toLearner(found) : null;
    },

    async course(id, kind) {
      if (!OBJECT_ID.test(id)) return null;
      if (kind === 'learning_path') {
        const path = await get(`/api/v2/paths/${id}`, Named, 'a path');
        return path ? toCourse(path, 'learning_path') : null;
      }
      const course = await get(`/api/v2/courses/${id}`, Named, 'a course');
      return course ? toCourse(course, 'online_course') : null;
    },

    async enrollment() {
      return null;
    },

    async searchCourses(q, limit) {
      const courses = (await get('/api/v2/courses', z.array(Named), 'the course list')) ?? [];
      return courses
        .map((course) => toCourse(course, 'online_course'))
        .filter((course) => contains(q?.trim(), course.id, course.title))
        .slice(0, limit);
    },

    async searchUsers(q, limit) {
      const users = (await get('/api/v2/users', z.array(User), 'the user list')) ?? [];
      return users
        .filter((user) => user.status !== 'deleted')
        .map(toLearner)
        .filter((learner) => contains(q?.trim(), learner.name, learner.email, learner.username))
        .slice(0, limit);
    },
  };
}

/** Hydration through the 360Learning API v2. */
export const threeSixtyLearningApiClient: VendorApi<ThreeSixtyLearningApiSettings> = {
  vendor: '360learning',
  settingsSchema: ThreeSixtyLearningApiSettings,
  rateLimit: RATE_LIMIT,
  createClient,
};
