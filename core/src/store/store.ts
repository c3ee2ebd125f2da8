import type { HydrationNeeds } from '../catalog/hydration-needs.ts';
import type { CatalogEvent, EventType, Vendor } from '../catalog/index.ts';
import type { IngestRoute } from '../catalog/ingest-route.ts';
import type { AccountStore } from './sql/accounts.ts';
import type { StoreWriteHealth } from './write-health.ts';

/**
 * The one storage interface (DESIGN §4 Store): node:sqlite is the embedded default, PostgreSQL the
 * scale-out store. Secrets arrive here already encrypted (`*_enc` fields): the store never sees
 * plaintext credentials. Times are epoch milliseconds.
 *
 * Durability contract: a promise from a write resolves only once the write is durable on disk.
 * No method on the ingest or delivery path may cost O(history).
 */

export interface Page<T> {
  data: T[];
  /** Opaque; pass back as `cursor` for the next (older) page; null on the last page. */
  next_cursor: string | null;
}

export interface PageQuery {
  limit: number;
  cursor?: string | undefined;
}

export type ApiScope = 'admin' | 'hooks' | 'events';

export interface ApiKeyRecord {
  id: string;
  label: string;
  scopes: ApiScope[];
  /** sha256 of the key's secret part, hex. */
  secret_hash: string;
  created_at: number;
  revoked_at: number | null;
  last_used_at: number | null;
}

export interface ConnectionRecord {
  id: string;
  /** URL-safe slug, unique: the first segment of the ingest path and events' source.connection. */
  name: string;
  vendor: Vendor;
  description: string | null;
  /** The ingest path token, encrypted (shown again to admins, so not hashed). */
  token_enc: string;
  /** JSON of the vendor's inbound auth settings, encrypted. */
  inbound_enc: string;
  /** JSON of the LMS API settings used by hydration, encrypted; null when none. */
  api_enc: string | null;
  /** How many days its events, requests and attempts are kept: null (or left out) for the hub's LEARNHOOK_RETENTION_DAYS, 0 for ever. */
  retention_days?: number | null | undefined;
  /** JSON of what the hub registered at the LMS for it (issue 16 §5, operations/registration.ts); null or left out when nothing. */
  registration?: string | null | undefined;
  created_at: number;
  updated_at: number;
}

export type HookStatus = 'active' | 'paused' | 'disabled';

export interface HookFilter {
  course_id?: string[] | undefined;
  connection?: string[] | undefined;
}

export interface HookRecord {
  id: string;
  url: string;
  /** Catalog types, or ["*"] for every type. */
  events: string[];
  filter: HookFilter;
  description: string | null;
  /** The whsec_ signing secret, encrypted. */
  secret_enc: string;
  /** The secret a rotation replaced, encrypted: deliveries carry its signature too until previous_secret_until. */
  previous_secret_enc: string | null;
  previous_secret_until: number | null;
  status: HookStatus;
  /** Why a hook was disabled (failing for days); null otherwise. */
  status_reason: string | null;
  /** When the current run of failed deliveries began; null while it delivers. */
  failing_since: number | null;
  /** Which API key created it (a Zapier or n8n credential); lets a client find its own hooks. */
  created_by: string | null;
  created_at: number;
  updated_at: number;
}

export interface NewEvent {
  id: string;
  type: EventType;
  dedupe_key: string;
  event: CatalogEvent;
  needs: HydrationNeeds;
  /**
   * The event fanned out before it was stored (fan-out's completeNow: nothing to wait for): its
   * final envelope and deliveries, stored processed as completeEvent would, in the ingest's own
   * transaction. Absent, the event is stored received for fan-out.
   */
  completed?: { event: CatalogEvent; deliveries: NewDelivery[] } | undefined;
}

export interface IngestInput {
  connection_id: string;
  request: { method: string; route: IngestRoute; headers: Record<string, string | undefined>; body: Buffer; received_at: number };
  events: NewEvent[];
}

export interface IngestResult {
  /** Ids of events stored by this call. */
  inserted: string[];
  /** Ids of the events already stored under the same dedupe key (the vendor resent them): nothing new was stored for them. */
  duplicates: string[];
  /**
   * The stored id of each input event, in order: its own when inserted, the stored one's when a
   * duplicate (a resent event whose id came out different, having no timestamp of its own).
   */
  ids: string[];
}

export type EventState = 'received' | 'processed';

/** One hour of activity: `at` is the hour's start (epoch ms). */
export interface ActivityHour {
  at: number;
  received: number;
  delivered: number;
  failed: number;
}

/** An ingest request as the store keeps it. */
export interface RawRequest {
  method: string;
  route: IngestRoute;
  headers: Record<string, string | undefined>;
  body: Buffer;
  received_at: number;
}

export interface StoredEvent {
  seq: number;
  id: string;
  connection_id: string;
  type: EventType;
  state: EventState;
  event: CatalogEvent;
  needs: HydrationNeeds;
}

export interface EventQuery extends PageQuery {
  type?: string | undefined;
  connection?: string | undefined;
  /** The learner's email, any case. */
  learner_email?: string | undefined;
  /** A course id, or part of its title (any case). */
  course?: string | undefined;
  hydration?: 'pending' | 'complete' | 'partial' | undefined;
  /** Events with at least one delivery in this status. */
  delivery_status?: DeliveryStatus | undefined;
  /** Received at or after / before these ISO times. */
  received_since?: string | undefined;
  received_before?: string | undefined;
}

export type DeliveryStatus = 'pending' | 'in_flight' | 'succeeded' | 'failed';

export interface NewDelivery {
  id: string;
  event_id: string;
  hook_id: string;
  next_attempt_at: number;
  /** 'event' for the normal fan-out, 'replay' and 'test' for those API calls. */
  reason: 'event' | 'replay' | 'test';
  /** 'in_flight' for one handed to this process's dispatcher at once, next_attempt_at its lease's end (dispatcher.ts Handoff); 'pending' when absent. */
  status?: 'pending' | 'in_flight';
}

export interface DeliveryRecord {
  id: string;
  event_id: string;
  hook_id: string;
  reason: NewDelivery['reason'];
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: number | null;
  last_status: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

/** A claimed delivery with what sending it needs. */
export interface ClaimedDelivery extends DeliveryRecord {
  /** The event as stored, JSON: what is sent, as it is (parsing it only to serialise it again cost a delivery about 10 µs). */
  event_json: string;
  event_type: EventType;
  hook: HookRecord;
}

export interface AttemptRecord {
  delivery_id: string;
  attempt: number;
  started_at: number;
  duration_ms: number;
  status: number | null;
  error: string | null;
  /** The first 1 KB of the response body. */
  response_snippet: string | null;
}

export type AttemptOutcome = { status: 'succeeded' } | { status: 'pending'; next_attempt_at: number } | { status: 'failed' };

export interface DeliveryQuery extends PageQuery {
  hook_id?: string | undefined;
  event_id?: string | undefined;
  status?: DeliveryStatus | undefined;
}

export interface AuditEntry {
  at: number;
  /** API key id, or "cli". */
  actor: string;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
}

/**
 * Every column that holds a sealed secret (secret-box.ts), as table.column: what a key rotation
 * re-seals. A test compares it with the schema, so a new sealed column cannot be missed.
 */
export const SEALED_COLUMNS = [
  'connections.token_enc',
  'connections.inbound_enc',
  'connections.api_enc',
  'hooks.secret_enc',
  'hooks.previous_secret_enc',
] as const;
export type SealedColumn = (typeof SEALED_COLUMNS)[number];

/** One stored sealed value and the id of its row. */
export interface SealedValue {
  id: string;
  sealed: string;
}

/** One stored request, as retention walks them: `owed` when an event of it is still to be fanned out or delivered. */
export interface RetentionCandidate {
  seq: number;
  received_at: number;
  owed: boolean;
}

/** Rows one prune removed, by table. */
export interface PrunedRows {
  raw_requests: number;
  events: number;
  deliveries: number;
  attempts: number;
}

/**
 * What retention (store/retention.ts) asks of a store: each call is one bounded transaction, so
 * pruning never holds the write lock for long.
 */
export interface RetentionStore {
  /** Every connection that may hold requests, with its own window (null: the hub's); deleted connections with the hub's. */
  scopes(): Promise<{ connection_id: string; retention_days: number | null }[]>;
  /** Up to `limit` of one connection's requests after `afterSeq`, oldest first. */
  candidates(connectionId: string, afterSeq: number, limit: number): Promise<RetentionCandidate[]>;
  /**
   * Deletes these requests with their events and those events' deliveries and attempts, in one
   * transaction. An event still owed is kept, with its request, whatever the caller read before.
   */
  pruneRequests(seqs: readonly number[]): Promise<PrunedRows>;
  /** Deletes audit entries older than `before` among the oldest `limit`; answers how many. */
  pruneAudit(before: number, limit: number): Promise<number>;
  /** Deletes activity hours before `before` among the oldest `limit`; answers how many. */
  pruneActivity(before: number, limit: number): Promise<number>;
}

/** What another process sharing the store made: events to fan out, deliveries due, or changed hooks. */
export type WakeTopic = 'events' | 'deliveries' | 'hooks';

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** Console users, sessions and one-time account links. */
  readonly accounts: AccountStore;
  /** Pruning what is past its retention window. */
  readonly retention: RetentionStore;
  close(): Promise<void>;
  /**
   * Calls `listener` when another process sharing this store made work (PostgreSQL NOTIFY), so an
   * idle fan-out or dispatcher wakes without waiting for its poll; answers a function that stops
   * listening. The embedded store has no other process and never calls it.
   */
  onWake(listener: (topic: WakeTopic) => void): () => void;

  ingest(input: IngestInput): Promise<IngestResult>;
  /**
   * Claims up to `limit` received events not yet hydrated and fanned out, oldest first, leasing
   * them for `leaseMs`: other processes sharing the store skip them until the lease expires
   * (their claimer died), so two processes never hydrate the same event at once.
   */
  claimEvents(now: number, limit: number, leaseMs: number): Promise<StoredEvent[]>;
  /**
   * Stores the hydrated event, marks it processed and creates its deliveries, in one transaction.
   * Does nothing and answers false when the event was processed already (its lease expired and
   * another process finished it first): an event's deliveries are created once.
   */
  completeEvent(id: string, event: CatalogEvent, deliveries: NewDelivery[]): Promise<boolean>;
  /**
   * Fills the learner_email column of events processed before it existed, one bounded batch of
   * `span` sequence numbers per call (learner-email-backfill.ts runs it at start-up); answers how
   * many events it filled, or null once nothing is left.
   */
  backfillLearnerEmails(span: number): Promise<number | null>;
  getEvent(id: string): Promise<StoredEvent | null>;
  /** The request an event came in with, as stored (credential headers blanked); null when none is kept. */
  getRawRequest(eventId: string): Promise<RawRequest | null>;
  /** A connection's latest raw requests, newest first (credential headers blanked): what the custom mapping's preview reads. */
  listRawRequests(connectionId: string, limit: number): Promise<RawRequest[]>;
  listEvents(query: EventQuery): Promise<Page<StoredEvent>>;

  insertHook(hook: HookRecord): Promise<void>;
  getHook(id: string): Promise<HookRecord | null>;
  listHooks(query: PageQuery & { created_by?: string | undefined }): Promise<Page<HookRecord>>;
  /**
   * The hooks new events are matched against: active ones, and paused ones, whose deliveries are
   * created and held until the hook is active again. Disabled hooks get none.
   */
  matchableHooks(): Promise<HookRecord[]>;
  updateHook(id: string, patch: Partial<Omit<HookRecord, 'id' | 'created_at'>>): Promise<HookRecord | null>;
  /** Deletes the hook and its undelivered deliveries; false when it did not exist. */
  deleteHook(id: string): Promise<boolean>;

  /**
   * Replay's deliveries, for events still stored: one whose event retention removed meanwhile is
   * not made (it could never be claimed). Answers how many were made.
   */
  insertDeliveries(deliveries: NewDelivery[]): Promise<number>;
  /** Hooks that have deliveries due at `now` (pending and due, or in flight with an expired lease). */
  hooksWithDueDeliveries(now: number): Promise<string[]>;
  /** Claims up to `limit` due deliveries of one hook, oldest first, leasing them for `leaseMs`. */
  claimDeliveries(hookId: string, now: number, limit: number, leaseMs: number): Promise<ClaimedDelivery[]>;
  /** Hands claimed deliveries back unsent (no slot was free after all): pending and due at `now`. */
  releaseDeliveries(ids: string[], now: number): Promise<void>;
  /** Records one attempt and the delivery's next state, in one transaction. */
  finishAttempt(attempt: AttemptRecord, outcome: AttemptOutcome): Promise<void>;
  getDelivery(id: string): Promise<DeliveryRecord | null>;
  listDeliveries(query: DeliveryQuery): Promise<Page<DeliveryRecord>>;
  listAttempts(deliveryId: string): Promise<AttemptRecord[]>;
  /**
   * Brings a hook's waiting deliveries forward: pending ones scheduled after `now` become due at
   * `now`, except those whose last answer was 429 or 503 (the target asked for that wait). For a
   * hook that just recovered; answers how many moved.
   */
  expediteDeliveries(hookId: string, now: number): Promise<number>;
  /** Makes a delivery due now again (any status but in flight); null when unknown. */
  retryDelivery(id: string, now: number): Promise<DeliveryRecord | null>;
  /**
   * The earliest next_attempt_at of pending deliveries, to sleep until then; null when none. A
   * store shared by several processes also counts in-flight leases, which fall due when their
   * claimer died.
   */
  nextDueAt(): Promise<number | null>;

  insertConnection(connection: ConnectionRecord): Promise<void>;
  getConnection(idOrName: string): Promise<ConnectionRecord | null>;
  listConnections(query: PageQuery): Promise<Page<ConnectionRecord>>;
  updateConnection(id: string, patch: Partial<Omit<ConnectionRecord, 'id' | 'created_at'>>): Promise<ConnectionRecord | null>;
  deleteConnection(id: string): Promise<boolean>;

  insertApiKey(key: ApiKeyRecord): Promise<void>;
  getApiKey(id: string): Promise<ApiKeyRecord | null>;
  listApiKeys(): Promise<ApiKeyRecord[]>;
  revokeApiKey(id: string, at: number): Promise<boolean>;
  touchApiKey(id: string, at: number): Promise<void>;

  appendAudit(entry: AuditEntry): Promise<void>;
  /** Events received and deliveries that succeeded or finally failed, per hour since `since`, for one connection or all; hours with nothing are left out. */
  activity(query: { since: number; connection_id?: string | undefined }): Promise<ActivityHour[]>;

  /**
   * Records that the process holding this store is alive at `now` and answers how many were seen
   * within `windowMs` (this one included): the processes that share each LMS's rate limit. An
   * embedded store has one process.
   */
  heartbeat(now: number, windowMs: number): Promise<number>;
  /**
   * Whether the store can write now (issue 17 §7). While it cannot (disk full, read-only), every
   * write rejects with StoreUnavailableError; the first write that succeeds turns this back.
   */
  writeHealth(): StoreWriteHealth;
  listAudit(query: PageQuery): Promise<Page<AuditEntry & { seq: number }>>;

  /** Up to `limit` values of one sealed column (nulls left out), in id order after `afterId`: a key rotation walks them in bounded batches. */
  sealedValues(column: SealedColumn, afterId: string | null, limit: number): Promise<SealedValue[]>;
  /** Replaces a sealed value only while it is still `from` (a hub may have changed it meanwhile); answers whether it did. */
  resealValue(column: SealedColumn, id: string, from: string, to: string): Promise<boolean>;
}
