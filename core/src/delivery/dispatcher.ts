import type { CatalogEvent, EventType } from '../catalog/index.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { retryAfterDelay } from '../retry-after.ts';
import { signStandardWebhook } from '../signatures/standard-webhooks.ts';
import type { SecretBox } from '../store/secret-box.ts';
import type { AttemptOutcome, ClaimedDelivery, HookRecord, Store } from '../store/store.ts';
import type { ConcurrencyLimiter, AttemptOutcome as LoadSignal } from './concurrency.ts';
import { nextAttemptDelay, shouldDisable } from './retry-schedule.ts';
import type { Transport, TransportResult } from './transport.ts';

/** The result of one test send, as POST /v1/hooks/:id/test answers it. */
export interface TestSendResult {
  ok: boolean;
  status: number | null;
  body: string;
  duration_ms: number;
  error: string | null;
}

/**
 * Sends due deliveries (DESIGN §4 Delivery): signed with the hook's own secret, each hook holding
 * at most its adaptive in-flight limit, the rest waiting in the store (a few windows of fresh ones
 * in memory too, written leased to this process, see Handoff). Every attempt is recorded;
 * failures are retried on the schedule, 410 Gone deletes the hook, and a hook failing for five
 * days is disabled. When a failing hook's target answers again, its waiting deliveries are
 * brought forward instead of waiting out their retry.
 */
export interface Dispatcher extends Handoff {
  wake(): void;
  /** Hooks changed (deleted, paused, failing, a new URL or secret): deliveries waiting in memory follow. */
  hooksChanged(): void;
  sendTest(hook: HookRecord, event: CatalogEvent): Promise<TestSendResult>;
  /** Resolves when nothing is in flight and no pass is running. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A fresh delivery sent without waiting in the store for a claim (bench row 13: a claim read each
 * delivery back with its event's body and leased it with a second write). Fan-out asks for a place
 * before it writes the delivery, writes it in flight and leased to this process, and hands it over
 * once that write is durable: it is sent at once if its hook has a free slot, else it waits in
 * memory, in order, for the next one. A crash before the send leaves it leased, due again when the
 * lease ends (or at the next start on the embedded store), like a claimed delivery.
 */
export interface Handoff {
  /**
   * A place for a delivery to `hook`: the lease's end to write as the delivery's next attempt, or
   * null when it must wait for a claim (the hook is paused or failing, or has deliveries waiting
   * for a claim, or as many waiting in memory as it may hold, or the dispatcher is stopping).
   */
  reserve(hook: HookRecord, at: number): number | null;
  /** Sends a delivery written in flight with a reserved place, or queues it for its hook's next slot. */
  send(delivery: ClaimedDelivery): void;
  /** Gives back a reserved place whose delivery was not written (another process completed the event, or the write failed). */
  cancel(hookId: string): void;
}

export interface DispatcherOptions {
  store: Store;
  box: SecretBox;
  transport: Transport;
  limiter: ConcurrencyLimiter;
  logger: Logger;
  metrics: Metrics;
  /** A hook was deleted or disabled by delivery results: matching must read hooks again. */
  onHooksChanged: () => void;
  audit: (action: string, target: string, details: Record<string, unknown>) => Promise<void>;
  now?: () => number;
  random?: () => number;
  /** How long a claimed delivery stays ours before another sender may take it (a crash). */
  leaseMs?: number;
  /** The longest sleep between passes, so leases expired elsewhere are found. */
  maxSleepMs?: number;
  /** The retry schedule; RETRY_DELAYS_MS unless a test compresses it (hours cannot pass in a test). */
  retryDelaysMs?: readonly number[];
}

/** How often to look for due deliveries while the earliest due one is held back (see scheduleNext). */
const HELD_POLL_MS = 1_000;

/** After a pass failed (the store was unavailable), the next one is tried this much later. */
const RETRY_PASS_MS = 1_000;

/** A hook may hold this many times its in-flight limit of handed-over deliveries (sent or waiting in memory)... */
const HANDED_OVER_WINDOWS = 4;
/** ...and all hooks together at most this many, so memory stays bounded whatever the number of hooks. */
const HANDED_OVER_MAX = 10_000;

/** One hook's handed-over deliveries that are not in flight yet. */
interface HandedOver {
  /** Places given whose delivery fan-out has not handed over (or cancelled) yet. */
  reserved: number;
  /** Handed over, waiting in order for the hook's next free slot. */
  queue: ClaimedDelivery[];
}

function loadSignal(result: TransportResult): LoadSignal {
  if (result.ok) return 'ok';
  if (result.status === 429 || result.status === 503) return 'throttled';
  if (result.error?.code === 'timeout') return 'slow';
  return 'error';
}

function describeFailure(result: TransportResult): string | null {
  if (result.ok) return null;
  return result.error ? `${result.error.code}: ${result.error.message}` : `HTTP ${result.status}`;
}

export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const { store, transport, limiter, logger, metrics } = options;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const leaseMs = options.leaseMs ?? 60_000;
  const maxSleepMs = options.maxSleepMs ?? 30_000;
  const secrets = new Map<string, string>();
  const inFlight = new Set<Promise<void>>();
  /**
   * Hooks with deliveries waiting for a claim: a fresh one is not handed over ahead of them (it
   * would take every slot that frees up, and the waiting ones would wait on: bench row 4's p99 at
   * 500/s went from 54-79 to 176-217 ms). Set when a place is refused or a pass finds deliveries
   * due and no free slot, cleared once a claim took all that was due or a pass finds nothing due.
   */
  const waiting = new Set<string>();
  /**
   * Handed-over deliveries that found their hook's slots taken wait here for the next one, in the
   * order fan-out wrote them, instead of in the store for a claim: under a steady load a hook's
   * slots are all taken (bench row 13: 64 in flight at about 25 ms a round trip while ingest keeps
   * the main thread busy), and every fresh delivery paid a claim (about 25 µs of the main thread
   * each).
   */
  const handedOver = new Map<string, HandedOver>();
  let handedOverTotal = 0;
  let pass: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;

  function opened(sealed: string): string {
    let secret = secrets.get(sealed);
    if (!secret) {
      secret = options.box.open(sealed);
      if (secrets.size > 10_000) secrets.clear();
      secrets.set(sealed, secret);
    }
    return secret;
  }

  function post(hook: HookRecord, messageId: string, body: string, type: EventType): Promise<TransportResult> {
    const at = now();
    // A rotated-out secret signs too until its overlap ends, so the receiver can switch without a gap.
    const overlapping = hook.previous_secret_enc !== null && (hook.previous_secret_until ?? 0) > at;
    const previousSecrets = overlapping && hook.previous_secret_enc ? [opened(hook.previous_secret_enc)] : [];
    const signature = signStandardWebhook({ id: messageId, timestampSeconds: at / 1000, body, secret: opened(hook.secret_enc), previousSecrets });
    return transport.send({
      url: hook.url,
      body,
      headers: { ...signature, 'content-type': 'application/json', 'learnhook-event-type': type },
    });
  }

  async function settle(delivery: ClaimedDelivery, result: TransportResult, startedAt: number): Promise<void> {
    const { hook } = delivery;
    const attempt = delivery.attempts + 1;
    const at = now();
    const record = {
      delivery_id: delivery.id,
      attempt,
      started_at: startedAt,
      duration_ms: Math.round(result.durationMs),
      status: result.status ?? null,
      error: result.error ? `${result.error.code}: ${result.error.message}` : null,
      response_snippet: result.snippet || null,
    };
    metrics.attemptSeconds.observe(result.durationMs / 1000);
    if (result.ok) {
      metrics.attempts.inc({ outcome: 'succeeded' });
      await store.finishAttempt(record, { status: 'succeeded' });
      if (hook.failing_since !== null) await recovered(hook, at);
      return;
    }
    if (result.status === 410) {
      // Zapier's way of saying the Zap is off: the subscription is gone for good.
      metrics.attempts.inc({ outcome: 'gone' });
      await store.finishAttempt(record, { status: 'failed' });
      await store.deleteHook(hook.id);
      options.onHooksChanged();
      await options.audit('hook.deleted', hook.id, { reason: 'The target answered 410 Gone.', url: hook.url });
      return;
    }
    const scheduled = nextAttemptDelay(attempt, random, options.retryDelaysMs);
    const asked = result.status === 429 || result.status === 503 ? retryAfterDelay(result.retryAfter, at) : null;
    const outcome: AttemptOutcome = scheduled === null ? { status: 'failed' } : { status: 'pending', next_attempt_at: at + Math.max(scheduled, asked ?? 0) };
    metrics.attempts.inc({ outcome: outcome.status === 'failed' ? 'failed' : 'retry' });
    await store.finishAttempt(record, outcome);
    const failingSince = hook.failing_since ?? startedAt;
    if (shouldDisable(failingSince, at)) {
      await store.updateHook(hook.id, {
        status: 'disabled',
        status_reason: `Every delivery failed since ${new Date(failingSince).toISOString()}; last: ${describeFailure(result)}.`,
        updated_at: at,
      });
      options.onHooksChanged();
      await options.audit('hook.disabled', hook.id, { failing_since: failingSince });
    } else if (hook.failing_since === null) {
      await store.updateHook(hook.id, { failing_since: startedAt });
      // Fan-out holds hooks to hand deliveries over: a failing one's wait for claims, which read it fresh.
      options.onHooksChanged();
    }
  }

  /**
   * The target answers again: deliveries that failed while it was down would otherwise wait out
   * their retry (5 min, 30 min, hours after a longer outage), so they are due now; the hook's
   * adaptive in-flight limit still paces them.
   */
  async function recovered(hook: HookRecord, at: number): Promise<void> {
    await store.updateHook(hook.id, { failing_since: null });
    options.onHooksChanged();
    const moved = await store.expediteDeliveries(hook.id, at);
    if (moved === 0) return;
    logger.info(
      { hook_id: hook.id, deliveries: moved, failing_since: new Date(hook.failing_since ?? at).toISOString() },
      'hook target answers again; its waiting deliveries are due now',
    );
    wake();
  }

  function handedOverTo(hookId: string): HandedOver {
    let held = handedOver.get(hookId);
    if (!held) {
      held = { reserved: 0, queue: [] };
      handedOver.set(hookId, held);
    }
    return held;
  }

  function forget(hookId: string, held: HandedOver): void {
    if (held.reserved === 0 && held.queue.length === 0) handedOver.delete(hookId);
  }

  /** Queued deliveries go back to the store, due now, for a claim (or nothing, if their hook is gone). */
  async function giveBack(deliveries: ClaimedDelivery[]): Promise<void> {
    if (deliveries.length === 0) return;
    await store
      .releaseDeliveries(
        deliveries.map((delivery) => delivery.id),
        now(),
      )
      .then(wake, (error: unknown) => logger.error({ err: error }, 'could not give queued deliveries back; they fall due when their lease ends'));
  }

  /** Sends what waits in memory for `hookId` while it has free slots. */
  function pump(hookId: string): void {
    const held = handedOver.get(hookId);
    if (!held) return;
    const stale: ClaimedDelivery[] = [];
    for (let next = held.queue[0]; next && !stopped; next = held.queue[0]) {
      // Past half its lease, a send could outlive it and meet a claim's: a claim sends it instead.
      if ((next.next_attempt_at ?? 0) - now() < leaseMs / 2) stale.push(next);
      else if (limiter.tryAcquire(hookId)) track(deliver(next));
      else break;
      held.queue.shift();
      handedOverTotal--;
    }
    void giveBack(stale);
    forget(hookId, held);
  }

  async function deliver(delivery: ClaimedDelivery): Promise<void> {
    const startedAt = now();
    metrics.inFlight.inc();
    let result: TransportResult | null = null;
    try {
      result = await post(delivery.hook, delivery.id, delivery.event_json, delivery.event_type);
      // The target has answered: its slot goes to the next delivery while this one is recorded
      // (held until the record was durable, a slot waited out a group commit after every answer).
      limiter.release(delivery.hook_id, loadSignal(result), result.durationMs);
      pump(delivery.hook_id);
      await settle(delivery, result, startedAt);
    } catch (error) {
      // The lease expires and another pass retries it: a store error must not lose the delivery.
      logger.error({ err: error, delivery_id: delivery.id }, 'could not record a delivery attempt');
    } finally {
      metrics.inFlight.dec();
      if (!result) {
        limiter.release(delivery.hook_id, 'error', 0);
        pump(delivery.hook_id);
      }
    }
  }

  function track(work: Promise<void>): void {
    inFlight.add(work);
    void work.finally(() => {
      inFlight.delete(work);
      wake();
    });
  }

  async function runPass(): Promise<void> {
    let at: number;
    do {
      again = false;
      at = now();
      // Every hook's claim is asked for at once, so they share one group commit: claimed one after
      // the other, an event fanned out to 1,000 hooks waited for 1,000 commits (bench row 5).
      const due = await store.hooksWithDueDeliveries(at);
      for (const hookId of waiting) if (!due.includes(hookId)) waiting.delete(hookId);
      const claiming = due.map(async (hookId) => {
        const free = limiter.limit(hookId) - limiter.inFlight(hookId);
        if (stopped) return;
        if (free <= 0) {
          // Fresh deliveries wait behind these: what is queued in memory drains, then a claim takes them.
          waiting.add(hookId);
          return;
        }
        const claimed = await store.claimDeliveries(hookId, at, free, leaseMs);
        metrics.dispatched.inc({ via: 'claim' }, claimed.length);
        // The limit may have dropped while the claim ran (a slow answer halves it): what finds no
        // slot goes back at once instead of waiting out its lease.
        const unsent = claimed.filter((delivery) => {
          if (stopped || !limiter.tryAcquire(hookId)) return true;
          track(deliver(delivery));
          return false;
        });
        if (claimed.length < free && unsent.length === 0) waiting.delete(hookId);
        else waiting.add(hookId);
        if (unsent.length > 0)
          await store.releaseDeliveries(
            unsent.map((delivery) => delivery.id),
            at,
          );
      });
      await Promise.all(claiming);
      if (stopped) return;
    } while (again && !stopped);
    await scheduleNext(at);
  }

  function sleepFor(ms: number): void {
    if (timer) clearTimeout(timer);
    timer = setTimeout(wake, ms);
    timer.unref();
  }

  /**
   * Sleeps until the next delivery falls due. When the earliest was already due as this pass
   * looked and still waits, it is held back (its hook is paused or disabled, or at its in-flight
   * limit; a resume or a finished attempt wakes us), and nextDueAt cannot say when the next one
   * that is not held falls due: poll at HELD_POLL_MS instead of spinning every 10 ms.
   */
  async function scheduleNext(passStartedAt: number): Promise<void> {
    if (stopped) return;
    const due = await store.nextDueAt();
    const wait = due === null ? maxSleepMs : due <= passStartedAt ? HELD_POLL_MS : due - now();
    sleepFor(Math.min(maxSleepMs, Math.max(10, wait)));
  }

  function wake(): void {
    if (stopped) return;
    if (pass) {
      again = true;
      return;
    }
    pass = runPass()
      .catch((error: unknown) => {
        logger.error({ err: error }, 'dispatch pass failed; retrying shortly');
        if (!stopped) sleepFor(RETRY_PASS_MS);
      })
      .finally(() => {
        pass = null;
        // A wake that came while the pass was choosing its sleep must not be lost.
        if (again) wake();
      });
  }

  return {
    wake,
    hooksChanged() {
      if (handedOver.size === 0) return;
      store.matchableHooks().then(
        (hooks) => {
          const current = new Map(hooks.map((hook) => [hook.id, hook]));
          for (const [hookId, held] of handedOver) {
            const hook = current.get(hookId);
            if (hook?.status === 'active' && hook.failing_since === null) {
              for (const delivery of held.queue) delivery.hook = hook;
              continue;
            }
            handedOverTotal -= held.queue.length;
            void giveBack(held.queue.splice(0));
            forget(hookId, held);
          }
        },
        (error: unknown) => logger.error({ err: error }, 'could not read hooks again; queued deliveries go out as they were'),
      );
    },
    reserve(hook, at) {
      if (stopped || hook.status !== 'active' || hook.failing_since !== null || waiting.has(hook.id)) return null;
      const held = handedOverTo(hook.id);
      const holding = held.reserved + held.queue.length + limiter.inFlight(hook.id);
      if (holding >= HANDED_OVER_WINDOWS * limiter.limit(hook.id) || handedOverTotal >= HANDED_OVER_MAX) {
        forget(hook.id, held);
        // Written pending: later fresh ones must not pass it.
        waiting.add(hook.id);
        return null;
      }
      held.reserved++;
      handedOverTotal++;
      return at + leaseMs;
    },
    send(delivery) {
      metrics.dispatched.inc({ via: 'handoff' });
      const held = handedOverTo(delivery.hook_id);
      held.reserved--;
      // Stopping meanwhile: nothing is sent; the delivery stays leased and falls due again like a claimed one.
      if (stopped) handedOverTotal--;
      else held.queue.push(delivery);
      pump(delivery.hook_id);
    },
    cancel(hookId) {
      const held = handedOverTo(hookId);
      held.reserved--;
      handedOverTotal--;
      forget(hookId, held);
    },
    async sendTest(hook, event) {
      const result = await post(hook, `msg_test_${now()}`, JSON.stringify(event), event.type);
      return {
        ok: result.ok,
        status: result.status ?? null,
        body: result.snippet,
        duration_ms: Math.round(result.durationMs),
        error: describeFailure(result),
      };
    },
    async idle() {
      while (pass || inFlight.size) await Promise.all([pass, ...inFlight]);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      // What waits in memory is due at once for the next claim (another process, or this one's next
      // start), not when its lease ends.
      const queued = [...handedOver.values()].flatMap((held) => held.queue.splice(0));
      handedOver.clear();
      await giveBack(queued);
      while (pass || inFlight.size) await Promise.all([pass, ...inFlight]);
    },
  };
}
