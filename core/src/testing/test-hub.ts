import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readConfig } from '../config.ts';
import { type RunningHub, startHub } from '../hub.ts';
import { createLogger } from '../logger.ts';
import { credentialKeys, VENDOR_REGISTRY } from '../vendors/registry.ts';
import { runCli } from './cli.ts';

export const ADMIN_KEY = 'test-admin-key-0123456789';

/** One call to the API of the hub at `baseUrl`, with `key` as the bearer (none when null); answers status and parsed JSON. */
export async function callApi<T = any>(
  baseUrl: string,
  method: string,
  apiPath: string,
  body?: unknown,
  key: string | null = ADMIN_KEY,
): Promise<{ status: number; body: T; headers: Headers }> {
  const headers: Record<string, string> = {};
  if (key !== null) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(baseUrl + apiPath, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

/** What the API answers when it refuses a call (error-handler.ts). */
export interface ApiErrorBody {
  error: { code: string; message: string; details: unknown };
}

/** The fields a 400 invalid_payload answer names, in its order (details.issues[].path). */
export function issuePaths(body: ApiErrorBody): string[] {
  return (body.error.details as { issues: Array<{ path: string }> }).issues.map((issue) => issue.path);
}

export interface TestHub {
  hub: RunningHub;
  url: string;
  dataDir: string;
  /** Calls the API with the admin key (or the given one); answers status and parsed JSON. */
  api<T = any>(method: string, path: string, body?: unknown, key?: string | null): Promise<{ status: number; body: T; headers: Headers }>;
  /** `learnhook keys create ...args` against this hub's store (the running hub accepts the key at once); answers the key. */
  createKey(...args: string[]): Promise<string>;
  close(): Promise<void>;
}

export interface TestHubOptions {
  /** Receives the hub's log lines (pino JSON, level info); without it the hub logs nothing. */
  logDestination?: { write(line: string): void };
  /** The retry schedule in place of the real one (5 s, 5 min, 30 min, ...), so a test sees many retries in seconds. */
  retryDelaysMs?: readonly number[];
  /** The hub's clock, so a test sees days pass (retention) without waiting them. */
  now?: () => number;
  /** Real time between retention passes. */
  retentionIntervalMs?: number;
}

/** A real hub on a free loopback port with its own data folder, in this process. */
export async function startTestHub(
  env: Record<string, string> = {},
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'learnhook-hub-')),
  options: TestHubOptions = {},
): Promise<TestHub> {
  const config = readConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LEARNHOOK_DATA: path.join(dataDir, 'learnhook.db'),
    LEARNHOOK_API_KEY: ADMIN_KEY,
    LEARNHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    LEARNHOOK_RATE_LIMIT: '10000',
    // Tests send many wrong keys on purpose, all from 127.0.0.1.
    LEARNHOOK_AUTH_FAILURE_LIMIT: '100000',
    ...env,
  });
  const logger = options.logDestination
    ? createLogger({ level: 'info', destination: options.logDestination, credentialKeys: credentialKeys() })
    : createLogger({ level: 'silent' });
  const hub = await startHub(config, logger, VENDOR_REGISTRY, {
    retryDelaysMs: options.retryDelaysMs,
    ...(options.now ? { now: options.now } : {}),
    ...(options.retentionIntervalMs ? { retentionIntervalMs: options.retentionIntervalMs } : {}),
  });
  return {
    hub,
    url: hub.url,
    dataDir,
    api: (method, apiPath, body, key) => callApi(hub.url, method, apiPath, body, key),
    async createKey(...args) {
      const { code, stdout, stderr } = await runCli(['keys', 'create', ...args], { env: { LEARNHOOK_DATA: config.LEARNHOOK_DATA } });
      const key = stdout.split('\n')[0];
      if (code !== 0 || !key) throw new Error(`learnhook keys create printed no key: ${stdout}${stderr}`);
      return key;
    },
    close: () => hub.close(),
  };
}

/** Fetches and answers status, headers and the body: parsed JSON, or the text when it is not JSON (metrics, echo). */
export async function fetchAnswer(url: string, init: RequestInit = {}): Promise<{ status: number; headers: Headers; body: unknown }> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: keep the text.
  }
  return { status: response.status, headers: response.headers, body };
}
