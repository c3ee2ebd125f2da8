import type { CatalogEvent, EventType } from '../catalog/index.ts';
import type { Hydrator } from '../hydrate/hydrator.ts';
import { missingParts } from '../hydrate/hydrator.ts';
import { newId } from '../ids.ts';
import type { Logger } from '../logger.ts';
import type { HookRecord, NewDelivery, Store, StoredEvent } from '../store/store.ts';
import type { Handoff } from './dispatcher.ts';
import { hookWants } from './match.ts';

/**
 * The step after an ingest is acknowledged (DESIGN §4): take received events from the store,
 * hydrate them, match them to subscriptions and create their deliveries, all in one transaction
 * per event. Work comes from the store, not from memory, so events received just before a crash
 * are picked up at the next start. An event that needs no LMS call skips this: ingest completes it
 * before its answer (completeNow).
 */
export interface FanOut {
  /** Asks for a pass soon; calls made while a pass runs are folded into one more pass. */
  wake(): void;
  /**
   * Fans an event out before it is stored, when nothing need be waited for (its hydration is in
   * memory, its subscriptions read): its final envelope and deliveries, for the ingest to store
   * with it (NewEvent.completed), or null to store it received for a pass. Once the ingest's
   * write answered, `settle` says whether the event was stored (it was not new, or the write
   * failed: false), which hands its deliveries to the dispatcher or gives back their places.
   */
  completeNow(event: LeanEvent): Promise<EarlyCompletion | null>;
  /** Subscriptions changed: the next match reads them again. */
  hooksChanged(): void;
  /** Resolves when no pass is running and none is asked for. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/** An event as ingest maps it, before it is stored. */
export type LeanEvent = Pick<StoredEvent, 'id' | 'connection_id' | 'event' | 'needs'>;

export interface EarlyCompletion {
  event: CatalogEvent;
  deliveries: NewDelivery[];
  settle(stored: boolean): void;
}

export interface FanOutOptions {
  store: Store;
  hydrator: Hydrator;
  logger: Logger;
  /** Called once deliveries were created that wait for a claim, so the dispatcher looks for due work. */
  onDeliveries: () => void;
  /** The dispatcher's way to take a fresh delivery at once; without it every delivery waits for a claim. */
  handoff?: Handoff;
  now?: () => number;
  batchSize?: number;
  /**
   * How long a claimed event stays this process's to hydrate before another may take it (this one
   * died): longer than hydration may wait for an LMS.
   */
  leaseMs?: number;
  /**
   * How often to look for events nobody is fanning out without being woken: those whose claimer
   * died with its lease, on a store shared by several processes.
   */
  pollMs?: number;
}

/**
 * After a pass failed (the store was busy or unavailable), the next one is tried this much later:
 * the events it left are acknowledged already, and no other wake may come (the last ingest of a
 * burst, or the pass at start-up).
 */
export const RETRY_PASS_MS = 1_000;

type PlannedDelivery = NewDelivery & { hook: HookRecord };

interface Plan {
  event: CatalogEvent;
  deliveries: PlannedDelivery[];
  at: number;
}

export function createFanOut(options: FanOutOptions): FanOut {
  const { store, hydrator, logger } = options;
  const now = options.now ?? Date.now;
  const batchSize = options.batchSize ?? 200;
  const leaseMs = options.leaseMs ?? 60_000;
  const pollMs = options.pollMs ?? 10_000;
  let hooks: Promise<HookRecord[]> | null = null;
  let pass: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;

  async function hydrate(stored: LeanEvent): Promise<CatalogEvent> {
    try {
      return await hydrator.hydrate(stored.event, stored.needs, stored.connection_id);
    } catch (error) {
      // Hydration never holds an event back: it goes out marked partial.
      logger.warn({ err: error, event_id: stored.id }, 'hydration failed; delivering the event as partial');
      return { ...stored.event, hydration: { status: 'partial', missing: missingParts(stored.needs) } };
    }
  }

  /** The hydrated event's deliveries, those the dispatcher has a place for reserved and in flight. */
  async function plan(eventId: string, event: CatalogEvent): Promise<Plan> {
    hooks ??= store.matchableHooks();
    const targets = (await hooks).filter((hook) => hookWants(hook, event));
    const at = now();
    const deliveries = targets.map((hook): PlannedDelivery => {
      const leasedUntil = options.handoff?.reserve(hook, at) ?? null;
      const status = leasedUntil === null ? 'pending' : 'in_flight';
      return { id: newId('dlv'), event_id: eventId, hook_id: hook.id, next_attempt_at: leasedUntil ?? at, reason: 'event', status, hook };
    });
    return { event, deliveries, at };
  }

  /** After the event was stored with its deliveries: the reserved ones go to the dispatcher; answers how many wait for a claim. */
  function deliver({ event, deliveries, at }: Plan): number {
    const handed = deliveries.filter((delivery) => delivery.status === 'in_flight');
    if (handed.length > 0) handOver(handed, JSON.stringify(event), event.type, at);
    return deliveries.length - handed.length;
  }

  /** The event was not stored by this write: the places reserved for it are given back. */
  function release({ deliveries }: Plan): void {
    for (const delivery of deliveries) if (delivery.status === 'in_flight') options.handoff?.cancel(delivery.hook_id);
  }

  /** Completes one event with its deliveries; answers how many of them wait for a claim. */
  async function processOne(stored: StoredEvent): Promise<number> {
    const planned = await plan(stored.id, await hydrate(stored));
    let completed = false;
    try {
      completed = await store.completeEvent(stored.id, planned.event, planned.deliveries);
    } finally {
      if (!completed) release(planned);
    }
    return completed ? deliver(planned) : 0;
  }

  async function completeNow(lean: LeanEvent): Promise<EarlyCompletion | null> {
    if (stopped) return null;
    try {
      const event = await hydrator.fromMemory(lean.event, lean.needs, lean.connection_id);
      if (!event) return null;
      const planned = await plan(lean.id, event);
      return {
        event,
        deliveries: planned.deliveries,
        settle(stored) {
          if (!stored) return release(planned);
          if (deliver(planned) > 0) options.onDeliveries();
        },
      };
    } catch (error) {
      // The event is stored received and a pass fans it out; a failed read of the hooks is not kept.
      hooks = null;
      logger.warn({ err: error, event_id: lean.id }, 'fanning out before the answer failed; a pass fans the event out');
      return null;
    }
  }

  /** The deliveries written in flight go to the dispatcher as a claim would have read them back. */
  function handOver(handed: PlannedDelivery[], eventJson: string, eventType: EventType, at: number): void {
    for (const { hook, ...delivery } of handed) {
      options.handoff?.send({
        ...delivery,
        status: 'in_flight',
        attempts: 0,
        last_status: null,
        last_error: null,
        created_at: at,
        updated_at: at,
        event_json: eventJson,
        event_type: eventType,
        hook,
      });
    }
  }

  /** Events this process claimed whose pass failed: still leased to us, so tried again first. */
  let held: StoredEvent[] = [];

  async function runPasses(): Promise<void> {
    do {
      again = false;
      for (;;) {
        if (stopped) return;
        const retried = held.length > 0;
        const events = retried ? held : await store.claimEvents(now(), batchSize, leaseMs);
        held = [];
        if (events.length === 0) break;
        const outcomes = await Promise.allSettled(events.map(processOne));
        if (outcomes.some((outcome) => outcome.status === 'fulfilled' && outcome.value > 0)) options.onDeliveries();
        const failure = outcomes.find((outcome) => outcome.status === 'rejected');
        if (failure) {
          held = events.filter((_, index) => outcomes[index]?.status === 'rejected');
          throw failure.reason;
        }
        if (!retried && events.length < batchSize) break;
      }
    } while (again);
  }

  function sleepFor(ms: number): void {
    if (timer) clearTimeout(timer);
    timer = setTimeout(wake, ms);
    timer.unref();
  }

  function wake(): void {
    if (stopped) return;
    if (pass) {
      again = true;
      return;
    }
    if (timer) clearTimeout(timer);
    timer = null;
    pass = runPasses()
      .then(() => {
        if (!stopped) sleepFor(pollMs);
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'fan-out pass failed; retrying shortly');
        // A failed read of the hooks must not stay cached as a rejected promise.
        hooks = null;
        if (!stopped) sleepFor(RETRY_PASS_MS);
      })
      .finally(() => {
        pass = null;
      });
  }

  return {
    wake,
    completeNow,
    hooksChanged() {
      hooks = null;
    },
    async idle() {
      while (pass) await pass;
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      while (pass) await pass;
    },
  };
}
