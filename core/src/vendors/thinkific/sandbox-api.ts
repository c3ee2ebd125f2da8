import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { callerKey, departmentOf, hasStarted, header, queryOf, tokenOf } from '../../sandbox/api/common.ts';
import { createRegistrationBook, type RegistrationBook, type SandboxRegistration } from '../../sandbox/api/registrations.ts';
import type { EmulatedApi } from '../../sandbox/api/types.ts';
import type { SandboxCourse, SandboxData, SandboxEnrollment, SandboxUser } from '../../sandbox/demo-data.ts';
import { type EntityKind, sandboxId, vendorId } from '../../sandbox/vendor-ids.ts';
import { constantTimeEqual } from '../../signatures/constant-time.ts';
import { THINKIFIC_TOPICS } from './tables.ts';

/**
 * The Thinkific Admin API as the sandbox serves it: /api/public/v1 with `X-Auth-API-Key` and
 * `X-Auth-Subdomain`, Thinkific's field names (users with first_name, last_name, full_name;
 * courses with name and slug; enrollments with percentage_completed and completed), lists as
 * `{items, meta: {pagination}}`. Rate limiting (429 + Retry-After) is the sandbox server's, at
 * Thinkific's 120 a minute.
 *
 * The Webhooks API v2 (issue 16 §5; see api-registration.ts) under /api/v2, which takes only an
 * app's OAuth access token (`Authorization: Bearer`; the API key answers 401): the sandbox site has
 * one app installed (THINKIFIC_SANDBOX_APP), whose token the sandbox's settings carry. POST
 * /api/v2/webhooks `{topic, target_url}` answers 201 with the webhook, 422 `{errors: {topic:
 * "invalid format"}}` for a topic Thinkific does not document or `{errors: {url: "is not valid"}}`;
 * GET lists them (`{items, meta: {page}}`, `limit`, `next`) or answers one; DELETE removes one (204;
 * 404 `{error: "Record not found."}`). Thinkific takes only https target URLs; the emulator takes
 * http too, so a hub on this machine can be registered. The sandbox's emitter sends each event to
 * the webhooks for its topic, signed as Thinkific signs an app's webhooks: with the app's client secret.
 */

const SUBDOMAIN = 'acme-training';
const API_KEY = 'thinkific-sandbox-8d2f4a6c1e3b5a7d';

/** The app installed on the sandbox site: its access token registers webhooks, its client secret signs them. */
export const THINKIFIC_SANDBOX_APP = { access_token: 'thinkific-sandbox-app-token-3e7b91c4', client_secret: 'thinkific-sandbox-app-secret-a5d20f8e' } as const;

/**
 * Every topic the Webhooks Documentation lists
 * (https://support.thinkific.dev/hc/en-us/articles/4422658311703-Webhooks-Documentation), those the
 * adapter maps and the rest, which a person could register too.
 */
const TOPICS = new Set([
  ...Object.keys(THINKIFIC_TOPICS),
  'user.signin',
  'subscription.past_due',
  'subscription.unpaid',
  'course.created',
  'course.deleted',
  'course.updated',
  'lesson.completed',
  'quiz.attempted',
  'app.uninstalled',
  'product.created',
  'product.deleted',
  'product.updated',
  'plan.updated',
]);

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

const notFound = (res: Response) => res.status(404).json({ error: 'Record not found.' });

/** The Admin API's auth: the site's API key and subdomain. */
function apiKeyAuth(req: Request, res: Response, next: NextFunction): void {
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
}

/** The Webhooks API's auth: only an app's access token. */
function appTokenAuth(req: Request, res: Response, next: NextFunction): void {
  const token = tokenOf(header(req.headers, 'authorization'));
  if (!token || !constantTimeEqual(token, THINKIFIC_SANDBOX_APP.access_token)) {
    res.status(401).json({ error: 'Authentication Error: the Webhooks API takes an app access token (Authorization: Bearer).' });
    return;
  }
  next();
}

const WebhookRequest = z.object({ topic: z.string(), target_url: z.string() });

/** The webhook as the emulated Thinkific holds it: the registration the emitter reads, and its times. */
interface Webhook {
  registration: SandboxRegistration;
  createdAt: string;
}

/** Who made the sandbox's webhooks, as Thinkific answers it: the site owner's user id. */
const CREATED_BY = 156118;

function webhookBody({ registration, createdAt }: Webhook) {
  return {
    id: registration.id,
    status: 'active',
    topic: registration.events[0],
    target_url: registration.url,
    created_at: createdAt,
    created_by: CREATED_BY,
    updated_at: createdAt,
    updated_by: CREATED_BY,
  };
}

/** Thinkific's webhook ids are the creation time to the nanosecond, as digits: 20200227213233625839530. */
function webhookId(at: Date, sequence: number): string {
  return `${at.toISOString().replace(/\D/g, '').slice(0, 17)}${String(sequence % 1_000_000).padStart(6, '0')}`;
}

/** The Webhooks API: what the hub's api-registration.ts calls. Webhooks go to the book the emitter reads. */
function webhookRoutes(api: Router, book: RegistrationBook): void {
  const webhooks = new Map<string, Webhook>();
  let sequence = 0;

  api.post('/api/v2/webhooks', express.json(), (req, res) => {
    const parsed = WebhookRequest.safeParse(req.body);
    if (!parsed.success || !TOPICS.has(parsed.data.topic)) return res.status(422).json({ errors: { topic: 'invalid format' } });
    if (!z.url({ protocol: /^https?$/ }).safeParse(parsed.data.target_url).success) return res.status(422).json({ errors: { url: 'is not valid' } });
    sequence += 1;
    const at = new Date();
    const registration: SandboxRegistration = {
      id: webhookId(at, sequence),
      url: parsed.data.target_url,
      inbound: { signing_key: THINKIFIC_SANDBOX_APP.client_secret },
      events: [parsed.data.topic],
      description: null,
    };
    const webhook = { registration, createdAt: at.toISOString() };
    webhooks.set(registration.id, webhook);
    book.add(registration);
    res.status(201).json(webhookBody(webhook));
  });

  api.get('/api/v2/webhooks', (req, res) => {
    const query = queryOf(req);
    const limit = positiveInt(query.get('limit'), DEFAULT_LIMIT);
    const all = [...webhooks.values()];
    // `next` is the id of the first webhook of the page, as the list answers it.
    const start = Math.max(
      0,
      all.findIndex((webhook) => webhook.registration.id === query.get('next')),
    );
    const items = all.slice(start, start + limit);
    const following = all[start + limit];
    res.json({
      items: items.map(webhookBody),
      meta: { page: { has_next: Boolean(following), next_page: following?.registration.id ?? '', page_items: items.length, total_items: all.length } },
    });
  });

  api.get('/api/v2/webhooks/:id', (req, res) => {
    const webhook = webhooks.get(req.params.id);
    if (!webhook) return notFound(res);
    res.json(webhookBody(webhook));
  });

  api.delete('/api/v2/webhooks/:id', (req, res) => {
    if (!webhooks.delete(req.params.id)) return notFound(res);
    book.remove(req.params.id);
    res.status(204).end();
  });
}

function router(data: () => SandboxData, registrations: RegistrationBook = createRegistrationBook()): Router {
  const api = express.Router();

  api.use('/api/public/v1', apiKeyAuth);
  api.use('/api/v2', appTokenAuth);
  webhookRoutes(api, registrations);

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
    // Thinkific counts requests per site: its subdomain, and the key hashed; an app's calls by its token.
    if (key) return callerKey(`thinkific:${header(headers, 'x-auth-subdomain') ?? ''}`, key);
    const token = tokenOf(header(headers, 'authorization'));
    return token ? callerKey('thinkific:app', token) : null;
  },
  router,
  sandboxSettings: (baseUrl) => ({
    base_url: `${baseUrl}/api/public/v1`,
    subdomain: SUBDOMAIN,
    api_key: API_KEY,
    access_token: THINKIFIC_SANDBOX_APP.access_token,
  }),
};
