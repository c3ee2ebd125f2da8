import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import express, { type Response, type Router } from 'express';
import { type LearnhookError, NotFoundError } from '../errors.ts';
import type { HubContext } from '../http/context.ts';
import { errorHandler, setRetryAfter } from '../http/error-handler.ts';
import type { ConsoleContext } from './context.ts';
import { html } from './html.ts';
import { notice, sendPage } from './layout.ts';
import { createLiveStreams } from './live-streams.ts';
import { accountPages } from './pages/account.ts';
import { authPages } from './pages/auth.ts';
import { connectionPages } from './pages/connection.ts';
import { connectionsPages } from './pages/connections.ts';
import { customMappingPages } from './pages/custom-mapping.ts';
import { eventPages } from './pages/event.ts';
import { eventsPages } from './pages/events.ts';
import { homePage } from './pages/home.ts';
import { keysPages } from './pages/keys.ts';
import { subscriptionPages } from './pages/subscription.ts';
import { subscriptionsPages } from './pages/subscriptions.ts';
import { usersPages } from './pages/users.ts';
import { checkCsrf, consoleHeaders } from './security.ts';
import { createSessions, requireSignedIn, signedInOf } from './session.ts';

export interface ConsoleOptions {
  /** How long a sign-in lasts (LEARNHOOK_SESSION_TTL_MS). */
  sessionTtlMs: number;
  /** Secure cookies: the hub's public URL is https. */
  secureCookies: boolean;
}

const API_PATHS = /^\/(v1|ingest)(\/|$)|^\/(healthz|metrics)$/;

const require = createRequire(import.meta.url);
const own = (name: string) => new URL(`./assets/${name}`, import.meta.url);

/** Static files, read once: the console's own, and htmx from node_modules (no build step). */
const ASSETS: Record<string, { type: string; body: Buffer }> = {
  'console.css': { type: 'text/css', body: readFileSync(own('console.css')) },
  'console.js': { type: 'text/javascript', body: readFileSync(own('console.js')) },
  'htmx.min.js': { type: 'text/javascript', body: readFileSync(require.resolve('htmx.org/dist/htmx.min.js')) },
  'sse.min.js': { type: 'text/javascript', body: readFileSync(require.resolve('htmx-ext-sse/dist/sse.min.js')) },
};

/** A refused console request as a page a person can read (the API answers the same errors as JSON). */
function sendErrorPage(res: Response, error: LearnhookError): void {
  setRetryAfter(res, error);
  const title =
    error.status === 404
      ? 'Not found'
      : error.status === 403
        ? 'Not allowed'
        : error.status === 401
          ? 'Sign in again'
          : error.status >= 500
            ? 'Something went wrong'
            : 'That did not work';
  sendPage(res, {
    title,
    status: error.status,
    body: html`${notice('error', error.message)}<p><a href="${error.status === 401 ? '/sign-in' : '/'}">${error.status === 401 ? 'Sign in' : 'Back to the console'}</a></p>`,
  });
}

/**
 * The web console (DESIGN §8), served by the hub at `/`: server-rendered pages, progressively
 * enhanced with htmx and Server-Sent Events. Pages call the same store, schemas and operations as
 * the API; nothing here is a second copy of a business rule.
 */
export function createConsole(hub: HubContext, options: ConsoleOptions): { router: Router; close(): void } {
  const sessions = createSessions({ accounts: hub.store.accounts, now: hub.now, ttlMs: options.sessionTtlMs, secureCookies: options.secureCookies });
  const streams = createLiveStreams();
  const ctx: ConsoleContext = { ...hub, sessions, streams };
  const router = express.Router();

  router.get('/assets/:name', (req, res, next) => {
    const asset = ASSETS[req.params.name];
    if (!asset) return next();
    res.set({ 'content-type': asset.type, 'cache-control': 'public, max-age=3600', 'x-content-type-options': 'nosniff' }).send(asset.body);
  });

  const pages = express.Router();
  pages.use(consoleHeaders);
  pages.use(express.urlencoded({ extended: false, limit: 64 * 1024 }));
  pages.use(sessions.load);
  pages.use((req, res, next) => {
    const signedIn = signedInOf(res);
    if (!signedIn) res.locals.formToken = sessions.formToken(req, res);
    checkCsrf(req, signedIn ? signedIn.session.csrf : typeof res.locals.formToken === 'string' ? res.locals.formToken : undefined);
    next();
  });
  pages.use(authPages(ctx));
  pages.use(requireSignedIn);
  pages.use(homePage(ctx));
  pages.use(connectionsPages(ctx));
  pages.use(connectionPages(ctx));
  pages.use(customMappingPages(ctx));
  pages.use(eventsPages(ctx));
  pages.use(eventPages(ctx));
  pages.use(subscriptionsPages(ctx));
  pages.use(subscriptionPages(ctx));
  pages.use(keysPages(ctx));
  pages.use(accountPages(ctx));
  pages.use(usersPages(ctx));
  pages.use((req) => {
    throw new NotFoundError(`There is no console page at ${req.path}.`);
  });
  pages.use(errorHandler(hub.logger, sendErrorPage));

  // Only the console's own paths: /v1, /ingest, /healthz and /metrics stay the API's (JSON errors included).
  router.use((req, res, next) => (API_PATHS.test(req.path) ? next() : pages(req, res, next)));
  return { router, close: () => streams.closeAll() };
}
