import { randomBytes } from 'node:crypto';
import express, { type Response, type Router } from 'express';
import { callerKey, header, tokenOf } from '../../sandbox/api/common.ts';
import type { EmulatedApi } from '../../sandbox/api/types.ts';
import type { SandboxCourse, SandboxData, SandboxUser } from '../../sandbox/demo-data.ts';
import { sandboxId, vendorId } from '../../sandbox/vendor-ids.ts';
import { constantTimeEqual } from '../../signatures/constant-time.ts';
import { createTokenBuckets } from '../../token-buckets.ts';

/**
 * The 360Learning API v2 as the sandbox serves it (https://360learning.readme.io/docs/authentication):
 * POST /api/v2/oauth2/token with JSON `{grant_type: "client_credentials", client_id, client_secret}`
 * answers `{token_type: "Bearer", access_token, expires_in: 3600}` (a wrong pair: 401
 * `{error: "invalid_client"}`); every other call needs `Authorization: Bearer <token>` (else 401
 * `{error: "invalid_token"}`) and `360-api-version: v2.0`.
 *
 * Served: GET /api/v2/users (500 a page, `Link: <...>; rel="next"`), /api/v2/users/{userId},
 * /api/v2/courses, /api/v2/courses/{courseId}, /api/v2/paths/{pathId}, with the UserDTO, CourseDTO
 * and PathDTO field names; unknown ids answer 404 `{error: {code: "userNotFound", message}}`. The
 * sandbox's learning paths are 360Learning paths, every other kind a course. Ids are ObjectIds
 * (sandbox/vendor-ids.ts).
 *
 * 50 reads a second per company, 429 `{error: "tooManyRequests"}` beyond (rate limiting errors
 * page); the docs name no Retry-After header, and with `readsPerSecond` set this emulator answers
 * its own 429s without one. What a missing or wrong 360-api-version header draws is not documented:
 * this emulator answers 400.
 */

const CLIENT_ID = '360-sandbox-client-7c1e94b2';
const CLIENT_SECRET = '360-sandbox-secret-5d8a2f61c3e94b07';

const TOKEN_TTL_MS = 60 * 60 * 1000;
const PAGE_SIZE = 500;
/** The documented company-wide read limit. */
const RATE_LIMIT = { capacity: 50, perSecond: 50 };

const idOf = (entity: 'user' | 'course', id: number) => vendorId('360learning', entity, id);
const isPath = (course: SandboxCourse) => course.kind === 'learning_path';

function userDto(user: SandboxUser) {
  return {
    _id: idOf('user', user.id),
    mail: user.email,
    username: user.username,
    status: user.active ? 'active' : 'deleted',
    lang: 'en',
    firstName: user.first_name,
    lastName: user.last_name,
    organization: 'Acme Training',
  };
}

function courseDto(course: SandboxCourse) {
  return {
    _id: idOf('course', course.id),
    name: course.title,
    sourceLang: 'en',
    defaultLang: 'en',
    authorId: idOf('user', 1),
    groupId: vendorId('360learning', 'group', 1),
    coAuthorIds: [],
    createdAt: course.created_at,
    modifiedAt: course.created_at,
    status: course.published ? 'published' : 'archived',
    translations: [],
    type: 'native',
  };
}

function pathDto(course: SandboxCourse) {
  const { type: _type, ...common } = courseDto(course);
  return { ...common, options: {}, steps: [] };
}

function notFound(res: Response, code: string, what: string): void {
  res.status(404).json({ error: { code, message: `The given ${what} does not correspond to any existing ${what.replace(/Id$/, '')}.` } });
}

export interface ThreeSixtyLearningApiOptions {
  now?: () => number;
  tokenTtlMs?: number;
  /** Answer 429 (as 360Learning does, no Retry-After) beyond this many reads a second; off by default (the sandbox server limits in front). */
  readsPerSecond?: number;
}

export function createThreeSixtyLearningApi(options: ThreeSixtyLearningApiOptions = {}): EmulatedApi {
  const now = options.now ?? Date.now;
  const tokenTtlMs = options.tokenTtlMs ?? TOKEN_TTL_MS;

  function router(data: () => SandboxData): Router {
    const issued = new Map<string, number>();
    const reads = options.readsPerSecond ? createTokenBuckets({ capacity: options.readsPerSecond, ratePerSecond: options.readsPerSecond, now }) : null;
    const api = express.Router();

    api.post('/api/v2/oauth2/token', express.json({ limit: '16kb' }), (req, res) => {
      const body: unknown = req.body;
      const field = (name: string) => {
        const value: unknown = typeof body === 'object' && body !== null ? Object.getOwnPropertyDescriptor(body, name)?.value : undefined;
        return typeof value === 'string' ? value : '';
      };
      if (field('grant_type') !== 'client_credentials') return void res.status(400).json({ error: 'unsupported_grant_type' });
      const idOk = constantTimeEqual(field('client_id'), CLIENT_ID);
      const secretOk = constantTimeEqual(field('client_secret'), CLIENT_SECRET);
      if (!idOk || !secretOk) return void res.status(401).json({ error: 'invalid_client' });
      const token = randomBytes(24).toString('base64url');
      issued.set(token, now() + tokenTtlMs);
      res.json({ token_type: 'Bearer', access_token: token, expires_in: Math.floor(tokenTtlMs / 1000) });
    });

    api.use('/api/v2', (req, res, next) => {
      const token = tokenOf(header(req.headers, 'authorization'));
      const expiresAt = token === null ? undefined : issued.get(token);
      if (expiresAt === undefined || expiresAt <= now()) return void res.status(401).json({ error: 'invalid_token' });
      if (header(req.headers, '360-api-version') !== 'v2.0') {
        return void res.status(400).json({ error: { code: 'invalidApiVersion', message: 'Send the 360-api-version header: v2.0.' } });
      }
      if (reads && reads.take('company') > 0) return void res.status(429).json({ error: 'tooManyRequests' });
      next();
    });

    const user = (id: string) => data().users.find((candidate) => candidate.id === sandboxId('360learning', 'user', id));
    const course = (id: string, path: boolean) =>
      data().courses.find((candidate) => candidate.id === sandboxId('360learning', 'course', id) && isPath(candidate) === path);

    api.get('/api/v2/users', (req, res) => {
      const page = Math.max(0, Number(/^\d+$/.exec(String(req.query.page ?? ''))?.[0] ?? 0));
      const users = data().users.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
      if ((page + 1) * PAGE_SIZE < data().users.length) res.setHeader('Link', `<${req.baseUrl}/api/v2/users?page=${page + 1}>; rel="next"`);
      res.json(users.map(userDto));
    });

    api.get('/api/v2/users/:userId', (req, res) => {
      const found = user(req.params.userId);
      if (!found) return notFound(res, 'userNotFound', 'userId');
      res.json(userDto(found));
    });

    api.get('/api/v2/courses', (_req, res) => {
      res.json(
        data()
          .courses.filter((candidate) => !isPath(candidate))
          .map(courseDto),
      );
    });

    api.get('/api/v2/courses/:courseId', (req, res) => {
      const found = course(req.params.courseId, false);
      if (!found) return notFound(res, 'courseNotFound', 'courseId');
      res.json(courseDto(found));
    });

    api.get('/api/v2/paths/:pathId', (req, res) => {
      const found = course(req.params.pathId, true);
      if (!found) return notFound(res, 'pathNotFound', 'pathId');
      res.json(pathDto(found));
    });

    api.use(
      (req, res) => void res.status(404).json({ error: { code: 'notFound', message: `${req.method} ${req.path} is not a 360Learning API v2 endpoint.` } }),
    );
    return api;
  }

  return {
    prefix: '/360learning',
    rateLimit: RATE_LIMIT,
    callerOf(headers) {
      const token = tokenOf(header(headers, 'authorization'));
      return token ? callerKey('360learning', token) : null;
    },
    router,
    sandboxSettings: (baseUrl) => ({ base_url: baseUrl, client_id: CLIENT_ID, client_secret: CLIENT_SECRET }),
  };
}

/** The sandbox's 360Learning API, mounted at /360learning. */
export const threeSixtyLearningSandboxApi: EmulatedApi = createThreeSixtyLearningApi();
