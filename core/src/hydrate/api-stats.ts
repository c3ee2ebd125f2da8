import { LmsApiError, type LmsHttp } from './client.ts';

/** How a connection's LMS API has been answering, for the console: wrong credentials must be visible, not silent. */
export interface ApiStats {
  calls: number;
  rateLimited: number;
  lastError: { at: number; message: string } | null;
  lastSuccessAt: number | null;
}

export interface ApiStatsBook {
  of(connectionId: string): ApiStats;
  /** The same HTTP client, counting every call it makes for this connection. */
  counting(connectionId: string, http: LmsHttp): LmsHttp;
}

export function createApiStats(now: () => number = Date.now): ApiStatsBook {
  const stats = new Map<string, ApiStats>();
  const of = (connectionId: string): ApiStats => {
    let entry = stats.get(connectionId);
    if (!entry) {
      entry = { calls: 0, rateLimited: 0, lastError: null, lastSuccessAt: null };
      stats.set(connectionId, entry);
    }
    return entry;
  };
  return {
    of: (connectionId) => ({ ...of(connectionId) }),
    counting: (connectionId, http) => ({
      async json(request) {
        const entry = of(connectionId);
        entry.calls += 1;
        try {
          const answer = await http.json(request);
          entry.lastSuccessAt = now();
          return answer;
        } catch (error) {
          if (error instanceof LmsApiError && error.status === 429) entry.rateLimited += 1;
          entry.lastError = { at: now(), message: error instanceof Error ? error.message : String(error) };
          throw error;
        }
      },
    }),
  };
}
