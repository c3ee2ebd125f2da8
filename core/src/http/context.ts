import type { Request } from 'express';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { OperationsContext } from '../operations/context.ts';
import type { IngestArrivals } from '../operations/ingest-arrivals.ts';
import type { KeySets } from './key-sets.ts';

/** What the routes need from the rest of the hub. */
export interface HubContext extends OperationsContext {
  logger: Logger;
  metrics: Metrics;
  arrivals: IngestArrivals;
  /** Signing key sets the ingest path checks signed requests against (Canvas's JWKS). */
  keySets: KeySets;
  version: string;
  /** The hub's public base URL (LEARNHOOK_PUBLIC_URL), or the one the request came in on. */
  publicUrl(req: Request): string;
}
