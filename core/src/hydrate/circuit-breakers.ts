import { AsyncLocalStorage } from 'node:async_hooks';
import { LmsApiError, type LmsHttp } from './client.ts';
import { isRetryable } from './http-json.ts';

/**
 * A circuit breaker per connection's LMS API (DESIGN §9). An LMS that is down makes every call
 * wait for its timeout, and every event its whole hydration bound; after `threshold` calls in a
 * row that failed the way an outage fails (no answer, a timeout, a 5xx), the breaker opens: calls
 * fail at once, so events go out partial without waiting. After a cool-down calls go through again
 * as probes: the first answer closes the breaker, the first failure opens it again for twice as
 * long (up to `maxCooldownMs`), so a still-down LMS costs one round of failures per cool-down. A
 * refusal (401, 404, a 4xx) is an answer: the LMS is up.
 */

export type BreakerState =
  | { state: 'closed'; failures: number }
  | { state: 'open'; since: number; retryAt: number; lastError: string }
  | { state: 'probing'; since: number; lastError: string };

export interface CircuitBreakers {
  stateOf(connectionId: string): BreakerState;
  /** The same HTTP client behind the connection's breaker. */
  guarding(connectionId: string, http: LmsHttp): LmsHttp;
  /**
   * Runs `call` as a probe (a person's "Test API access"): the calls it makes through this
   * connection's breaker go through whatever the state, and their outcomes count like any call's.
   * The probe follows `call` through its awaits, not the connection's other calls made meanwhile,
   * so the same API client (and its one token) serves hydration and the probe.
   */
  probing<T>(connectionId: string, call: () => Promise<T>): Promise<T>;
  /** Told when a breaker opens and when it closes again, for alerts and logs. */
  onChange(listener: (connectionId: string, state: BreakerState) => void): void;
}

export interface CircuitBreakerOptions {
  /** Failed calls in a row that open the breaker. Default 5. */
  threshold?: number;
  /** The first cool-down before a probe. Default 30 s. */
  cooldownMs?: number;
  /** The longest cool-down, reached by doubling after failed probes. Default 5 min. */
  maxCooldownMs?: number;
  now?: () => number;
}

/** What a call meets while the breaker is open: not retryable, so an event gives the part up at once. */
export class CircuitOpenError extends LmsApiError {
  constructor(lastError: string) {
    super(`The LMS API kept failing (${lastError}); learnhook is not asking it for a while and sends events partial.`, { retryable: false });
    this.name = 'CircuitOpenError';
  }
}

interface Breaker {
  state: BreakerState;
  cooldownMs: number;
}

const CLOSED: BreakerState = { state: 'closed', failures: 0 };

export function createCircuitBreakers(options: CircuitBreakerOptions = {}): CircuitBreakers {
  const threshold = options.threshold ?? 5;
  const firstCooldownMs = options.cooldownMs ?? 30_000;
  const maxCooldownMs = Math.max(firstCooldownMs, options.maxCooldownMs ?? 5 * 60_000);
  const now = options.now ?? Date.now;
  const breakers = new Map<string, Breaker>();
  const listeners: Array<(connectionId: string, state: BreakerState) => void> = [];
  const probes = new AsyncLocalStorage<string>();

  const breakerOf = (connectionId: string): Breaker => {
    let breaker = breakers.get(connectionId);
    if (!breaker) {
      breaker = { state: CLOSED, cooldownMs: firstCooldownMs };
      breakers.set(connectionId, breaker);
    }
    return breaker;
  };

  function set(connectionId: string, breaker: Breaker, state: BreakerState): void {
    const was = breaker.state.state;
    breaker.state = state;
    // Opening, and closing after an outage, are news; a probe, or a probe failing again, is not.
    const news = (was === 'closed' && state.state === 'open') || (was !== 'closed' && state.state === 'closed');
    if (news) for (const listener of listeners) listener(connectionId, state);
  }

  function open(connectionId: string, breaker: Breaker, lastError: string, since: number): void {
    set(connectionId, breaker, { state: 'open', since, retryAt: now() + breaker.cooldownMs, lastError });
  }

  /** Whether a call may go now; a due open breaker turns probing and lets calls through. */
  function admit(connectionId: string, probe: boolean): void {
    const breaker = breakerOf(connectionId);
    const { state } = breaker;
    if (probe || state.state !== 'open') return;
    if (now() < state.retryAt) throw new CircuitOpenError(state.lastError);
    set(connectionId, breaker, { state: 'probing', since: state.since, lastError: state.lastError });
  }

  function settled(connectionId: string, error: unknown): void {
    const breaker = breakerOf(connectionId);
    const { state } = breaker;
    const outage = error !== null && isRetryable(error) && !(error instanceof LmsApiError && error.status === 429);
    if (!outage) {
      breaker.cooldownMs = firstCooldownMs;
      set(connectionId, breaker, CLOSED);
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    if (state.state === 'probing') {
      breaker.cooldownMs = Math.min(maxCooldownMs, breaker.cooldownMs * 2);
      open(connectionId, breaker, message, state.since);
    } else if (state.state === 'closed') {
      const failures = state.failures + 1;
      if (failures >= threshold) open(connectionId, breaker, message, now());
      else breaker.state = { state: 'closed', failures };
    }
  }

  return {
    stateOf: (connectionId) => breakers.get(connectionId)?.state ?? CLOSED,
    guarding: (connectionId, http) => ({
      async json(request) {
        admit(connectionId, probes.getStore() === connectionId);
        try {
          const answer = await http.json(request);
          settled(connectionId, null);
          return answer;
        } catch (error) {
          settled(connectionId, error);
          throw error;
        }
      },
    }),
    probing: (connectionId, call) => probes.run(connectionId, call),
    onChange: (listener) => {
      listeners.push(listener);
    },
  };
}
