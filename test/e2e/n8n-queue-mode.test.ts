import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createLogger, type SandboxSession, startSandbox } from '@learnhook/core';
import { dropSchema, eventually, freePort, postgresUnavailable, TEST_DATABASE_URL, testSchemaName, withClient } from '@learnhook/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  activateLearnhookWorkflow,
  installCommunityPackage,
  type N8nProcess,
  n8nApi,
  n8nUnavailable,
  packCommunityPackage,
  setUpOwner,
  startN8n,
} from '../lib/n8n.ts';

/**
 * n8n in queue mode, the setup n8n's docs send to the manual install: a main instance takes the
 * webhook and queues the execution in Redis, a worker runs it. Each has its own user folder and gets
 * the package by the same manual install (npm install of the packed tarball in its `nodes` folder).
 * With it, an LMS event runs on the worker through both nodes; a worker without it fails the
 * execution, which is why the README asks for the install on every worker.
 * Needs n8n (n8n-node/scripts/install-n8n.mjs), PostgreSQL (TEST_DATABASE_URL) and Redis (TEST_REDIS_URL).
 */
const REDIS = new URL(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');

async function redisUnavailable(): Promise<string | null> {
  return await new Promise((resolve) => {
    const socket = net.connect({ host: REDIS.hostname, port: Number(REDIS.port || 6379), timeout: 2000 });
    socket.once('connect', () => {
      socket.end();
      resolve(null);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(`Redis at ${REDIS.host} did not answer`);
    });
    socket.once('error', (error) => resolve(`Redis at ${REDIS.host} is unreachable (${error.message})`));
  });
}

const unavailable = n8nUnavailable() ?? (await postgresUnavailable()) ?? (await redisUnavailable());
if (unavailable) console.warn(`skipping the n8n queue-mode test: ${unavailable}`);

const WEBHOOK_ID = randomUUID();
const schema = testSchemaName('n8n_queue');
const database = new URL(TEST_DATABASE_URL);
/** What main and workers share in queue mode: the database, Redis and (set by startN8n) the encryption key. */
const queueEnv: Record<string, string> = {
  EXECUTIONS_MODE: 'queue',
  QUEUE_BULL_REDIS_HOST: REDIS.hostname,
  QUEUE_BULL_REDIS_PORT: REDIS.port || '6379',
  QUEUE_BULL_PREFIX: `learnhook-e2e-${schema}`,
  DB_TYPE: 'postgresdb',
  DB_POSTGRESDB_HOST: database.hostname,
  DB_POSTGRESDB_PORT: database.port || '5432',
  DB_POSTGRESDB_DATABASE: database.pathname.slice(1),
  DB_POSTGRESDB_USER: decodeURIComponent(database.username),
  DB_POSTGRESDB_PASSWORD: decodeURIComponent(database.password),
  DB_POSTGRESDB_SCHEMA: schema,
};

let session: SandboxSession;
let main: N8nProcess;
let worker: N8nProcess;
let apiKey: string;
let tarball: string;
let workflowId: string;

function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

async function startWorker(userFolder: string): Promise<N8nProcess> {
  return await startN8n(userFolder, await freePort(), { command: 'worker', env: queueEnv });
}

async function hubHooks(): Promise<Array<{ id: string; url: string }>> {
  const response = await fetch(`${session.hub.url}/v1/hooks?limit=100`, { headers: { authorization: `Bearer ${session.apiKey}` } });
  const body = (await response.json()) as { data: Array<{ id: string; url: string }> };
  return body.data.filter((hook) => hook.url === `${main.url}/webhook/${WEBHOOK_ID}/webhook`);
}

async function finishedExecutions(): Promise<any[]> {
  const answer = await n8nApi({ url: main.url, apiKey }, 'GET', `/executions?workflowId=${workflowId}&includeData=true`);
  return (answer.body?.data ?? []).filter((execution: any) => execution.stoppedAt);
}

describe.skipIf(unavailable !== null)('the n8n community package in queue-mode n8n', () => {
  beforeAll(async () => {
    await withClient(null, (client) => client.query(`CREATE SCHEMA "${schema}"`));
    const mainPort = await freePort();
    // The README's private-target note: the hub may deliver to this one n8n, no other private address.
    session = await startSandbox({
      env: { HOST: '127.0.0.1', LEARNHOOK_RATE_LIMIT: '10000', LEARNHOOK_HYDRATION_MAX_WAIT_MS: '2000', LEARNHOOK_ALLOWED_TARGETS: `127.0.0.1:${mainPort}` },
      port: 0,
      dir: tempDir('learnhook-n8n-queue-sandbox-'),
      logger: createLogger({ level: 'silent' }),
      progress: () => {},
    });
    tarball = packCommunityPackage(tempDir('learnhook-n8n-pack-'));
    const mainFolder = tempDir('learnhook-n8n-main-');
    installCommunityPackage(mainFolder, tarball);
    main = await startN8n(mainFolder, mainPort, { env: queueEnv });
    apiKey = await setUpOwner(main.url);
    const workerFolder = tempDir('learnhook-n8n-worker-');
    installCommunityPackage(workerFolder, tarball);
    worker = await startWorker(workerFolder);
  }, 300_000);

  afterAll(async () => {
    await worker?.stop();
    await main?.stop();
    await session?.close();
    await dropSchema(schema);
  }, 60_000);

  it('an LMS event is taken by the main instance and executed by the worker, through the trigger and the action node', async () => {
    workflowId = await activateLearnhookWorkflow(
      { url: main.url, apiKey },
      { url: session.hub.url, apiKey: session.apiKey },
      { name: 'Learnhook queue mode', webhookId: WEBHOOK_ID },
    );
    // Activation subscribes asynchronously: an event sent before the subscription exists reaches no one.
    await eventually(async () => (await hubHooks()).length === 1, 30_000, 'the trigger subscribed on the hub');

    const result = await session.lms.emit({ vendor: 'absorb', event: 'Enrollment Completed by Learner' });
    const [execution] = await eventually(
      async () => {
        const list = await finishedExecutions();
        return list.length > 0 ? list : undefined;
      },
      60_000,
      'a finished execution',
    );
    expect(execution.status).toBe('success');
    const fetched = execution.data.resultData.runData['Get Event'][0].data.main[0][0].json;
    expect(fetched).toMatchObject({ type: 'enrollment.completed', learner: { email: result.user.email } });
    expect(worker.logs.join('')).toContain(`Worker finished execution ${execution.id}`);
  }, 120_000);

  it('a worker without the package fails the execution it picks up', async () => {
    await worker.stop();
    worker = await startWorker(tempDir('learnhook-n8n-bare-worker-'));
    await session.lms.emit({ vendor: 'absorb', event: 'Enrollment Completed by Learner' });
    const list = await eventually(
      async () => {
        const finished = await finishedExecutions();
        return finished.length > 1 ? finished : undefined;
      },
      60_000,
      'a second finished execution',
    );
    const failed = list.find((execution) => execution.status !== 'success');
    expect(failed?.status, JSON.stringify(list.map((execution) => execution.status))).toBe('error');
    // The worker could not load the trigger's or the action node's type: it has no package to load it from.
    expect(JSON.stringify(failed?.data?.resultData?.error ?? null)).toMatch(/n8n-nodes-learnhook\.learnhook/);
  }, 120_000);
});
