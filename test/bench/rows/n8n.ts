import { randomUUID } from 'node:crypto';
import { demoData, wireRequest } from '@learnhook/core';
import { sleep } from '@learnhook/core/testing';
import { n8nApi } from '../../lib/n8n.ts';
import { learn365Requests } from '../lib/bodies.ts';
import { EVENT, lmsSender } from '../lib/lms-sender.ts';
import { closedLoad, openLoad } from '../lib/load.ts';
import {
  activeWorkflow,
  type BenchN8n,
  cachedN8n,
  type ExecutionCount,
  N8N_BIN,
  N8N_MISSING,
  startBenchN8n,
  waitForExecutions,
  webhookNode,
  webhookPath,
} from '../lib/n8n.ts';
import { startSandboxChild } from '../lib/processes.ts';
import { judge, type Row, type RowContext, type RowResult } from '../lib/report.ts';
import { fmt, followProgress } from '../lib/stats.ts';
import { ceilingAndIngest } from '../lib/throughput.ts';

/**
 * Rows 3 and 7 drive a real n8n (test/lib/n8n.ts: n8n 2.40.7 headless on loopback, sqlite, in
 * a temporary folder). Without one at N8N_BIN they say so; if n8n itself breaks (will not start,
 * refuses the workflow) the row is reported as skipped with the reason, never failing the bench.
 */
type Outcome = Omit<RowResult, 'row' | 'title' | 'target' | 'seconds'>;

function skipped(verdict: string, notes: string[] = []): Outcome {
  return { status: 'skipped', result: 'n/a', verdict, metrics: { n8n_bin: N8N_BIN, n8n_found: cachedN8n() !== null }, notes };
}

async function withN8n(run: (n8n: BenchN8n) => Promise<Outcome>): Promise<Outcome> {
  if (!cachedN8n()) return skipped(N8N_MISSING);
  let n8n: BenchN8n | null = null;
  try {
    n8n = await startBenchN8n();
    return await run(n8n);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return skipped(`skipped: driving n8n failed: ${message.split('\n')[0] ?? ''}`, [message.slice(0, 2_000)]);
  } finally {
    await n8n?.stop();
  }
}

/** Row 2's events/s from this run, or measured now (an --only run without row 2). */
async function ingestRate({ quick, done, log }: RowContext): Promise<number> {
  const row2 = done.find((row) => row.row === 2);
  const rate = Number(row2?.metrics.events_per_s);
  if (Number.isFinite(rate) && rate > 0) return rate;
  log('  row 2 was not run: measuring learnhook ingest first ...');
  return (await ceilingAndIngest(quick, log)).ingest.okPerSecond;
}

const PEER_CONNECTIONS = 10;
const PEER_TARGET = 100;

export const n8nPeerRow: Row = {
  row: 3,
  title: "Peer: same load on n8n's Webhook node",
  target: `learnhook / n8n >= ${PEER_TARGET}x`,
  run: (context) =>
    withN8n(async (n8n) => {
      const { quick, log } = context;
      const seconds = quick ? 10 : 30;
      const webhookId = randomUUID();
      await activeWorkflow(n8n, 'bench peer', webhookNode(webhookId));
      const factory = learn365Requests({ secret: 'a-learn365-secret-of-32-characters-or-more' }, '');
      const next = () => ({ ...factory.next(), path: webhookPath(webhookId) });
      log(`  n8n ${n8n.url}: 2 s warm-up, then ${seconds} s at ${PEER_CONNECTIONS} connections (row 2 uses 50) ...`);
      await closedLoad({ url: n8n.url, connections: PEER_CONNECTIONS, durationSeconds: 2, next });
      const run = await closedLoad({ url: n8n.url, connections: PEER_CONNECTIONS, durationSeconds: seconds, next });
      if (run.ok === 0) throw new Error(`n8n's Webhook node answered no 2xx (${run.non2xx} non-2xx, ${run.errors} errors)`);
      const learnhook = await ingestRate(context);
      const ratio = learnhook / run.okPerSecond;
      const { status, verdict } = judge(Math.round(ratio * 10) / 10, PEER_TARGET, 'higher', 'x');
      return {
        status,
        verdict,
        result: `n8n ${fmt(run.okPerSecond)} req/s, p50 ${run.p50Ms} ms, p99 ${run.p99Ms} ms, ${fmt(run.non2xx)} non-2xx, ${fmt(run.errors + run.timeouts)} errors; learnhook / n8n ${fmt(ratio, 1)}x`,
        metrics: {
          n8n_req_per_s: Math.round(run.okPerSecond * 10) / 10,
          n8n_p50_ms: run.p50Ms,
          n8n_p99_ms: run.p99Ms,
          n8n_ok: run.ok,
          n8n_non2xx: run.non2xx,
          n8n_errors: run.errors,
          n8n_timeouts: run.timeouts,
          learnhook_events_per_s: Math.round(learnhook),
          ratio: Math.round(ratio * 10) / 10,
          connections: PEER_CONNECTIONS,
          seconds,
          body_bytes: factory.bodyBytes,
        },
        notes: [
          `n8n 2.40.7 (sqlite, default execution saving) with a workflow of its Webhook node (POST, responseMode onReceived) and a NoOp; the same Learn365 body as row 2 (${factory.bodyBytes} bytes), ${PEER_CONNECTIONS} connections (row 2: 50) for ${seconds} s after a 2 s warm-up; ratio = row 2's events/s over n8n's 2xx/s.`,
        ],
      };
    }),
};

interface BurstPath {
  offered: number;
  refused: number;
  executions: number;
  finished: number;
  lost: number;
  lastExecutionSeconds: number;
  timedOut: boolean;
  extra: string;
}

/** One path's outcome: what was offered, what n8n executed, and when the last execution ended. */
function burstPath(
  total: number,
  sent: { offered: number; failed: number; notOffered: number },
  count: ExecutionCount & { timedOut: boolean },
  startedAt: number,
  extra: string,
): BurstPath {
  return {
    offered: sent.offered,
    refused: sent.failed + sent.notOffered,
    executions: count.total,
    finished: count.finished,
    lost: total - count.finished,
    lastExecutionSeconds: (count.lastStoppedAt - startedAt) / 1000,
    timedOut: count.timedOut,
    extra,
  };
}

const BURST_RATE = 500;
/** A drain that moved for none of this long has stopped: what is left will not come. */
const STALLED_MS = 30_000;

export const n8nBurstRow: Row = {
  row: 7,
  title: 'Burst into n8n',
  target: 'n8n not buried (adaptive in-flight): 0 lost through learnhook',
  run: ({ quick, log }) =>
    withN8n(async (n8n) => {
      // n8n executes 10-40 webhook workflows/s on a 2-core machine (10-15 on a slow one), so 1,000
      // events take over a minute per path to drain: --quick offers 150 to keep the whole quick
      // bench under 3 minutes.
      const total = quick ? 150 : 5_000;
      const waitMs = quick ? 60_000 : 180_000;
      // n8n's pace on this machine (8-40 executions/s) takes up to ten minutes for 5,000: an event
      // still queued in learnhook when the wait ends is not lost, but only its delivery shows it.
      const drainMs = quick ? 120_000 : 900_000;
      const durationMs = (total / BURST_RATE) * 1000;
      const data = demoData();
      const sandbox = await startSandboxChild({}, { LEARNHOOK_ALLOW_PRIVATE_TARGETS: 'true' });
      try {
        const target = sandbox.info.targets.absorb;
        if (!target) throw new Error('the sandbox has no absorb connection');

        // 1. Straight at n8n's Webhook node: the LMS's own requests, paced at 500/s.
        const directId = randomUUID();
        const directWorkflow = await activeWorkflow(n8n, 'bench burst direct', webhookNode(directId));
        const directUrl = n8n.url + webhookPath(directId);
        let refused = 0;
        let timeouts = 0;
        let sequence = 0;
        log(`  ${fmt(total)} events at ${BURST_RATE}/s straight at n8n's Webhook node ...`);
        const directStart = Date.now();
        const direct = await openLoad({
          rate: BURST_RATE,
          durationMs,
          maxInFlight: 1_000,
          send: async (index) => {
            const user = data.users[index % data.users.length];
            const course = data.courses[(index * 7) % data.courses.length];
            if (!user || !course) throw new Error('no sandbox data');
            const wire = wireRequest(
              'absorb',
              EVENT,
              { user, course, enrollment: null, data, sequence: 2_000_000 + ++sequence, at: new Date() },
              target.inbound,
            );
            const answer = await fetch(directUrl, { method: 'POST', headers: wire.headers, body: wire.body, signal: AbortSignal.timeout(30_000) }).catch(
              (error: unknown) => {
                if (error instanceof Error && error.name === 'TimeoutError') timeouts++;
                throw error;
              },
            );
            await answer.arrayBuffer();
            if (answer.status < 200 || answer.status > 299) {
              refused++;
              throw new Error(`n8n answered ${answer.status}`);
            }
          },
        });
        const directCount = await waitForExecutions(n8n, directWorkflow, direct.offered - direct.failed, waitMs);
        const directPath = burstPath(
          total,
          direct,
          directCount,
          directStart,
          `${direct.failed} failed at the sender (${refused} non-2xx, ${timeouts} unanswered after 30 s, ${direct.failed - refused - timeouts} connection errors), ${direct.notOffered} not offered (1,000 unanswered)`,
        );

        // 2. Through learnhook: the same events to the sandbox hub's ingest, delivered to n8n.
        const viaId = randomUUID();
        let trigger: Record<string, unknown>;
        let how: string;
        if (n8n.community) {
          const credential = await n8nApi(n8n, 'POST', '/credentials', {
            name: 'Learnhook bench',
            type: 'learnhookApi',
            data: { hubUrl: sandbox.info.url, apiKey: sandbox.info.apiKey },
          });
          if (credential.status !== 200) throw new Error(`creating the learnhook credential answered ${credential.status}: ${JSON.stringify(credential.body)}`);
          trigger = {
            id: randomUUID(),
            name: 'Learnhook Trigger',
            type: 'n8n-nodes-learnhook.learnhookTrigger',
            typeVersion: 1,
            position: [0, 0],
            webhookId: viaId,
            parameters: { events: ['*'], courseId: '', options: {} },
            credentials: { learnhookApi: { id: credential.body.id, name: 'Learnhook bench' } },
          };
          how = 'the learnhook Trigger node (community package; it subscribes itself and checks signatures)';
        } else {
          trigger = webhookNode(viaId);
          how = "n8n's Webhook node, subscribed on the hub as a plain hook (the community node is not built)";
        }
        const viaWorkflow = await activeWorkflow(n8n, 'bench burst via learnhook', trigger);
        if (n8n.community) {
          const deadline = Date.now() + 15_000;
          for (;;) {
            const hooks = await sandbox.api<{ data: Array<{ url: string }> }>('GET', '/v1/hooks?limit=100');
            if (hooks.body.data.some((hook) => hook.url.includes(viaId))) break;
            if (Date.now() > deadline) throw new Error('the learnhook Trigger did not subscribe in 15 s');
            await sleep(250);
          }
        } else {
          const created = await sandbox.api('POST', '/v1/hooks', { url: n8n.url + webhookPath(viaId), events: ['*'] });
          if (created.status !== 201) throw new Error(`subscribing n8n answered ${created.status}: ${JSON.stringify(created.body)}`);
        }
        const sender = lmsSender(target, data);
        log(`  ${fmt(total)} events at ${BURST_RATE}/s through learnhook into n8n ...`);
        const viaStart = Date.now();
        const via = await openLoad({ rate: BURST_RATE, durationMs, maxInFlight: 1_000, send: (index) => sender.send(index, index * 7) });
        sender.close();
        const accepted = via.offered - via.failed;
        // The hub's own count of deliveries n8n took, instead of paging through n8n's executions
        // every second (20 pages of 250 at 5,000), which loads the n8n being measured; its
        // executions are counted once they are all in.
        log(`  waiting for learnhook to deliver them at n8n's pace (at most ${fmt(drainMs / 60_000)} min) ...`);
        await followProgress({
          read: () => sandbox.counter('learnhook_delivery_attempts_total', { outcome: 'succeeded' }),
          done: (succeeded) => succeeded >= accepted,
          same: (a, b) => a === b,
          timeoutMs: drainMs,
          quietMs: STALLED_MS,
        });
        const viaCount = await waitForExecutions(n8n, viaWorkflow, accepted, waitMs);
        const succeeded = await sandbox.counter('learnhook_delivery_attempts_total', { outcome: 'succeeded' });
        const retries = await sandbox.counter('learnhook_delivery_attempts_total', { outcome: 'retry' });
        const failed =
          (await sandbox.counter('learnhook_delivery_attempts_total', { outcome: 'failed' })) +
          (await sandbox.counter('learnhook_delivery_attempts_total', { outcome: 'gone' }));
        const viaPath = burstPath(
          total,
          via,
          viaCount,
          viaStart,
          `${via.failed} refused at ingest, ${fmt(succeeded)} deliveries succeeded, ${fmt(accepted - succeeded)} not succeeded, ${fmt(retries)} retried attempts, ${fmt(failed)} failed/gone`,
        );

        const cell = (label: string, p: BurstPath) =>
          `${label} ${fmt(p.finished)}/${fmt(total)} executions, ${fmt(p.lost)} without one, ${fmt(p.refused)} failed at the sender, last at ${Number.isFinite(p.lastExecutionSeconds) ? `${fmt(p.lastExecutionSeconds, 1)} s` : 'n/a'}${p.timedOut ? ' (wait timed out)' : ''}`;
        const status = viaPath.lost === 0 ? 'met' : 'missed';
        return {
          status,
          verdict: status === 'met' ? 'met' : `missed: ${fmt(viaPath.lost)} lost through learnhook`,
          result: `${cell('direct:', directPath)}; ${cell('via learnhook:', viaPath)}`,
          metrics: {
            events: total,
            rate_per_s: BURST_RATE,
            direct_executions: directPath.finished,
            direct_lost: directPath.lost,
            direct_refused: directPath.refused,
            direct_sender_timeouts: timeouts,
            direct_last_execution_s: Math.round(directPath.lastExecutionSeconds * 10) / 10,
            via_executions: viaPath.finished,
            via_lost: viaPath.lost,
            via_refused: viaPath.refused,
            via_deliveries_succeeded: succeeded,
            via_delivery_retries: retries,
            via_last_execution_s: Math.round(viaPath.lastExecutionSeconds * 10) / 10,
            wait_limit_s: waitMs / 1000,
            drain_limit_s: drainMs / 1000,
            learnhook_trigger: n8n.community,
          },
          notes: [
            `${fmt(total)} lean Absorb "${EVENT}" events paced at ${BURST_RATE}/s (at most 1,000 unanswered), once straight at a workflow of n8n's Webhook node + NoOp, once to the sandbox hub's ingest with ${how} + NoOp in a second workflow of the same n8n. Executions counted through n8n's public API (finished ones), waiting at most ${waitMs / 1000} s (through learnhook: first until the hub's deliveries to n8n succeeded, at most ${drainMs / 60_000} min, or stopped moving for ${STALLED_MS / 1000} s); "last at" is the last execution's stoppedAt from the first send.`,
            `Direct: ${directPath.extra}. Via learnhook: ${viaPath.extra}.`,
          ],
        };
      } finally {
        await sandbox.stop();
      }
    }),
};
