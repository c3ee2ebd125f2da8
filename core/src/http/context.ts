import type { Request } from 'express';
import type { CatalogEvent } from '../catalog/index.ts';
import type { TestSendResult } from '../delivery/dispatcher.ts';
import type { FanOut } from '../delivery/fan-out.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { SecretBox } from '../store/secret-box.ts';
import type { HookRecord, Store } from '../store/store.ts';
import type { ConnectionRegistry } from '../vendors/connection-registry.ts';

/** What the routes need from the rest of the hub. */
export interface HubContext {
  store: Store;
  box: SecretBox;
  logger: Logger;
  metrics: Metrics;
  connections: ConnectionRegistry;
  fanOut: FanOut;
  /** Wakes the dispatcher: deliveries were created or made due. */
  wakeDispatcher(): void;
  /** Sends one event to one hook through the real delivery path, outside the queue. */
  sendTest(hook: HookRecord, event: CatalogEvent): Promise<TestSendResult>;
  now(): number;
  version: string;
  /** The hub's public base URL (LEARNHOOK_PUBLIC_URL), or the one the request came in on. */
  publicUrl(req: Request): string;
  /** Records an admin action in the store and as a structured log line. */
  audit(actor: string, action: string, target: string | null, details?: Record<string, unknown>): Promise<void>;
}
