import type { CatalogEvent, Vendor } from '../catalog/index.ts';
import type { TestSendResult } from '../delivery/dispatcher.ts';
import type { FanOut } from '../delivery/fan-out.ts';
import type { TargetPolicyOptions } from '../delivery/target-policy.ts';
import type { ApiStatsBook } from '../hydrate/api-stats.ts';
import type { CircuitBreakers } from '../hydrate/circuit-breakers.ts';
import type { VendorApi } from '../hydrate/client.ts';
import type { ClientFor } from '../hydrate/client-registry.ts';
import type { VendorRegistration } from '../hydrate/registration.ts';
import type { SecretBox } from '../store/secret-box.ts';
import type { HookRecord, Store } from '../store/store.ts';
import type { VendorAdapter } from '../vendors/adapter.ts';
import type { ConnectionRegistry } from '../vendors/connection-registry.ts';
import type { SetupGuide } from '../vendors/setup-guide.ts';
import type { DiskUse } from './alerts.ts';

/** What the hub's layers read of one vendor: the parts of its folder below the sandbox (vendors/registry.ts lists them all). */
export interface HubVendor {
  inbound: VendorAdapter<unknown, unknown>;
  /** The inbound settings a new connection starts from (vendors/inbound-defaults.ts says why). */
  inboundDefaults(): Record<string, unknown>;
  /** The LMS API hydration asks; null for a source that sends whole events. */
  api: VendorApi<unknown> | null;
  /** What a person does in the LMS's admin screens, shown by the console. */
  setupGuide: SetupGuide;
  /** The LMS's webhook registration API, with the API client's settings; absent where the URL is pasted by hand (issue 16 §5). */
  registration?: VendorRegistration<unknown>;
}

/** Every vendor, by the id a connection names. */
export type HubVendors = { readonly [V in Vendor]: HubVendor };

/** What the operations need from the hub: the API routes and the console pages both hand it over. */
export interface OperationsContext {
  store: Store;
  box: SecretBox;
  connections: ConnectionRegistry;
  /** The vendor registry, handed down from the top (vendors/registry.ts). */
  vendors: HubVendors;
  /**
   * Each connection's LMS API client, the one hydration uses: "Test API access" asks through it,
   * since a second client's login would cancel hydration's token (Absorb keeps one per admin).
   */
  clientFor: ClientFor;
  /** How each connection's LMS API has been answering. */
  apiStats: ApiStatsBook;
  /** Each connection's LMS API circuit breaker: open while the LMS keeps failing. */
  breakers: CircuitBreakers;
  /** How full the embedded store's disk is (use() answers null on PostgreSQL), and below what free share to alert. */
  disk: { use(): Promise<DiskUse | null>; minFreePercent: number };
  fanOut: FanOut;
  /** Wakes the dispatcher: deliveries were created or made due. */
  wakeDispatcher(): void;
  /** Sends one event to one hook through the real delivery path, outside the queue. */
  sendTest(hook: HookRecord, event: CatalogEvent): Promise<TestSendResult>;
  /** Where hooks may point (LEARNHOOK_ALLOW_PRIVATE_TARGETS, LEARNHOOK_ALLOWED_TARGETS; never link-local). */
  targetPolicy: TargetPolicyOptions;
  now(): number;
  /** Records an admin action in the store and as a structured log line. */
  audit(actor: string, action: string, target: string | null, details?: Record<string, unknown>): Promise<void>;
}
