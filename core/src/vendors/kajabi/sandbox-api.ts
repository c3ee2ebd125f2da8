import { randomBytes } from 'node:crypto';
import express, { type Request, type Router } from 'express';
import { callerKey, fullName, header, queryOf, tokenOf } from '../../sandbox/api/common.ts';
import type { EmulatedApi } from '../../sandbox/api/types.ts';
import type { SandboxCourse, SandboxData, SandboxUser } from '../../sandbox/demo-data.ts';
import { sandboxId, vendorId } from '../../sandbox/vendor-ids.ts';
import { constantTimeEqual } from '../../signatures/constant-time.ts';

/**
 * The Kajabi Public API as the sandbox serves it: POST /v1/oauth/token (client credentials,
 * form-encoded or JSON) answering a bearer token, then JSON:API contacts and courses under /v1.
 * The sandbox's users are Kajabi contacts, its courses Kajabi courses. Rate limiting (429 +
 * Retry-After) is the sandbox server's, per token.
 */

const CLIENT_ID = 'kajabi-sandbox-client';
const CLIENT_SECRET = 'kajabi-sandbox-secret-6b3e9a1f';
const TOKEN_LIFETIME_S = 7200;
/** What the emulator enforces: the assumed 60 a minute (see api-client.ts). */
const RATE_LIMIT = { capacity: 5, perSecond: 1 };
const DEFAULT_PAGE_SIZE = 25;

const SITE = { data: { id: '2', type: 'sites' } };

function contactBody(user: SandboxUser) {
  return {
    id: vendorId('kajabi', 'user', user.id),
    type: 'contacts',
    attributes: {
      name: fullName(user),
      email: user.email,
      address_line_1: null,
      address_line_2: null,
      address_city: null,
      address_country: null,
      address_state: null,
      address_zip: null,
      phone_number: null,
      business_number: null,
      subscribed: true,
      external_user_id: user.username,
      created_at: user.created_at,
      updated_at: user.created_at,
    },
    relationships: { site: SITE },
  };
}

function courseBody(course: SandboxCourse) {
  return {
    id: vendorId('kajabi', 'course', course.id),
    type: 'courses',
    attributes: { title: course.title, description: null, thumbnail_url: null, created_at: course.created_at, updated_at: course.created_at },
    relationships: { site: SITE },
  };
}

function positiveInt(value: string | null, fallback: number): number {
  const n = value !== null && /^\d+$/.test(value) ? Number(value) : fallback;
  return n > 0 ? n : fallback;
}

function paged<T>(req: Request, items: T[]) {
  const query = queryOf(req);
  const size = positiveInt(query.get('page[size]'), DEFAULT_PAGE_SIZE);
  const current = positiveInt(query.get('page[number]'), 1);
  const totalPages = Math.max(1, Math.ceil(items.length / size));
  const link = (n: number) => `${req.baseUrl}${req.path}?page[number]=${n}&page[size]=${size}`;
  return {
    items: items.slice((current - 1) * size, current * size),
    links: {
      self: link(current),
      first: link(1),
      prev: current > 1 ? link(current - 1) : null,
      next: current < totalPages ? link(current + 1) : null,
      last: link(totalPages),
    },
    meta: { total_pages: totalPages, total_count: items.length, current_page: current },
  };
}

function router(data: () => SandboxData): Router {
  const api = express.Router();
  const issued = new Set<string>();

  api.post('/v1/oauth/token', express.urlencoded({ extended: false }), express.json(), (req, res) => {
    const body: Record<string, unknown> = typeof req.body === 'object' && req.body !== null ? req.body : {};
    const clientId = typeof body.client_id === 'string' ? body.client_id : '';
    const secret = typeof body.client_secret === 'string' ? body.client_secret : '';
    const idOk = constantTimeEqual(clientId, CLIENT_ID);
    const secretOk = constantTimeEqual(secret, CLIENT_SECRET);
    if (body.grant_type !== 'client_credentials' || !idOk || !secretOk) {
      res.status(401).json({ error: 'invalid_client' });
      return;
    }
    const token = randomBytes(24).toString('base64url');
    issued.add(token);
    res.json({ access_token: token, refresh_token: randomBytes(24).toString('base64url'), token_type: 'Bearer', expires_in: TOKEN_LIFETIME_S });
  });

  api.use('/v1', (req, res, next) => {
    const token = tokenOf(header(req.headers, 'authorization'));
    if (!token || !issued.has(token)) {
      res.status(401).json({ errors: [{ status: '401', title: 'Unauthorized', detail: 'Authorization header is missing or invalid' }] });
      return;
    }
    next();
  });

  api.get('/v1/contacts', (req, res) => {
    const page = paged(req, data().users);
    res.json({ data: page.items.map(contactBody), links: page.links, meta: page.meta });
  });

  api.get('/v1/contacts/:id', (req, res) => {
    const id = sandboxId('kajabi', 'user', req.params.id);
    const user = data().users.find((candidate) => candidate.id === id);
    if (!user) return res.status(404).json({ errors: [{ status: '404', title: 'Not Found' }] });
    res.json({ data: contactBody(user) });
  });

  api.get('/v1/courses', (req, res) => {
    const page = paged(req, data().courses);
    res.json({ data: page.items.map(courseBody), links: page.links, meta: page.meta });
  });

  api.get('/v1/courses/:id', (req, res) => {
    const id = sandboxId('kajabi', 'course', req.params.id);
    const course = data().courses.find((candidate) => candidate.id === id);
    if (!course) return res.status(404).json({ errors: [{ status: '404', title: 'Not Found' }] });
    res.json({ data: courseBody(course) });
  });

  api.use((req, res) => {
    res.status(404).json({ errors: [{ status: '404', title: 'Not Found', detail: `${req.method} ${req.path} is not a Kajabi API endpoint.` }] });
  });

  return api;
}

/** The sandbox's Kajabi Public API, mounted at /kajabi (a connection's base_url is <sandbox>/kajabi). */
export const kajabiSandboxApi: EmulatedApi = {
  prefix: '/kajabi',
  rateLimit: RATE_LIMIT,
  callerOf(headers) {
    const token = tokenOf(header(headers, 'authorization'));
    // Token requests count against the client as a whole; API calls against their token.
    return token ? callerKey('kajabi', token) : 'kajabi:token-requests';
  },
  router,
  sandboxSettings: (baseUrl) => ({ base_url: baseUrl, client_id: CLIENT_ID, client_secret: CLIENT_SECRET }),
};
