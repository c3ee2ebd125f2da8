import { LearnhookError } from '../errors.ts';

/** One request an LMS sent to a connection's ingest URL, as the console's "waiting for your LMS" check shows it. */
export interface Arrival {
  at: number;
  accepted: boolean;
  status: number;
  /** What happened, in plain words for the person setting the LMS up. */
  summary: string;
  /** The hub's own error message, when it was refused. */
  detail: string | null;
}

export interface IngestArrivals {
  accepted(connectionId: string, at: number, status: number, summary: string): void;
  refused(connectionId: string, at: number, error: unknown): void;
  /** Newest first. */
  recent(connectionId: string): readonly Arrival[];
}

/** Why a refusal happened, for someone looking at their LMS's webhook form, keyed by the error's stable code. */
const REFUSALS: Record<string, string> = {
  invalid_signature: 'Refused: the signature does not match. The secret typed into the LMS differs from the one this connection holds.',
  unauthorized: 'Refused: the credentials the LMS sent are wrong or missing. Check the authentication settings in the LMS.',
  invalid_payload: 'Refused: the body is not in the format this LMS sends. Is the connection set to the right LMS?',
  unsupported_media_type: 'Refused: the LMS sent something other than JSON.',
  payload_too_large: 'Refused: the request was larger than 1 MB.',
  not_found: "Refused: this URL is not the connection's current ingest URL (it changed when the token was rotated). Paste the URL below again.",
};

/**
 * The last few requests each connection received, accepted or refused, kept in this process's
 * memory: refusals are never stored (they are hostile input), and a person setting up an LMS
 * needs to see the last few minutes, not history.
 */
export function createIngestArrivals(keep = 10): IngestArrivals {
  const byConnection = new Map<string, Arrival[]>();
  function add(connectionId: string, arrival: Arrival) {
    const list = byConnection.get(connectionId) ?? [];
    list.unshift(arrival);
    list.length = Math.min(list.length, keep);
    byConnection.set(connectionId, list);
    if (byConnection.size > 10_000) byConnection.delete(byConnection.keys().next().value ?? connectionId);
  }
  return {
    accepted: (connectionId, at, status, summary) => add(connectionId, { at, accepted: true, status, summary, detail: null }),
    refused(connectionId, at, error) {
      const known = error instanceof LearnhookError;
      add(connectionId, {
        at,
        accepted: false,
        status: known ? error.status : 500,
        summary: (known ? REFUSALS[error.code] : undefined) ?? 'Refused: learnhook could not take this request.',
        detail: known ? error.message : null,
      });
    },
    recent: (connectionId) => byConnection.get(connectionId) ?? [],
  };
}
