import http from 'node:http';
import { switchable } from './faults-switch.ts';

/**
 * A subscriber that misbehaves on purpose, for the fault scenarios (issue 9): it can go down (its
 * port refuses connections) and come back on the same port, answer any status late or never, or
 * cut the response off mid-body. It tells apart a delivery that arrived from one whose 2xx answer
 * went out whole on a live socket: only the latter counts as delivered.
 */

/** How one delivery is answered. */
export type FaultAnswer =
  | { status: number; headers?: Record<string, string>; body?: string; delayMs?: number }
  /** 200 and the start of a body, then the socket is destroyed: the hub never reads a whole answer. */
  | { cut: true }
  /** Never answered (a hub killed meanwhile leaves it so). */
  | { hold: true };

export interface Arrival {
  /** Date.now() when the request had arrived whole. */
  at: number;
  webhookId: string;
  eventId: string;
  /** The vendor's event id the hub kept in source.event_id. */
  vendorEventId: string | null;
  /** True once a 2xx answer to it was written whole. */
  answered: boolean;
  /** As received, for a signature check. */
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface FaultyReceiver {
  url: string;
  arrivals: Arrival[];
  /** The arrivals of one event, in order. */
  of(eventId: string): Arrival[];
  /** Event ids with at least one answered arrival. */
  delivered(): Set<string>;
  /** Closes the port (requests in flight are dropped): connections are refused until up(). */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  isUp(): boolean;
  close(): Promise<void>;
}

function envelopeOf(body: string): { id: string; vendorEventId: string | null } {
  const parsed: unknown = JSON.parse(body);
  if (typeof parsed !== 'object' || parsed === null || !('id' in parsed)) throw new Error('a delivery without an event id');
  const source = 'source' in parsed && typeof parsed.source === 'object' && parsed.source !== null ? parsed.source : {};
  const vendorEventId = 'event_id' in source && typeof source.event_id === 'string' ? source.event_id : null;
  return { id: String(parsed.id), vendorEventId };
}

/** Starts a faulty receiver on a free loopback port; `answer` decides each reply (200 at once by default). */
export async function startFaultyReceiver(answer: (arrival: Arrival, index: number) => FaultAnswer = () => ({ status: 200 })): Promise<FaultyReceiver> {
  const arrivals: Arrival[] = [];
  const byEvent = new Map<string, Arrival[]>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const envelope = envelopeOf(body);
      const arrival: Arrival = {
        at: Date.now(),
        webhookId: String(req.headers['webhook-id']),
        eventId: envelope.id,
        vendorEventId: envelope.vendorEventId,
        answered: false,
        headers: req.headers,
        body,
      };
      const index = arrivals.push(arrival) - 1;
      const mine = byEvent.get(arrival.eventId) ?? [];
      mine.push(arrival);
      byEvent.set(arrival.eventId, mine);
      const reply = answer(arrival, index);
      if ('hold' in reply) return;
      if ('cut' in reply) {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100' });
        res.write('half an ans', () => res.destroy());
        return;
      }
      const timer = setTimeout(() => {
        if (res.destroyed) return;
        res.once('finish', () => {
          if (reply.status >= 200 && reply.status < 300) arrival.answered = true;
        });
        res.writeHead(reply.status, reply.headers ?? { 'content-type': 'text/plain' }).end(reply.body ?? 'ok');
      }, reply.delayMs ?? 0);
      res.once('close', () => clearTimeout(timer));
    });
  });
  const { url, down, up, isUp } = await switchable(server);
  return {
    url,
    arrivals,
    of: (eventId) => byEvent.get(eventId) ?? [],
    delivered: () => new Set(arrivals.filter((arrival) => arrival.answered).map((arrival) => arrival.eventId)),
    down,
    up,
    isUp,
    close: down,
  };
}
