import type { Logger } from '../logger.ts';
import type { Store } from './store.ts';

/** How often a hub says it is alive; a process unseen for three beats no longer takes a share. */
const HEARTBEAT_MS = 5_000;

export interface ProcessHeartbeat {
  /** Hub processes sharing the store, as last counted (one on the embedded store). */
  count(): number;
  stop(): void;
}

/**
 * Keeps count of the hub processes sharing the store, for the hydrator to split each LMS's rate
 * limit between them. A failed beat keeps the last count.
 */
export async function startProcessHeartbeat(store: Pick<Store, 'heartbeat'>, logger: Logger): Promise<ProcessHeartbeat> {
  let count = await store.heartbeat(Date.now(), 3 * HEARTBEAT_MS);
  const timer = setInterval(() => {
    store
      .heartbeat(Date.now(), 3 * HEARTBEAT_MS)
      .then((live) => {
        if (live !== count) logger.info({ processes: live }, 'hub processes sharing this store changed; each takes its share of the LMS rate limits');
        count = live;
      })
      .catch((error: unknown) => logger.warn({ err: error }, 'could not record this hub as alive; keeping the last process count'));
  }, HEARTBEAT_MS);
  timer.unref();
  return { count: () => count, stop: () => clearInterval(timer) };
}
