import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { HUB_NODE_FLAGS } from '@learnhook/core';
import { callApi } from '@learnhook/core/testing';

/** The servers under test run as their own processes: the bench process only generates load and receives deliveries. */

export const ROOT = path.resolve(import.meta.dirname, '../../..');
export const CLI = path.join(ROOT, 'core/src/cli.ts');
const SERVERS = path.resolve(import.meta.dirname, '../servers');

export interface Child {
  /** What the ready line named: a URL, or a JSON document after "bench-ready". */
  ready: string;
  child: ChildProcess;
  output: string[];
  /** Current and peak resident memory of the process (MB), from /proc. */
  memory(): { rssMb: number; peakMb: number };
  stop(): Promise<void>;
}

const dirs = new Set<string>();

/** A fresh temporary folder, removed when its server stops or the bench exits. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `learnhook-bench-${prefix}-`));
  dirs.add(dir);
  return dir;
}

function memoryOf(pid: number | undefined): { rssMb: number; peakMb: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? Number.NaN);
    return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
  } catch {
    return { rssMb: Number.NaN, peakMb: Number.NaN };
  }
}

/** Every child still running: killed if the bench itself stops early (Ctrl-C, a crash). */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const child of live) child.kill('SIGKILL');
    process.exit(130);
  });
}

/** Spawns `node <args>` and resolves once a line matches `ready` (its first group is answered). */
export function startChild(args: string[], env: Record<string, string>, ready: RegExp, timeoutMs = 30_000): Promise<Child> {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  live.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => live.delete(child));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args.join(' ')} did not start:\n${output.slice(-20).join('\n')}`));
    }, timeoutMs);
    let resolved = false;
    for (const stream of [child.stdout, child.stderr]) {
      readline.createInterface({ input: stream }).on('line', (line) => {
        if (output.length < 2_000) output.push(line);
        const match = resolved ? null : ready.exec(line);
        if (match?.[1] === undefined) return;
        resolved = true;
        clearTimeout(timer);
        resolve({
          ready: match[1],
          child,
          output,
          memory: () => memoryOf(child.pid),
          async stop() {
            if (child.exitCode === null && child.signalCode === null) {
              child.kill('SIGTERM');
              const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
              await exited;
              clearTimeout(killer);
            }
          },
        });
      });
    }
    void exited.then(() => {
      clearTimeout(timer);
      if (!resolved) reject(new Error(`${args.join(' ')} exited before it was ready:\n${output.slice(-20).join('\n')}`));
    });
  });
}

const LISTENING = /listening on (http:\/\/[\w.:[\]-]+)/;

export const startBare = () => startChild([path.join(SERVERS, 'bare.ts')], {}, LISTENING);
export const startDurableFloor = () => startChild([path.join(SERVERS, 'durable-floor.ts')], {}, LISTENING);

export const ADMIN_KEY = 'bench-admin-key-0123456789abcdef';

export interface HubChild extends Child {
  url: string;
  dataDir: string;
  /** The hub's embedded store (LEARNHOOK_DATA), for CLI commands run beside it. */
  dataFile: string;
  /** Calls the hub's API with the admin key. */
  api<T>(method: string, route: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** A Prometheus counter's total over all its label sets. */
  counter(name: string, labels?: Record<string, string>): Promise<number>;
}

/** The child's stop, then its data folder removed (a 200,000-event store is most of a GB). */
function stopAndClean(child: Child, dataDir: string): () => Promise<void> {
  return async () => {
    await child.stop();
    rmSync(dataDir, { recursive: true, force: true });
    dirs.delete(dataDir);
  };
}

function withApi(child: Child, url: string, key: string, dataDir: string, dataFile: string): HubChild {
  return {
    ...child,
    stop: stopAndClean(child, dataDir),
    url,
    dataDir,
    dataFile,
    api: <T>(method: string, route: string, body?: unknown) => callApi<T>(url, method, route, body, key),
    async counter(name, labels = {}) {
      const text = await (await fetch(`${url}/metrics`)).text();
      let total = 0;
      for (const line of text.split('\n')) {
        if (!line.startsWith(name)) continue;
        const match = /^(\w+)(?:\{([^}]*)\})? ([\d.e+-]+)$/.exec(line);
        if (!match || match[1] !== name) continue;
        const have = Object.fromEntries(
          (match[2] ?? '')
            .split(',')
            .filter(Boolean)
            .map((pair) => {
              const [key = '', value = ''] = pair.split('=');
              return [key, value.replace(/^"|"$/g, '')];
            }),
        );
        if (Object.entries(labels).every(([key, value]) => have[key] === value)) total += Number(match[3]);
      }
      return total;
    },
  };
}

/**
 * `learnhook serve` as `npm start` runs it (the real CLI, the embedded store with its real
 * durability settings), on a free loopback port. `nodeOptions` reaches the child (e.g. --cpu-prof).
 */
export async function startHub(env: Record<string, string> = {}, nodeOptions = ''): Promise<HubChild> {
  const dataDir = tempDir('hub');
  const dataFile = env.LEARNHOOK_DATA ?? path.join(dataDir, 'learnhook.db');
  const child = await startChild(
    [...HUB_NODE_FLAGS, CLI, 'serve'],
    {
      PORT: '0',
      HOST: '127.0.0.1',
      LEARNHOOK_DATA: dataFile,
      LEARNHOOK_API_KEY: ADMIN_KEY,
      LEARNHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      LEARNHOOK_RATE_LIMIT: '1000000',
      ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
      ...env,
    },
    LISTENING,
  );
  return withApi(child, child.ready, ADMIN_KEY, dataDir, dataFile);
}

export interface SandboxInfo {
  url: string;
  lms: string;
  apiKey: string;
  targets: Record<string, { name: string; ingestUrl: string; inbound: Record<string, unknown> }>;
}

/** The sandbox (hub + LMS emulator) in its own process; `users`/`courses` size its organisation. */
export async function startSandboxChild(
  size: { users?: number; courses?: number } = {},
  env: Record<string, string> = {},
): Promise<HubChild & { info: SandboxInfo }> {
  const dir = tempDir('sandbox');
  const child = await startChild(
    [...HUB_NODE_FLAGS, path.join(SERVERS, 'sandbox.ts')],
    { BENCH_DIR: dir, BENCH_USERS: String(size.users ?? 0), BENCH_COURSES: String(size.courses ?? 0), ...env },
    /^bench-ready (.*)$/,
    60_000,
  );
  const info = JSON.parse(child.ready) as SandboxInfo;
  // The sandbox session keeps its hub's store as hub.db in its folder (sandbox/session.ts).
  return { ...withApi(child, info.url, info.apiKey, dir, path.join(dir, 'hub.db')), info };
}
