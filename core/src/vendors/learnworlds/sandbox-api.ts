import { randomBytes } from 'node:crypto';
import express, { type Response, type Router } from 'express';
import { callerKey, header, tokenOf } from '../../sandbox/api/common.ts';
import type { EmulatedApi } from '../../sandbox/api/types.ts';
import type { SandboxCourse, SandboxData, SandboxEnrollment, SandboxUser } from '../../sandbox/demo-data.ts';
import { type EntityKind, sandboxId, vendorId } from '../../sandbox/vendor-ids.ts';
import { constantTimeEqual } from '../../signatures/constant-time.ts';

/**
 * The LearnWorlds API v2 as the sandbox serves it, under <sandbox>/learnworlds standing for the
 * school's address: POST /admin/api/oauth2/access_token (client credentials, Lw-Client header)
 * answering `{success, tokenData: {access_token, token_type, expires_in}}`; then /admin/api/v2
 * users, courses and a user's progress in a course, each with the bearer token and Lw-Client.
 * Every sandbox course is a LearnWorlds course. The rate limit (30 requests in 10 s, answered 429
 * with Retry-After) is applied per client id by the sandbox server in front of this router.
 */

const CLIENT_ID = 'lw-sandbox-client';
const CLIENT_SECRET = 'lw-sandbox-secret-7d41c9e2a8b3';

/** About 30 requests per 10 seconds: a burst of 6 plus 2.4/s. */
const RATE_LIMIT = { capacity: 6, perSecond: 2.4 };

const TOKEN_LIFETIME_S = 3600;

function lwId(entity: EntityKind, id: number): string {
  return vendorId('learnworlds', entity, id);
}

function fail(res: Response, status: number, message: string): void {
  res.status(status).json({ success: false, errors: [{ code: status, message }] });
}

function userBody(user: SandboxUser) {
  return {
    id: lwId('user', user.id),
    email: user.email,
    username: user.username,
    first_name: user.first_name,
    last_name: user.last_name,
    is_admin: false,
    is_suspended: !user.active,
    created: Math.floor(Date.parse(user.created_at) / 1000),
    tags: [],
  };
}

function courseBody(course: SandboxCourse) {
  return {
    id: lwId('course', course.id),
    title: course.title,
    access: course.published ? 'paid' : 'draft',
    created: Math.floor(Date.parse(course.created_at) / 1000),
  };
}

function progressBody(enrollment: SandboxEnrollment) {
  const status = enrollment.status === 'completed' ? 'completed' : enrollment.progress > 0 ? 'started' : 'not_started';
  return {
    status,
    progress_rate: enrollment.progress,
    average_score_rate: enrollment.score,
    enrolled_at: Math.floor(Date.parse(enrollment.enrolled_at) / 1000),
    completed_at: enrollment.completed_at ? Math.floor(Date.parse(enrollment.completed_at) / 1000) : null,
  };
}

function byId<T extends { id: number }>(items: T[], entity: EntityKind, value: string | undefined): T | undefined {
  const id = value === undefined ? null : sandboxId('learnworlds', entity, value);
  return items.find((item) => item.id === id);
}

function router(data: () => SandboxData): Router {
  const api = express.Router();
  const tokens = new Map<string, number>();

  api.post('/admin/api/oauth2/access_token', express.json({ limit: '16kb' }), express.urlencoded({ extended: false, limit: '16kb' }), (req, res) => {
    const body: Record<string, unknown> = typeof req.body === 'object' && req.body !== null ? req.body : {};
    const id = typeof body.client_id === 'string' ? body.client_id : '';
    const secret = typeof body.client_secret === 'string' ? body.client_secret : '';
    if (body.grant_type !== 'client_credentials') return fail(res, 400, 'grant_type must be client_credentials.');
    if (header(req.headers, 'lw-client') !== CLIENT_ID || !constantTimeEqual(id, CLIENT_ID) || !constantTimeEqual(secret, CLIENT_SECRET)) {
      return fail(res, 401, 'The client id or secret is not right.');
    }
    const token = randomBytes(24).toString('base64url');
    tokens.set(token, Date.now() + TOKEN_LIFETIME_S * 1000);
    res.json({ success: true, tokenData: { access_token: token, token_type: 'Bearer', expires_in: TOKEN_LIFETIME_S } });
  });

  api.use('/admin/api/v2', (req, res, next) => {
    if (header(req.headers, 'lw-client') !== CLIENT_ID) return fail(res, 403, 'The Lw-Client header is missing or names another client.');
    const token = tokenOf(header(req.headers, 'authorization'));
    const expires = token === null ? undefined : tokens.get(token);
    if (expires === undefined || expires < Date.now()) return fail(res, 401, 'The access token is missing or has expired.');
    next();
  });

  api.get('/admin/api/v2/users', (_req, res) => {
    const users = data().users;
    res.json({ data: users.map(userBody), meta: { page: 1, totalItems: users.length, totalPages: 1, itemsPerPage: users.length } });
  });

  api.get('/admin/api/v2/users/:id', (req, res) => {
    const user = byId(data().users, 'user', req.params.id);
    if (!user) return fail(res, 404, 'User not found.');
    res.json(userBody(user));
  });

  api.get('/admin/api/v2/courses', (_req, res) => {
    const courses = data().courses;
    res.json({ data: courses.map(courseBody), meta: { page: 1, totalItems: courses.length, totalPages: 1, itemsPerPage: courses.length } });
  });

  api.get('/admin/api/v2/courses/:id', (req, res) => {
    const course = byId(data().courses, 'course', req.params.id);
    if (!course) return fail(res, 404, 'Course not found.');
    res.json(courseBody(course));
  });

  api.get('/admin/api/v2/users/:id/courses/:courseId/progress', (req, res) => {
    const current = data();
    const user = byId(current.users, 'user', req.params.id);
    const course = byId(current.courses, 'course', req.params.courseId);
    const enrollment = user && course ? current.enrollments.find((candidate) => candidate.user_id === user.id && candidate.course_id === course.id) : undefined;
    if (!enrollment) return fail(res, 404, 'The user is not enrolled in this course.');
    res.json(progressBody(enrollment));
  });

  api.use((req, res) => fail(res, 404, `${req.method} ${req.path} is not a LearnWorlds API endpoint.`));
  return api;
}

/** The sandbox's LearnWorlds school API, mounted at /learnworlds (a connection's base_url is <sandbox>/learnworlds). */
export const learnWorldsSandboxApi: EmulatedApi = {
  prefix: '/learnworlds',
  rateLimit: RATE_LIMIT,
  callerOf(headers) {
    const client = header(headers, 'lw-client');
    // LearnWorlds counts requests per school: its client id stands for it.
    return client ? callerKey('learnworlds', client) : null;
  },
  router,
  sandboxSettings: (baseUrl) => ({ base_url: baseUrl, client_id: CLIENT_ID, client_secret: CLIENT_SECRET }),
};
