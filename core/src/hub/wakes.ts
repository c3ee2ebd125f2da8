import type { WakeTopic } from '../store/store.ts';

/** Who is woken for what: the store's notifications and the hub's own parts call the same wakes. */
export interface Wakes {
  wake(topic: WakeTopic): void;
  /** Adds what a topic wakes; a topic nothing listens to yet wakes nobody. */
  on(topic: WakeTopic, listener: () => void): void;
}

/**
 * Made before the parts it connects, because they wake each other: the fan-out wakes the
 * dispatcher when it creates deliveries, and the dispatcher tells the fan-out when it removed a hook.
 */
export function createWakes(): Wakes {
  const listeners: Record<WakeTopic, (() => void)[]> = { events: [], deliveries: [], hooks: [] };
  return {
    wake(topic) {
      for (const listener of listeners[topic]) listener();
    },
    on(topic, listener) {
      listeners[topic].push(listener);
    },
  };
}
