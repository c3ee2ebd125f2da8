import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import { z } from 'zod';
import { VENDORS, type Vendor } from '../catalog/index.ts';
import { localUrl } from '../config.ts';
import { NotFoundError, PayloadError } from '../errors.ts';
import { errorHandler, notFoundHandler } from '../http/error-handler.ts';
import { bodyOf } from '../http/request.ts';
import type { Logger } from '../logger.ts';
import { createTokenBuckets } from '../token-buckets.ts';
import { VENDOR_REGISTRY } from '../vendors/registry.ts';
import { createRegistrationBook, type RegistrationBook } from './api/registrations.ts';
import type { SandboxCourse, SandboxData, SandboxEnrollment, SandboxUser } from './demo-data.ts';
import type { LmsData } from './lms-data.ts';
import { catalogTypeOf, courseKindFor, wireRequest } from './wire-formats.ts';
import type { Subject } from './wire-request.ts';

/** What each enrollment event does to the LMS's own record of the enrollment. */
const ENROLLMENT_CHANGES: Record<string, (current: SandboxEnrollment, now: string) => Partial<SandboxEnrollment>> = {
  'enrollment.created': () => ({ status: 'enrolled', progress: 0, completed_at: null }),
  'enrollment.approval_requested': () => ({ status: 'pending_approval' }),
  'enrollment.started': (current) => ({ status: 'in_progress', progress: Math.max(current.progress, 5) }),
  'enrollment.progressed': (current) => ({ status: 'in_progress', progress: Math.min(99, Math.max(current.progress, 40)) }),
  'enrollment.completed': (current, now) => ({ status: 'completed', progress: 100, score: current.score ?? 92, completed_at: now }),
};

/** Where the sandbox sends a vendor's events: the hub connection's ingest URL and its inbound settings. */
export interface EmitTarget {
  ingestUrl: string;
  inbound: Record<string, unknown>;
}

export const EmitRequest = z
  .object({
    vendor: z.enum(VENDORS),
    event: z.string().min(1).meta({ description: 'The vendor\'s own event name, e.g. "Enrollment Completed by Learner" or COURSE_COMPLETED.' }),
    user: z.string().optional().meta({ description: 'A sandbox user id, email or username (default: the first user).' }),
    course: z.string().optional().meta({ description: 'A sandbox course id or part of its title (default: a course of the kind the event names).' }),
    count: z.number().int().min(1).max(1000).default(1),
  })
  .strict();

export interface EmitResult {
  vendor: Vendor;
  event: string;
  /** What the hub will make of it; null when the adapter does not know the name (it arrives as lms.event). */
  catalog_type: string | null;
  user: { id: number; email: string };
  course: { id: number; title: string };
  sent: number;
  /** The hub's answer to each request: status and body. */
  responses: Array<{ status: number; body: unknown }>;
}

export interface RunningSandbox {
  url: string;
  /** The base URL of a vendor's emulated API (what a connection's api.base_url points at). */
  apiBase(vendor: Vendor): string | null;
  setTargets(targets: Partial<Record<Vendor, EmitTarget>>): void;
  emit(request: z.input<typeof EmitRequest>): Promise<EmitResult>;
  /** Per emulated API: requests, 429s answered, and requests per route template. */
  stats(): Record<string, { requests: number; rate_limited: number; endpoints: Record<string, number> }>;
  close(): Promise<void>;
}

function findUser(data: SandboxData, wanted: string | undefined): SandboxUser {
  const users = data.users;
  const user = wanted ? users.find((candidate) => String(candidate.id) === wanted || candidate.email === wanted || candidate.username === wanted) : users[0];
  if (!user)
    throw new NotFoundError(wanted ? `No sandbox user "${wanted}"; use an id, email or username from the sandbox data file.` : 'The sandbox has no users.');
  return user;
}

function findCourse(data: SandboxData, wanted: string | undefined, event: string): SandboxCourse {
  const courses = data.courses;
  const course = wanted
    ? (courses.find((candidate) => String(candidate.id) === wanted) ??
      courses.find((candidate) => candidate.title.toLowerCase().includes(wanted.toLowerCase())))
    : (courses.find((candidate) => candidate.kind === courseKindFor(event)) ?? courses[0]);
  if (!course)
    throw new NotFoundError(wanted ? `No sandbox course "${wanted}"; use an id or part of a title from the sandbox data file.` : 'The sandbox has no courses.');
  return course;
}

/**
 * The sandbox LMS (DESIGN §1 sandbox): each vendor's API as its hydration client expects it,
 * rate limited as the vendor is (429 + Retry-After, counted), and an emitter that sends events in
 * the vendor's own wire format to the hub (POST /sandbox/emit, or `learnhook emit`).
 */
export async function startSandboxLms(options: { data: LmsData; port: number; host: string; logger: Logger }): Promise<RunningSandbox> {
  const { data, logger } = options;
  const counters = new Map<string, { requests: number; rate_limited: number; endpoints: Record<string, number> }>();
  let targets: Partial<Record<Vendor, EmitTarget>> = {};
  /** Webhook registrations made through each vendor's registration API (issue 16 §5): the emitter sends there too. */
  const registrations = new Map<Vendor, RegistrationBook>();
  let sequence = Date.now();

  const app: Express = express();
  app.disable('x-powered-by');

  for (const [vendor, { sandbox }] of Object.entries(VENDOR_REGISTRY)) {
    const api = sandbox.api;
    if (!api) continue;
    const book = createRegistrationBook();
    const known = VENDORS.find((name) => name === vendor);
    if (known) registrations.set(known, book);
    const buckets = createTokenBuckets({ capacity: api.rateLimit.capacity, ratePerSecond: api.rateLimit.perSecond });
    const counter = { requests: 0, rate_limited: 0, endpoints: {} as Record<string, number> };
    counters.set(api.prefix, counter);
    app.use(api.prefix, (req, res, next) => {
      counter.requests += 1;
      // Counted by route template ("GET /users/:id"), so a test can tell user lookups from the rest.
      res.on('finish', () => {
        const route: unknown = req.route;
        const template = typeof route === 'object' && route !== null && 'path' in route ? String(route.path) : '(unmatched)';
        const key = `${req.method} ${template}`;
        counter.endpoints[key] = (counter.endpoints[key] ?? 0) + 1;
      });
      const waitMs = buckets.take(api.callerOf(req.headers) ?? req.socket.remoteAddress ?? 'anonymous');
      if (waitMs > 0) {
        counter.rate_limited += 1;
        res.setHeader('Retry-After', String(Math.ceil(waitMs / 1000)));
        res.status(429).json({ message: 'Rate limit exceeded (sandbox emulates the vendor limit).' });
        return;
      }
      next();
    });
    app.use(
      api.prefix,
      api.router(() => data.current(), book),
    );
  }

  /**
   * An LMS sends an enrollment event because its own record changed: the sandbox records the same
   * change first, so the API that hydration asks answers what the event says happened.
   */
  async function recordEnrollment(user: SandboxUser, course: SandboxCourse, type: string | null): Promise<SandboxEnrollment | null> {
    const find = () => data.current().enrollments.find((candidate) => candidate.user_id === user.id && candidate.course_id === course.id) ?? null;
    const change = type ? ENROLLMENT_CHANGES[type] : undefined;
    if (!change) return find();
    const now = new Date().toISOString();
    await data.change((current) => {
      let enrollment = current.enrollments.find((candidate) => candidate.user_id === user.id && candidate.course_id === course.id);
      if (!enrollment) {
        const id = Math.max(20_000, ...current.enrollments.map((candidate) => candidate.id)) + 1;
        enrollment = { id, user_id: user.id, course_id: course.id, status: 'enrolled', progress: 0, score: null, enrolled_at: now, completed_at: null };
        current.enrollments.push(enrollment);
      }
      Object.assign(enrollment, change(enrollment, now));
    });
    return find();
  }

  async function emit(input: z.input<typeof EmitRequest>): Promise<EmitResult> {
    const request = EmitRequest.parse(input);
    const target = targets[request.vendor];
    // As a real LMS: to the URL set up by hand (the sandbox's own connection) and to every registration for this event.
    const registered = registrations.get(request.vendor)?.matching(request.event) ?? [];
    const sendTo: EmitTarget[] = [
      ...(target ? [target] : []),
      ...registered.map((registration) => ({ ingestUrl: registration.url, inbound: registration.inbound })),
    ];
    if (sendTo.length === 0) throw new PayloadError(`The sandbox has no ${request.vendor} connection to send to.`);
    const current = data.current();
    const user = findUser(current, request.user);
    const course = findCourse(current, request.course, request.event);
    const enrollment = await recordEnrollment(user, course, catalogTypeOf(request.vendor, request.event));
    const responses: EmitResult['responses'] = [];
    for (let index = 0; index < request.count * sendTo.length; index += 1) {
      const to = sendTo[index % sendTo.length];
      if (!to) continue;
      sequence += 1;
      const subject: Subject = { user, course, enrollment, data: current, sequence, at: new Date() };
      const wire = wireRequest(request.vendor, request.event, subject, to.inbound);
      const response = await fetch(to.ingestUrl + wire.path, { method: 'POST', headers: wire.headers, body: wire.body });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // Not every answer is JSON (a plain-text error page from a proxy, say): keep the text.
      }
      responses.push({ status: response.status, body });
    }
    return {
      vendor: request.vendor,
      event: request.event,
      catalog_type: catalogTypeOf(request.vendor, request.event),
      user: { id: user.id, email: user.email },
      course: { id: course.id, title: course.title },
      sent: responses.length,
      responses,
    };
  }

  app.get('/sandbox/data', (_req, res) => {
    res.json(data.current());
  });
  app.get('/sandbox/stats', (_req, res) => {
    res.json(Object.fromEntries(counters));
  });
  app.post('/sandbox/emit', express.json(), async (req, res) => {
    res.json(await emit(bodyOf(req, EmitRequest, 'emit request')));
  });
  app.use(notFoundHandler);
  app.use(errorHandler(logger));

  const server = http.createServer(app);
  server.listen(options.port, options.host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const url = localUrl(options.host, port);
  return {
    url,
    apiBase: (vendor) => {
      const api = VENDOR_REGISTRY[vendor].sandbox.api;
      return api ? url + api.prefix : null;
    },
    setTargets(next) {
      targets = next;
    },
    emit,
    stats: () => Object.fromEntries(counters),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
