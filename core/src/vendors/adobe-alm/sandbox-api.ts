import { randomBytes } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { callerKey, header, queryOf, tokenOf } from '../../sandbox/api/common.ts';
import type { EmulatedApi } from '../../sandbox/api/types.ts';
import type { SandboxData } from '../../sandbox/demo-data.ts';
import { sandboxId } from '../../sandbox/vendor-ids.ts';
import { constantTimeEqual } from '../../signatures/constant-time.ts';
import { ApiError, list, listOf, selfLink, sortById } from './sandbox-api-paging.ts';
import { ACCOUNT_ID, enrollmentResource, LO_TYPES, learningObjectResource, loIdOf, loTypeOf, userResource } from './sandbox-api-resources.ts';

/**
 * The Adobe Learning Manager (ALM) public API v2 as the sandbox serves it
 * (learningmanager.adobe.com). OAuth 2.0: POST /oauth/token/refresh with client_id,
 * client_secret and refresh_token (form-encoded) answers `{access_token, refresh_token,
 * expires_in, user_role, account_id, user_id}`; an access token lives seven days, and asking
 * again while it is still valid answers the same token. Data requests send it as
 * `Authorization: Bearer <token>` (ALM's own samples write `oauth <token>`; both are read).
 *
 * Answers are JSON:API documents (`{links, data: {id, type, attributes, relationships}}`, lists
 * with `links.next`), with ALM's attribute names: users (name, email, userUniqueId, fields,
 * state, ...), learning objects (loType, loFormat, state, localizedMetadata [{locale, name}] ...),
 * enrollments (state, progressPercent, score, hasPassed, dateEnrolled, dateStarted,
 * dateCompleted; related to learner, learningObject and loInstance). Errors answer
 * `{status, title, detail, source}`.
 *
 * Served under /primeapi/v2: users, users/{id}, users/{id}/enrollments (filter.loTypes,
 * filter.loIds), enrollments/{id}, learningObjects (filter.loTypes, ids), learningObjects/{id}.
 * Lists page with page[limit] (10 by default; at most 10 with `include`, 100 without) and
 * page[offset] or the cursor in links.next; the user list stops at offset 500, as ALM's does.
 * The resources are built in adobe-alm-resources.ts, the lists paged in adobe-alm-paging.ts.
 */

const CLIENT_ID = 'alm-sandbox-4f2a9c61-client';
const CLIENT_SECRET = 'alm-sandbox-secret-b7d03e58a1c94f26';
const REFRESH_TOKEN = 'alm-sandbox-refresh-9e41c7a2d6f8';

/** The integration admin the sandbox's tokens belong to (in the account of adobe-alm-resources.ts). */
const ADMIN_USER_ID = '1000';

/** Access tokens live seven days (developer manual, "Usage limitation"). */
const ACCESS_TOKEN_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * ALM's documented v2 limit for admin GETs is (100, 100): 100 requests a minute per user and
 * application, with a burst of 100 more taken at once.
 */
const RATE_LIMIT = { capacity: 100, perSecond: 100 / 60 };

/** "The endpoint's maximum supported offset value is 500" (GET /users). */
const MAX_USER_OFFSET = 500;

/** The access token of an Authorization header: "Bearer <token>", or "oauth <token>" as ALM's samples write it. */
const accessTokenOf = (value: string | undefined) => tokenOf(value, ['Bearer', 'oauth']);

function errorBody(status: number, title: string, detail: string) {
  return { status: String(status), title, detail, source: { info: detail } };
}

function fail(res: Response, status: number, title: string, detail: string): void {
  res.status(status).json(errorBody(status, title, detail));
}

/** What a test may change about an emulated ALM API. */
export interface AdobeAlmApiOptions {
  /** The emulator's clock, for token expiry; Date.now by default. */
  now?: () => number;
  /** How long an access token lives; seven days, as ALM's do, by default. */
  accessTokenTtlMs?: number;
}

/**
 * An emulated ALM API with its own clock and token lifetime (tests advance them);
 * `adobeAlmSandboxApi` is the one the sandbox mounts.
 */
export function createAdobeAlmApi(options: AdobeAlmApiOptions = {}): EmulatedApi {
  const now = options.now ?? Date.now;
  const accessTokenTtlMs = options.accessTokenTtlMs ?? ACCESS_TOKEN_TTL_MS;

  function router(data: () => SandboxData): Router {
    // One live access token per refresh token: refreshing while it is valid answers it again.
    let access: { token: string; expiresAt: number } | null = null;
    const api = express.Router();

    api.post('/oauth/token/refresh', express.urlencoded({ extended: false, limit: '16kb' }), express.json({ limit: '16kb' }), (req, res) => {
      const body: unknown = req.body;
      const field = (name: string) => {
        const value: unknown = typeof body === 'object' && body !== null ? Object.getOwnPropertyDescriptor(body, name)?.value : undefined;
        return typeof value === 'string' ? value : '';
      };
      const clientOk = constantTimeEqual(field('client_id'), CLIENT_ID);
      const secretOk = constantTimeEqual(field('client_secret'), CLIENT_SECRET);
      if (!clientOk || !secretOk) return void res.status(401).json({ error: 'invalid_client', error_description: 'The client id or secret is not valid.' });
      if (!constantTimeEqual(field('refresh_token'), REFRESH_TOKEN)) {
        return void res.status(400).json({ error: 'invalid_grant', error_description: 'The refresh token is not valid or was revoked.' });
      }
      // One reading of the clock: a millisecond passing between two would answer 604,799 s for a fresh token.
      const at = now();
      if (!access || access.expiresAt <= at) access = { token: randomBytes(16).toString('hex'), expiresAt: at + accessTokenTtlMs };
      res.json({
        access_token: access.token,
        refresh_token: REFRESH_TOKEN,
        user_role: 'admin',
        account_id: ACCOUNT_ID,
        user_id: ADMIN_USER_ID,
        expires_in: Math.floor((access.expiresAt - at) / 1000),
      });
    });

    api.use('/primeapi/v2', (req, res, next) => {
      const token = accessTokenOf(header(req.headers, 'authorization'));
      if (token === null || !access || !constantTimeEqual(token, access.token)) {
        return fail(res, 401, 'Unauthorized', 'The access token is missing or not valid.');
      }
      if (access.expiresAt <= now()) return fail(res, 401, 'Unauthorized', 'The access token has expired: refresh it.');
      const accept = header(req.headers, 'accept');
      if (accept && !/application\/(?:vnd\.api\+)?json|\*\/\*/i.test(accept)) {
        return fail(res, 406, 'Not Acceptable', 'Send Accept: application/vnd.api+json.');
      }
      res.type('application/vnd.api+json');
      next();
    });

    const findUser = (current: SandboxData, id: string | undefined) => {
      const wanted = id === undefined ? null : sandboxId('adobe-alm', 'user', id);
      return current.users.find((user) => user.id === wanted);
    };
    // A learning object is found by its full id: "course:506" does not name learningProgram:506.
    const findCourse = (current: SandboxData, id: string | undefined) => current.courses.find((course) => loIdOf(course) === id);

    api.get('/primeapi/v2/users', (req, res) => {
      const current = data();
      const ids = listOf(queryOf(req), 'ids');
      const users = current.users.filter((user) =>
        // ids may name users by id or, as "email:<address>", by email.
        ids === null
          ? true
          : ids.some((id) => (id.toLowerCase().startsWith('email:') ? id.slice(6).toLowerCase() === user.email.toLowerCase() : id === String(user.id))),
      );
      res.json(
        list(
          req,
          sortById(
            users.map((user) => userResource(current, user)),
            queryOf(req).get('sort'),
          ),
          MAX_USER_OFFSET,
        ),
      );
    });

    api.get('/primeapi/v2/users/:id', (req, res) => {
      const current = data();
      const user = findUser(current, req.params.id);
      if (!user) return fail(res, 404, 'Not Found', `No user with id ${req.params.id}.`);
      res.json({ links: { self: selfLink(req) }, data: userResource(current, user) });
    });

    api.get('/primeapi/v2/users/:id/enrollments', (req, res) => {
      const current = data();
      const user = findUser(current, req.params.id);
      if (!user) return fail(res, 404, 'Not Found', `No user with id ${req.params.id}.`);
      const query = queryOf(req);
      // Enrollments in courses are listed unless other types are asked for (filter.loTypes defaults to course).
      const loTypes = listOf(query, 'filter.loTypes') ?? ['course'];
      const loIds = listOf(query, 'filter.loIds');
      const enrollments = current.enrollments
        .filter((enrollment) => enrollment.user_id === user.id)
        .flatMap((enrollment) => enrollmentResource(current, enrollment) ?? [])
        .filter((item) => loTypes.includes(item.loType) && (loIds === null || loIds.includes(item.loId)))
        .map((item) => item.resource);
      res.json(list(req, enrollments));
    });

    api.get('/primeapi/v2/enrollments/:id', (req, res) => {
      const current = data();
      const found = current.enrollments
        .flatMap((enrollment) => enrollmentResource(current, enrollment) ?? [])
        .find((item) => item.resource.id === req.params.id);
      if (!found) return fail(res, 404, 'Not Found', `No enrollment with id ${req.params.id}.`);
      res.json({ links: { self: selfLink(req) }, data: found.resource });
    });

    api.get('/primeapi/v2/learningObjects', (req, res) => {
      const query = queryOf(req);
      const loTypes = listOf(query, 'filter.loTypes') ?? [...LO_TYPES];
      const ids = listOf(query, 'ids');
      const courses = data().courses.filter((course) => loTypes.includes(loTypeOf(course)) && (ids === null || ids.includes(loIdOf(course))));
      const sorted = query.get('sort') === 'name' ? courses.toSorted((a, b) => a.title.localeCompare(b.title)) : courses;
      res.json(list(req, sorted.map(learningObjectResource)));
    });

    api.get('/primeapi/v2/learningObjects/:id', (req, res) => {
      const course = findCourse(data(), req.params.id);
      if (!course) return fail(res, 404, 'Not Found', `No learning object with id ${req.params.id}.`);
      res.json({ links: { self: selfLink(req) }, data: learningObjectResource(course) });
    });

    api.use((req, res) => fail(res, 404, 'Not Found', `${req.method} ${req.path} is not an ALM API endpoint.`));

    api.use((error: unknown, _req: Request, res: Response, next: (error?: unknown) => void) => {
      if (error instanceof ApiError) return fail(res, error.status, 'Bad Request', error.message);
      next(error);
    });

    return api;
  }

  return {
    prefix: '/alm',
    rateLimit: RATE_LIMIT,
    callerOf(headers) {
      const token = accessTokenOf(header(headers, 'authorization'));
      // ALM counts per user and application, which an access token stands for; hashed so no secret sits in the limiter.
      return token ? callerKey('alm', token) : null;
    },
    router,
    sandboxSettings: (baseUrl) => ({ base_url: baseUrl, client_id: CLIENT_ID, client_secret: CLIENT_SECRET, refresh_token: REFRESH_TOKEN }),
  };
}

/** The sandbox's Adobe Learning Manager API, mounted at /alm (a connection's base_url is <sandbox>/alm). */
export const adobeAlmSandboxApi: EmulatedApi = createAdobeAlmApi();
