import type { Vendor } from '../catalog/index.ts';
import type { SecretBox } from '../store/secret-box.ts';
import type { ConnectionRecord, Store } from '../store/store.ts';
import type { VendorAdapter } from './adapter.ts';

/** A connection with its secrets opened, as the ingest path and hydration use it. */
export interface OpenConnection {
  record: ConnectionRecord;
  token: string;
  /** The vendor's inbound settings, validated by its adapter's schema. */
  inbound: unknown;
  /** The LMS API settings, or null when none are configured. */
  api: Record<string, unknown> | null;
}

export interface ConnectionRegistry {
  /** By name (the ingest path segment) or id; null when there is no such connection. */
  get(nameOrId: string): Promise<OpenConnection | null>;
  /**
   * A connection was created, changed or deleted through this hub: it is read from the store next
   * time, and every listener is told (hydration warms a new or changed connection's caches at once).
   */
  changed(nameOrId: string): void;
  /** Calls `listener` with what changed() was given; returns the call that unsubscribes it. */
  onChanged(listener: (nameOrId: string) => void): () => void;
}

/**
 * Decrypting a connection costs more than the rest of an ingest request: keep opened connections
 * for a short time. Changes made through this hub are forgotten at once (changed); the TTL bounds how long
 * another process sharing the store (postgres) can use a stale copy.
 */
export function createConnectionRegistry(options: {
  store: Pick<Store, 'getConnection'>;
  box: SecretBox;
  /** Each vendor's inbound adapter, whose schema reads a connection's inbound settings. */
  vendors: { readonly [V in Vendor]: { inbound: VendorAdapter<unknown, unknown> } };
  ttlMs?: number;
  now?: () => number;
}): ConnectionRegistry {
  const ttl = options.ttlMs ?? 5_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { at: number; value: OpenConnection | null }>();
  const listeners = new Set<(nameOrId: string) => void>();

  function open(record: ConnectionRecord): OpenConnection {
    const adapter = options.vendors[record.vendor satisfies Vendor].inbound;
    const inboundJson: unknown = JSON.parse(options.box.open(record.inbound_enc));
    const apiJson: unknown = record.api_enc ? JSON.parse(options.box.open(record.api_enc)) : null;
    return {
      record,
      token: options.box.open(record.token_enc),
      inbound: adapter.inboundSchema.parse(inboundJson),
      api: apiJson !== null && typeof apiJson === 'object' && !Array.isArray(apiJson) ? Object.fromEntries(Object.entries(apiJson)) : null,
    };
  }

  return {
    async get(nameOrId) {
      const cached = cache.get(nameOrId);
      if (cached && now() - cached.at < ttl) return cached.value;
      const record = await options.store.getConnection(nameOrId);
      const value = record ? open(record) : null;
      if (cache.size > 1000) cache.clear();
      cache.set(nameOrId, { at: now(), value });
      return value;
    },
    changed(nameOrId) {
      for (const [key, entry] of cache) {
        if (key === nameOrId || entry.value?.record.id === nameOrId || entry.value?.record.name === nameOrId) cache.delete(key);
      }
      for (const listener of listeners) listener(nameOrId);
    },
    onChanged(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
