/** A signal that aborts a request after `ms`, and whether it was the deadline (not the peer) that ended it. */
export interface Deadline {
  signal: AbortSignal;
  timedOut(): boolean;
  /** Stops the clock once the request settled. */
  clear(): void;
}

/**
 * For undici requests to LMSs, subscribers and key sets: each tells a timeout apart from a refused
 * or reset connection in the message a person reads, so the abort has to say it was the clock.
 */
export function abortAfter(ms: number): Deadline {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, ms);
  return { signal: controller.signal, timedOut: () => timedOut, clear: () => clearTimeout(timer) };
}
