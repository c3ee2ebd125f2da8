import { randomBytes } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { callerKey, header, queryOf, tokenOf } from '../../sandbox/api/common.ts';
import type { EmulatedApi } from '../../sandbox/api/types.ts';
import type { SandboxData } from '../../sandbox/demo-data.ts';
import { type EntityKind, sandboxId } from '../../sandbox/vendor-ids.ts';
import { constantTimeEqual } from '../../signatures/constant-time.ts';
import { collection, QueryError } from './sandbox-api-query.ts';
import { courseResource, departmentResource, enrollmentsOf, userResource } from './sandbox-api-resources.ts';

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
 * `absorbSandboxApi` is the one the sandbox mounts.
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
      res.json(collection(queryOf(req), 'users', data().users.map(userResource)));
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
      res.json(
        collection(
          queryOf(req),
          'enrollments',
          enrollmentsOf(current, (enrollment) => enrollment.user_id === user.id),
        ),
      );
    });

    api.get('/users/:userId/enrollments/:courseId', (req, res) => {
      const current = data();
      const user = find(current.users, 'user', req.params.userId);
      const course = find(current.courses, 'course', req.params.courseId);
      if (!user || !course) return notFound(res, user ? 'course' : 'user');
      // A retaken course leaves older enrollments behind: the latest is the user's enrollment in it.
      const [latest] = enrollmentsOf(current, (enrollment) => enrollment.user_id === user.id && enrollment.course_id === course.id).toSorted((a, b) =>
        String(b.dateAdded).localeCompare(String(a.dateAdded)),
      );
      if (!latest) return notFound(res, 'enrollment');
      res.json(latest);
    });

    api.get('/courses', (req, res) => {
      res.json(collection(queryOf(req), 'courses', data().courses.map(courseResource)));
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
      res.json(
        collection(
          queryOf(req),
          'enrollments',
          enrollmentsOf(current, (enrollment) => enrollment.course_id === course.id),
        ),
      );
    });

    api.get('/departments', (req, res) => {
      res.json(collection(queryOf(req), 'departments', data().departments.map(departmentResource)));
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
export const absorbSandboxApi: EmulatedApi = createAbsorbApi();
