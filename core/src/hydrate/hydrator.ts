import type { HydrationNeeds } from '../catalog/hydration-needs.ts';
import type { CatalogEvent } from '../catalog/index.ts';

/**
 * Fills in what a lean vendor payload left out (DESIGN §4 Hydration). The vendor API clients,
 * their cache, coalescing and rate limits live behind this interface.
 */
export interface Hydrator {
  hydrate(event: CatalogEvent, needs: HydrationNeeds, connectionId: string): Promise<CatalogEvent>;
  /**
   * The event as hydrate would answer it when that needs no call to the LMS (the connection has no
   * API, or every part is cached and none is one the event is about); null when it would. Starts
   * no call, so the ingest path may ask it before its answer.
   */
  fromMemory(event: CatalogEvent, needs: HydrationNeeds, connectionId: string): Promise<CatalogEvent | null>;
}

/** The envelope parts each kind of need fills. */
export function missingParts(needs: HydrationNeeds): string[] {
  const missing: string[] = [];
  if (needs.user) missing.push('learner');
  if (needs.course) missing.push('course');
  if (needs.enrollment) missing.push('enrollment');
  return missing;
}

/**
 * Used where a connection has no LMS API to ask: the event goes out as the vendor sent it, and
 * says which parts could not be filled in, so a subscriber can tell a lean event from a full one.
 */
export const withoutHydration: Hydrator = {
  async hydrate(event, needs) {
    const missing = missingParts(needs);
    return { ...event, hydration: { status: missing.length ? 'partial' : 'complete', missing } };
  },
  // Nothing to look up, so nothing to wait for.
  fromMemory: (event, needs, connectionId) => withoutHydration.hydrate(event, needs, connectionId),
};
