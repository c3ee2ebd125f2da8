import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IngestRoute } from '../catalog/ingest-route.ts';
import type { FanOut } from '../delivery/fan-out.ts';
import { LearnhookError, NotFoundError, UnsupportedMediaTypeError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { HubVendors } from '../operations/context.ts';
import type { IngestArrivals } from '../operations/ingest-arrivals.ts';
import { digestsEqual } from '../signatures/constant-time.ts';
import type { IngestInput, IngestResult, Store } from '../store/store.ts';
import type { IngestReply, IngestRequest, MappedEvent, VendorAdapter } from '../vendors/adapter.ts';
import type { ConnectionRegistry, OpenConnection } from '../vendors/connection-registry.ts';
import { answerError } from './error-handler.ts';
import type { KeySets } from './key-sets.ts';
import { readBody } from './request-body.ts';

/** LMS bodies are small JSON documents; a batch of a few hundred ALM events fits well within this. */
export const INGEST_BODY_LIMIT_BYTES = 1024 * 1024;

export interface IngestDeps {
  store: Store;
  connections: ConnectionRegistry;
  vendors: HubVendors;
  logger: Logger;
  metrics: Metrics;
  /** Fans events out before they are stored when nothing need be waited for; woken for those stored received. */
  fanOut: Pick<FanOut, 'completeNow' | 'wake'>;
  /** What reached each connection lately, accepted or refused, for the console's setup check. */
  arrivals: IngestArrivals;
  /** The published key sets signed requests are checked against (Canvas's JWKS), fetched and cached. */
  keySets: KeySets;
  /** The hub's clock: a request's receive time, which retention later measures its age by. */
  now?: (() => number) | undefined;
}

interface Target {
  connection: OpenConnection;
  adapter: VendorAdapter<unknown, unknown>;
}

// application/jwt (RFC 7519 §10.3.1): how a signed body such as a Canvas Live Event may be labelled.
const READABLE_TYPES = /^(application\/([\w.+-]*json|jwt)|text\/plain)\b/i;

function headersOf(req: IncomingMessage): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  return headers;
}

/** Headers that carry a credential (Seismic's static Authorization, xAPI Basic auth, ALM Basic). */
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key']);

/**
 * The headers as the raw request is stored: the store keeps raw requests unencrypted, so a
 * credential a vendor sends in a header is blanked there, as connection secrets are sealed.
 */
export function storableHeaders(headers: Readonly<Record<string, string | undefined>>, more: readonly string[] = []): Record<string, string | undefined> {
  const blanked = (name: string) => CREDENTIAL_HEADERS.has(name) || more.includes(name);
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, value !== undefined && blanked(name) ? '[redacted]' : value]));
}

function acceptedSummary(mapped: readonly MappedEvent[], duplicates: number): string {
  const types = [...new Set(mapped.map(({ event }) => event.type))];
  const fresh = mapped.length - duplicates;
  if (mapped.length === 0) return 'Accepted: the LMS reached learnhook (the request carried no events, as test requests often do).';
  return `Accepted: ${fresh} new event${fresh === 1 ? '' : 's'}${duplicates ? ` and ${duplicates} already received` : ''} (${types.join(', ')}).`;
}

function firstQueryValues(search: string): Record<string, string | undefined> {
  const query: Record<string, string | undefined> = {};
  for (const [name, value] of new URLSearchParams(search)) query[name] ??= value;
  return query;
}

/** The ingest routes: the webhook URL and xAPI's statements resource beneath it. */
const INGEST_PATH = /^\/ingest\/([^/]+)\/([^/]+)(\/xapi\/statements)?\/?$/i;

/** Which route a method and path are, or null for a request that is not the ingest path's (express answers it). */
function routeOf(method: string | undefined, path: string): { route: IngestRoute; answer: 'accept' | 'handshake'; match: RegExpExecArray } | null {
  const match = INGEST_PATH.exec(path);
  if (!match) return null;
  const xapi = match[3] !== undefined;
  if (method === 'POST') return { route: xapi ? 'xapi-statements' : 'webhook', answer: 'accept', match };
  // xAPI's other way to store one statement: PUT /statements?statementId=<uuid>, answered 204.
  if (method === 'PUT' && xapi) return { route: 'xapi-statements', answer: 'accept', match };
  if (method === 'GET' && !xapi) return { route: 'webhook', answer: 'handshake', match };
  return null;
}

function decodedSegment(segment: string | undefined): string {
  try {
    return decodeURIComponent(segment ?? '');
  } catch {
    throw new LearnhookError(400, 'invalid_request', 'The URL path is not valid: one of its %-escapes does not decode.');
  }
}

export interface Ingest {
  /** Answers the request when it is an ingest route and says so; false leaves it to the rest of the app. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
}

/**
 * POST /ingest/:connection/:token (+ /xapi/statements) and the vendors' URL checks (GET), on
 * node's own request, before express: the ingest path is the hub's hottest and needs none of
 * express's routing or parsers (bench row 2). verify -> parse -> map -> one durable write ->
 * answer (DESIGN §4 Ingest path); an event that needs no LMS call is fanned out before the write
 * and stored with its deliveries, every other one after the answer. An unknown connection and a
 * wrong token get the same 404, so the URL reveals nothing about which connections exist.
 */
export function createIngest(deps: IngestDeps): Ingest {
  async function connectionFor(name: string, token: string, route: IngestRoute): Promise<Target> {
    const connection = name ? await deps.connections.get(name) : null;
    const tokenOk = connection !== null && digestsEqual(token, connection.token);
    if (!connection || !tokenOk) {
      const refusal = new NotFoundError('No connection answers at this ingest URL; check the URL learnhook gave you.');
      // A known name with a wrong token is most often an LMS still holding the URL from before a rotation.
      if (connection) deps.arrivals.refused(connection.record.id, Date.now(), refusal);
      throw refusal;
    }
    const adapter: VendorAdapter<unknown, unknown> = deps.vendors[connection.record.vendor].inbound;
    if (!adapter.routes.includes(route)) throw new NotFoundError(`${adapter.title} connections do not accept this route.`);
    return { connection, adapter };
  }

  function toRequest(req: IncomingMessage, route: IngestRoute, search: string, body: Buffer): IngestRequest {
    return {
      method: req.method ?? 'GET',
      route,
      headers: headersOf(req),
      query: firstQueryValues(search),
      body,
      receivedAt: new Date(deps.now?.() ?? Date.now()),
    };
  }

  function send(res: ServerResponse, reply: IngestReply): void {
    res.statusCode = reply.status;
    res.setHeader('Content-Type', reply.contentType);
    for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
    res.end(reply.body);
  }

  /**
   * The connection is found before the body is read: a caller without a valid ingest URL gets its
   * 404 without the hub buffering up to a megabyte for it.
   */
  async function accept(req: IncomingMessage, res: ServerResponse, route: IngestRoute, search: string, target: Target): Promise<void> {
    const vendor = target.connection.record.vendor;
    res.on('finish', () => deps.metrics.ingestRequests.inc({ vendor, status: String(res.statusCode) }));
    try {
      const contentType = req.headers['content-type'];
      if (contentType && !READABLE_TYPES.test(contentType)) throw new UnsupportedMediaTypeError(contentType);
      const body = await readBody(req, res, INGEST_BODY_LIMIT_BYTES);
      await receive(res, toRequest(req, route, search, body), target);
    } catch (error) {
      deps.arrivals.refused(target.connection.record.id, Date.now(), error);
      throw error;
    }
  }

  /**
   * The request and its events in one durable write, each event fanned out first when nothing need
   * be waited for (completeNow); fan-out is woken for those stored received.
   */
  async function storeEvents(connectionId: string, mapped: MappedEvent[], request: IngestInput['request']): Promise<IngestResult> {
    const early = await Promise.all(
      mapped.map(({ event, hydration }) => deps.fanOut.completeNow({ id: event.id, connection_id: connectionId, event, needs: hydration })),
    );
    let result: IngestResult;
    try {
      result = await deps.store.ingest({
        connection_id: connectionId,
        request,
        events: mapped.map(({ event, dedupeKey, hydration }, index) => ({
          id: event.id,
          type: event.type,
          dedupe_key: dedupeKey,
          event,
          needs: hydration,
          completed: early[index] ?? undefined,
        })),
      });
    } catch (error) {
      for (const completion of early) completion?.settle(false);
      throw error;
    }
    const stored = new Set(result.inserted);
    mapped.forEach(({ event }, index) => {
      if (stored.has(event.id)) deps.metrics.eventsStored.inc({ type: event.type });
      early[index]?.settle(stored.has(event.id));
    });
    deps.metrics.duplicates.inc(result.duplicates.length);
    if (mapped.some(({ event }, index) => stored.has(event.id) && !early[index])) deps.fanOut.wake();
    return result;
  }

  async function receive(res: ServerResponse, request: IngestRequest, { connection, adapter }: Target): Promise<void> {
    const need = adapter.keySet?.(request, connection.inbound) ?? null;
    adapter.verify(request, connection.inbound, need ? await deps.keySets.keysFor(need) : undefined);
    const vendorEvents = adapter.parse(request, connection.inbound);
    const context = { connection: connection.record.name, receivedAt: request.receivedAt };
    const mapped: MappedEvent[] = vendorEvents.flatMap((vendorEvent) => adapter.toCatalog(vendorEvent, context));
    const result = await storeEvents(connection.record.id, mapped, {
      method: request.method,
      route: request.route,
      headers: storableHeaders(request.headers, adapter.credentialHeaders?.(connection.inbound)),
      body: request.body,
      received_at: request.receivedAt.getTime(),
    });
    const reply = adapter.acknowledge?.(vendorEvents, request);
    deps.arrivals.accepted(connection.record.id, request.receivedAt.getTime(), reply?.status ?? 202, acceptedSummary(mapped, result.duplicates.length));
    send(
      res,
      reply ?? {
        status: 202,
        contentType: 'application/json; charset=utf-8',
        body: JSON.stringify({ accepted: result.inserted.length, duplicates: result.duplicates.length, event_ids: result.ids }),
      },
    );
  }

  async function handshake(req: IncomingMessage, res: ServerResponse, search: string, { connection, adapter }: Target): Promise<void> {
    const reply = adapter.handshake?.(toRequest(req, 'webhook', search, Buffer.alloc(0)));
    if (!reply) throw new NotFoundError('This ingest URL takes POST requests from your LMS.');
    deps.arrivals.accepted(
      connection.record.id,
      Date.now(),
      reply.status,
      `The LMS checked this URL (${adapter.title}'s URL check) and got the answer it expects.`,
    );
    send(res, reply);
  }

  async function answer(req: IncomingMessage, res: ServerResponse, found: NonNullable<ReturnType<typeof routeOf>>, search: string): Promise<void> {
    const target = await connectionFor(decodedSegment(found.match[1]), decodedSegment(found.match[2]), found.route);
    if (found.answer === 'handshake') await handshake(req, res, search, target);
    else await accept(req, res, found.route, search, target);
  }

  return {
    handle(req, res) {
      const url = req.url ?? '/';
      const queryAt = url.indexOf('?');
      const found = routeOf(req.method, queryAt < 0 ? url : url.slice(0, queryAt));
      if (!found) return false;
      const pattern = `/ingest/:connection/:token${found.route === 'xapi-statements' ? '/xapi/statements' : ''}`;
      answer(req, res, found, queryAt < 0 ? '' : url.slice(queryAt + 1)).catch((error: unknown) => {
        // A refusal before the body was read leaves it unread: drop the connection rather than read on.
        if (!req.complete) res.setHeader('Connection', 'close');
        answerError(res, error, { logger: deps.logger, method: req.method, route: pattern });
      });
      return true;
    },
  };
}
