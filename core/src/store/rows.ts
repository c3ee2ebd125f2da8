import type { HydrationNeeds } from '../catalog/hydration-needs.ts';
import type { CatalogEvent, EventType, Vendor } from '../catalog/index.ts';
import type { IngestRoute } from '../catalog/ingest-route.ts';
import type {
  ApiKeyRecord,
  ApiScope,
  AttemptRecord,
  AuditEntry,
  ClaimedDelivery,
  ConnectionRecord,
  DeliveryRecord,
  DeliveryStatus,
  EventState,
  HookFilter,
  HookRecord,
  HookStatus,
  NewDelivery,
  RawRequest,
  StoredEvent,
} from './store.ts';

/** Rows to records, shared by both stores: they keep the same columns, so they read them one way. */

/** A row as a driver answers it: node:sqlite and pg both give plain objects of column values. */
export type Row = Record<string, unknown>;

export const str = (value: unknown): string => String(value);
export const strOrNull = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));
export const num = (value: unknown): number => Number(value);
export const rowSeq = (row: Row): number => num(row.seq);
export const numOrNull = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));
/** JSON this store wrote itself; its shape is the record type it was written from. */
export const json = <T>(value: unknown): T => JSON.parse(String(value)) as T;

export function toApiKey(row: Row): ApiKeyRecord {
  return {
    id: str(row.id),
    label: str(row.label),
    scopes: json<ApiScope[]>(row.scopes),
    secret_hash: str(row.secret_hash),
    created_at: num(row.created_at),
    revoked_at: numOrNull(row.revoked_at),
    last_used_at: numOrNull(row.last_used_at),
  };
}

export function toConnection(row: Row): ConnectionRecord {
  return {
    id: str(row.id),
    name: str(row.name),
    vendor: str(row.vendor) as Vendor,
    description: strOrNull(row.description),
    token_enc: str(row.token_enc),
    inbound_enc: str(row.inbound_enc),
    api_enc: strOrNull(row.api_enc),
    retention_days: numOrNull(row.retention_days),
    registration: strOrNull(row.registration),
    created_at: num(row.created_at),
    updated_at: num(row.updated_at),
  };
}

export function toEvent(row: Row): StoredEvent {
  return {
    seq: num(row.seq),
    id: str(row.id),
    connection_id: str(row.connection_id),
    type: str(row.type) as EventType,
    state: str(row.state) as EventState,
    event: json<CatalogEvent>(row.body),
    needs: json<HydrationNeeds>(row.needs),
  };
}

export function toRawRequest(row: Row): RawRequest {
  const body = row.body;
  return {
    method: str(row.method),
    route: str(row.route) as IngestRoute,
    headers: json<Record<string, string | undefined>>(row.headers),
    // node:sqlite answers a BLOB as a Uint8Array, pg a bytea as a Buffer.
    body: body instanceof Uint8Array ? Buffer.from(body) : Buffer.from(String(body ?? '')),
    received_at: num(row.received_at),
  };
}

export function toHook(row: Row): HookRecord {
  return {
    id: str(row.id),
    url: str(row.url),
    events: json<string[]>(row.events),
    filter: json<HookFilter>(row.filter),
    description: strOrNull(row.description),
    secret_enc: str(row.secret_enc),
    previous_secret_enc: strOrNull(row.previous_secret_enc),
    previous_secret_until: numOrNull(row.previous_secret_until),
    status: str(row.status) as HookStatus,
    status_reason: strOrNull(row.status_reason),
    failing_since: numOrNull(row.failing_since),
    created_by: strOrNull(row.created_by),
    created_at: num(row.created_at),
    updated_at: num(row.updated_at),
  };
}

export function toDelivery(row: Row): DeliveryRecord {
  return {
    id: str(row.id),
    event_id: str(row.event_id),
    hook_id: str(row.hook_id),
    reason: str(row.reason) as NewDelivery['reason'],
    status: str(row.status) as DeliveryStatus,
    attempts: num(row.attempts),
    next_attempt_at: numOrNull(row.next_attempt_at),
    last_status: numOrNull(row.last_status),
    last_error: strOrNull(row.last_error),
    created_at: num(row.created_at),
    updated_at: num(row.updated_at),
  };
}

export function toAttempt(row: Row): AttemptRecord {
  return {
    delivery_id: str(row.delivery_id),
    attempt: num(row.attempt),
    started_at: num(row.started_at),
    duration_ms: num(row.duration_ms),
    status: numOrNull(row.status),
    error: strOrNull(row.error),
    response_snippet: strOrNull(row.response_snippet),
  };
}

export function toAuditEntry(row: Row): AuditEntry & { seq: number } {
  return {
    seq: num(row.seq),
    at: num(row.at),
    actor: str(row.actor),
    action: str(row.action),
    target: strOrNull(row.target),
    details: json<Record<string, unknown>>(row.details),
  };
}

/** Columns a patch may set, per table: patches never name a column from outside this list. */
export const HOOK_COLUMNS = [
  'url',
  'events',
  'filter',
  'description',
  'secret_enc',
  'previous_secret_enc',
  'previous_secret_until',
  'status',
  'status_reason',
  'failing_since',
  'created_by',
  'updated_at',
] as const;

/** Every hook column as `<alias>.<column> AS h_<column>`, for the claim queries that claimedDelivery reads. */
export function hookColumnsAs(alias: string): string {
  return ['id', ...HOOK_COLUMNS, 'created_at'].map((column) => `${alias}.${column} AS h_${column}`).join(', ');
}
export const CONNECTION_COLUMNS = [
  'name',
  'vendor',
  'description',
  'token_enc',
  'inbound_enc',
  'api_enc',
  'retention_days',
  'registration',
  'updated_at',
] as const;
export const JSON_COLUMNS = new Set(['events', 'filter']);

/**
 * A claim row: the delivery, the event body and type as event_body and event_type, and the hook's
 * columns prefixed h_, unless the caller read the hook once for all the rows of its claim.
 */
export function claimedDelivery(row: Row, hook = hookOfClaimRow(row)): ClaimedDelivery {
  return { ...toDelivery(row), event_json: str(row.event_body), event_type: str(row.event_type) as EventType, hook };
}

function hookOfClaimRow(row: Row): HookRecord {
  return toHook(
    Object.fromEntries(
      Object.entries(row)
        .filter(([key]) => key.startsWith('h_'))
        .map(([key, value]) => [key.slice(2), value]),
    ),
  );
}
