import { statSync } from 'node:fs';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { type PaceOptions, pacer } from './paced-batches.ts';
import type { PrunedRows, RetentionCandidate, Store } from './store.ts';

/**
 * Retention (issue 17 §1, DESIGN §9): events, the raw requests they came in with, their deliveries
 * and attempts go once older than their connection's window (LEARNHOOK_RETENTION_DAYS, or the
 * connection's retention_days); the audit log and the hourly activity counts keep a longer one
 * (LEARNHOOK_AUDIT_RETENTION_DAYS). What is still owed is never pruned: an event not yet fanned
 * out, or with a delivery pending or in flight, keeps itself and its request however old.
 *
 * A pass walks each connection's requests oldest first in batches; each batch is one short
 * transaction (on the embedded store, one write in the group commit ingest uses), with a pause
 * between batches, so ingest never waits behind a long delete. Deciding what a batch prunes is
 * pure (planBatch); the store calls are at the edge.
 */

export const DAY_MS = 86_400_000;

/** The oldest receive time a connection keeps, or null when it keeps everything. */
export function cutoffFor(days: number | null, defaultDays: number, now: number): number | null {
  const window = days ?? defaultDays;
  return window > 0 ? now - window * DAY_MS : null;
}

export interface BatchPlan {
  /** Requests to prune: older than the cutoff and not owed. */
  prune: number[];
  /** Requests older than the cutoff kept because an event of them is still owed. */
  owed: number;
  /** Where the next batch starts (the last request this one looked at). */
  after: number;
  /** Nothing further in this connection can be old enough: the walk reached the cutoff or the end. */
  done: boolean;
}

/**
 * What one batch of a connection's requests (oldest first, as read) prunes. Requests arrive in
 * seq order, which is receive order, so the first one young enough ends the walk: what follows
 * is younger still.
 */
export function planBatch(rows: readonly RetentionCandidate[], cutoff: number, limit: number, after: number): BatchPlan {
  const plan: BatchPlan = { prune: [], owed: 0, after, done: rows.length < limit };
  for (const row of rows) {
    if (row.received_at >= cutoff) return { ...plan, done: true };
    if (row.owed) plan.owed += 1;
    else plan.prune.push(row.seq);
    plan.after = row.seq;
  }
  return plan;
}

/** Pacing (paced-batches.ts): the writer's breathing room for ingest between batches, and pruning's share of real time. */
export interface RetentionOptions extends PaceOptions {
  store: Store;
  /** The hub's clock; tests and the bench compress time through it. */
  now: () => number;
  /** LEARNHOOK_RETENTION_DAYS; 0 keeps everything. */
  days: number;
  /** LEARNHOOK_AUDIT_RETENTION_DAYS, for the audit log and activity counts; 0 keeps them. */
  auditDays: number;
  metrics?: Metrics | undefined;
  logger?: Logger | undefined;
  /** Real time between passes (default 10 minutes). */
  intervalMs?: number | undefined;
  /** Requests per transaction (default 500). */
  batchSize?: number | undefined;
}

export interface PassResult extends PrunedRows {
  audit: number;
  activity: number;
  /** Requests past their window kept because something of them is still owed. */
  owed: number;
  /** Transactions the pass made. */
  batches: number;
}

export interface Retention {
  /** One pass over everything now; resolves when it is done (or stopped). */
  runPass(): Promise<PassResult>;
  /** Runs a pass at once, then one every interval. */
  start(): void;
  /** Stops scheduling and ends the running pass after its current batch. */
  stop(): Promise<void>;
}

const PRUNED_TABLES = ['raw_requests', 'events', 'deliveries', 'attempts', 'audit', 'activity'] as const;

export function createRetention(options: RetentionOptions): Retention {
  const { store, now, metrics, logger } = options;
  const intervalMs = options.intervalMs ?? 600_000;
  const batchSize = options.batchSize ?? 500;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<PassResult> | null = null;

  const pause = pacer(options);

  /** Deletes batches of the oldest rows of a table through `prune` until one comes back short. */
  async function pruneOldest(prune: (limit: number) => Promise<number>, result: PassResult): Promise<number> {
    let total = 0;
    while (!stopped) {
      const started = performance.now();
      const deleted = await prune(batchSize);
      result.batches += 1;
      total += deleted;
      if (deleted < batchSize) break;
      await pause(started);
    }
    return total;
  }

  async function pass(): Promise<PassResult> {
    const at = now();
    const started = performance.now();
    const result: PassResult = { raw_requests: 0, events: 0, deliveries: 0, attempts: 0, audit: 0, activity: 0, owed: 0, batches: 0 };
    for (const scope of await store.retention.scopes()) {
      const cutoff = cutoffFor(scope.retention_days, options.days, at);
      if (cutoff === null) continue;
      let after = 0;
      while (!stopped) {
        const batchStarted = performance.now();
        const plan = planBatch(await store.retention.candidates(scope.connection_id, after, batchSize), cutoff, batchSize, after);
        result.owed += plan.owed;
        if (plan.prune.length > 0) {
          const pruned = await store.retention.pruneRequests(plan.prune);
          result.batches += 1;
          for (const table of ['raw_requests', 'events', 'deliveries', 'attempts'] as const) result[table] += pruned[table];
        }
        if (plan.done) break;
        after = plan.after;
        await pause(batchStarted);
      }
    }
    const auditCutoff = cutoffFor(null, options.auditDays, at);
    if (auditCutoff !== null) {
      result.audit = await pruneOldest((limit) => store.retention.pruneAudit(auditCutoff, limit), result);
      result.activity = await pruneOldest((limit) => store.retention.pruneActivity(auditCutoff, limit), result);
    }
    if (metrics) {
      for (const table of PRUNED_TABLES) if (result[table] > 0) metrics.retentionPruned.inc({ table }, result[table]);
      metrics.retentionOwed.set(result.owed);
      metrics.retentionLastPass.set(Math.round(at / 1000));
      metrics.retentionPassSeconds.set((performance.now() - started) / 1000);
    }
    if (result.events + result.raw_requests + result.audit > 0 || result.owed > 0) {
      logger?.info({ retention: result }, `retention: pruned ${result.events} events and ${result.raw_requests} requests past their window`);
    }
    return result;
  }

  function runPass(): Promise<PassResult> {
    running ??= pass().finally(() => {
      running = null;
    });
    return running;
  }

  function schedule(delayMs: number): void {
    if (stopped) return;
    timer = setTimeout(() => {
      runPass()
        .catch((error: unknown) => logger?.warn({ err: error }, 'retention: a pass failed; the next one tries again'))
        .finally(() => schedule(intervalMs));
    }, delayMs);
    timer.unref();
  }

  return {
    runPass,
    start: () => schedule(0),
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}

/** The embedded store's size on disk: the file and its write-ahead log, which holds the newest pages until a checkpoint. */
export function sqliteFileBytes(file: string): number {
  const size = (name: string) => {
    try {
      return statSync(name).size;
    } catch {
      return 0;
    }
  };
  return size(file) + size(`${file}-wal`);
}
