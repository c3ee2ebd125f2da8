import { createHash } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { constantTimeEqual } from '../../signatures/constant-time.ts';
import type { SandboxCourse, SandboxData, SandboxEnrollment, SandboxUser } from '../demo-data.ts';
import { sandboxId, vendorId, type EntityKind } from '../vendor-ids.ts';
import type { EmulatedApi } from './types.ts';
import { uuidFrom } from '../wire-formats.ts';

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

/*
 * A small OData $filter reader, enough for what clients of this API ask: comparisons (eq, ne),
 * and / or / not, parentheses, and the string functions contains, startswith, endswith, tolower,
 * toupper over properties and literals ('text' with '' for a quote, numbers, GUIDs, true, false,
 * null). Anything else answers 400, as an OData service does for a query it cannot read.
 */

class ODataFilterError extends Error {}

type Literal = string | number | boolean | null;
type FilterNode =
  | { kind: 'literal'; value: Literal }
  | { kind: 'property'; name: string }
  | { kind: 'call'; name: string; args: FilterNode[] }
  | { kind: 'not'; operand: FilterNode }
  | { kind: 'binary'; operator: 'eq' | 'ne' | 'and' | 'or'; left: FilterNode; right: FilterNode };

const FUNCTIONS: Readonly<Record<string, number>> = { contains: 2, startswith: 2, endswith: 2, tolower: 1, toupper: 1 };

const TOKEN = /\s*(?:('(?:[^']|'')*')|([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})|(-?\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|([(),]))/y;

type Token = { type: 'string' | 'guid' | 'number' | 'word' | 'punct'; text: string };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break;
    const at = TOKEN.lastIndex;
    const match = TOKEN.exec(text);
    if (!match) throw new ODataFilterError(`The $filter cannot be read at position ${at}.`);
    const [, string, guid, number, word, punct] = match;
    if (string !== undefined) tokens.push({ type: 'string', text: string });
    else if (guid !== undefined) tokens.push({ type: 'guid', text: guid });
    else if (number !== undefined) tokens.push({ type: 'number', text: number });
    else if (word !== undefined) tokens.push({ type: 'word', text: word });
    else if (punct !== undefined) tokens.push({ type: 'punct', text: punct });
  }
  return tokens;
}

function parseFilter(text: string): FilterNode {
  const tokens = tokenize(text);
  let position = 0;
  const peek = () => tokens[position];
  const isWord = (word: string) => peek()?.type === 'word' && peek()?.text.toLowerCase() === word;
  const expect = (text: string) => {
    if (peek()?.text !== text) throw new ODataFilterError(`The $filter expects "${text}" at token ${position + 1}.`);
    position += 1;
  };

  function primary(): FilterNode {
    const token = peek();
    if (!token) throw new ODataFilterError('The $filter ends too early.');
    position += 1;
    if (token.type === 'string') return { kind: 'literal', value: token.text.slice(1, -1).replace(/''/g, "'") };
    if (token.type === 'guid') return { kind: 'literal', value: token.text };
    if (token.type === 'number') return { kind: 'literal', value: Number(token.text) };
    if (token.text === '(') {
      const inner = or();
      expect(')');
      return inner;
    }
    if (token.type !== 'word') throw new ODataFilterError(`The $filter has an unexpected "${token.text}".`);
    const lower = token.text.toLowerCase();
    if (lower === 'true' || lower === 'false') return { kind: 'literal', value: lower === 'true' };
    if (lower === 'null') return { kind: 'literal', value: null };
    if (peek()?.text === '(') {
      const arity = FUNCTIONS[lower];
      if (arity === undefined) throw new ODataFilterError(`The $filter function ${token.text} is not supported.`);
      expect('(');
      const args: FilterNode[] = [or()];
      while (peek()?.text === ',') {
        position += 1;
        args.push(or());
      }
      expect(')');
      if (args.length !== arity) throw new ODataFilterError(`The $filter function ${token.text} takes ${arity} argument(s).`);
      return { kind: 'call', name: lower, args };
    }
    return { kind: 'property', name: token.text };
  }

  function comparison(): FilterNode {
    const left = primary();
    if (isWord('eq') || isWord('ne')) {
      const operator = peek()?.text.toLowerCase() === 'eq' ? 'eq' : 'ne';
      position += 1;
      return { kind: 'binary', operator, left, right: primary() };
    }
    return left;
  }

  function not(): FilterNode {
    if (isWord('not')) {
      position += 1;
      return { kind: 'not', operand: not() };
    }
    return comparison();
  }

  function and(): FilterNode {
    let node = not();
    while (isWord('and')) {
      position += 1;
      node = { kind: 'binary', operator: 'and', left: node, right: not() };
    }
    return node;
  }

  function or(): FilterNode {
    let node = and();
    while (isWord('or')) {
      position += 1;
      node = { kind: 'binary', operator: 'or', left: node, right: and() };
    }
    return node;
  }

  const tree = or();
  if (position < tokens.length) throw new ODataFilterError(`The $filter has an unexpected "${peek()?.text}".`);
  return tree;
}

function literalOf(value: unknown): Literal {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : null;
}

/** Ids are strings in Learn365's JSON but may be written bare in a filter: equal when their text is. */
function same(left: Literal, right: Literal): boolean {
  if (left === null || right === null) return left === right;
  return String(left).toLowerCase() === String(right).toLowerCase() && (typeof left === 'boolean') === (typeof right === 'boolean');
}

function evaluateFilter(node: FilterNode, entity: Entity): Literal {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'property':
      if (!Object.hasOwn(entity, node.name)) throw new ODataFilterError(`Could not find a property named '${node.name}'.`);
      return literalOf(entity[node.name]);
    case 'not':
      return evaluateFilter(node.operand, entity) !== true;
    case 'binary': {
      const left = evaluateFilter(node.left, entity);
      if (node.operator === 'and') return left === true && evaluateFilter(node.right, entity) === true;
      if (node.operator === 'or') return left === true || evaluateFilter(node.right, entity) === true;
      const equal = same(left, evaluateFilter(node.right, entity));
      return node.operator === 'eq' ? equal : !equal;
    }
    case 'call': {
      const values = node.args.map((arg) => evaluateFilter(arg, entity));
      const [first, second] = values;
      if (node.name === 'tolower') return typeof first === 'string' ? first.toLowerCase() : null;
      if (node.name === 'toupper') return typeof first === 'string' ? first.toUpperCase() : null;
      if (typeof first !== 'string' || typeof second !== 'string') return false;
      if (node.name === 'contains') return first.includes(second);
      if (node.name === 'startswith') return first.startsWith(second);
      return first.endsWith(second);
    }
  }
}

const API_KEY = 'learn365-sandbox-8b41d7e0c2f94a6d9e35';

/** Learn365 publishes no rate limit; this is the conservative limit its hydration client keeps. */
const RATE_LIMIT = { capacity: 10, perSecond: 5 };

/** The largest page Learn365 serves (its API overview: "The maximum page size is 10,000 items"). */
const MAX_PAGE_SIZE = 10_000;

/** The SharePoint site and web the sandbox's courses live in: the same ids its webhooks carry. */
const SITE_ID = 'a3f1c2e4-5b6d-4e7f-8a9b-0c1d2e3f4a5b';
const WEB_ID = 'b4e2d3f5-6c7e-4f8a-9b0c-1d2e3f4a5b6c';
const CATALOG_ID = 'c5f3e4a6-7d8f-4a9b-8c1d-2e3f4a5b6c7d';

/** Learn365's course types for the sandbox's kinds (the connector's CourseType values). */
const COURSE_TYPES: Record<SandboxCourse['kind'], string> = {
  online_course: 'ELearning',
  instructor_led: 'ClassRoom',
  curriculum: 'TrainingPlan',
  bundle: 'TrainingPlan',
  learning_path: 'TrainingPlan',
  certification: 'ELearning',
  lesson: 'ELearning',
};

function header(headers: Readonly<Record<string, string | string[] | undefined>>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The password of a Basic Authorization header: Learn365 reads the API key from it. */
function apiKeyOf(value: string | undefined): string | null {
  const match = value ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(value) : null;
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : decoded.slice(colon + 1);
}

const learn365Id = (entity: EntityKind, id: number) => vendorId('learn365', entity, id);

function loginName(user: SandboxUser): string {
  return `i:0#.f|membership|${user.email}`;
}

function userEntity(data: SandboxData, user: SandboxUser): Entity {
  return {
    Id: learn365Id('user', user.id),
    Title: `${user.first_name} ${user.last_name}`.trim(),
    Email: user.email,
    LoginName: loginName(user),
    Department: data.departments.find((department) => department.id === user.department_id)?.name ?? null,
    DirectoryObjectId: uuidFrom(`aad-${user.id}`),
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
    CourseType: COURSE_TYPES[course.kind],
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
  return { SiteId: SITE_ID, Id: WEB_ID, Url: course.url };
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
  const started = enrollment.status === 'in_progress' || enrollment.status === 'completed' || enrollment.progress > 0;
  return {
    Id: learn365Id('enrollment', enrollment.id),
    CourseId: learn365Id('course', enrollment.course_id),
    UserId: learn365Id('user', enrollment.user_id),
    UserLoginName: user ? loginName(user) : null,
    RegistrationDate: enrollment.enrolled_at,
    StartDate: started ? enrollment.enrolled_at : null,
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
    const query = new URL(req.originalUrl, 'http://sandbox.invalid').searchParams;
    const root = serviceRoot(req);

    if (match[2] !== undefined) {
      const id = sandboxId('learn365', set.entity, keyValue(match[2]));
      const item = set.all(current).find((candidate) => candidate.id === id);
      if (!item) return odataError(res, 404, 'NotFound', `No ${name} entity has the key ${match[2]}.`);
      return res.json({ '@odata.context': `${root}/$metadata#${name}/$entity`, ...withExpansions(item, query) });
    }

    try {
      const filterText = query.get('$filter');
      const filter = filterText ? parseFilter(filterText) : null;
      const top = count(query.get('$top'), '$top');
      const skip = count(query.get('$skip'), '$skip') ?? 0;
      const matching = set.all(current).filter((item) => !filter || evaluateFilter(filter, item.body) === true);
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
export const learn365Api: EmulatedApi = {
  prefix: '/learn365',
  rateLimit: RATE_LIMIT,
  callerOf(headers) {
    const key = apiKeyOf(header(headers, 'authorization'));
    // Limits are per API key; its hash keys the limiter so no secret sits in its memory.
    return key === null ? null : `learn365:${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
  },
  router,
  sandboxSettings: (baseUrl) => ({ base_url: baseUrl, api_key: API_KEY }),
};
