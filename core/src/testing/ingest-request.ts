import type { IngestRoute } from '../catalog/ingest-route.ts';
import type { IngestRequest } from '../vendors/adapter.ts';

/**
 * Builds an IngestRequest for adapter tests. A string or Buffer body is sent as is (so tests can
 * sign exact bytes, CRLFs included); anything else is JSON-encoded.
 */
export function ingestRequest(options: {
  body?: unknown;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  method?: string;
  route?: IngestRoute;
  receivedAt?: Date;
}): IngestRequest {
  const { body } = options;
  const bytes = body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = value;
  return {
    method: options.method ?? 'POST',
    route: options.route ?? 'webhook',
    headers,
    query: options.query ?? {},
    body: bytes,
    receivedAt: options.receivedAt ?? new Date('2026-11-20T14:03:11.482Z'),
  };
}
