import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import type { ConnectionRegistry } from '../vendors/connection-registry.ts';

export interface ConnectionWarmUps {
  /** Starts warming every connection that has LMS API settings (the hub has just started); failures are logged. */
  warmAll(): void;
  /** Stops listening for changes and stops the warm-ups under way (the hub is stopping). */
  stop(): void;
}

/**
 * Warms a connection's hydration caches in the background (warm-up.ts) as soon as it is created or
 * changed on this hub, not at its first event; the hydrator logs how each warm-up went.
 */
export function createConnectionWarmUps(options: {
  connections: ConnectionRegistry;
  store: Pick<Store, 'listConnections'>;
  hydrator: { warm(connectionId: string): Promise<void>; stopWarming(): void };
  logger: Logger;
}): ConnectionWarmUps {
  const { connections, store, hydrator, logger } = options;

  function warm(nameOrId: string): void {
    connections
      .get(nameOrId)
      .then((opened) => (opened?.api ? hydrator.warm(opened.record.id) : undefined))
      .catch((error: unknown) => logger.warn({ err: error, connection: nameOrId }, 'could not start the hydration warm-up'));
  }

  async function listAll(): Promise<void> {
    let cursor: string | undefined;
    do {
      const page = await store.listConnections({ limit: 100, cursor });
      for (const record of page.data) if (record.api_enc) warm(record.id);
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
  }

  const unsubscribe = connections.onChanged(warm);

  return {
    warmAll() {
      listAll().catch((error: unknown) => logger.warn({ err: error }, 'could not list the connections to warm their hydration caches'));
    },
    stop() {
      unsubscribe();
      hydrator.stopWarming();
    },
  };
}
