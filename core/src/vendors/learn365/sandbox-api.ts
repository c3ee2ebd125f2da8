import { randomUUID } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { callerKey, departmentOf, fullName, hasStarted, header, queryOf } from '../../sandbox/api/common.ts';
import { evaluateFilter, type FilterDialect, type Literal, parseFilter } from '../../sandbox/api/odata-filter.ts';
import { createRegistrationBook, type RegistrationBook, type SandboxRegistration } from '../../sandbox/api/registrations.ts';
import type { EmulatedApi } from '../../sandbox/api/types.ts';
import type { SandboxCourse, SandboxData, SandboxEnrollment, SandboxUser } from '../../sandbox/demo-data.ts';
import { type EntityKind, sandboxId, vendorId } from '../../sandbox/vendor-ids.ts';
import { parseBasicAuth } from '../../signatures/basic-auth.ts';
import { constantTimeEqual } from '../../signatures/constant-time.ts';
import { LEARN365_ACTIONS, LEARN365_COURSE_TYPES } from './tables.ts';
import { LEARN365_SITE, learn365DirectoryObjectId, learn365LoginName } from './wire-format.ts';

/**
 * The Learn365 (Zensai, formerly LMS365) Cloud API as the sandbox serves it: OData v4 under
 * /odata/v2, HTTP Basic with the user name "api" and an API key as the password, PascalCase
 * properties, collections as `{"@odata.context", "value": [...]}` with `@odata.nextLink` past a
 * page, single entities by key (`Users(1001)`, `Courses('501')`), and OData error bodies
 * `{"error": {"code", "message"}}`.
 *
 * Served: Users, Courses and Enrollments, each as a collection ($filter with eq/ne/and/or/not,
 * contains/startswith/endswith/tolower/toupper; $top; $skip) and by key; Courses expand
 * SharepointWeb (the course site and its URL) when asked.
 *
 * Webhook registrations as ASP.NET WebHooks serves them (issue 16 §5; the path is the convention's,
 * see api-registration.ts): POST /webhooks/registrations {WebHookUri, Secret, Filters, Description}
 * checks the URL first (GET with its query replaced by ?echo=<value>, expecting the value back,
 * unless the URL carries "noecho"), refuses unknown filters and secrets outside 32–64 characters,
 * and answers 201 with the WebHook and its Id; GET lists them or one by Id; DELETE removes one
 * (404 when there is none). The sandbox's emitter sends each event to the registrations whose
 * Filters name it (or "*"), signed with their Secret.
 */

/** A Learn365 entity as JSON: PascalCase properties, primitives or nested objects. */
type Entity = Record<string, unknown>;

class ODataFilterError extends Error {}

/** Ids are strings in Learn365's JSON but may be written bare in a filter: equal when their text is. */
function same(left: Literal, right: Literal): boolean {
  if (left === null || right === null) return left === right;
  return String(left).toLowerCase() === String(right).toLowerCase() && (typeof left === 'boolean') === (typeof right === 'boolean');
}

/**
 * Learn365's $filter, enough for what clients of this API ask: eq, ne, and / or / not,
 * parentheses, and contains, startswith, endswith, tolower, toupper over properties and literals
 * ('text' with '' for a quote, numbers, GUIDs, true, false, null). Anything else answers 400, as an
 * OData service does for a query it cannot read.
 */
const FILTER: FilterDialect = {
  option: '$filter',
  token:
    /\s*(?:(?<string>'(?:[^']|'')*')|(?<guid>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})|(?<number>-?\d+(?:\.\d+)?)|(?<word>[A-Za-z_][A-Za-z0-9_]*)|(?<punct>[(),]))/y,
  functions: { contains: 2, startswith: 2, endswith: 2, tolower: 1, toupper: 1 },
  comparisons: new Set(['eq', 'ne']),
  error: ODataFilterError,
  property(entity, path) {
    const name = path.join('/');
    if (!Object.hasOwn(entity, name)) throw new ODataFilterError(`Could not find a property named '${name}'.`);
    return entity[name];
  },
  compare: (operator, left, right) => (operator === 'eq' ? same(left, right) : !same(left, right)),
};

const API_KEY = 'learn365-sandbox-8b41d7e0c2f94a6d9e35';

/** Learn365 publishes no rate limit; this is the conservative limit its hydration client keeps. */
const RATE_LIMIT = { capacity: 10, perSecond: 5 };

/** The largest page Learn365 serves (its API overview: "The maximum page size is 10,000 items"). */
const MAX_PAGE_SIZE = 10_000;

/** The course catalog the sandbox's courses are listed in. */
const CATALOG_ID = 'c5f3e4a6-7d8f-4a9b-8c1d-2e3f4a5b6c7d';

/** The password of a Basic Authorization header: Learn365 reads the API key from it. */
const apiKeyOf = (value: string | undefined) => parseBasicAuth(value)?.password ?? null;

const learn365Id = (entity: EntityKind, id: number) => vendorId('learn365', entity, id);

function userEntity(data: SandboxData, user: SandboxUser): Entity {
  return {
    Id: learn365Id('user', user.id),
    Title: fullName(user),
    Email: user.email,
    LoginName: learn365LoginName(user),
    Department: departmentOf(data, user),
    DirectoryObjectId: learn365DirectoryObjectId(user),
    JobTitle: null,
    Office: null,
    City: null,
    Country: null,
    ManagerId: null,
    ManagerLoginName: null,
    IsExternal: false,
  };
}

function courseEntity(course: SandboxCourse): Entity {
  return {
    Id: learn365Id('course', course.id),
    CourseCatalogId: CATALOG_ID,
    Title: course.title,
    Description: null,
    LongDescription: null,
    CEU: 0,
    DecimalCEU: 0,
    ShowInCatalog: course.published,
    IsRequired: false,
    IsPublished: course.published,
    IsEnded: false,
    CourseID: null,
    Duration: null,
    CourseType: LEARN365_COURSE_TYPES[course.kind],
    ImageUrl: null,
    CertificateTemplateId: null,
    EnrollmentFlow: 'AutomaticApproval',
    IsDeleted: false,
    CourseSessionEnrollmentType: course.kind === 'instructor_led' ? 'EnrollToSingle' : null,
    CreatedAt: course.created_at,
    CourseLayoutId: null,
  };
}

/** A navigation property: only present when $expand names it, as OData does. */
function sharepointWeb(course: SandboxCourse) {
  return { SiteId: LEARN365_SITE.SiteId, Id: LEARN365_SITE.WebId, Url: course.url };
}

/**
 * CoursePassingStatus is documented as Completed, NotStarted and InProgress (Zensai's "Update
 * registration details via API"); RegistrationStatus values are not published, so the sandbox
 * uses plain words for its states.
 */
function passingStatus(enrollment: SandboxEnrollment): string {
  if (enrollment.status === 'completed') return 'Completed';
  if (enrollment.status === 'in_progress' || enrollment.status === 'failed' || enrollment.status === 'not_completed') return 'InProgress';
  return 'NotStarted';
}

const REGISTRATION_STATUSES: Partial<Record<SandboxEnrollment['status'], string>> = {
  pending_approval: 'Pending',
  waitlisted: 'WaitingList',
  declined: 'Rejected',
  removed: 'Cancelled',
};

function enrollmentEntity(data: SandboxData, enrollment: SandboxEnrollment): Entity {
  const user = data.users.find((candidate) => candidate.id === enrollment.user_id);
  return {
    Id: learn365Id('enrollment', enrollment.id),
    CourseId: learn365Id('course', enrollment.course_id),
    UserId: learn365Id('user', enrollment.user_id),
    UserLoginName: user ? learn365LoginName(user) : null,
    RegistrationDate: enrollment.enrolled_at,
    StartDate: hasStarted(enrollment) ? enrollment.enrolled_at : null,
    CompletionDate: enrollment.completed_at,
    RegistrationStatus: REGISTRATION_STATUSES[enrollment.status] ?? 'Registered',
    CoursePassingStatus: passingStatus(enrollment),
    CertificateId: null,
    CEU: 0,
    DecimalCEU: 0,
    DueDate: null,
    EndDate: null,
    IsPartOfTrainingPlan: false,
    CanUnenroll: true,
    CancellationReason: null,
    courseSessionId: null,
  };
}

function odataError(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ error: { code, message } });
}

/** The service root as the caller reached it, for @odata.context and @odata.nextLink. */
function serviceRoot(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? 'localhost'}${req.baseUrl}/odata/v2`;
}

/** A key as OData writes it: a number or GUID bare, a string quoted ('' escapes a quote). */
function keyValue(raw: string): string {
  const decoded = decodeURIComponent(raw).trim();
  const quoted = /^'((?:[^']|'')*)'$/.exec(decoded);
  return quoted?.[1] !== undefined ? quoted[1].replace(/''/g, "'") : decoded;
}

interface EntitySet {
  entity: EntityKind;
  all(data: SandboxData): Array<{ id: number; body: Entity; course?: SandboxCourse }>;
}

const ENTITY_SETS: Record<string, EntitySet> = {
  Users: { entity: 'user', all: (data) => data.users.map((user) => ({ id: user.id, body: userEntity(data, user) })) },
  Courses: { entity: 'course', all: (data) => data.courses.map((course) => ({ id: course.id, body: courseEntity(course), course })) },
  Enrollments: { entity: 'enrollment', all: (data) => data.enrollments.map((enrollment) => ({ id: enrollment.id, body: enrollmentEntity(data, enrollment) })) },
};

function expands(query: URLSearchParams, property: string): boolean {
  return (query.get('$expand') ?? '').split(',').some((item) => item.trim().split('(')[0]?.toLowerCase() === property.toLowerCase());
}

function withExpansions(item: { body: Entity; course?: SandboxCourse }, query: URLSearchParams): Entity {
  return item.course && expands(query, 'SharepointWeb') ? { ...item.body, SharepointWeb: sharepointWeb(item.course) } : item.body;
}

function count(value: string | null, name: string): number | null {
  if (value === null) return null;
  if (!/^\d+$/.test(value)) throw new ODataFilterError(`The query option ${name} must be a non-negative integer.`);
  return Number(value);
}

/** ASP.NET WebHooks' WebHook as the registration API takes it (JSON property names are case-insensitive there). */
const WebHookBody = z.looseObject({
  WebHookUri: z.url({ protocol: /^https?$/ }),
  Secret: z.string().min(32).max(64),
  Filters: z.array(z.string().min(1)).default([]),
  Description: z.string().nullish(),
});

/** The filters Learn365 offers (its Actions), and the wildcard; compared case-insensitively. */
const FILTERS = new Map([...Object.keys(LEARN365_ACTIONS), '*'].map((name) => [name.toLowerCase(), name]));

/** A property name as ASP.NET reads JSON: whatever its case. */
function pascalCased(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return {};
  const names = ['WebHookUri', 'Secret', 'Filters', 'Description', 'Id'];
  return Object.fromEntries(Object.entries(body).map(([key, value]) => [names.find((name) => name.toLowerCase() === key.toLowerCase()) ?? key, value]));
}

function webHookJson(registration: SandboxRegistration): Entity {
  return {
    Id: registration.id,
    WebHookUri: registration.url,
    Secret: registration.inbound.secret,
    Description: registration.description,
    IsPaused: false,
    Filters: registration.events,
    Headers: {},
    Properties: {},
  };
}

/** ASP.NET WebHooks' URL check: a GET with the query replaced by echo=<random>, answered with exactly that value. */
async function echoCheck(url: string): Promise<string | null> {
  const target = new URL(url);
  if ([...target.searchParams.keys()].some((key) => key.toLowerCase() === 'noecho')) return null;
  const echo = randomUUID().replace(/-/g, '');
  target.search = `?echo=${echo}`;
  try {
    const response = await fetch(target, { signal: AbortSignal.timeout(5000), redirect: 'manual' });
    const text = await response.text();
    if (response.status !== 200 || text !== echo)
      return `The WebHook URI did not answer the echo check: expected 200 with '${echo}', got ${response.status} '${text.slice(0, 60)}'.`;
    return null;
  } catch (error) {
    return `The WebHook URI could not be reached for the echo check: ${error instanceof Error ? error.message : String(error)}.`;
  }
}

/** The registration API: what the hub's api-registration.ts calls. */
function registrationRoutes(api: Router, book: RegistrationBook): void {
  api.post('/webhooks/registrations', express.json(), async (req, res) => {
    const parsed = WebHookBody.safeParse(pascalCased(req.body));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return res.status(400).json({ Message: `The WebHook is not valid at ${issue?.path.join('.') || '(body)'}: ${issue?.message}` });
    }
    const unknown = parsed.data.Filters.filter((filter) => !FILTERS.has(filter.toLowerCase()));
    if (unknown.length) return res.status(400).json({ Message: `The following filters are not valid: '${unknown.join(', ')}'.` });
    const refused = await echoCheck(parsed.data.WebHookUri);
    if (refused) return res.status(400).json({ Message: refused });
    const registration: SandboxRegistration = {
      id: randomUUID().replace(/-/g, ''),
      url: parsed.data.WebHookUri,
      inbound: { secret: parsed.data.Secret },
      // No filter means every event, as in ASP.NET WebHooks.
      events: parsed.data.Filters.length ? parsed.data.Filters.map((filter) => FILTERS.get(filter.toLowerCase()) ?? filter) : ['*'],
      description: parsed.data.Description ?? null,
    };
    book.add(registration);
    res.status(201).location(`${req.baseUrl}/webhooks/registrations/${registration.id}`).json(webHookJson(registration));
  });

  api.get('/webhooks/registrations', (_req, res) => {
    res.json(book.list().map(webHookJson));
  });

  api.get('/webhooks/registrations/:id', (req, res) => {
    const registration = book.get(String(req.params.id));
    if (!registration) return res.status(404).json({ Message: `No WebHook with ID '${req.params.id}' was found.` });
    res.json(webHookJson(registration));
  });

  api.delete('/webhooks/registrations/:id', (req, res) => {
    if (!book.remove(String(req.params.id))) return res.status(404).json({ Message: `No WebHook with ID '${req.params.id}' was found.` });
    res.status(200).end();
  });
}

function router(data: () => SandboxData, registrations: RegistrationBook = createRegistrationBook()): Router {
  const api = express.Router();

  api.use((req, res, next) => {
    const key = apiKeyOf(header(req.headers, 'authorization'));
    if (key === null || !constantTimeEqual(key, API_KEY)) {
      res.setHeader('WWW-Authenticate', 'Basic realm="Learn365 API"');
      return odataError(res, 401, 'Unauthorized', 'The API key is missing or not valid: send it as the Basic password, with the user name "api".');
    }
    next();
  });

  registrationRoutes(api, registrations);

  api.get(/^\/odata\/v2\/.+/, (req, res) => {
    const match = /^\/odata\/v2\/([A-Za-z]+)(?:\((.*)\))?\/?$/.exec(req.path);
    const set = match?.[1] ? ENTITY_SETS[match[1]] : undefined;
    if (!match?.[1] || !set) return odataError(res, 404, 'NotFound', `No resource was found that matches the request URI ${req.path}.`);
    const name = match[1];
    const current = data();
    const query = queryOf(req);
    const root = serviceRoot(req);

    if (match[2] !== undefined) {
      const id = sandboxId('learn365', set.entity, keyValue(match[2]));
      const item = set.all(current).find((candidate) => candidate.id === id);
      if (!item) return odataError(res, 404, 'NotFound', `No ${name} entity has the key ${match[2]}.`);
      return res.json({ '@odata.context': `${root}/$metadata#${name}/$entity`, ...withExpansions(item, query) });
    }

    try {
      const filterText = query.get('$filter');
      const filter = filterText ? parseFilter(filterText, FILTER) : null;
      const top = count(query.get('$top'), '$top');
      const skip = count(query.get('$skip'), '$skip') ?? 0;
      const matching = set.all(current).filter((item) => !filter || evaluateFilter(filter, item.body, FILTER) === true);
      const pageSize = Math.min(top ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE);
      const value = matching.slice(skip, skip + pageSize).map((item) => withExpansions(item, query));
      const body: Record<string, unknown> = { '@odata.context': `${root}/$metadata#${name}`, value };
      // Server-driven paging: a client that asked for no $top is told where the rest is.
      if (top === null && skip + pageSize < matching.length) {
        const next = new URLSearchParams(query);
        next.set('$skip', String(skip + pageSize));
        body['@odata.nextLink'] = `${root}/${name}?${next.toString()}`;
      }
      res.json(body);
    } catch (error) {
      if (error instanceof ODataFilterError) return odataError(res, 400, 'BadRequest', error.message);
      throw error;
    }
  });

  api.use((req, res) => odataError(res, 404, 'NotFound', `No resource was found that matches the request URI ${req.path}.`));

  return api;
}

/** The sandbox's Learn365 API, mounted at /learn365 (a connection's base_url is <sandbox>/learn365). */
export const learn365SandboxApi: EmulatedApi = {
  prefix: '/learn365',
  rateLimit: RATE_LIMIT,
  callerOf(headers) {
    const key = apiKeyOf(header(headers, 'authorization'));
    // Limits are per API key; its hash keys the limiter so no secret sits in its memory.
    return key === null ? null : callerKey('learn365', key);
  },
  router,
  sandboxSettings: (baseUrl) => ({ base_url: baseUrl, api_key: API_KEY }),
};
