import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import packageJson from '../package.json' with { type: 'json' };
import { ConfigError, type Config } from './config.ts';
import { createConsole } from './console/router.ts';
import { issueSetupLink } from './console/setup-link.ts';
import { createConcurrencyLimiter } from './delivery/concurrency.ts';
import { createDispatcher, type Dispatcher } from './delivery/dispatcher.ts';
import { createFanOut, type FanOut } from './delivery/fan-out.ts';
import { createTransport } from './delivery/transport.ts';
import { apiKeyRecordFor } from './http/api-keys.ts';
import { createApp } from './http/app.ts';
import type { HubContext } from './http/context.ts';
import { createClientRegistry } from './hydrate/client-registry.ts';
import { createHydrator } from './hydrate/create-hydrator.ts';
import { createLmsHttp } from './hydrate/http-json.ts';
import type { Hydrator } from './hydrate/hydrator.ts';
import { lookupFromClients, lookupFromRecentEvents, type Lookup } from './hydrate/lookup.ts';
import type { Logger } from './logger.ts';
import { createMetrics } from './metrics.ts';
import { openStore } from './store/open-store.ts';
import { createSecretBox, loadSecretKey } from './store/secret-box.ts';
import type { Store } from './store/store.ts';
import { createConnectionRegistry, type ConnectionRegistry } from './vendors/connection-registry.ts';

export const VERSION: string = packageJson.version;

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
  /** Stops accepting requests, finishes those in flight and the deliveries being sent, then closes the store. */
  close(): Promise<void>;
}

export interface HubOverrides {
  hydrator?: Hydrator;
  lookup?: Lookup;
  /** A compressed retry schedule, for tests that check deliveries follow it; never set by `learnhook serve`. */
  retryDelaysMs?: readonly number[];
}

/**
 * Hubs sharing PostgreSQL must open each other's secrets: a key generated per machine beside
 * the data file would differ between them, so it has to be given.
 */
function secretKey(config: Config): Buffer {
  if (config.DATABASE_URL && !config.LEARNHOOK_SECRET_KEY) {
    throw new ConfigError('DATABASE_URL is set: set LEARNHOOK_SECRET_KEY too (the same on every hub process; try: openssl rand -base64 32).');
  }
  return loadSecretKey({ fromEnv: config.LEARNHOOK_SECRET_KEY, dataDir: path.dirname(path.resolve(config.LEARNHOOK_DATA)) });
}

/** Seeds LEARNHOOK_API_KEY as an admin key, so a script or container can start headless. */
async function seedApiKey(store: Store, key: string | undefined, logger: Logger): Promise<void> {
  if (!key) return;
  const record = apiKeyRecordFor(key, { label: 'LEARNHOOK_API_KEY', scopes: ['admin'], now: Date.now() });
  if (!record) throw new ConfigError('LEARNHOOK_API_KEY must be 16 to 256 printable characters without spaces.');
  const existing = await store.getApiKey(record.id);
  if (existing?.revoked_at) logger.warn({ key_id: record.id }, 'LEARNHOOK_API_KEY was revoked; it stays revoked');
  if (existing) return;
  try {
    await store.insertApiKey(record);
  } catch (error) {
    // Hubs sharing PostgreSQL start together: another one seeding the same key first is fine.
    if (await store.getApiKey(record.id)) return;
    throw error;
  }
  await store.appendAudit({ at: Date.now(), actor: 'env', action: 'key.created', target: record.id, details: { label: record.label, scopes: record.scopes } });
}

/** Starts warming every connection that has LMS API settings. */
async function warmAll(store: Store, warm: (id: string) => void): Promise<void> {
  let cursor: string | undefined;
  do {
    const page = await store.listConnections({ limit: 100, cursor });
    for (const record of page.data) if (record.api_enc) warm(record.id);
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
}

/** How often a hub says it is alive; a process unseen for three beats no longer takes a share. */
const HEARTBEAT_MS = 5_000;

/**
 * Keeps count of the hub processes sharing the store, for the hydrator to split each LMS's rate
 * limit between them (one on the embedded store). A failed beat keeps the last count.
 */
async function startHeartbeat(store: Store, logger: Logger): Promise<{ count: () => number; stop: () => void }> {
  let count = await store.heartbeat(Date.now(), 3 * HEARTBEAT_MS);
  const timer = setInterval(() => {
    store
      .heartbeat(Date.now(), 3 * HEARTBEAT_MS)
      .then((live) => {
        if (live !== count) logger.info({ processes: live }, 'hub processes sharing this store changed; each takes its share of the LMS rate limits');
        count = live;
      })
      .catch((error: unknown) => logger.warn({ err: error }, 'could not record this hub as alive; keeping the last process count'));
  }, HEARTBEAT_MS);
  timer.unref();
  return { count: () => count, stop: () => clearInterval(timer) };
}

/** Assembles the hub (DESIGN §4) and starts listening; resolves once it listens. */
export async function startHub(config: Config, logger: Logger, overrides: HubOverrides = {}): Promise<RunningHub> {
  const box = createSecretBox(secretKey(config));
  const store = await openStore(config, {
    owner: true,
    onListenError: (error) => logger.warn({ err: error }, 'the PostgreSQL wake listener lost its connection; reconnecting (the poll still finds work)'),
  });
  await seedApiKey(store, config.LEARNHOOK_API_KEY, logger);
  const processes = await startHeartbeat(store, logger);
  const metrics = createMetrics();
  const now = Date.now;
  const audit: HubContext['audit'] = async (actor, action, target, details = {}) => {
    await store.appendAudit({ at: now(), actor, action, target, details });
    logger.info({ audit: { actor, action, target, details } }, `audit: ${action}`);
  };
  const transport = createTransport({ allowPrivate: config.LEARNHOOK_ALLOW_PRIVATE_TARGETS, timeoutMs: config.LEARNHOOK_DELIVERY_TIMEOUT_MS, userAgent: `learnhook/${VERSION}` });
  let fanOut: FanOut | undefined;
  const dispatcher = createDispatcher({
    store,
    box,
    transport,
    limiter: createConcurrencyLimiter(),
    leaseMs: config.LEARNHOOK_LEASE_MS,
    logger,
    metrics,
    onHooksChanged: () => fanOut?.hooksChanged(),
    audit: (action, target, details) => audit('system', action, target, details),
    retryDelaysMs: overrides.retryDelaysMs,
  });
  const registry = createConnectionRegistry({ store, box });
  const lmsHttp = createLmsHttp({ userAgent: `learnhook/${VERSION}` });
  const clientFor = createClientRegistry({ connections: registry, http: lmsHttp, logger });
  const ownHydrator = createHydrator({
    clientFor,
    maxWaitMs: config.LEARNHOOK_HYDRATION_MAX_WAIT_MS,
    warmMaxEntries: config.LEARNHOOK_HYDRATION_WARM_MAX,
    processes: processes.count,
    logger,
  });
  const hydrator = overrides.hydrator ?? ownHydrator;
  /** Warms a connection's hydration caches in the background (hydrate/warm-up.ts); the hydrator logs how it went. */
  const warm = (nameOrId: string) => {
    if (overrides.hydrator) return;
    registry
      .get(nameOrId)
      .then((opened) => (opened?.api ? ownHydrator.warm(opened.record.id) : undefined))
      .catch((error: unknown) => logger.warn({ err: error, connection: nameOrId }, 'could not start the hydration warm-up'));
  };
  // A connection created or changed here is warmed at once, not at its first event.
  const connections: ConnectionRegistry = {
    get: (nameOrId) => registry.get(nameOrId),
    forget(nameOrId) {
      registry.forget(nameOrId);
      warm(nameOrId);
    },
  };
  // Events a dead process claimed fall due when its lease expires; nobody wakes us for them.
  const pollMs = Math.min(10_000, config.LEARNHOOK_LEASE_MS);
  fanOut = createFanOut({ store, hydrator, logger, leaseMs: config.LEARNHOOK_LEASE_MS, pollMs, onDeliveries: () => dispatcher.wake() });
  const wakes = { events: () => fanOut.wake(), deliveries: () => dispatcher.wake(), hooks: () => fanOut.hooksChanged() } as const;
  const stopWaking = store.onWake((topic) => wakes[topic]());
  const context: HubContext = {
    store,
    box,
    logger,
    metrics,
    connections,
    fanOut,
    wakeDispatcher: () => dispatcher.wake(),
    sendTest: (hook, event) => dispatcher.sendTest(hook, event),
    now,
    version: VERSION,
    publicUrl: (req) => config.LEARNHOOK_PUBLIC_URL?.replace(/\/$/, '') ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`,
    audit,
  };
  const app = createApp(context, {
    pages: createConsole(context, { sessionTtlMs: config.LEARNHOOK_SESSION_TTL_MS, secureCookies: config.LEARNHOOK_PUBLIC_URL?.startsWith('https:') ?? false }),
    lookup: overrides.lookup ?? lookupFromClients(clientFor, lookupFromRecentEvents(store)),
    rateLimit: config.LEARNHOOK_RATE_LIMIT,
    authFailureLimit: config.LEARNHOOK_AUTH_FAILURE_LIMIT,
    allowPrivateTargets: config.LEARNHOOK_ALLOW_PRIVATE_TARGETS,
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
  const url = `http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${port}`;
  const setupLink = await issueSetupLink(store.accounts, config.LEARNHOOK_PUBLIC_URL ?? url, now());
  // Events acknowledged but not yet fanned out before a stop or crash are picked up now.
  fanOut.wake();
  dispatcher.wake();
  void warmAll(store, warm).catch((error: unknown) => logger.warn({ err: error }, 'could not list the connections to warm their hydration caches'));
  return {
    url,
    port,
    setupLink,
    store,
    fanOut,
    dispatcher,
    connections,
    processes: processes.count,
    async close() {
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      });
      ownHydrator.stopWarming();
      stopWaking();
      processes.stop();
      await fanOut.stop();
      await dispatcher.stop();
      await transport.close();
      await lmsHttp.close();
      await store.close();
    },
  };
}
