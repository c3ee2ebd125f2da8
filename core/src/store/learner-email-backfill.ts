import type { Logger } from '../logger.ts';
import { type PaceOptions, pacer } from './paced-batches.ts';
import type { Store } from './store.ts';

/**
 * Fills the learner_email column of the events a PostgreSQL store held before the column existed
 * (sql/learner-email.ts says why there and not in the migration), in bounded batches paced as
 * retention's are, from start-up until none is left: the hub serves at once, and the filter finds
 * those older events as their batches pass. Processes sharing the store take the batches in turns
 * (the store's range row is locked per batch), so starting several at once splits the work.
 */
export interface LearnerEmailBackfillOptions extends PaceOptions {
  store: Store;
  logger?: Logger | undefined;
  /** Sequence numbers per batch (default 500, as retention's): at most that many events are rewritten in one transaction. */
  span?: number | undefined;
  /** After a failed batch (the store busy or unreachable), real time before the walk goes on (default 1 minute). */
  retryMs?: number | undefined;
}

export interface LearnerEmailBackfill {
  /** Walks to the end (or until stopped); answers how many events it filled. */
  run(): Promise<number>;
  /** Runs in the background, going on after a failure once retryMs has passed. */
  start(): void;
  /** Ends the walk after its current batch. */
  stop(): Promise<void>;
}

export function createLearnerEmailBackfill(options: LearnerEmailBackfillOptions): LearnerEmailBackfill {
  const { store, logger } = options;
  const span = options.span ?? 500;
  const retryMs = options.retryMs ?? 60_000;
  const pause = pacer(options);
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<number> | null = null;

  async function walk(): Promise<number> {
    let total = 0;
    while (!stopped) {
      const started = performance.now();
      const filled = await store.backfillLearnerEmails(span);
      if (filled === null) {
        if (total > 0) logger?.info({ filled: total }, `filled in the learner email of ${total} events stored before the events list indexed it`);
        break;
      }
      total += filled;
      await pause(started);
    }
    return total;
  }

  function run(): Promise<number> {
    running ??= walk().finally(() => {
      running = null;
    });
    return running;
  }

  function schedule(delayMs: number): void {
    if (stopped) return;
    timer = setTimeout(() => {
      run().catch((error: unknown) => {
        logger?.warn({ err: error }, 'filling in the learner email of older events failed; trying again shortly');
        schedule(retryMs);
      });
    }, delayMs);
    timer.unref();
  }

  return {
    run,
    start: () => schedule(0),
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}
