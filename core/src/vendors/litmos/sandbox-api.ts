import express, { type Response, type Router } from 'express';
import { callerKey, header, queryOf } from '../../sandbox/api/common.ts';
import type { EmulatedApi } from '../../sandbox/api/types.ts';
import type { SandboxCourse, SandboxData, SandboxUser } from '../../sandbox/demo-data.ts';
import { type EntityKind, sandboxId, vendorId } from '../../sandbox/vendor-ids.ts';
import { constantTimeEqual } from '../../signatures/constant-time.ts';

/**
 * The SAP Litmos API as the sandbox serves it, under <sandbox>/litmos/v1.svc standing for a
 * region's host: the `apikey` header (401 without the right one), the required `source` query
 * parameter (400 without it), JSON answers in Litmos' PascalCase fields. Learning paths are the
 * sandbox's learning_path courses; every other course is a Litmos course. The rate limit (100 a
 * minute per key, 429 with Retry-After) is applied by the sandbox server in front of this router.
 */

const API_KEY = 'litmos-sandbox-5c2e9f7a1b3d';

/** 100 requests a minute: a burst of 10 plus 1.5/s. */
const RATE_LIMIT = { capacity: 10, perSecond: 1.5 };

const litmosId = (entity: EntityKind, id: number) => vendorId('litmos', entity, id);

function fail(res: Response, status: number, message: string): void {
  res.status(status).json({ Message: message });
}

function byId<T extends { id: number }>(items: T[], entity: EntityKind, value: string | undefined): T | undefined {
  const id = value === undefined ? null : sandboxId('litmos', entity, value);
  return items.find((item) => item.id === id);
}

function userBody(user: SandboxUser) {
  return {
    Id: litmosId('user', user.id),
    UserName: user.username,
    FirstName: user.first_name,
    LastName: user.last_name,
    FullName: `${user.first_name} ${user.last_name}`.trim(),
    Email: user.email,
    AccessLevel: 'Learner',
    Active: user.active,
  };
}

function courseBody(course: SandboxCourse) {
  return { Id: litmosId('course', course.id), Name: course.title, Code: '', Active: course.published, ForSale: false };
}

const isPath = (course: SandboxCourse) => course.kind === 'learning_path';

function router(data: () => SandboxData): Router {
  const api = express.Router();

  api.use('/v1.svc', (req, res, next) => {
    const key = header(req.headers, 'apikey') ?? '';
    if (!constantTimeEqual(key, API_KEY)) return fail(res, 401, 'The apikey header is missing or not right.');
    if (!queryOf(req).get('source')) return fail(res, 400, 'The source parameter is required.');
    next();
  });

  api.get('/v1.svc/users', (req, res) => {
    const search = queryOf(req).get('search')?.toLowerCase() ?? '';
    const users = data().users.filter(
      (user) => !search || [user.email, user.username, user.first_name, user.last_name].some((v) => v.toLowerCase().includes(search)),
    );
    res.json(users.map(userBody));
  });

  api.get('/v1.svc/users/:id', (req, res) => {
    const user = byId(data().users, 'user', req.params.id);
    if (!user) return fail(res, 404, 'User not found.');
    res.json(userBody(user));
  });

  api.get('/v1.svc/users/:id/courses/:courseId', (req, res) => {
    const current = data();
    const user = byId(current.users, 'user', req.params.id);
    const course = byId(current.courses, 'course', req.params.courseId);
    const enrollment = user && course ? current.enrollments.find((one) => one.user_id === user.id && one.course_id === course.id) : undefined;
    if (!enrollment || !course) return fail(res, 404, 'The user is not assigned this course.');
    res.json({
      Id: litmosId('course', course.id),
      Name: course.title,
      Complete: enrollment.status === 'completed',
      PercentageComplete: enrollment.progress,
      AssignedDate: enrollment.enrolled_at,
      DateCompleted: enrollment.completed_at,
    });
  });

  api.get('/v1.svc/courses', (req, res) => {
    const search = queryOf(req).get('search')?.toLowerCase() ?? '';
    res.json(
      data()
        .courses.filter((course) => !isPath(course) && (!search || course.title.toLowerCase().includes(search)))
        .map(courseBody),
    );
  });

  api.get('/v1.svc/courses/:id', (req, res) => {
    const course = byId(data().courses, 'course', req.params.id);
    if (!course || isPath(course)) return fail(res, 404, 'Course not found.');
    res.json(courseBody(course));
  });

  api.get('/v1.svc/learningpaths/:id', (req, res) => {
    const course = byId(data().courses, 'course', req.params.id);
    if (!course || !isPath(course)) return fail(res, 404, 'Learning path not found.');
    res.json({ Id: litmosId('course', course.id), Name: course.title, Active: course.published });
  });

  api.use((req, res) => fail(res, 404, `${req.method} ${req.path} is not a Litmos API endpoint.`));
  return api;
}

/** The sandbox's Litmos API, mounted at /litmos (a connection's base_url is <sandbox>/litmos/v1.svc). */
export const litmosSandboxApi: EmulatedApi = {
  prefix: '/litmos',
  rateLimit: RATE_LIMIT,
  callerOf(headers) {
    const key = header(headers, 'apikey');
    // Litmos limits each API key.
    return key ? callerKey('litmos', key) : null;
  },
  router,
  sandboxSettings: (baseUrl) => ({ base_url: `${baseUrl}/v1.svc`, api_key: API_KEY, source: 'learnhook-sandbox' }),
};
