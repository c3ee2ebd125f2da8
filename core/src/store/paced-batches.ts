/**
 * How background work in batches (retention, the learner-email backfill) leaves the store to
 * ingest: after each batch it rests at least `pauseMs`, and long enough that batches take at most
 * `dutyCycle` of real time, so a hub at full ingest loses at most that share to them and an idle
 * one works through them at pace.
 */
export interface PaceOptions {
  /** The least real time between two batches (default 10 ms). */
  pauseMs?: number | undefined;
  /** The largest share of real time the batches may take (default 0.1). */
  dutyCycle?: number | undefined;
  sleep?: ((ms: number) => Promise<void>) | undefined;
}

/** Answers the rest to take after a batch that began at `batchStarted` (performance.now()). */
export function pacer(options: PaceOptions): (batchStarted: number) => Promise<void> {
  const pauseMs = options.pauseMs ?? 10;
  const dutyCycle = options.dutyCycle ?? 0.1;
  const restPerBusyMs = (1 - dutyCycle) / dutyCycle;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  return (batchStarted) => sleep(Math.max(pauseMs, (performance.now() - batchStarted) * restPerBusyMs));
}
