import express, { type Request, type Response, type Router } from 'express';
import { callerKey, departmentOf, fullName, hasStarted, header, queryOf } from '../../sandbox/api/common.ts';
import type { EmulatedApi } from '../../sandbox/api/types.ts';
import type { SandboxCourse, SandboxData, SandboxEnrollment, SandboxUser } from '../../sandbox/demo-data.ts';
import { type EntityKind, sandboxId, vendorId } from '../../sandbox/vendor-ids.ts';
import { basicAuthMatches, parseBasicAuth } from '../../signatures/basic-auth.ts';

/**
 * The Seismic Learning (Lessonly) API as the sandbox serves it: api.lessonly.com/api/v1 and /v1.1,
 * HTTP Basic `subdomain:api_key`, Lessonly's own field names (users with one `name`, lessons and
 * paths with `title`, assignments with `assignable_type` "Lesson" or "LearningPaths::Path").
 *
 * Lessonly knows lessons and paths (a path may be a certification); the sandbox's courses of
 * kind `lesson` are its lessons, those of kind `learning_path` and `certification` its paths.
 * Other kinds do not exist in Lessonly and answer 404, as an id from another LMS would.
 */

const SUBDOMAIN = 'acme-training';
const API_KEY = 'lessonly-sandbox-3f9c2a7e5b1d4c8a';

/** Lessonly documents 500 requests a minute: a burst of 20 plus 8/s keeps any minute under it. */
const RATE_LIMIT = { capacity: 20, perSecond: 8 };

/** Lessonly's documented page size bounds (page, per_page: default 50, at most 1000). */
const DEFAULT_PER_PAGE = 50;
const MAX_PER_PAGE = 1000;

const VERSIONS = new Set(['v1', 'v1.1']);

/** The role ids Lessonly's samples show for these roles; real companies have their own. */
const LEARNER_ROLE_ID = 32;

const PATH_KINDS = new Set<SandboxCourse['kind']>(['learning_path', 'certification']);

function lessonlyId(entity: EntityKind, id: number): number {
  return Number(vendorId('seismic-learning', entity, id));
}

function findId(entity: EntityKind, value: string | undefined): number | null {
  return value === undefined ? null : sandboxId('seismic-learning', entity, value);
}

/** The user named by a Lessonly user id from the request path. */
function userById(data: SandboxData, value: string | undefined): SandboxUser | undefined {
  const id = findId('user', value);
  return data.users.find((candidate) => candidate.id === id);
}

/** The course named by a Lessonly id from the request path, when it is of the wanted sort (lesson or path). */
function courseById(data: SandboxData, value: string | undefined, wanted: (course: SandboxCourse) => boolean): SandboxCourse | undefined {
  const id = findId('course', value);
  return data.courses.find((candidate) => candidate.id === id && wanted(candidate));
}

function notFound(res: Response, what: string): void {
  res.status(404).json({ type: 'error', error: `Not Found -- no ${what} with that id.` });
}

function positiveInt(value: string | null, fallback: number): number {
  const n = value !== null && /^\d+$/.test(value) ? Number(value) : fallback;
  return n > 0 ? n : fallback;
}

function userBody(data: SandboxData, user: SandboxUser, version: string) {
  const body = {
    id: lessonlyId('user', user.id),
    resource_type: 'user',
    // The sandbox username stands in for the HR system's id Lessonly keeps as ext_uid.
    ext_uid: user.username,
    email: user.email,
    name: fullName(user),
    role: 'learner',
    role_id: LEARNER_ROLE_ID,
    archived_at: user.active ? null : user.created_at,
    archived_by_user_id: null,
    job_title: null,
    business_unit: null,
    department: departmentOf(data, user),
    location: null,
    locale: 'en',
    hire_date: user.created_at.slice(0, 10),
    manager_name: null,
    custom_user_field_data: [],
  };
  return version === 'v1.1' ? { ...body, mobile_phone_number: null, groups: { member: [], manager: [] } } : body;
}

function lessonFields(course: SandboxCourse) {
  return {
    id: lessonlyId('course', course.id),
    resource_type: 'lesson',
    title: course.title,
    archived_at: null,
    archived_by_user_id: null,
    retake_score: 80,
    public: false,
    created_at: course.created_at,
    last_updated_at: course.created_at,
    tags: [],
    links: { overview: course.url, shareable: course.url },
  };
}

function pathFields(course: SandboxCourse) {
  return {
    id: lessonlyId('course', course.id),
    resource_type: 'path',
    title: course.title,
    archived_at: null,
    archived_by_user_id: null,
    public: false,
    created_at: course.created_at,
    last_updated_at: course.created_at,
    published_at: course.published ? course.created_at : null,
    publisher_id: null,
    tags: [],
    links: { overview: course.url, shareable: course.url },
    is_certification: course.kind === 'certification',
  };
}

/** Lessonly's assignment statuses: Incomplete, Completed, Overdue, Grade Pending. */
function assignmentStatus(enrollment: SandboxEnrollment): string {
  return enrollment.status === 'completed' ? 'Completed' : 'Incomplete';
}

function assignmentBody(data: SandboxData, enrollment: SandboxEnrollment, course: SandboxCourse) {
  const user = data.users.find((candidate) => candidate.id === enrollment.user_id);
  return {
    type: 'Assignment',
    resource_type: 'assignment',
    id: lessonlyId('enrollment', enrollment.id),
    assignee_id: lessonlyId('user', enrollment.user_id),
    ext_uid: user?.username ?? null,
    assignable_id: lessonlyId('course', course.id),
    assignable_type: PATH_KINDS.has(course.kind) ? 'LearningPaths::Path' : 'Lesson',
    due_by: null,
    assigned_at: enrollment.enrolled_at,
    reassigned_at: null,
    started_at: hasStarted(enrollment) ? enrollment.enrolled_at : null,
    completed_at: enrollment.completed_at,
    updated_at: enrollment.completed_at ?? enrollment.enrolled_at,
    status: assignmentStatus(enrollment),
    score: enrollment.score,
  };
}

function isLesson(course: SandboxCourse): boolean {
  return course.kind === 'lesson';
}

function isPath(course: SandboxCourse): boolean {
  return PATH_KINDS.has(course.kind);
}

/** Courses Lessonly has at all: lessons and paths. */
function isLessonly(course: SandboxCourse): boolean {
  return isLesson(course) || isPath(course);
}

function page<T>(items: T[], req: Request): { page: number; per_page: number; total_pages: number; items: T[] } {
  const query = queryOf(req);
  const perPage = Math.min(MAX_PER_PAGE, positiveInt(query.get('per_page'), DEFAULT_PER_PAGE));
  const current = positiveInt(query.get('page'), 1);
  return {
    page: current,
    per_page: perPage,
    total_pages: Math.max(1, Math.ceil(items.length / perPage)),
    items: items.slice((current - 1) * perPage, current * perPage),
  };
}

function router(data: () => SandboxData): Router {
  const api = express.Router();

  api.use((req, res, next) => {
    // Both halves are compared, each in constant time, so neither a wrong subdomain nor a wrong key answers faster.
    if (!basicAuthMatches(header(req.headers, 'authorization'), { username: SUBDOMAIN, password: API_KEY })) {
      res.setHeader('WWW-Authenticate', 'Basic realm="Lessonly API"');
      res.status(401).json({ type: 'error', error: 'Unauthorized: the subdomain or the API key is not right.' });
      return;
    }
    next();
  });

  api.param('version', (_req, res, next, version: string) => {
    if (VERSIONS.has(version)) next();
    else res.status(404).json({ type: 'error', error: `Not Found -- no API version ${version}.` });
  });

  api.get('/api/:version/users', (req, res) => {
    const current = data();
    const query = queryOf(req);
    const email = query.get('filter[email]');
    const extUid = query.get('filter[ext_uid]');
    const version = req.params.version;
    const users = current.users.filter((user) => {
      if (email !== null && user.email.toLowerCase() !== email.toLowerCase()) return false;
      if (extUid !== null && user.username !== extUid) return false;
      // active_only is a v1.1 filter; v1 ignores it.
      if (version === 'v1.1' && query.get('filter[active_only]') === 'true' && !user.active) return false;
      return true;
    });
    const paged = page(users, req);
    res.json({
      type: 'users',
      total_users: users.length,
      total_pages: paged.total_pages,
      page: paged.page,
      per_page: paged.per_page,
      users: paged.items.map((user) => userBody(current, user, version)),
    });
  });

  api.get('/api/:version/users/:id', (req, res) => {
    const current = data();
    const user = userById(current, req.params.id);
    if (!user) return notFound(res, 'user');
    res.json({ type: 'user', ...userBody(current, user, 'v1') });
  });

  api.get('/api/:version/users/:id/assignments', (req, res) => {
    const current = data();
    const user = userById(current, req.params.id);
    if (!user) return notFound(res, 'user');
    const assignments = current.enrollments.flatMap((enrollment) => {
      if (enrollment.user_id !== user.id) return [];
      const course = current.courses.find((candidate) => candidate.id === enrollment.course_id);
      return course && isLessonly(course) ? [assignmentBody(current, enrollment, course)] : [];
    });
    res.json({ type: 'user_assignments', assignments });
  });

  api.get('/api/:version/lessons', (req, res) => {
    const lessons = data().courses.filter(isLesson).map(lessonFields);
    const version = req.params.version;
    res.json({
      type: 'lessons',
      // v1 lists only the names and archive state; v1.1 the lesson's details too.
      lessons: version === 'v1' ? lessons.map(({ id, title, archived_at, archived_by_user_id }) => ({ id, title, archived_at, archived_by_user_id })) : lessons,
    });
  });

  api.get('/api/:version/lessons/:id', (req, res) => {
    const current = data();
    const course = courseById(current, req.params.id, isLesson);
    if (!course) return notFound(res, 'lesson');
    const body = { type: 'lesson', ...lessonFields(course), description: null };
    if (req.params.version === 'v1.1') return res.json(body);
    const enrollments = current.enrollments.filter((enrollment) => enrollment.course_id === course.id);
    res.json({ ...body, assignees_count: enrollments.length, completed_count: enrollments.filter((enrollment) => enrollment.status === 'completed').length });
  });

  api.get('/api/:version/lessons/:id/assignments', (req, res) => {
    const current = data();
    const course = courseById(current, req.params.id, isLesson);
    if (!course) return notFound(res, 'lesson');
    const assignments = current.enrollments.filter((enrollment) => enrollment.course_id === course.id);
    const paged = page(assignments, req);
    res.json({
      type: 'lesson_assignments',
      total_assignments: assignments.length,
      page: paged.page,
      per_page: paged.per_page,
      total_pages: paged.total_pages,
      assignments: paged.items.map((enrollment) => assignmentBody(current, enrollment, course)),
    });
  });

  api.get('/api/:version/paths', (req, res) => {
    const paths = data().courses.filter(isPath).map(pathFields);
    res.json({
      type: 'paths',
      paths:
        req.params.version === 'v1'
          ? paths.map(({ id, title, archived_at, archived_by_user_id, is_certification }) => ({
              id,
              title,
              archived_at,
              archived_by_user_id,
              is_certification,
            }))
          : paths,
    });
  });

  api.get('/api/:version/paths/:id', (req, res) => {
    const course = courseById(data(), req.params.id, isPath);
    if (!course) return notFound(res, 'path');
    res.json({ type: 'path', ...pathFields(course), description: null, enforced_order: false, contents: [] });
  });

  api.use((req, res) => {
    res.status(404).json({ type: 'error', error: `Not Found -- ${req.method} ${req.path} is not a Lessonly API endpoint.` });
  });

  return api;
}

/** The sandbox's Lessonly API, mounted at /lessonly (so a connection's base_url is <sandbox>/lessonly). */
export const seismicLearningSandboxApi: EmulatedApi = {
  prefix: '/lessonly',
  rateLimit: RATE_LIMIT,
  callerOf(headers) {
    const credentials = parseBasicAuth(header(headers, 'authorization'));
    // Lessonly counts requests per company: its subdomain, and the key hashed.
    return credentials ? callerKey(`lessonly:${credentials.username}`, credentials.password) : null;
  },
  router,
  sandboxSettings: (baseUrl) => ({ base_url: baseUrl, subdomain: SUBDOMAIN, api_key: API_KEY }),
};
