import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import packageJson from '../package.json' with { type: 'json' };
import { type Config, localUrl } from './config.ts';
import { createConsole } from './console/router.ts';
import { issueSetupLink } from './console/setup-link.ts';
import { createConcurrencyLimiter } from './delivery/concurrency.ts';
import { createDispatcher, type Dispatcher } from './delivery/dispatcher.ts';
import { createFanOut, type FanOut } from './delivery/fan-out.ts';
import { threadedTransport } from './delivery/threaded-transport.ts';
import { createApp } from './http/app.ts';
import type { HubContext } from './http/context.ts';
import { createKeySets } from './http/key-sets.ts';
import { diskUseOf, startAlertsWatch } from './hub/alerts-watch.ts';
import { seedApiKey } from './hub/seed-api-key.ts';
import { createWakes } from './hub/wakes.ts';
import { createApiStats } from './hydrate/api-stats.ts';
import { createCircuitBreakers } from './hydrate/circuit-breakers.ts';
import { createClientRegistry } from './hydrate/client-registry.ts';
import { createConnectionWarmUps } from './hydrate/connection-warm-ups.ts';
import { createHydrator } from './hydrate/create-hydrator.ts';
import { createLmsHttp } from './hydrate/http-json.ts';
import type { Hydrator } from './hydrate/hydrator.ts';
import { type Lookup, lookupFromClients, lookupFromRecentEvents } from './hydrate/lookup.ts';
import type { Logger } from './logger.ts';
import { createMetrics } from './metrics.ts';
import type { HubVendors } from './operations/context.ts';
import { createIngestArrivals } from './operations/ingest-arrivals.ts';
import { createLearnerEmailBackfill } from './store/learner-email-backfill.ts';
import { openStore } from './store/open-store.ts';
import { startProcessHeartbeat } from './store/process-heartbeat.ts';
import { createRetention, sqliteFileBytes } from './store/retention.ts';
import { createSecretBox } from './store/secret-box.ts';
import { keyringFor } from './store/secret-keys.ts';
import type { Store } from './store/store.ts';
import { type ConnectionRegistry, createConnectionRegistry } from './vendors/connection-registry.ts';

export const VERSION: string = packageJson.version;

/** How long a stop lets requests in flight finish before it closes their connections. */
const CLOSE_GRACE_MS = 5_000;

export interface RunningHub {
  url: string;
  port: number;
  store: Store;
  fanOut: FanOut;
  dispatcher: Dispatcher;
  /** Connections with their secrets opened (the sandbox signs its events with them). */
  connections: ConnectionRegistry;
  /**
   * The one-time link that creates the console's owner account, when the hub has no console user
   * yet; null otherwise. Printed once by `learnhook serve`, never logged.
   */
  setupLink: string | null;
  /** Hub processes sharing the store, as last counted (each takes that share of LMS rate limits). */
  processes(): number;
  /** Looks for alerts now instead of at the next LEARNHOOK_ALERT_CHECK_MS; settles once told. */
  checkAlerts(): Promise<void>;
  /** Stops accepting requests, finishes those in flight and the deliveries being sent, then closes the store. */
  close(): Promise<void>;
}

export interface HubOverrides {
  hydrator?: Hydrator;
  lookup?: Lookup;
  /** A compressed retry schedule, for tests that check deliveries follow it; never set by `learnhook serve`. */
  retryDelaysMs?: readonly number[];
  /** The hub's clock (receive times, retention), compressed by tests and the bench to see days pass; never set by `learnhook serve`. */
  now?: () => number;
  /** Real time between retention passes, in place of 10 minutes. */
  retentionIntervalMs?: number;
}

/**
 * Assembles the hub (DESIGN §4) and starts listening; resolves once it listens. `vendors` is the
 * vendor registry (vendors/registry.ts), given by the caller because it sits above the hub's layers.
 */
export async function startHub(config: Config, logger: Logger, vendors: HubVendors, overrides: HubOverrides = {}): Promise<RunningHub> {
  const box = createSecretBox(keyringFor(config, path.dirname(path.resolve(config.LEARNHOOK_DATA))));
  const store = await openStore(config, {
    owner: true,
    onListenError: (error) => logger.warn({ err: error }, 'the PostgreSQL wake listener lost its connection; reconnecting (the poll still finds work)'),
    onWriteHealth: (health) => {
      if (health.writable) logger.warn('the store writes again: ingest is accepted and the pending work goes on');
      else
        logger.error(
          { reason: health.reason, detail: health.detail },
          'the store cannot write: ingest answers 503 with Retry-After until it can; nothing else is lost',
        );
    },
  });
  await seedApiKey(store, config.LEARNHOOK_API_KEY, logger);
  const processes = await startProcessHeartbeat(store, logger);
  const metrics = createMetrics({ storeFileBytes: store.kind === 'sqlite' ? () => sqliteFileBytes(config.LEARNHOOK_DATA) : undefined });
  const now = overrides.now ?? Date.now;
  const audit: HubContext['audit'] = async (actor, action, target, details = {}) => {
    await store.appendAudit({ at: now(), actor, action, target, details });
    logger.info({ audit: { actor, action, target, details } }, `audit: ${action}`);
  };
  const targetPolicy = { allowPrivate: config.LEARNHOOK_ALLOW_PRIVATE_TARGETS, allowed: config.LEARNHOOK_ALLOWED_TARGETS };
  const transport = threadedTransport({
    ...targetPolicy,
    timeoutMs: config.LEARNHOOK_DELIVERY_TIMEOUT_MS,
    userAgent: `learnhook/${VERSION}`,
  });
  const wakes = createWakes();
  const dispatcher = createDispatcher({
    store,
    box,
    transport,
    limiter: createConcurrencyLimiter(),
    leaseMs: config.LEARNHOOK_LEASE_MS,
    logger,
    metrics,
    onHooksChanged: () => wakes.wake('hooks'),
    audit: (action, target, details) => audit('system', action, target, details),
    retryDelaysMs: overrides.retryDelaysMs,
  });
  const connections = createConnectionRegistry({ store, box, vendors });
  const lmsHttp = createLmsHttp({ userAgent: `learnhook/${VERSION}` });
  // A connection's key set URL is settings, not the LMS's choice: fetched under the same policy as deliveries.
  const keySets = createKeySets({ policy: targetPolicy, userAgent: `learnhook/${VERSION}`, logger });
  const apiStats = createApiStats(now);
  const breakers = createCircuitBreakers({ threshold: config.LEARNHOOK_LMS_FAILURES_TO_OPEN, cooldownMs: config.LEARNHOOK_LMS_COOLDOWN_MS });
  const clientFor = createClientRegistry({ connections, vendors, httpFor: (id) => breakers.guarding(id, apiStats.counting(id, lmsHttp)), logger });
  const ownHydrator = createHydrator({
    clientFor,
    maxWaitMs: config.LEARNHOOK_HYDRATION_MAX_WAIT_MS,
    warmMaxEntries: config.LEARNHOOK_HYDRATION_WARM_MAX,
    processes: processes.count,
    lmsUnavailable: (id) => breakers.stateOf(id).state !== 'closed',
    logger,
  });
  const hydrator = overrides.hydrator ?? ownHydrator;
  // A hydrator given by a test has no caches of ours to warm.
  const warmUps = overrides.hydrator ? null : createConnectionWarmUps({ connections, store, hydrator: ownHydrator, logger });
  // Events a dead process claimed fall due when its lease expires; nobody wakes us for them.
  const pollMs = Math.min(10_000, config.LEARNHOOK_LEASE_MS);
  const fanOut = createFanOut({
    store,
    hydrator,
    logger,
    leaseMs: config.LEARNHOOK_LEASE_MS,
    pollMs,
    onDeliveries: () => wakes.wake('deliveries'),
    handoff: dispatcher,
  });
  wakes.on('events', () => fanOut.wake());
  wakes.on('deliveries', () => dispatcher.wake());
  wakes.on('hooks', () => {
    fanOut.hooksChanged();
    dispatcher.hooksChanged();
  });
  const stopWaking = store.onWake((topic) => wakes.wake(topic));
  const context: HubContext = {
    store,
    box,
    logger,
    metrics,
    connections,
    vendors,
    clientFor,
    apiStats,
    breakers,
    disk: {
      use: () => (config.DATABASE_URL ? Promise.resolve(null) : diskUseOf(path.dirname(path.resolve(config.LEARNHOOK_DATA)))),
      minFreePercent: config.LEARNHOOK_DISK_MIN_FREE_PERCENT,
    },
    arrivals: createIngestArrivals(),
    keySets,
    fanOut,
    wakeDispatcher: () => dispatcher.wake(),
    sendTest: (hook, event) => dispatcher.sendTest(hook, event),
    targetPolicy,
    now,
    version: VERSION,
    publicUrl: (req) => config.LEARNHOOK_PUBLIC_URL?.replace(/\/$/, '') ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`,
    audit,
  };
  const consolePages = createConsole(context, {
    sessionTtlMs: config.LEARNHOOK_SESSION_TTL_MS,
    secureCookies: config.LEARNHOOK_PUBLIC_URL?.startsWith('https:') ?? false,
  });
  const app = createApp(context, {
    pages: consolePages.router,
    lookup: overrides.lookup ?? lookupFromClients(clientFor, lookupFromRecentEvents(store)),
    rateLimit: config.LEARNHOOK_RATE_LIMIT,
    authFailureLimit: config.LEARNHOOK_AUTH_FAILURE_LIMIT,
    trustProxy: config.LEARNHOOK_TRUST_PROXY,
  });
  // Slow clients (slow-loris) are cut off: headers and whole requests each have a deadline, checked every second.
  const server = http.createServer(
    {
      headersTimeout: Math.min(config.LEARNHOOK_HEADERS_TIMEOUT_MS, config.LEARNHOOK_REQUEST_TIMEOUT_MS),
      requestTimeout: config.LEARNHOOK_REQUEST_TIMEOUT_MS,
      connectionsCheckingInterval: 1_000,
    },
    app,
  );
  // Idle keep-alive sockets would hold close() open; requests in flight still finish.
  server.keepAliveTimeout = 5_000;
  server.listen(config.PORT, config.HOST);
  try {
    await once(server, 'listening');
  } catch (error) {
    processes.stop();
    await store.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const url = localUrl(config.HOST, port);
  const setupLink = await issueSetupLink(store.accounts, config.LEARNHOOK_PUBLIC_URL ?? url, now());
  // Events acknowledged but not yet fanned out before a stop or crash are picked up now.
  fanOut.wake();
  dispatcher.wake();
  warmUps?.warmAll();
  const retention = createRetention({
    store,
    now,
    days: config.LEARNHOOK_RETENTION_DAYS,
    auditDays: config.LEARNHOOK_AUDIT_RETENTION_DAYS,
    metrics,
    logger,
    intervalMs: overrides.retentionIntervalMs,
  });
  retention.start();
  const learnerEmails = createLearnerEmailBackfill({ store, logger });
  learnerEmails.start();
  const alerts = startAlertsWatch({
    ctx: context,
    logger,
    transport,
    intervalMs: config.LEARNHOOK_ALERT_CHECK_MS,
    notify: config.LEARNHOOK_ALERT_URL && config.LEARNHOOK_ALERT_SECRET ? { url: config.LEARNHOOK_ALERT_URL, secret: config.LEARNHOOK_ALERT_SECRET } : null,
    hubUrl: config.LEARNHOOK_PUBLIC_URL ?? url,
  });
  return {
    url,
    port,
    setupLink,
    store,
    fanOut,
    dispatcher,
    connections,
    processes: processes.count,
    checkAlerts: alerts.check,
    async close() {
      // Live tails never end by themselves; they would hold server.close() open.
      consolePages.close();
      await new Promise<void>((resolve, reject) => {
        // A client that holds a request open past the grace period (a stalled upload, a stream
        // nobody ended) is cut off: a stop must not wait for it forever.
        const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
        server.close((error) => {
          clearTimeout(force);
          if (error) reject(error);
          else resolve();
        });
        server.closeIdleConnections();
      });
      warmUps?.stop();
      stopWaking();
      alerts.stop();
      processes.stop();
      await retention.stop();
      await learnerEmails.stop();
      await fanOut.stop();
      await dispatcher.stop();
      await transport.close();
      await lmsHttp.close();
      await keySets.close();
      await store.close();
    },
  };
}
