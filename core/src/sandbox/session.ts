import path from 'node:path';
import { VENDORS, type Vendor } from '../catalog/index.ts';
import { readConfig } from '../config.ts';
import { CliError } from '../errors.ts';
import { type RunningHub, startHub } from '../hub.ts';
import type { Logger } from '../logger.ts';
import { newApiKey } from '../operations/api-keys.ts';
import { VENDOR_REGISTRY } from '../vendors/registry.ts';
import { openLmsData } from './lms-data.ts';
import { type EmitTarget, type RunningSandbox, startSandboxLms } from './server.ts';

/**
 * `learnhook sandbox` as a function: the hub and the sandbox LMS, wired together with one
 * connection per vendor (API settings pointing at the emulator) and an admin key.
 */
export interface SandboxSession {
  hub: RunningHub;
  lms: RunningSandbox;
  apiKey: string;
  targets: Partial<Record<Vendor, EmitTarget & { name: string }>>;
  close(): Promise<void>;
}

const connectionName = (vendor: Vendor) => `sandbox-${vendor}`;

/** Where `learnhook emit` looks for the sandbox LMS when it is not told. */
export const DEFAULT_SANDBOX_URL = 'http://localhost:8081';

async function api<T>(hub: RunningHub, key: string, method: string, route: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(hub.url + route, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
}

/** Starts hub + LMS and wires them together; `progress` gets one line per step. */
export async function startSandbox(options: {
  env: NodeJS.ProcessEnv;
  port?: number;
  lmsPort?: number;
  dir?: string;
  logger: Logger;
  progress: (line: string) => void;
}): Promise<SandboxSession> {
  const dir = path.resolve(options.dir ?? path.join('.learnhook', 'sandbox'));
  const config = readConfig({
    ...options.env,
    LEARNHOOK_DATA: options.env.LEARNHOOK_DATA ?? path.join(dir, 'hub.db'),
    // The sandbox's subscribers are usually local: an n8n on this machine, a test catcher.
    LEARNHOOK_ALLOW_PRIVATE_TARGETS: options.env.LEARNHOOK_ALLOW_PRIVATE_TARGETS ?? 'true',
    ...(options.port !== undefined ? { PORT: String(options.port) } : {}),
  });
  options.progress(`[1/4] Starting the hub (store: ${config.LEARNHOOK_DATA}) ...`);
  const hub = await startHub(config, options.logger, VENDOR_REGISTRY).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE') throw new CliError(`Port ${config.PORT} is already in use; pass --port or set PORT to a free port.`);
    throw error;
  });
  const lmsPort = options.lmsPort ?? (config.PORT === 0 ? 0 : hub.port + 1);
  options.progress(`[2/4] Starting the sandbox LMS (data: ${path.join(dir, 'lms.json')}) ...`);
  let lms: RunningSandbox;
  try {
    lms = await startSandboxLms({
      data: await openLmsData(path.join(dir, 'lms.json'), options.logger),
      port: lmsPort,
      host: config.HOST,
      logger: options.logger,
    });
  } catch (error) {
    await hub.close();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new CliError(`Port ${lmsPort} (the sandbox LMS) is already in use; pass --lms-port.`);
    throw error;
  }

  options.progress('[3/4] Creating an API key ...');
  // One admin key per run; the previous run's sandbox keys are revoked so they do not pile up.
  const now = Date.now();
  for (const old of await hub.store.listApiKeys()) if (old.label === 'sandbox' && !old.revoked_at) await hub.store.revokeApiKey(old.id, now);
  const { key, record } = newApiKey({ label: 'sandbox', scopes: ['admin'], now });
  await hub.store.insertApiKey(record);

  options.progress(`[4/4] Connecting ${VENDORS.length} LMS formats ...`);
  const targets: SandboxSession['targets'] = {};
  for (const vendor of VENDORS) {
    const name = connectionName(vendor);
    const base = lms.apiBase(vendor);
    const apiSettings = base ? VENDOR_REGISTRY[vendor].sandbox.api?.sandboxSettings(base) : undefined;
    // Set again on every start: the emulator's URL (where Canvas's key set is) changes with its port.
    const inboundSettings = base ? (VENDOR_REGISTRY[vendor].sandbox.api?.sandboxInbound?.(base) ?? {}) : {};
    const existing = await api<{ id: string }>(hub, key, 'GET', `/v1/connections/${name}`);
    const answer =
      existing.status === 200
        ? await api<{ ingest_url: string; message?: string }>(hub, key, 'PATCH', `/v1/connections/${name}`, { api: apiSettings ?? null, ...inboundSettings })
        : await api<{ ingest_url: string; error?: { message: string } }>(hub, key, 'POST', '/v1/connections', {
            name,
            vendor,
            description: `Sandbox ${vendor} LMS`,
            ...(apiSettings ? { api: apiSettings } : {}),
            ...inboundSettings,
          });
    if (answer.status >= 300) throw new Error(`Could not set up the ${vendor} connection: ${JSON.stringify(answer.body)}`);
    const opened = await hub.connections.get(name);
    if (!opened) throw new Error(`The ${vendor} connection vanished while setting up.`);
    const inbound = typeof opened.inbound === 'object' && opened.inbound !== null ? Object.fromEntries(Object.entries(opened.inbound)) : {};
    targets[vendor] = { name, ingestUrl: answer.body.ingest_url, inbound };
  }
  lms.setTargets(targets);
  return {
    hub,
    lms,
    apiKey: key,
    targets,
    async close() {
      await lms.close();
      await hub.close();
    },
  };
}

/** What a person needs next, printed once the sandbox is up. */
export function nextSteps(session: SandboxSession): string {
  const { hub, lms, apiKey } = session;
  // `learnhook emit` looks for the sandbox at its default address; elsewhere the lines must say where it is.
  const at = lms.url === DEFAULT_SANDBOX_URL ? '' : ` --sandbox ${lms.url}`;
  return `
learnhook sandbox is ready.

  Hub        ${hub.url}
  Console    ${hub.url}/${hub.setupLink ? `      (first run: open ${hub.setupLink} to create your account)` : ''}
  API key    ${apiKey}      (admin; shown once per run)
  LMS        ${lms.url}      (its data: /sandbox/data, API calls and 429s: /sandbox/stats)

Subscribe something:
  Zapier:  in the learnhook app, connect with hub URL ${hub.url} (reachable from Zapier, e.g.
           through a tunnel) and the API key above, then pick a trigger such as "Course Completed".
  n8n:     add a "learnhook Trigger" node, create a credential with hub URL ${hub.url} and the key.
  curl:    curl -s ${hub.url}/v1/hooks -H "authorization: Bearer ${apiKey}" -H 'content-type: application/json' \\
             -d '{"url":"http://localhost:5678/webhook/...","events":["enrollment.completed"]}'

Send an LMS event (in another terminal):
  npx learnhook emit absorb "Enrollment Completed by Learner" --user maya.chen@acme-training.example --course "Compliance 101"${at}
  npx learnhook emit learn365 CourseCompleted${at}
  npx learnhook emit adobe-alm COURSE_COMPLETED${at}
  npx learnhook emit seismic-learning lesson-completed${at}
  or over HTTP: curl -s ${lms.url}/sandbox/emit -H 'content-type: application/json' \\
             -d '{"vendor":"absorb","event":"Enrollment Completed by Learner"}'

See what happened:
  curl -s "${hub.url}/v1/events?limit=5" -H "authorization: Bearer ${apiKey}"
  curl -s "${hub.url}/v1/deliveries?limit=5" -H "authorization: Bearer ${apiKey}"

Stop with Ctrl-C.
`;
}
