import express, { type Response, type Router } from 'express';
import { callerKey, header, queryOf, tokenOf } from '../../sandbox/api/common.ts';
import type { EmulatedApi } from '../../sandbox/api/types.ts';
import type { SandboxCourse, SandboxData, SandboxUser } from '../../sandbox/demo-data.ts';
import { constantTimeEqual } from '../../signatures/constant-time.ts';
import { canonicalId } from './canvas-ids.ts';
import { canvasSandboxJwks } from './sandbox-signing.ts';

/**
 * The Canvas REST API as the sandbox serves it: `Authorization: Bearer <token>` (else 401
 * `{errors: [{message: "Invalid access token."}]}`), GET /api/v1/users/:id, /api/v1/courses/:id,
 * /api/v1/accounts/self/users and /accounts/self/courses (?search_term=, ?per_page=), with Canvas's
 * field names; unknown ids answer 404 `{errors: [{message: "The specified resource does not exist."}]}`.
 * Ids are the sandbox's numbers, as local ids on shard 2107; a global id on that shard is read too.
 *
 * Throttling as doc/api/throttling.md describes it: a quota per access token, each request costing
 * a little (X-Request-Cost) and holding a pre-flight penalty while it runs, so parallel requests
 * drain it; when it is spent, `403 Forbidden (Rate Limit Exceeded)`. Every answer carries
 * X-Rate-Limit-Remaining. The real quota's numbers are unpublished: these (700, refilled at 10 a
 * second, penalty 50) are only plausible.
 *
 * Beside the API, GET /live-events/jwks publishes the keys the sandbox signs Live Events with, as
 * Instructure publishes its own at a URL of their own (sandbox-signing.ts); the sandbox's Canvas
 * connection points its key set URL there.
 */

const ACCESS_TOKEN = 'canvas-sandbox-token-1~9f3a6c2e7b5d4e8a';
/** The sandbox's Canvas shard: its root account is 21070000000000001. */
export const CANVAS_SANDBOX_SHARD = 2107n;

const COST = 1;
const PREFLIGHT_PENALTY = 50;

function userJson(user: SandboxUser) {
  const name = `${user.first_name} ${user.last_name}`;
  return {
    id: user.id,
    name,
    created_at: user.created_at,
    sortable_name: `${user.last_name}, ${user.first_name}`,
    short_name: name,
    sis_user_id: `sis-${user.id}`,
    integration_id: null,
    login_id: user.email,
    email: user.email,
  };
}

function courseJson(course: SandboxCourse) {
  return {
    id: course.id,
    name: course.title,
    account_id: 1,
    uuid: `sandbox-course-${course.id}`,
    course_code: course.title.split(':')[0]?.slice(0, 20) ?? course.title,
    workflow_state: course.published ? 'available' : 'unpublished',
    created_at: course.created_at,
    root_account_id: 1,
    enrollment_term_id: 1,
  };
}

const notFound = (res: Response) => void res.status(404).json({ errors: [{ message: 'The specified resource does not exist.' }] });

export interface CanvasApiOptions {
  /** The quota per access token; 700 by default. */
  quota?: number;
  /** Quota regained per second; 10 by default. */
  refillPerSecond?: number;
  now?: () => number;
}

export function createCanvasApi(options: CanvasApiOptions = {}): EmulatedApi {
  const quota = options.quota ?? 700;
  const refill = options.refillPerSecond ?? 10;
  const now = options.now ?? Date.now;

  function router(data: () => SandboxData): Router {
    let remaining = quota;
    let at = now();
    const api = express.Router();

    api.use('/api/v1', (req, res, next) => {
      const token = tokenOf(header(req.headers, 'authorization'));
      if (token === null || !constantTimeEqual(token, ACCESS_TOKEN)) return void res.status(401).json({ errors: [{ message: 'Invalid access token.' }] });
      remaining = Math.min(quota, remaining + ((now() - at) / 1000) * refill);
      at = now();
      if (remaining - PREFLIGHT_PENALTY < 0) {
        res.setHeader('X-Rate-Limit-Remaining', remaining.toFixed(3));
        return void res.status(403).type('text/plain').send('403 Forbidden (Rate Limit Exceeded)');
      }
      remaining -= PREFLIGHT_PENALTY;
      res.setHeader('X-Request-Cost', COST.toFixed(3));
      res.setHeader('X-Rate-Limit-Remaining', remaining.toFixed(3));
      // The penalty is credited back as the request ends; only its cost stays spent.
      res.on('finish', () => {
        remaining += PREFLIGHT_PENALTY - COST;
      });
      next();
    });

    const idOf = (value: string) => {
      const local = canonicalId(value, CANVAS_SANDBOX_SHARD);
      return local && /^\d+$/.test(local) ? Number(local) : null;
    };

    const matches = (q: string | null, ...fields: string[]) => !q || fields.some((field) => field.toLowerCase().includes(q.toLowerCase()));
    const perPage = (value: string | null) => Math.min(100, Math.max(1, Number(/^\d+$/.exec(value ?? '')?.[0] ?? 10)));

    api.get('/api/v1/users/:id', (req, res) => {
      const user = data().users.find((candidate) => candidate.id === idOf(req.params.id));
      if (!user) return notFound(res);
      res.json(userJson(user));
    });

    api.get('/api/v1/courses/:id', (req, res) => {
      const course = data().courses.find((candidate) => candidate.id === idOf(req.params.id));
      if (!course) return notFound(res);
      res.json(courseJson(course));
    });

    api.get('/api/v1/accounts/self/users', (req, res) => {
      const query = queryOf(req);
      const q = query.get('search_term');
      const users = data().users.filter((user) => matches(q, `${user.first_name} ${user.last_name}`, user.email));
      res.json(users.slice(0, perPage(query.get('per_page'))).map(userJson));
    });

    api.get('/api/v1/accounts/self/courses', (req, res) => {
      const query = queryOf(req);
      const q = query.get('search_term');
      const courses = data().courses.filter((course) => matches(q, course.title));
      res.json(courses.slice(0, perPage(query.get('per_page'))).map(courseJson));
    });

    api.get('/live-events/jwks', (_req, res) => {
      res.json(canvasSandboxJwks());
    });

    api.use((_req, res) => notFound(res));
    return api;
  }

  return {
    prefix: '/canvas',
    // The quota above is the emulated limit; this only stops a runaway client.
    rateLimit: { capacity: 100, perSecond: 100 },
    callerOf(headers) {
      const token = tokenOf(header(headers, 'authorization'));
      return token ? callerKey('canvas', token) : null;
    },
    router,
    sandboxSettings: (baseUrl) => ({ base_url: baseUrl, access_token: ACCESS_TOKEN }),
    // As a subscription with "Sign Payload" on: the wire format signs, and the hub checks against the sandbox's keys.
    sandboxInbound: (baseUrl) => ({ signed_payloads: 'required', jwks_url: `${baseUrl}/live-events/jwks` }),
  };
}

/** The sandbox's Canvas API, mounted at /canvas. */
export const canvasSandboxApi: EmulatedApi = createCanvasApi();
