import express, { type Request, type Response, type Router } from 'express';
import { callerKey, departmentOf, fullName, hasStarted, header, queryOf } from '../../sandbox/api/common.ts';
import { evaluateFilter, type FilterDialect, type Literal, parseFilter } from '../../sandbox/api/odata-filter.ts';
import type { EmulatedApi } from '../../sandbox/api/types.ts';
import type { SandboxCourse, SandboxData, SandboxEnrollment, SandboxUser } from '../../sandbox/demo-data.ts';
import { type EntityKind, sandboxId, vendorId } from '../../sandbox/vendor-ids.ts';
import { parseBasicAuth } from '../../signatures/basic-auth.ts';
import { constantTimeEqual } from '../../signatures/constant-time.ts';
import { LEARN365_COURSE_TYPES } from './tables.ts';
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

function router(data: () => SandboxData): Router {
  const api = express.Router();

  api.use((req, res, next) => {
    const key = apiKeyOf(header(req.headers, 'authorization'));
    if (key === null || !constantTimeEqual(key, API_KEY)) {
      res.setHeader('WWW-Authenticate', 'Basic realm="Learn365 API"');
      return odataError(res, 401, 'Unauthorized', 'The API key is missing or not valid: send it as the Basic password, with the user name "api".');
    }
    next();
  });

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
