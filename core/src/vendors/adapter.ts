import type { z } from 'zod';
import type { HydrationNeeds } from '../catalog/hydration-needs.ts';
import type { CatalogEvent, EventType, Vendor } from '../catalog/index.ts';
import type { IngestRoute } from '../catalog/ingest-route.ts';
import type { JsonWebKeySet } from '../signatures/jwks.ts';

/**
 * The one shape every LMS format has (DESIGN §3): verify -> parse -> toCatalog. Adapters are pure:
 * no I/O, no clock (the receive time comes in the request), so each is tested alone. Keys a vendor
 * publishes at a URL (Canvas's rotating JWKS) are I/O, so an adapter only names them (keySet) and
 * the ingest path fetches them and hands them to verify.
 */

/** An ingest request as the HTTP layer hands it over. */
export interface IngestRequest {
  method: string;
  route: IngestRoute;
  /** Header names lower-cased; repeated headers joined with ", ". */
  headers: Readonly<Record<string, string | undefined>>;
  /** Query parameters (first value of each). */
  query: Readonly<Record<string, string | undefined>>;
  /** The body bytes exactly as received: signatures are checked on these, never on re-serialised JSON. */
  body: Buffer;
  receivedAt: Date;
}

/** What toCatalog needs beyond the vendor event. */
export interface MappingContext {
  /** The connection's name (its slug, e.g. "acme"): goes into source.connection and the event id. */
  connection: string;
  receivedAt: Date;
}

export interface MappedEvent {
  event: CatalogEvent;
  /**
   * Identifies this event at the vendor, stable across the vendor's retries: the store dedupes on
   * (connection, dedupe_key), and the event id is derived from it.
   */
  dedupeKey: string;
  hydration: HydrationNeeds;
}

/** An answer the ingest route gives instead of the default 202 (xAPI's statement ids, Learn365's echo). */
export interface IngestReply {
  status: number;
  contentType: string;
  body: string;
  headers?: Record<string, string>;
}

/** The published key set a signed request is checked against, and the key it names. */
export interface KeySetNeed {
  url: string;
  kid: string;
}

export interface VendorAdapter<VendorEvent = unknown, Inbound = unknown> {
  vendor: Vendor;
  /** Human name: "Absorb LMS". */
  title: string;
  /** The connection's inbound auth settings for this vendor (secret, Basic credentials, ...). */
  inboundSchema: z.ZodType<Inbound>;
  /** Routes this vendor may post to; others answer 404. */
  routes: readonly IngestRoute[];
  /**
   * The vendor event names (xAPI: verb IRIs) this adapter knows, and the catalog type each maps
   * to: the mapping tables as data, for the sandbox, docs and tests. Any other name is lms.event.
   */
  events: Readonly<Record<string, EventType>>;
  /**
   * The key set this request's signature needs, for a vendor that signs with keys it publishes at a
   * URL; null when the request needs none (unsigned). The ingest path fetches and caches the set
   * (http/key-sets.ts) and passes it to verify. Throws SignatureError (401) for a token that names
   * no key or a refused algorithm, before anything is fetched for it.
   */
  keySet?(request: IngestRequest, inbound: Inbound): KeySetNeed | null;
  /**
   * Checks the vendor's own signature or credentials, on top of the ingest URL's token; `keys` is
   * the key set keySet named, when it named one. Throws SignatureError or AuthenticationError (401).
   */
  verify(request: IngestRequest, inbound: Inbound, keys?: JsonWebKeySet): void;
  /**
   * Reads the body into the vendor's events; one request may carry several. Throws PayloadError (400).
   * `inbound` is the connection's settings, for a format that is itself data on the connection (custom).
   */
  parse(request: IngestRequest, inbound?: Inbound): VendorEvent[];
  /**
   * Maps one vendor event to catalog events (usually one; a notification naming several users
   * gives one per user). Unknown vendor event names map to lms.event, never to an error.
   */
  toCatalog(vendorEvent: VendorEvent, context: MappingContext): MappedEvent[];
  /**
   * Headers that carry this connection's own credential (a custom connection's fixed header), to be
   * blanked in the stored raw request like Authorization is.
   */
  credentialHeaders?(inbound: Inbound): string[];
  /** A GET the vendor sends to check the URL (Learn365's ?echo=); null when not such a request. */
  handshake?(request: IngestRequest): IngestReply | null;
  /**
   * The answer after the events are durable, when the vendor expects more than the hub's default
   * 202 (xAPI's statement ids); null leaves the default.
   */
  acknowledge?(vendorEvents: VendorEvent[], request: IngestRequest): IngestReply | null;
}

/** A mapping table's names with the catalog type of each. */
export function eventTypesOf(table: Readonly<Record<string, { type: EventType }>>): Record<string, EventType> {
  return Object.fromEntries(Object.entries(table).map(([name, rule]) => [name, rule.type]));
}
