import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Where n8n-node/scripts/install-n8n.mjs puts a real n8n (outside the repo, cached between runs). */
export const N8N_VERSION = '2.40.7';
export const n8nDir =
  process.env.LEARNHOOK_N8N_DIR ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'learnhook', `n8n-${N8N_VERSION}`);
const n8nBin = path.join(n8nDir, 'node_modules', 'n8n', 'bin', 'n8n');
const repoRoot = path.resolve(import.meta.dirname, '..', '..');

/** Why the real-n8n test cannot run here, or null when it can. */
export function n8nUnavailable(): string | null {
  if (!existsSync(path.join(n8nDir, '.learnhook-installed')))
    return `n8n ${N8N_VERSION} is not installed in ${n8nDir}; run node n8n-node/scripts/install-n8n.mjs`;
  if (!existsSync(path.join(repoRoot, 'n8n-node', 'dist', 'nodes', 'Learnhook', 'LearnhookTrigger.node.js')))
    return 'n8n-node is not built; run npm run build -w n8n-node';
  if (Number(process.versions.node.split('.')[0]) < 24) return `n8n 2.x needs Node 24; this is ${process.version}`;
  return null;
}

/** Loads the built package as n8n loads a community node installed from the UI. */
export function installCommunityPackage(userFolder: string): void {
  const target = path.join(userFolder, '.n8n', 'nodes', 'node_modules', 'n8n-nodes-learnhook');
  mkdirSync(target, { recursive: true });
  cpSync(path.join(repoRoot, 'n8n-node', 'package.json'), path.join(target, 'package.json'));
  cpSync(path.join(repoRoot, 'n8n-node', 'dist'), path.join(target, 'dist'), { recursive: true });
}

export interface N8nProcess {
  url: string;
  logs: string[];
  /** The n8n process id (the bench kills it if it exits early). */
  pid: number | undefined;
  stop(): Promise<void>;
}

/** n8n headless on loopback with sqlite in `userFolder`; resolves once /healthz/readiness answers 200. */
export async function startN8n(userFolder: string, port: number): Promise<N8nProcess> {
  const url = `http://127.0.0.1:${port}`;
  const logs: string[] = [];
  const child: ChildProcess = spawn(process.execPath, [n8nBin, 'start'], {
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
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`n8n exited with ${child.exitCode}:\n${logs.join('').slice(-3000)}`);
    const ready = await fetch(`${url}/healthz/readiness`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return { url, logs, pid: child.pid, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`n8n did not get ready in 60 s:\n${logs.join('').slice(-3000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Owner account and a public-API key with every scope, through n8n's REST API. */
export async function setUpOwner(url: string): Promise<string> {
  const json = { 'content-type': 'application/json' };
  const owner = { email: 'owner@example.com', firstName: 'Ada', lastName: 'Owner', password: 'Passw0rd-learnhook' };
  const setup = await fetch(`${url}/rest/owner/setup`, { method: 'POST', headers: json, body: JSON.stringify(owner) });
  if (!setup.ok) throw new Error(`owner setup: ${setup.status} ${await setup.text()}`);
  const login = await fetch(`${url}/rest/login`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ emailOrLdapLoginId: owner.email, password: owner.password }),
  });
  if (!login.ok) throw new Error(`login: ${login.status} ${await login.text()}`);
  const cookie = login.headers
    .getSetCookie()
    .map((value) => value.split(';')[0])
    .join('; ');
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
