import type { Vendor } from '../catalog/index.ts';
import type { Logger } from '../logger.ts';
import type { ConnectionRegistry } from '../vendors/connection-registry.ts';
import type { LmsHttp, VendorApi } from './client.ts';
import type { ConnectionClient } from './create-hydrator.ts';

/** A connection's LMS API client as hydration and "Test API access" share it; null without (valid) API settings. */
export type ClientFor = (connectionId: string) => Promise<ConnectionClient | null>;

/**
 * One API client per connection, kept while the connection is unchanged: a client holds its
 * vendor token (Absorb cancels the previous token on every new one), so it must be shared by
 * every caller of that connection (events, warm-ups, "Test API access"), and replaced when its
 * settings change: when this hub changes the connection (changed()), and when its updated_at
 * moves (a change made by another process sharing the store).
 */
export function createClientRegistry(options: {
  connections: ConnectionRegistry;
  /** Each vendor's API client; null for a vendor without an API. */
  vendors: { readonly [V in Vendor]: { api: VendorApi<unknown> | null } };
  /** The HTTP client a connection's API client calls through (counted, behind its circuit breaker). */
  httpFor(connectionId: string): LmsHttp;
  logger: Logger;
}): ClientFor {
  const clients = new Map<string, { name: string; updatedAt: number; value: ConnectionClient | null }>();
  // A save's check asks for the client right after the save: it must meet the new settings even
  // when updated_at did not move (two saves within a millisecond, a test's fixed clock).
  options.connections.onChanged((nameOrId) => {
    for (const [id, cached] of clients) if (id === nameOrId || cached.name === nameOrId) clients.delete(id);
  });
  return async function clientFor(connectionId) {
    const connection = await options.connections.get(connectionId);
    if (!connection) return null;
    const cached = clients.get(connectionId);
    if (cached && cached.updatedAt === connection.record.updated_at) return cached.value;
    const vendorApi = options.vendors[connection.record.vendor].api;
    let value: ConnectionClient | null = null;
    if (vendorApi && connection.api) {
      const settings = vendorApi.settingsSchema.safeParse(connection.api);
      if (settings.success) value = { client: vendorApi.createClient(settings.data, options.httpFor(connectionId)), rateLimit: vendorApi.rateLimit };
      else
        options.logger.warn(
          { connection: connection.record.name, issue: settings.error.issues[0]?.path.join('.') },
          "the connection's LMS API settings are invalid; events go out unhydrated",
        );
    }
    clients.set(connectionId, { name: connection.record.name, updatedAt: connection.record.updated_at, value });
    return value;
  };
}
