import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { freePort, sleep } from '@learnhook/core/testing';
import { installCommunityPackage, type N8nProcess, n8nApi, n8nDir, n8nUnavailable, setUpOwner, startN8n } from '../../lib/n8n.ts';
import { tempDir } from './processes.ts';
import { followProgress } from './stats.ts';

/**
 * Where the bench looks for a real n8n (rows 3 and 7): the one cache folder the project uses
 * (test/lib/n8n.ts; n8n-node/scripts/install-n8n.mjs installs it there, LEARNHOOK_N8N_DIR
 * overrides it): ~/.cache/learnhook/n8n-<version>/node_modules/.bin/n8n.
 */
export const N8N_BIN = path.join(n8nDir, 'node_modules', '.bin', 'n8n');

export const N8N_MISSING = 'skipped: n8n not installed (see the n8n-node issue)';

/** The n8n binary, or null when none is cached. */
export function cachedN8n(): string | null {
  return existsSync(N8N_BIN) && existsSync(path.join(n8nDir, '.learnhook-installed')) ? N8N_BIN : null;
}

/** n8n processes still running: killed if the bench exits early (an --only run, a crash). */
const running = new Set<number>();
process.once('exit', () => {
  for (const pid of running) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

export interface BenchN8n {
  url: string;
  apiKey: string;
  /** Whether the learnhook community node (n8n-node/dist) was loaded into this n8n. */
  community: boolean;
  process: N8nProcess;
  stop(): Promise<void>;
}

/**
 * A real n8n (test/lib/n8n.ts: headless, loopback, sqlite, its own temporary user folder),
 * owner set up, a public-API key made; with the learnhook community node when it is built.
 */
export async function startBenchN8n(): Promise<BenchN8n> {
  const userFolder = tempDir('n8n');
  const community = n8nUnavailable() === null;
  if (community) installCommunityPackage(userFolder);
  const child = await startN8n(userFolder, await freePort());
  if (child.pid !== undefined) running.add(child.pid);
  const stop = async () => {
    await child.stop();
    if (child.pid !== undefined) running.delete(child.pid);
  };
  try {
    const apiKey = await setUpOwner(child.url);
    return { url: child.url, apiKey, community, process: child, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * An n8n Webhook node (POST, answers as soon as the request is received). Its path parameter is
 * the whole path (isFullPath): it listens at /webhook/<path>, here /webhook/bench-<webhookId>.
 */
export const webhookPath = (webhookId: string) => `/webhook/bench-${webhookId}`;

export function webhookNode(webhookId: string) {
  return {
    id: randomUUID(),
    name: 'Webhook',
    type: 'n8n-nodes-base.webhook',
    typeVersion: 2,
    position: [0, 0],
    webhookId,
    parameters: { httpMethod: 'POST', path: `bench-${webhookId}`, responseMode: 'onReceived', options: {} },
  };
}

const noOpNode = () => ({ id: randomUUID(), name: 'No Operation', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [220, 0], parameters: {} });

/** Creates a workflow of `trigger` -> NoOp, activates it and waits until n8n says it is active. */
export async function activeWorkflow(n8n: BenchN8n, name: string, trigger: Record<string, unknown>): Promise<string> {
  const created = await n8nApi(n8n, 'POST', '/workflows', {
    name,
    nodes: [trigger, noOpNode()],
    connections: { [String(trigger.name)]: { main: [[{ node: 'No Operation', type: 'main', index: 0 }]] } },
    settings: { saveDataSuccessExecution: 'all', saveDataErrorExecution: 'all', executionOrder: 'v1' },
  });
  if (created.status !== 200) throw new Error(`creating the n8n workflow answered ${created.status}: ${JSON.stringify(created.body)}`);
  const id = String(created.body.id);
  const activated = await n8nApi(n8n, 'POST', `/workflows/${id}/activate`);
  if (activated.status !== 200) throw new Error(`activating the n8n workflow answered ${activated.status}: ${JSON.stringify(activated.body)}`);
  const deadline = Date.now() + 20_000;
  for (;;) {
    const got = await n8nApi(n8n, 'GET', `/workflows/${id}`);
    if (got.body?.active === true) break;
    if (Date.now() > deadline) throw new Error('the n8n workflow did not become active in 20 s');
    await sleep(250);
  }
  await sleep(500);
  return id;
}

export interface ExecutionCount {
  total: number;
  finished: number;
  success: number;
  /** Latest stoppedAt over the finished executions, epoch ms (NaN when none). */
  lastStoppedAt: number;
}

/** Counts a workflow's executions through n8n's public API (paging 250 at a time). */
export async function countExecutions(n8n: BenchN8n, workflowId: string): Promise<ExecutionCount> {
  const count: ExecutionCount = { total: 0, finished: 0, success: 0, lastStoppedAt: Number.NaN };
  let cursor: string | undefined;
  for (let page = 0; page < 1_000; page++) {
    const answer = await n8nApi<{ data?: Array<{ status?: string; stoppedAt?: string | null }>; nextCursor?: string | null }>(
      n8n,
      'GET',
      `/executions?workflowId=${workflowId}&limit=250${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    if (answer.status !== 200) throw new Error(`listing n8n executions answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 200)}`);
    for (const execution of answer.body?.data ?? []) {
      count.total++;
      if (execution.status === 'success') count.success++;
      if (execution.stoppedAt) {
        count.finished++;
        const at = Date.parse(execution.stoppedAt);
        if (!(at <= count.lastStoppedAt)) count.lastStoppedAt = at;
      }
    }
    cursor = answer.body?.nextCursor ?? undefined;
    if (!cursor) break;
  }
  return count;
}

/** Polls countExecutions until `expected` finished, the count stops moving for `quietMs`, or `timeoutMs` passes. */
export async function waitForExecutions(
  n8n: BenchN8n,
  workflowId: string,
  expected: number,
  timeoutMs: number,
  quietMs = 10_000,
): Promise<ExecutionCount & { timedOut: boolean }> {
  const { last, timedOut } = await followProgress({
    read: () => countExecutions(n8n, workflowId),
    done: (count) => count.finished >= expected,
    same: (a, b) => a.finished === b.finished && a.total === b.total,
    timeoutMs,
    quietMs,
  });
  return { ...last, timedOut };
}
