import express, { type Request, type RequestHandler, type Router } from 'express';
import type { IngestRoute } from '../catalog/ingest-route.ts';
import { NotFoundError, UnsupportedMediaTypeError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { HubVendors } from '../operations/context.ts';
import type { IngestArrivals } from '../operations/ingest-arrivals.ts';
import { constantTimeEqual } from '../signatures/constant-time.ts';
import type { Store } from '../store/store.ts';
import type { IngestReply, IngestRequest, MappedEvent, VendorAdapter } from '../vendors/adapter.ts';
import type { ConnectionRegistry, OpenConnection } from '../vendors/connection-registry.ts';
import { limitedBody } from './body-limit.ts';
import type { KeySets } from './key-sets.ts';
import { pathParam } from './request.ts';

/** LMS bodies are small JSON documents; a batch of a few hundred ALM events fits well within this. */
export const INGEST_BODY_LIMIT_BYTES = 1024 * 1024;

export interface IngestDeps {
  store: Store;
  connections: ConnectionRegistry;
  vendors: HubVendors;
  logger: Logger;
  metrics: Metrics;
  /** Called once events are durable: the fan-out picks them up. */
  onStored: () => void;
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

function headersOf(req: Request): Record<string, string | undefined> {
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

function firstQueryValues(req: Request): Record<string, string | undefined> {
  const query: Record<string, string | undefined> = {};
  for (const [name, value] of new URL(req.originalUrl, 'http://hub').searchParams) query[name] ??= value;
  return query;
}

/**
 * POST /ingest/:connection/:token (+ /xapi/statements) and the vendors' URL checks (GET).
 * verify -> parse -> map -> one durable write -> answer; the rest happens after the answer
 * (DESIGN §4 Ingest path). An unknown connection and a wrong token get the same 404, so the
 * URL reveals nothing about which connections exist.
 */
export function ingestRouter(deps: IngestDeps): Router {
  const router = express.Router({ mergeParams: true });
  const raw = limitedBody(INGEST_BODY_LIMIT_BYTES, express.raw({ type: () => true, limit: INGEST_BODY_LIMIT_BYTES }));

  async function connectionFor(req: Request, route: IngestRoute): Promise<Target> {
    const name = pathParam(req, 'connection');
    const connection = name ? await deps.connections.get(name) : null;
    const tokenOk = connection !== null && constantTimeEqual(pathParam(req, 'token'), connection.token);
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

  function toRequest(req: Request, route: IngestRoute): IngestRequest {
    return {
      method: req.method,
      route,
      headers: headersOf(req),
      query: firstQueryValues(req),
      body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
      receivedAt: new Date(deps.now?.() ?? Date.now()),
    };
  }

  function send(res: express.Response, reply: IngestReply): void {
    res.status(reply.status).type(reply.contentType);
    for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
    res.send(reply.body);
  }

  /**
   * The connection is found before the body is read: a caller without a valid ingest URL gets its
   * 404 without the hub buffering up to a megabyte for it.
   */
  function accepting(route: IngestRoute): RequestHandler {
    return async (req, res, next) => {
      const target = await connectionFor(req, route);
      const refused = (error: unknown) => {
        deps.arrivals.refused(target.connection.record.id, Date.now(), error);
        next(error);
      };
      raw(req, res, (error?: unknown) => {
        if (error) refused(error);
        else receive(req, res, route, target).catch(refused);
      });
    };
  }

  async function receive(req: Request, res: express.Response, route: IngestRoute, { connection, adapter }: Target): Promise<void> {
    const vendor = connection.record.vendor;
    res.on('finish', () => deps.metrics.ingestRequests.inc({ vendor, status: String(res.statusCode) }));
    const contentType = req.get('content-type');
    if (contentType && !READABLE_TYPES.test(contentType)) throw new UnsupportedMediaTypeError(contentType);
    const request = toRequest(req, route);
    const need = adapter.keySet?.(request, connection.inbound) ?? null;
    adapter.verify(request, connection.inbound, need ? await deps.keySets.keysFor(need) : undefined);
    const vendorEvents = adapter.parse(request, connection.inbound);
    const context = { connection: connection.record.name, receivedAt: request.receivedAt };
    const mapped: MappedEvent[] = vendorEvents.flatMap((vendorEvent) => adapter.toCatalog(vendorEvent, context));
    const result = await deps.store.ingest({
      connection_id: connection.record.id,
      request: {
        method: request.method,
        route,
        headers: storableHeaders(request.headers, adapter.credentialHeaders?.(connection.inbound)),
        body: request.body,
        received_at: request.receivedAt.getTime(),
      },
      events: mapped.map(({ event, dedupeKey, hydration }) => ({ id: event.id, type: event.type, dedupe_key: dedupeKey, event, needs: hydration })),
    });
    for (const { event } of mapped) if (result.inserted.includes(event.id)) deps.metrics.eventsStored.inc({ type: event.type });
    deps.metrics.duplicates.inc(result.duplicates.length);
    if (result.inserted.length) deps.onStored();
    const reply = adapter.acknowledge?.(vendorEvents, request);
    deps.arrivals.accepted(connection.record.id, request.receivedAt.getTime(), reply?.status ?? 202, acceptedSummary(mapped, result.duplicates.length));
    if (reply) {
      send(res, reply);
      return;
    }
    res.status(202).json({ accepted: result.inserted.length, duplicates: result.duplicates.length, event_ids: result.ids });
  }

  router.post('/:connection/:token', accepting('webhook'));
  router.post('/:connection/:token/xapi/statements', accepting('xapi-statements'));
  // xAPI's other way to store one statement: PUT /statements?statementId=<uuid>, answered 204.
  router.put('/:connection/:token/xapi/statements', accepting('xapi-statements'));
  router.get('/:connection/:token', async (req, res) => {
    const { adapter, connection } = await connectionFor(req, 'webhook');
    const reply = adapter.handshake?.(toRequest(req, 'webhook'));
    if (!reply) throw new NotFoundError('This ingest URL takes POST requests from your LMS.');
    deps.arrivals.accepted(
      connection.record.id,
      Date.now(),
      reply.status,
      `The LMS checked this URL (${adapter.title}'s URL check) and got the answer it expects.`,
    );
    send(res, reply);
  });
  return router;
}
