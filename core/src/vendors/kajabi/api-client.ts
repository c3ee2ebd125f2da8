import { z } from 'zod';
import type { Course, Learner } from '../../catalog/index.ts';
import { createBearerTokens } from '../../hydrate/bearer-token.ts';
import { type ListPage, type LmsApiClient, LmsApiError, type LmsHttp, type VendorApi } from '../../hydrate/client.ts';
import { answerParser } from '../../hydrate/parse-answer.ts';
import { splitFullName } from '../../hydrate/person-name.ts';
import { secret } from '../../secret-fields.ts';

/**
 * Kajabi Public API client (https://api.kajabi.com, paths under /v1; JSON:API answers
 * `{data: {id, type, attributes}}`). Auth: `POST /v1/oauth/token` with `client_id`,
 * `client_secret` and `grant_type=client_credentials` (form-encoded) answers `access_token` and
 * `expires_in`; one token per connection, shared by every request (hydrate/bearer-token.ts).
 *
 * - Learners are contacts (GET /v1/contacts/{id}): the adapter names every person by contact id.
 * - Courses: GET /v1/courses/{id}. Kajabi's webhooks name no course, so this serves searches.
 * - Enrollments: Kajabi sends no learning events and the API has no enrollment progress: none.
 * - Lists: `page[number]`, `page[size]`; the answer's `links.next` says whether more follow.
 *
 * Docs silent or unreachable: the rate limit (the developer site says one is enforced and points
 * to a page we could not read): 60 a minute is assumed, and a 429's Retry-After is honoured.
 */

export const KajabiApiSettings = z.object({
  base_url: z
    .url({ protocol: /^https?$/ })
    .default('https://api.kajabi.com')
    .meta({ title: 'API Base URL', description: 'Without /v1: https://api.kajabi.com.' }),
  client_id: z.string().min(1).meta({ title: 'Client ID', description: 'Settings > Public API > User API Keys in Kajabi.' }),
  client_secret: secret(z.string().min(1)).meta({ title: 'Client Secret' }),
  site_id: z.string().regex(/^\d+$/, 'A Kajabi site id is a number.').optional().meta({
    title: 'Site ID',
    description: 'Only for registering hooks with a key that reaches several Kajabi sites: the id of the site whose events to send (GET /v1/sites lists them).',
  }),
});
export type KajabiApiSettings = z.infer<typeof KajabiApiSettings>;

/** Kajabi's limit is not published where we could read it: a burst of 5 plus 0.9/s stays under 60 a minute. */
const RATE_LIMIT = { capacity: 5, perSecond: 0.9 };
/** When Kajabi does not say how long its token lives, an hour is assumed; renewed a minute early. */
const DEFAULT_TOKEN_LIFETIME_S = 3600;
const PAGE_SIZE = 100;
const MAX_SEARCH_PAGES = 2;

const parse = answerParser('Kajabi');
const Id = z.union([z.string().min(1), z.number().int()]).transform(String);
const text = z.string().nullish();

const Token = z.looseObject({ access_token: z.string().min(1), expires_in: z.number().nullish() });
const Contact = z.looseObject({ id: Id, attributes: z.looseObject({ name: text, email: text }) });
const ApiCourse = z.looseObject({ id: Id, attributes: z.looseObject({ title: text }) });
const One = <S extends z.ZodType>(item: S) => z.looseObject({ data: item });
const Many = <S extends z.ZodType>(item: S) => z.looseObject({ data: z.array(item), links: z.looseObject({ next: text }).nullish() });

/** Kajabi ids are numbers: anything else names nothing there, so it is not asked for. */
const NUMERIC_ID = /^\d+$/;
const orNull = (value: string | null | undefined) => value?.trim() || null;

function toLearner(contact: z.infer<typeof Contact>): Learner {
  const name = orNull(contact.attributes.name);
  return { id: contact.id, email: orNull(contact.attributes.email), username: null, ...splitFullName(name), name, department: null };
}

const toCourse = (course: z.infer<typeof ApiCourse>): Course => ({ id: course.id, title: orNull(course.attributes.title), kind: 'online_course', url: null });

function contains(q: string | undefined, ...fields: Array<string | null | undefined>): boolean {
  if (!q) return true;
  const needle = q.toLowerCase();
  return fields.some((field) => field?.toLowerCase().includes(needle));
}

function createClient(settings: KajabiApiSettings, http: LmsHttp): LmsApiClient {
  const root = `${settings.base_url.replace(/\/+$/, '')}/v1`;
  const tokens = createBearerTokens({
    renewEarlyMs: 60_000,
    async issue() {
      const answer = await http.json({
        method: 'POST',
        url: `${root}/oauth/token`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: settings.client_id, client_secret: settings.client_secret, grant_type: 'client_credentials' }).toString(),
      });
      if (answer === null) throw new LmsApiError('Kajabi has no token endpoint at this base URL (404).', { status: 404 });
      const token = parse(Token, answer, 'the token request');
      return { value: token.access_token, lifetimeMs: (token.expires_in ?? DEFAULT_TOKEN_LIFETIME_S) * 1000 };
    },
  });

  async function get<S extends z.ZodType>(path: string, schema: S, what: string): Promise<z.infer<S> | null> {
    const body = await tokens.send((token) =>
      http.json({ url: root + path, headers: { authorization: `Bearer ${token}`, accept: 'application/vnd.api+json' } }),
    );
    return body === null ? null : parse(schema, body, what);
  }

  async function page<S extends z.ZodType>(path: string, item: S, n: number, what: string) {
    const found = await get(`${path}?page[number]=${n}&page[size]=${PAGE_SIZE}`, Many(item), what);
    const items: Array<z.infer<S>> = found?.data ?? [];
    return { items, next: found?.links?.next ? n + 1 : null };
  }

  return {
    async user(id) {
      if (!NUMERIC_ID.test(id)) return null;
      const found = await get(`/contacts/${id}`, One(Contact), 'a contact');
      return found ? toLearner(found.data) : null;
    },
    async course(id) {
      if (!NUMERIC_ID.test(id)) return null;
      const found = await get(`/courses/${id}`, One(ApiCourse), 'a course');
      return found ? toCourse(found.data) : null;
    },
    async enrollment() {
      // Kajabi's API has no enrollment progress, and its webhooks ask for none.
      return null;
    },
    async searchCourses(q, limit) {
      const courses: Course[] = [];
      for (let n = 1; n <= MAX_SEARCH_PAGES && courses.length < limit; n++) {
        const { items, next } = await page('/courses', ApiCourse, n, 'the course list');
        for (const course of items) if (courses.length < limit && contains(q, course.id, course.attributes.title)) courses.push(toCourse(course));
        if (next === null) break;
      }
      return courses;
    },
    async searchUsers(q, limit) {
      const learners: Learner[] = [];
      for (let n = 1; n <= MAX_SEARCH_PAGES && learners.length < limit; n++) {
        const { items, next } = await page('/contacts', Contact, n, 'the contact list');
        for (const contact of items) {
          if (learners.length < limit && contains(q, contact.attributes.name, contact.attributes.email)) learners.push(toLearner(contact));
        }
        if (next === null) break;
      }
      return learners;
    },
    async listUsers(cursor): Promise<ListPage<Learner>> {
      const { items, next } = await page('/contacts', Contact, Number(cursor ?? '1'), 'the contact list');
      return { items: items.map(toLearner), next: next === null ? null : String(next) };
    },
  };
}

/** Hydration through the Kajabi Public API: contacts for learners. */
export const kajabiApiClient: VendorApi<KajabiApiSettings> = {
  vendor: 'kajabi',
  settingsSchema: KajabiApiSettings,
  rateLimit: RATE_LIMIT,
  createClient,
};
