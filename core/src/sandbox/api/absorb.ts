import { randomBytes } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { constantTimeEqual } from '../../signatures/constant-time.ts';
import type { SandboxCourse, SandboxData, SandboxEnrollment, SandboxUser } from '../demo-data.ts';
import { sandboxId, vendorId, type EntityKind } from '../vendor-ids.ts';
import { callerKey, fullName, hasStarted, header, queryOf, tokenOf } from './common.ts';
import { evaluateFilter, literalOf, parseFilter, type FilterDialect, type Literal } from './odata-filter.ts';
import type { EmulatedApi } from './types.ts';

/**
 * The Absorb Integration API v2 as the sandbox serves it (rest.myabsorb.com and its regional
 * twins). Every request carries the portal's private key in `x-api-key`; POST /authenticate
 * trades an admin's username and password (and the key again, as `privateKey`) for a bearer
 * token, answered as a bare JSON string and valid for four hours. A user holds one token at a
 * time: authenticating again cancels the previous token, which then answers 401.
 *
 * GETs also need `x-api-version: 2` (this emulator serves version 2 only) and
 * `Authorization: Bearer <token>`. Resources use v2's camelCase names; collections are
 * `{totalItems, returnedItems, limit, offset, <name>: [...]}` and read `_filter` (OData-style:
 * eq ne gt ge lt le, and or not, parentheses, substringof startswith endswith tolower toupper),
 * `_sort` (comma-separated, `-` for descending), `_limit` (default 20, at most 1000) and
 * `_offset` (a page number, from 0).
 *
 * Served: /users, /users/{id}, /users/{userId}/enrollments[/{courseId}], /courses,
 * /courses/{id}, /courses/{courseId}/enrollments, /departments, /departments/{id}.
 */

/** An Absorb resource as JSON: camelCase properties, primitives, arrays or nested objects. */
type Resource = Record<string, unknown>;

const PRIVATE_KEY = '3b1f7c2e-9d84-4a6b-b5e0-2c7d9a41f8e6';
const API_USERNAME = 'learnhook-integration';
const API_PASSWORD = 'absorb-sandbox-Vq8#rT2m';

/** Tokens from /authenticate live four hours (Integration API docs, "Authentication"). */
const TOKEN_TTL_MS = 4 * 60 * 60 * 1000;

/**
 * Absorb publishes 200 requests a second with 100 more as a burst. A bucket of 100 refilled at
 * 200/s lets 300 through in the first second and 200 in each after, which is that limit.
 */
const RATE_LIMIT = { capacity: 100, perSecond: 200 };

/** Paging bounds from the Integration API overview ("Pagination"). */
const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 1000;
const MAX_OFFSET = 65_535;

/** Absorb's courseType values for the sandbox's kinds; Absorb has no paths, certifications or lessons of its own. */
const COURSE_TYPES: Record<SandboxCourse['kind'], string> = {
  online_course: 'OnlineCourse',
  instructor_led: 'InstructorLedCourse',
  curriculum: 'Curriculum',
  bundle: 'CourseBundle',
  learning_path: 'Curriculum',
  certification: 'OnlineCourse',
  lesson: 'OnlineCourse',
};

/**
 * Absorb's enrollment status codes (0 NotStarted, 1 InProgress, 2 PendingApproval, 3 Complete,
 * 4 NotComplete, 5 Failed, 6 Declined, 7 PendingEvaluationRequired, 8 OnWaitlist, 9 Absent,
 * 10 NotApplicable, ...). Removed enrollments are not served at all.
 */
const STATUS_CODES: Record<Exclude<SandboxEnrollment['status'], 'removed'>, number> = {
  enrolled: 0,
  not_started: 0,
  in_progress: 1,
  pending_approval: 2,
  completed: 3,
  not_completed: 4,
  failed: 5,
  declined: 6,
  waitlisted: 8,
  absent: 9,
  unknown: 10,
};

class QueryError extends Error {}

/*
 * A reader for Absorb's `_filter`: OData v2 style, enough for what integrations ask. Literals are
 * 'text' ('' for a quote), guid'…', datetime'…', numbers, true, false, null; property paths may
 * nest with "/" (customFields/string1). Property and function names match ignoring case, as in
 * the docs' own examples (`startsWith(lastname,'leb')`). Anything else answers 422.
 */

/** A property of a resource by a case-insensitive, possibly nested path; QueryError when absent. */
function propertyOf(resource: Resource, path: readonly string[]): unknown {
  let current: unknown = resource;
  for (const part of path) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) throw new QueryError(`Could not find a property named '${path.join('/')}'.`);
    const key = Object.keys(current).find((candidate) => candidate.toLowerCase() === part.toLowerCase());
    if (key === undefined) throw new QueryError(`Could not find a property named '${path.join('/')}'.`);
    current = Object.getOwnPropertyDescriptor(current, key)?.value;
  }
  return current;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}(?:T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

/** Orders two values the way a SQL-backed API would: numbers and times by value, GUIDs ignoring case, text as written. */
function compare(left: Literal, right: Literal): number | null {
  if (left === null || right === null) return left === right ? 0 : null;
  if (typeof left === 'number' && typeof right === 'number') return left - right;
  if (typeof left === 'string' && typeof right === 'string') {
    if (GUID.test(left) && GUID.test(right)) return left.toLowerCase().localeCompare(right.toLowerCase());
    if (DATE_TIME.test(left) && DATE_TIME.test(right)) {
      const zoned = (value: string) => (/T/.test(value) && !/(?:Z|[+-]\d{2}:?\d{2})$/i.test(value) ? `${value}Z` : value);
      return Date.parse(zoned(left)) - Date.parse(zoned(right));
    }
    return left < right ? -1 : left > right ? 1 : 0;
  }
  return left === right ? 0 : null;
}

const FILTER: FilterDialect = {
  option: '_filter',
  token: /\s*(?:(?<prefix>guid|datetime)'(?<typed>[^']*)'|(?<string>'(?:[^']|'')*')|(?<number>-?\d+(?:\.\d+)?)|(?<word>[A-Za-z_][A-Za-z0-9_]*(?:\/[A-Za-z_][A-Za-z0-9_]*)*)|(?<punct>[(),]))/y,
  functions: { substringof: 2, startswith: 2, endswith: 2, tolower: 1, toupper: 1 },
  comparisons: new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']),
  error: QueryError,
  property: propertyOf,
  compare(operator, left, right) {
    const order = compare(left, right);
    switch (operator) {
      case 'eq':
        return order === 0;
      case 'ne':
        return order !== 0;
      case 'gt':
        return order !== null && order > 0;
      case 'ge':
        return order !== null && order >= 0;
      case 'lt':
        return order !== null && order < 0;
      default:
        return order !== null && order <= 0;
    }
  },
};

function sortBy(resources: Resource[], sort: string | null): Resource[] {
  if (!sort) return resources;
  const keys = sort.split(',').map((key) => key.trim()).filter(Boolean).map((key) => ({ descending: key.startsWith('-'), path: key.replace(/^-/, '').split('/') }));
  // Reading every key first surfaces an unknown property as a 422 rather than mid-sort.
  const rows = resources.map((resource) => ({ resource, values: keys.map((key) => literalOf(propertyOf(resource, key.path))) }));
  rows.sort((a, b) => {
    for (const [index, key] of keys.entries()) {
      const order = compare(a.values[index] ?? null, b.values[index] ?? null) ?? 0;
      if (order !== 0) return key.descending ? -order : order;
    }
    return 0;
  });
  return rows.map((row) => row.resource);
}

function count(value: string | null, name: string, fallback: number): number {
  if (value === null || value === '') return fallback;
  if (!/^\d+$/.test(value)) throw new QueryError(`${name} must be a non-negative integer.`);
  return Number(value);
}

/** One page of a collection, shaped as Absorb answers every list. */
function collection(req: Request, name: string, all: Resource[]): Resource {
  const query = queryOf(req);
  const filterText = query.get('_filter');
  const filter = filterText ? parseFilter(filterText, FILTER) : null;
  const limit = Math.min(Math.max(count(query.get('_limit'), '_limit', DEFAULT_LIMIT), 1), MAX_LIMIT);
  const offset = count(query.get('_offset'), '_offset', 0);
  if (offset > MAX_OFFSET) throw new QueryError(`_offset may be at most ${MAX_OFFSET}.`);
  const matching = sortBy(all.filter((resource) => !filter || evaluateFilter(filter, resource, FILTER) === true), query.get('_sort'));
  // _offset counts pages, not records (Integration API overview, "Pagination").
  const items = matching.slice(offset * limit, (offset + 1) * limit);
  return { totalItems: matching.length, returnedItems: items.length, limit, offset, [name]: items };
}

/*
 * The sandbox's data as Absorb resources. Absorb writes times without a zone (UTC); the
 * sandbox's ISO strings lose their "Z" accordingly.
 */

const absorbTime = (value: string | null): string | null => (value ? value.replace(/Z$/, '') : null);
const absorbId = (entity: EntityKind, id: number) => vendorId('absorb', entity, id);

function userResource(user: SandboxUser): Resource {
  return {
    id: absorbId('user', user.id),
    departmentId: user.department_id === null ? null : absorbId('department', user.department_id),
    firstName: user.first_name,
    middleName: null,
    lastName: user.last_name,
    username: user.username,
    emailAddress: user.email,
    externalId: null,
    ccEmailAddresses: [],
    languageId: 1,
    gender: 0,
    address: null,
    address2: null,
    city: null,
    provinceId: null,
    countryId: null,
    postalCode: null,
    phone: null,
    employeeNumber: null,
    location: null,
    jobTitle: null,
    referenceNumber: null,
    dateHired: null,
    dateTerminated: null,
    dateEdited: absorbTime(user.created_at),
    dateAdded: absorbTime(user.created_at),
    lastLoginDate: null,
    notes: null,
    customFields: null,
    roleIds: [],
    activeStatus: user.active ? 0 : 1,
    isLearner: true,
    isAdmin: false,
    isInstructor: false,
    isManager: false,
    supervisorId: null,
    hasUsername: true,
  };
}

function departmentResource(department: SandboxData['departments'][number]): Resource {
  return {
    id: absorbId('department', department.id),
    name: department.name,
    useDepartmentContactDetails: false,
    companyName: null,
    phoneNumber: null,
    emailAddress: null,
    externalId: null,
    parentId: null,
    currencyId: null,
    dateEdited: null,
    dateAdded: null,
  };
}

function courseResource(course: SandboxCourse): Resource {
  return {
    id: absorbId('course', course.id),
    courseType: COURSE_TYPES[course.kind],
    name: course.title,
    description: null,
    notes: null,
    externalId: null,
    accessDate: null,
    expireType: 0,
    expireDuration: null,
    expiryDate: null,
    activeStatus: course.published ? 0 : 1,
    tagIds: [],
    resourceIds: [],
    editorIds: [],
    prices: [],
    competencyDefinitionIds: [],
    prerequisiteCourseIds: [],
    postEnrollmentCourseIds: [],
    allowCourseEvaluation: false,
    categoryId: null,
    certificateUrl: null,
    audience: null,
    goals: null,
    vendor: null,
    companyCost: null,
    learnerCost: null,
    companyTime: null,
    learnerTime: null,
    dateEdited: absorbTime(course.created_at),
    dateAdded: absorbTime(course.created_at),
  };
}

function enrollmentResource(data: SandboxData, enrollment: SandboxEnrollment): Resource | null {
  if (enrollment.status === 'removed') return null;
  const user = data.users.find((candidate) => candidate.id === enrollment.user_id);
  const course = data.courses.find((candidate) => candidate.id === enrollment.course_id);
  const certificate = data.certificates.find((candidate) => candidate.user_id === enrollment.user_id && candidate.course_id === enrollment.course_id);
  return {
    id: absorbId('enrollment', enrollment.id),
    courseId: absorbId('course', enrollment.course_id),
    courseName: course?.title ?? null,
    courseVersionId: null,
    userId: absorbId('user', enrollment.user_id),
    fullName: user ? fullName(user) : null,
    progress: enrollment.progress,
    score: enrollment.score,
    status: STATUS_CODES[enrollment.status],
    dateCompleted: absorbTime(enrollment.completed_at),
    dateExpires: null,
    dateEdited: absorbTime(enrollment.completed_at ?? enrollment.enrolled_at),
    dateAdded: absorbTime(enrollment.enrolled_at),
    dateStarted: hasStarted(enrollment) ? absorbTime(enrollment.enrolled_at) : null,
    acceptedTermsAndConditions: false,
    timeSpentTicks: 0,
    timeSpent: '00:00:00',
    enrollmentKeyId: null,
    certificateId: certificate ? absorbId('certificate', certificate.id) : null,
    credits: null,
    isActive: true,
    dateDue: null,
    accessDate: null,
    jobTitle: null,
    courseCollectionId: null,
    avatar: null,
  };
}

function enrollmentsOf(data: SandboxData, keep: (enrollment: SandboxEnrollment) => boolean): Resource[] {
  return data.enrollments.filter(keep).flatMap((enrollment): Resource[] => {
    const served = enrollmentResource(data, enrollment);
    return served ? [served] : [];
  });
}

function fail(res: Response, status: number, message: string): void {
  res.status(status).json({ message });
}

function notFound(res: Response, what: string): void {
  fail(res, 404, `The ${what} could not be found.`);
}

/** What a test may change about an emulated Absorb API. */
export interface AbsorbApiOptions {
  /** The emulator's clock, for token expiry; Date.now by default. */
  now?: () => number;
  /** How long a token lives; four hours, as Absorb's do, by default. */
  tokenTtlMs?: number;
}

/**
 * An emulated Absorb API with its own clock and token lifetime (tests shorten or advance them);
 * `absorbApi` is the one the sandbox mounts.
 */
export function createAbsorbApi(options: AbsorbApiOptions = {}): EmulatedApi {
  const now = options.now ?? Date.now;
  const tokenTtlMs = options.tokenTtlMs ?? TOKEN_TTL_MS;

  function router(data: () => SandboxData): Router {
    // One live token per user, as Absorb keeps: the newest replaces (and so cancels) the last.
    const tokens = new Map<string, { username: string; expiresAt: number }>();
    const tokenOfUser = new Map<string, string>();
    const api = express.Router();

    api.use((req, res, next) => {
      const key = header(req.headers, 'x-api-key');
      if (key === undefined || !constantTimeEqual(key, PRIVATE_KEY)) return fail(res, 401, 'The x-api-key header is missing or is not a valid private key.');
      next();
    });

    api.post('/authenticate', express.json({ limit: '16kb' }), (req, res) => {
      const body: unknown = req.body;
      const field = (name: string) => (typeof body === 'object' && body !== null ? Object.getOwnPropertyDescriptor(body, name)?.value : undefined);
      const username = field('username');
      const password = field('password');
      const privateKey = field('privateKey');
      if (typeof username !== 'string' || typeof password !== 'string' || typeof privateKey !== 'string') {
        return fail(res, 400, 'The request body needs username, password and privateKey.');
      }
      // Every part is compared, each in constant time, so no one part answers faster when wrong.
      const userOk = constantTimeEqual(username, API_USERNAME);
      const passwordOk = constantTimeEqual(password, API_PASSWORD);
      const keyOk = constantTimeEqual(privateKey, PRIVATE_KEY);
      if (!userOk || !passwordOk || !keyOk) return fail(res, 401, 'The username, password or private key is not valid.');
      const previous = tokenOfUser.get(username);
      if (previous !== undefined) tokens.delete(previous);
      const token = randomBytes(32).toString('base64url');
      tokens.set(token, { username, expiresAt: now() + tokenTtlMs });
      tokenOfUser.set(username, token);
      res.json(token);
    });

    api.use((req, res, next) => {
      if (header(req.headers, 'x-api-version') !== '2') return fail(res, 400, 'This API serves x-api-version 2: send the header "x-api-version: 2".');
      const token = tokenOf(header(req.headers, 'authorization'));
      const session = token === null ? undefined : tokens.get(token);
      if (!session) return fail(res, 401, 'The bearer token is missing, not valid, or was replaced by a newer one.');
      if (session.expiresAt <= now()) {
        if (token !== null) tokens.delete(token);
        return fail(res, 401, 'The bearer token has expired: authenticate again.');
      }
      next();
    });

    const find = <T extends { id: number }>(items: readonly T[], entity: EntityKind, id: string | undefined): T | undefined => {
      const wanted = id === undefined ? null : sandboxId('absorb', entity, id);
      return wanted === null ? undefined : items.find((item) => item.id === wanted);
    };

    api.get('/users', (req, res) => {
      res.json(collection(req, 'users', data().users.map(userResource)));
    });

    api.get('/users/:id', (req, res) => {
      const user = find(data().users, 'user', req.params.id);
      if (!user) return notFound(res, 'user');
      res.json(userResource(user));
    });

    api.get('/users/:userId/enrollments', (req, res) => {
      const current = data();
      const user = find(current.users, 'user', req.params.userId);
      if (!user) return notFound(res, 'user');
      res.json(collection(req, 'enrollments', enrollmentsOf(current, (enrollment) => enrollment.user_id === user.id)));
    });

    api.get('/users/:userId/enrollments/:courseId', (req, res) => {
      const current = data();
      const user = find(current.users, 'user', req.params.userId);
      const course = find(current.courses, 'course', req.params.courseId);
      if (!user || !course) return notFound(res, user ? 'course' : 'user');
      // A retaken course leaves older enrollments behind: the latest is the user's enrollment in it.
      const [latest] = enrollmentsOf(current, (enrollment) => enrollment.user_id === user.id && enrollment.course_id === course.id).toSorted((a, b) =>
        String(b['dateAdded']).localeCompare(String(a['dateAdded'])),
      );
      if (!latest) return notFound(res, 'enrollment');
      res.json(latest);
    });

    api.get('/courses', (req, res) => {
      res.json(collection(req, 'courses', data().courses.map(courseResource)));
    });

    api.get('/courses/:id', (req, res) => {
      const course = find(data().courses, 'course', req.params.id);
      if (!course) return notFound(res, 'course');
      res.json(courseResource(course));
    });

    api.get('/courses/:courseId/enrollments', (req, res) => {
      const current = data();
      const course = find(current.courses, 'course', req.params.courseId);
      if (!course) return notFound(res, 'course');
      res.json(collection(req, 'enrollments', enrollmentsOf(current, (enrollment) => enrollment.course_id === course.id)));
    });

    api.get('/departments', (req, res) => {
      res.json(collection(req, 'departments', data().departments.map(departmentResource)));
    });

    api.get('/departments/:id', (req, res) => {
      const department = find(data().departments, 'department', req.params.id);
      if (!department) return notFound(res, 'department');
      res.json(departmentResource(department));
    });

    api.use((req, res) => notFound(res, `resource ${req.method} ${req.path}`));

    api.use((error: unknown, _req: Request, res: Response, next: (error?: unknown) => void) => {
      if (error instanceof QueryError) return fail(res, 422, error.message);
      next(error);
    });

    return api;
  }

  return {
    prefix: '/absorb',
    rateLimit: RATE_LIMIT,
    callerOf(headers) {
      const key = header(headers, 'x-api-key');
      // Absorb counts per portal, whose private key names it; hashed so no secret sits in the limiter.
      return key ? callerKey('absorb', key) : null;
    },
    router,
    sandboxSettings: (baseUrl) => ({ base_url: baseUrl, private_key: PRIVATE_KEY, username: API_USERNAME, password: API_PASSWORD }),
  };
}

/** The sandbox's Absorb Integration API, mounted at /absorb (a connection's base_url is <sandbox>/absorb). */
export const absorbApi: EmulatedApi = createAbsorbApi();
