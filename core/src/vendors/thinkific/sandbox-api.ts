import express, { type Request, type Response, type Router } from 'express';
import { callerKey, departmentOf, hasStarted, header, queryOf } from '../../sandbox/api/common.ts';
import type { EmulatedApi } from '../../sandbox/api/types.ts';
import type { SandboxCourse, SandboxData, SandboxEnrollment, SandboxUser } from '../../sandbox/demo-data.ts';
import { type EntityKind, sandboxId, vendorId } from '../../sandbox/vendor-ids.ts';
import { constantTimeEqual } from '../../signatures/constant-time.ts';

/**
 * The Thinkific Admin API as the sandbox serves it: /api/public/v1 with `X-Auth-API-Key` and
 * `X-Auth-Subdomain`, Thinkific's field names (users with first_name, last_name, full_name;
 * courses with name and slug; enrollments with percentage_completed and completed), lists as
 * `{items, meta: {pagination}}`. Rate limiting (429 + Retry-After) is the sandbox server's, at
 * Thinkific's 120 a minute.
 */

const SUBDOMAIN = 'acme-training';
const API_KEY = 'thinkific-sandbox-8d2f4a6c1e3b5a7d';

/** 120 requests a minute, at most 10 at once: a burst of 10 plus 1.8/s. */
const RATE_LIMIT = { capacity: 10, perSecond: 1.8 };

const DEFAULT_LIMIT = 25;
const MAX_LIMIT = 250;

const thinkificId = (entity: EntityKind, id: number) => Number(vendorId('thinkific', entity, id));

function find<T extends { id: number }>(items: T[], entity: EntityKind, value: string | undefined): T | undefined {
  const id = value === undefined ? null : sandboxId('thinkific', entity, value);
  return items.find((candidate) => candidate.id === id);
}

const slugOf = (course: SandboxCourse) =>
  course.title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

function userBody(data: SandboxData, user: SandboxUser) {
  return {
    id: thinkificId('user', user.id),
    created_at: user.created_at,
    first_name: user.first_name,
    last_name: user.last_name,
    full_name: `${user.first_name} ${user.last_name}`,
    company: departmentOf(data, user),
    email: user.email,
    roles: [],
    avatar_url: null,
    bio: null,
    headline: null,
    affiliate_code: null,
    external_source: null,
    custom_profile_fields: [],
  };
}

function courseBody(course: SandboxCourse) {
  return {
    id: thinkificId('course', course.id),
    name: course.title,
    slug: slugOf(course),
    subtitle: null,
    product_id: thinkificId('course', course.id),
    description: null,
    intro_video_youtube: null,
    contact_information: null,
    keywords: null,
    duration: null,
    banner_image_url: null,
    course_card_image_url: null,
    intro_video_wistia_identifier: null,
    administrator_user_ids: [],
    chapter_ids: [],
    reviews_enabled: false,
    user_id: null,
    instructor_id: null,
  };
}

function enrollmentBody(data: SandboxData, enrollment: SandboxEnrollment) {
  const user = data.users.find((candidate) => candidate.id === enrollment.user_id);
  const course = data.courses.find((candidate) => candidate.id === enrollment.course_id);
  return {
    id: thinkificId('enrollment', enrollment.id),
    user_email: user?.email ?? null,
    user_name: user ? `${user.first_name} ${user.last_name}` : null,
    user_id: thinkificId('user', enrollment.user_id),
    course_name: course?.title ?? null,
    course_id: thinkificId('course', enrollment.course_id),
    percentage_completed: enrollment.progress / 100,
    expired: false,
    is_free_trial: false,
    completed: enrollment.status === 'completed',
    started_at: hasStarted(enrollment) ? enrollment.enrolled_at : null,
    activated_at: enrollment.enrolled_at,
    completed_at: enrollment.completed_at,
    updated_at: enrollment.completed_at ?? enrollment.enrolled_at,
    expiry_date: null,
  };
}

function positiveInt(value: string | null, fallback: number): number {
  const n = value !== null && /^\d+$/.test(value) ? Number(value) : fallback;
  return n > 0 ? n : fallback;
}

/** A page as Thinkific answers lists. */
function paged<T>(req: Request, items: T[]) {
  const query = queryOf(req);
  const limit = Math.min(MAX_LIMIT, positiveInt(query.get('limit'), DEFAULT_LIMIT));
  const current = positiveInt(query.get('page'), 1);
  const totalPages = Math.max(1, Math.ceil(items.length / limit));
  return {
    items: items.slice((current - 1) * limit, current * limit),
    meta: {
      pagination: {
        current_page: current,
        next_page: current < totalPages ? current + 1 : null,
        prev_page: current > 1 ? current - 1 : null,
        total_pages: totalPages,
        total_items: items.length,
        entries_info: `${items.length} items`,
      },
    },
  };
}

const notFound = (res: Response) => res.status(404).json({ error: 'Record not found' });

function router(data: () => SandboxData): Router {
  const api = express.Router();

  api.use((req, res, next) => {
    const key = header(req.headers, 'x-auth-api-key') ?? '';
    const subdomain = header(req.headers, 'x-auth-subdomain') ?? '';
    // Both are compared, each in constant time, so neither a wrong subdomain nor a wrong key answers faster.
    const keyOk = constantTimeEqual(key, API_KEY);
    const subdomainOk = constantTimeEqual(subdomain, SUBDOMAIN);
    if (!keyOk || !subdomainOk) {
      res.status(401).json({ error: 'Unauthorized: the API key or the subdomain is not right.' });
      return;
    }
    next();
  });

  api.get('/api/public/v1/users', (req, res) => {
    const current = data();
    const email = queryOf(req).get('query[email]');
    const users = current.users.filter((user) => email === null || user.email.toLowerCase() === email.toLowerCase());
    const page = paged(req, users);
    res.json({ ...page, items: page.items.map((user) => userBody(current, user)) });
  });

  api.get('/api/public/v1/users/:id', (req, res) => {
    const current = data();
    const user = find(current.users, 'user', req.params.id);
    if (!user) return notFound(res);
    res.json(userBody(current, user));
  });

  api.get('/api/public/v1/courses', (req, res) => {
    const page = paged(req, data().courses);
    res.json({ ...page, items: page.items.map(courseBody) });
  });

  api.get('/api/public/v1/courses/:id', (req, res) => {
    const course = find(data().courses, 'course', req.params.id);
    if (!course) return notFound(res);
    res.json(courseBody(course));
  });

  api.get('/api/public/v1/enrollments', (req, res) => {
    const current = data();
    const query = queryOf(req);
    const userId = query.get('query[user_id]');
    const courseId = query.get('query[course_id]');
    const enrollments = current.enrollments.filter(
      (enrollment) =>
        (userId === null || String(thinkificId('user', enrollment.user_id)) === userId) &&
        (courseId === null || String(thinkificId('course', enrollment.course_id)) === courseId),
    );
    const page = paged(req, enrollments);
    res.json({ ...page, items: page.items.map((enrollment) => enrollmentBody(current, enrollment)) });
  });

  api.use((req, res) => {
    res.status(404).json({ error: `${req.method} ${req.path} is not a Thinkific Admin API endpoint.` });
  });

  return api;
}

/** The sandbox's Thinkific Admin API, mounted at /thinkific (a connection's base_url is <sandbox>/thinkific/api/public/v1). */
export const thinkificSandboxApi: EmulatedApi = {
  prefix: '/thinkific',
  rateLimit: RATE_LIMIT,
  callerOf(headers) {
    const key = header(headers, 'x-auth-api-key');
    // Thinkific counts requests per site: its subdomain, and the key hashed.
    return key ? callerKey(`thinkific:${header(headers, 'x-auth-subdomain') ?? ''}`, key) : null;
  },
  router,
  sandboxSettings: (baseUrl) => ({ base_url: `${baseUrl}/api/public/v1`, subdomain: SUBDOMAIN, api_key: API_KEY }),
};
