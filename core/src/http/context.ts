import type { Request } from 'express';
import type { CatalogEvent } from '../catalog/index.ts';
import type { TestSendResult } from '../delivery/dispatcher.ts';
import type { FanOut } from '../delivery/fan-out.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { OperationsContext } from '../operations/context.ts';
import type { IngestArrivals } from '../operations/ingest-arrivals.ts';
import type { HookRecord } from '../store/store.ts';

/** What the routes need from the rest of the hub. */
export interface HubContext extends OperationsContext {
  logger: Logger;
  metrics: Metrics;
  fanOut: FanOut;
  arrivals: IngestArrivals;
  /** Sends one event to one hook through the real delivery path, outside the queue. */
  sendTest(hook: HookRecord, event: CatalogEvent): Promise<TestSendResult>;
  version: string;
  /** The hub's public base URL (LEARNHOOK_PUBLIC_URL), or the one the request came in on. */
  publicUrl(req: Request): string;
}
