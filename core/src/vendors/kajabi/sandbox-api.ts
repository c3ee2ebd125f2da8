import { randomBytes } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { callerKey, fullName, header, queryOf, tokenOf } from '../../sandbox/api/common.ts';
import { createRegistrationBook, type RegistrationBook, type SandboxRegistration } from '../../sandbox/api/registrations.ts';
import type { EmulatedApi } from '../../sandbox/api/types.ts';
import type { SandboxCourse, SandboxData, SandboxUser } from '../../sandbox/demo-data.ts';
import { sandboxId, vendorId } from '../../sandbox/vendor-ids.ts';
import { constantTimeEqual } from '../../signatures/constant-time.ts';
import { KAJABI_EVENTS } from './tables.ts';

/**
 * The Kajabi Public API as the sandbox serves it: POST /v1/oauth/token (client credentials,
 * form-encoded or JSON) answering a bearer token, then JSON:API contacts, courses and sites under
 * /v1. The sandbox's users are Kajabi contacts, its courses Kajabi courses, and the key reaches
 * one site. Rate limiting (429 + Retry-After) is the sandbox server's, per token.
 *
 * The hooks API (issue 16 §5), as https://developers.kajabi.com/api-reference/webhooks/ documents
 * it: POST /v1/hooks `{data: {type: "hooks", attributes: {event, target_url, resource_id?},
 * relationships: {site: {data: {id, type: "sites"}}}}}` answers 201 with the hook; an unknown
 * event, a missing target URL or site, or a site the key does not reach is a 422 with JSON:API
 * errors. GET /v1/hooks lists them (page[number], page[size], filter[event_eq]), GET and DELETE
 * /v1/hooks/{id} answer one or remove it (204; 404 when there is none). The sandbox's emitter sends
 * each event to the hooks for it, unsigned, as Kajabi sends; a hook's resource_id is kept and
 * answered but the emitter does not narrow by it (the sandbox has one contact tag).
 */

const CLIENT_ID = 'kajabi-sandbox-client';
const CLIENT_SECRET = 'kajabi-sandbox-secret-6b3e9a1f';
const TOKEN_LIFETIME_S = 7200;
/** What the emulator enforces: the assumed 60 a minute (see api-client.ts). */
const RATE_LIMIT = { capacity: 5, perSecond: 1 };
const DEFAULT_PAGE_SIZE = 25;

const SITE_ID = '2';
const SITE = { data: { id: SITE_ID, type: 'sites' } };

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

/** JSON:API error bodies, as every Kajabi error answers. */
function errors(res: Response, status: number, title: string, detail?: string, pointer?: string): void {
  res.status(status).json({ errors: [{ status: String(status), title, ...(detail ? { detail } : {}), ...(pointer ? { source: { pointer } } : {}) }] });
}

/** The hook a POST /v1/hooks creates: JSON:API, with the site relationship required. */
const HookBody = z.object({
  data: z.object({
    type: z.literal('hooks'),
    attributes: z.object({
      event: z.string(),
      target_url: z.url({ protocol: /^https?$/ }),
      resource_id: z.union([z.number().int(), z.string().regex(/^\d+$/)]).nullish(),
    }),
    relationships: z.object({ site: z.object({ data: z.object({ id: z.union([z.string(), z.number()]).transform(String), type: z.literal('sites') }) }) }),
  }),
});

/** The hook as the emulated Kajabi holds it: the registration the emitter reads, and what only the API answers. */
interface Hook {
  registration: SandboxRegistration;
  resourceId: number | null;
  createdAt: string;
}

function hookBody({ registration, resourceId, createdAt }: Hook) {
  return {
    id: registration.id,
    type: 'hooks',
    attributes: { event: registration.events[0], target_url: registration.url, resource_id: resourceId, created_at: createdAt, updated_at: createdAt },
    relationships: { site: SITE },
  };
}

/** The hooks API: what the hub's api-registration.ts calls. Registrations go to the book the emitter reads. */
function hookRoutes(api: Router, book: RegistrationBook): void {
  const hooks = new Map<string, Hook>();
  let next = 5000;

  api.get('/v1/sites', (req, res) => {
    const page = paged(req, [{ id: SITE_ID, type: 'sites', attributes: { title: 'Acme Training', subdomain: 'acme-training' } }]);
    res.json({ data: page.items, links: page.links, meta: page.meta });
  });

  api.post('/v1/hooks', express.json({ type: ['application/vnd.api+json', 'application/json'] }), (req, res) => {
    const parsed = HookBody.safeParse(req.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const pointer = `/${issue?.path.join('/') ?? ''}`;
      return errors(res, 422, 'Unprocessable Entity', `${pointer} ${issue?.message ?? 'is not valid'}`, pointer);
    }
    const { attributes, relationships } = parsed.data.data;
    if (!Object.hasOwn(KAJABI_EVENTS, attributes.event))
      return errors(res, 422, 'Unprocessable Entity', `Event is not included in the list: ${Object.keys(KAJABI_EVENTS).join(', ')}`, '/data/attributes/event');
    if (relationships.site.data.id !== SITE_ID)
      return errors(res, 422, 'Unprocessable Entity', `Site ${relationships.site.data.id} is not one this key may access`, '/data/relationships/site');
    next += 1;
    const registration: SandboxRegistration = { id: String(next), url: attributes.target_url, inbound: {}, events: [attributes.event], description: null };
    const hook: Hook = {
      registration,
      resourceId: attributes.resource_id === null || attributes.resource_id === undefined ? null : Number(attributes.resource_id),
      createdAt: new Date().toISOString(),
    };
    hooks.set(registration.id, hook);
    book.add(registration);
    res
      .status(201)
      .type('application/vnd.api+json')
      .json({ data: hookBody(hook) });
  });

  api.get('/v1/hooks', (req, res) => {
    const event = queryOf(req).get('filter[event_eq]');
    const page = paged(
      req,
      [...hooks.values()].filter((hook) => event === null || hook.registration.events[0] === event),
    );
    res.json({ data: page.items.map(hookBody), links: page.links, meta: page.meta });
  });

  api.get('/v1/hooks/:id', (req, res) => {
    const hook = hooks.get(req.params.id);
    if (!hook) return errors(res, 404, 'Not Found', `Hook ${req.params.id} does not exist`);
    res.json({ data: hookBody(hook) });
  });

  api.delete('/v1/hooks/:id', (req, res) => {
    if (!hooks.delete(req.params.id)) return errors(res, 404, 'Not Found', `Hook ${req.params.id} does not exist`);
    book.remove(req.params.id);
    res.status(204).end();
  });
}

function router(data: () => SandboxData, registrations: RegistrationBook = createRegistrationBook()): Router {
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

  hookRoutes(api, registrations);

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
