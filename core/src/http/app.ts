import type { RequestListener } from 'node:http';
import express, { type Router } from 'express';
import { StoreUnavailableError } from '../errors.ts';
import type { Lookup } from '../hydrate/lookup.ts';
import { isoTime } from '../operations/schemas.ts';
import { createTokenBuckets } from '../token-buckets.ts';
import { createAuth } from './auth.ts';
import { limitedBody } from './body-limit.ts';
import type { HubContext } from './context.ts';
import { errorHandler, notFoundHandler, setRetryAfter } from './error-handler.ts';
import { createIngest } from './ingest.ts';
import { openApiDocument } from './openapi.ts';
import { connectionsRouter } from './routes/connections.ts';
import { deliveriesRouter } from './routes/deliveries.ts';
import { eventsRouter } from './routes/events.ts';
import { hooksRouter } from './routes/hooks.ts';
import { metaRouter } from './routes/meta.ts';

export interface AppOptions {
  lookup: Lookup;
  /** API requests per second per key. */
  rateLimit: number;
  /** Failed API key checks per minute per client address, in a burst or spread out. */
  authFailureLimit: number;
  /** Served after the API and before its 404: the console (built by the layer above). */
  pages?: Router;
  /** Express "trust proxy": which proxies' X-Forwarded-For and -Proto count (LEARNHOOK_TRUST_PROXY). */
  trustProxy?: string;
}

/** The API bodies are small: subscriptions and connection settings. */
const API_BODY_LIMIT_BYTES = 64 * 1024;

/** The hub's HTTP surface (DESIGN §4 API): /ingest on node's own request, everything else through express. */
export function createApp(ctx: HubContext, options: AppOptions): RequestListener {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', options.trustProxy ?? 'loopback');

  const requireScope = createAuth({
    store: ctx.store,
    limiter: createTokenBuckets({ capacity: options.rateLimit * 2, ratePerSecond: options.rateLimit }),
    failures: createTokenBuckets({ capacity: options.authFailureLimit, ratePerSecond: options.authFailureLimit / 60 }),
    now: ctx.now,
    body: limitedBody(API_BODY_LIMIT_BYTES, express.json({ limit: API_BODY_LIMIT_BYTES })),
  });

  // A store that cannot write makes the hub unhealthy (503), with why, for a monitor to see (issue 17 §7).
  app.get('/healthz', (_req, res) => {
    const health = ctx.store.writeHealth();
    if (health.writable) {
      res.json({ status: 'ok', version: ctx.version, store: { writable: true } });
      return;
    }
    const refusal = new StoreUnavailableError(health.reason);
    setRetryAfter(res, refusal);
    res.status(503).json({
      status: 'store_unavailable',
      version: ctx.version,
      store: { writable: false, reason: health.reason, since: isoTime(health.since), last_failure_at: isoTime(health.last_failure_at), detail: health.detail },
      message: refusal.message,
    });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
  });
  app.get('/v1/openapi.json', (_req, res) => {
    res.json(openApiDocument(ctx.version));
  });

  app.use('/v1', metaRouter(ctx, requireScope, options.lookup));
  app.use('/v1/hooks', hooksRouter(ctx, requireScope));
  app.use('/v1/events', eventsRouter(ctx, requireScope));
  app.use('/v1/deliveries', deliveriesRouter(ctx, requireScope));
  app.use('/v1/connections', connectionsRouter(ctx, requireScope));

  if (options.pages) app.use(options.pages);
  app.use(notFoundHandler);
  app.use(errorHandler(ctx.logger));

  const ingest = createIngest({
    store: ctx.store,
    connections: ctx.connections,
    vendors: ctx.vendors,
    logger: ctx.logger,
    metrics: ctx.metrics,
    fanOut: ctx.fanOut,
    arrivals: ctx.arrivals,
    keySets: ctx.keySets,
    now: ctx.now,
  });
  return (req, res) => {
    if (!ingest.handle(req, res)) app(req, res);
  };
}
