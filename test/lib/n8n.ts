import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@learnhook/core/testing';
import { expect } from 'vitest';

/** Where n8n-node/scripts/install-n8n.mjs puts a real n8n (outside the repo, cached between runs). */
export const N8N_VERSION = '2.40.7';
export const n8nDir =
  process.env.LEARNHOOK_N8N_DIR ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'learnhook', `n8n-${N8N_VERSION}`);
const n8nBin = path.join(n8nDir, 'node_modules', 'n8n', 'bin', 'n8n');
const repoRoot = path.resolve(import.meta.dirname, '..', '..');

/**
 * Why the real-n8n tests cannot run here, or null when they can. With LEARNHOOK_REQUIRE_N8N=1 (set by
 * .ci/run) a reason is thrown instead: CI must not pass by skipping them.
 */
export function n8nUnavailable(): string | null {
  const reason = whyN8nUnavailable();
  if (reason && process.env.LEARNHOOK_REQUIRE_N8N === '1') throw new Error(`LEARNHOOK_REQUIRE_N8N=1 but ${reason}`);
  return reason;
}

function whyN8nUnavailable(): string | null {
  if (!existsSync(path.join(n8nDir, '.learnhook-installed')))
    return `n8n ${N8N_VERSION} is not installed in ${n8nDir}; run node n8n-node/scripts/install-n8n.mjs`;
  if (!existsSync(path.join(repoRoot, 'n8n-node', 'dist', 'nodes', 'Learnhook', 'LearnhookTrigger.node.js')))
    return 'n8n-node is not built; run npm run build -w n8n-node';
  if (Number(process.versions.node.split('.')[0]) < 24) return `n8n 2.x needs Node 24; this is ${process.version}`;
  return null;
}

export const packageDir = path.join(repoRoot, 'n8n-node');

/** npm's environment as a person's shell has it: without the npm_* variables of an npm script that ran these tests. */
function shellEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_')));
}

/** The package as `npm publish` would upload it (npm pack of n8n-node), written to `destination`; answers the tarball's path. */
export function packCommunityPackage(destination: string): string {
  const output = execFileSync('npm', ['pack', '--json', '--pack-destination', destination], { cwd: packageDir, env: shellEnv(), encoding: 'utf8' });
  const [packed] = JSON.parse(output) as Array<{ filename: string }>;
  if (!packed) throw new Error(`npm pack answered no tarball: ${output}`);
  return path.join(destination, packed.filename);
}

/**
 * n8n's documented manual install, the one for self-hosted, Docker and queue-mode n8n
 * (https://docs.n8n.io/integrations/community-nodes/installation-and-management/manual-installation/):
 * create the user folder's `nodes` directory and `npm install` the package there. The tarball stands
 * in for the registry name until the package is published; nothing else differs. Without a
 * tarball it packs one first. Answers the folder n8n loads it from and npm's output.
 */
export function installCommunityPackage(userFolder: string, tarball?: string): { installedDir: string; npmOutput: string } {
  tarball ??= packCommunityPackage(mkdtempSync(path.join(os.tmpdir(), 'learnhook-n8n-pack-')));
  const nodesDir = path.join(userFolder, '.n8n', 'nodes');
  mkdirSync(nodesDir, { recursive: true });
  const npmOutput = execFileSync('npm', ['install', tarball], { cwd: nodesDir, env: shellEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return { installedDir: path.join(nodesDir, 'node_modules', 'n8n-nodes-learnhook'), npmOutput };
}

export interface N8nProcess {
  url: string;
  logs: string[];
  /** The n8n process id (the bench kills it if it exits early). */
  pid: number | undefined;
  stop(): Promise<void>;
}

export interface N8nOptions {
  /** `start`, the main instance (the default), or `worker`, a queue-mode worker. */
  command?: 'start' | 'worker';
  /** Over the defaults: queue mode's EXECUTIONS_MODE and its Redis and PostgreSQL settings. */
  env?: Record<string, string>;
}

/**
 * n8n headless on loopback with sqlite in `userFolder` (or what `options.env` sets); resolves once
 * /healthz/readiness answers 200 (a worker serves it on `port` with its health check on).
 */
export async function startN8n(userFolder: string, port: number, options: N8nOptions = {}): Promise<N8nProcess> {
  const url = `http://127.0.0.1:${port}`;
  const logs: string[] = [];
  const command = options.command ?? 'start';
  const worker =
    command === 'worker' ? { QUEUE_HEALTH_CHECK_ACTIVE: 'true', QUEUE_HEALTH_CHECK_PORT: String(port), N8N_WORKER_SERVER_ADDRESS: '127.0.0.1' } : {};
  const child: ChildProcess = spawn(process.execPath, [n8nBin, command], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      N8N_USER_FOLDER: userFolder,
      N8N_PORT: String(port),
      N8N_LISTEN_ADDRESS: '127.0.0.1',
      WEBHOOK_URL: `${url}/`,
      DB_TYPE: 'sqlite',
      N8N_ENCRYPTION_KEY: 'learnhook-e2e-encryption-key',
      N8N_SECURE_COOKIE: 'false',
      N8N_DIAGNOSTICS_ENABLED: 'false',
      N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
      N8N_PERSONALIZATION_ENABLED: 'false',
      N8N_TEMPLATES_ENABLED: 'false',
      N8N_HIDE_USAGE_PAGE: 'true',
      N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
      N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '5',
      // Each n8n (a main, its workers, other test files' n8n) starts a task broker: one port each, not 5679 for all.
      N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
      N8N_RUNNERS_BROKER_PORT: String(await freePort()),
      ...worker,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => logs.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => logs.push(chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  };
  // About 10 s on a quiet machine; a shared CI machine can take several times that.
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`n8n exited with ${child.exitCode}:\n${logs.join('').slice(-3000)}`);
    const ready = await fetch(`${url}/healthz/readiness`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return { url, logs, pid: child.pid, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`n8n did not get ready in 120 s:\n${logs.join('').slice(-3000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

const OWNER = { email: 'owner@example.com', firstName: 'Ada', lastName: 'Owner', password: 'Passw0rd-learnhook' };

/** Signs the owner in through n8n's REST API; answers the session cookie the editor would hold. */
export async function logIn(url: string): Promise<string> {
  const login = await fetch(`${url}/rest/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ emailOrLdapLoginId: OWNER.email, password: OWNER.password }),
  });
  if (!login.ok) throw new Error(`login: ${login.status} ${await login.text()}`);
  return login.headers
    .getSetCookie()
    .map((value) => value.split(';')[0])
    .join('; ');
}

/** The node types n8n offers in the editor's nodes panel (/types/nodes.json, for a signed-in user). */
export async function editorNodeTypes(url: string, cookie: string): Promise<Array<{ name: string; displayName: string; version: number | number[] }>> {
  const response = await fetch(`${url}/types/nodes.json`, { headers: { cookie } });
  if (!response.ok) throw new Error(`/types/nodes.json: ${response.status}`);
  return (await response.json()) as Array<{ name: string; displayName: string; version: number | number[] }>;
}

/** Owner account and a public-API key with every scope, through n8n's REST API. */
export async function setUpOwner(url: string): Promise<string> {
  const json = { 'content-type': 'application/json' };
  const setup = await fetch(`${url}/rest/owner/setup`, { method: 'POST', headers: json, body: JSON.stringify(OWNER) });
  if (!setup.ok) throw new Error(`owner setup: ${setup.status} ${await setup.text()}`);
  const cookie = await logIn(url);
  const scopes = (await (await fetch(`${url}/rest/api-keys/scopes`, { headers: { cookie } })).json()) as { data: string[] };
  const created = await fetch(`${url}/rest/api-keys`, {
    method: 'POST',
    headers: { ...json, cookie },
    body: JSON.stringify({ label: 'learnhook e2e', scopes: scopes.data, expiresAt: null }),
  });
  const body = (await created.json()) as { data?: { rawApiKey?: string } };
  if (!body.data?.rawApiKey) throw new Error(`api key: ${created.status} ${JSON.stringify(body)}`);
  return body.data.rawApiKey;
}

/** A call to n8n's public API. */
export async function n8nApi<T = any>(
  n8n: { url: string; apiKey: string },
  method: string,
  route: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${n8n.url}/api/v1${route}`, {
    method,
    headers: { 'x-n8n-api-key': n8n.apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** The installed package's node types, as workflows name them. */
export const TRIGGER_TYPE = 'n8n-nodes-learnhook.learnhookTrigger';
export const ACTION_TYPE = 'n8n-nodes-learnhook.learnhook';

/**
 * A workflow built from both nodes: the trigger on every event type, then the action node getting the
 * same event again by its id (`{{ $json.id }}`), so one execution runs code from each.
 */
export function learnhookWorkflow(options: { name: string; webhookId: string; credential: { id: string; name: string } }) {
  const credentials = { learnhookApi: options.credential };
  return {
    name: options.name,
    nodes: [
      {
        id: randomUUID(),
        name: 'Learnhook Trigger',
        type: TRIGGER_TYPE,
        typeVersion: 1,
        position: [0, 0],
        webhookId: options.webhookId,
        parameters: { events: ['*'], courseId: '', options: {} },
        credentials,
      },
      {
        id: randomUUID(),
        name: 'Get Event',
        type: ACTION_TYPE,
        typeVersion: 1,
        position: [220, 0],
        parameters: { resource: 'event', operation: 'get', eventId: '={{ $json.id }}' },
        credentials,
      },
    ],
    connections: { 'Learnhook Trigger': { main: [[{ node: 'Get Event', type: 'main', index: 0 }]] } },
    settings: { saveDataSuccessExecution: 'all' },
  };
}

/**
 * Through n8n's public API, as a person would in the editor: a Learnhook API credential for the hub,
 * the two-node workflow (learnhookWorkflow) and its activation; answers the workflow's id. The
 * assertions say which step n8n refused, with its answer.
 */
export async function activateLearnhookWorkflow(
  n8n: { url: string; apiKey: string },
  hub: { url: string; apiKey: string },
  workflow: { name: string; webhookId: string },
): Promise<string> {
  const credential = await n8nApi(n8n, 'POST', '/credentials', {
    name: 'Learnhook sandbox',
    type: 'learnhookApi',
    data: { hubUrl: hub.url, apiKey: hub.apiKey },
  });
  expect(credential.status, JSON.stringify(credential.body)).toBe(200);
  const created = await n8nApi(
    n8n,
    'POST',
    '/workflows',
    learnhookWorkflow({ ...workflow, credential: { id: credential.body.id, name: 'Learnhook sandbox' } }),
  );
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  const activated = await n8nApi(n8n, 'POST', `/workflows/${created.body.id}/activate`);
  expect(activated.status, JSON.stringify(activated.body)).toBe(200);
  return created.body.id;
}
