import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyStandardWebhook } from '@learnhook/core';
import { sleep } from '@learnhook/core/testing';

/** What the receiver keeps of one delivery. */
export interface Arrival {
  at: number;
  path: string;
  /** The catalog event's source.event_id (the vendor's own id), its id and hydration status. */
  sourceEventId: string | null;
  eventId: string | null;
  hydration: string | null;
  /** null when no secret was given to check against. */
  signatureOk: boolean | null;
}

interface DeliveredEvent {
  id?: unknown;
  source?: { event_id?: unknown };
  hydration?: { status?: unknown };
}

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/**
 * A subscriber endpoint in the bench process: answers 200 at once and records when each delivery
 * arrived (performance.now(), the clock the senders use), what it was, and whether its Standard
 * Webhooks signature verifies with the hook's secret. It can go down and come back on the same
 * port (row 6).
 */
export async function startReceiver(options: { port?: number; parse?: boolean } = {}) {
  const arrivals: Arrival[] = [];
  const secrets: string[] = [];
  const parse = options.parse ?? true;
  let waiter: (() => void) | null = null;
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const at = performance.now();
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end('ok');
      let arrival: Arrival = { at, path: request.url ?? '', sourceEventId: null, eventId: null, hydration: null, signatureOk: null };
      if (parse) {
        const body = Buffer.concat(chunks);
        try {
          const event = JSON.parse(body.toString('utf8')) as DeliveredEvent;
          arrival = { ...arrival, sourceEventId: str(event.source?.event_id), eventId: str(event.id), hydration: str(event.hydration?.status) };
        } catch {
          // Not JSON: recorded without its fields.
        }
        if (secrets.length) {
          const headers: Record<string, string | undefined> = {};
          for (const [name, value] of Object.entries(request.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
          try {
            verifyStandardWebhook({ headers, body, secrets, nowSeconds: Date.now() / 1000 });
            arrival.signatureOk = true;
          } catch {
            arrival.signatureOk = false;
          }
        }
      }
      arrivals.push(arrival);
      const wake = waiter;
      waiter = null;
      wake?.();
    });
  });
  server.keepAliveTimeout = 5_000;
  server.listen(options.port ?? 0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    arrivals,
    /** Signatures are checked against these (a hook's whsec_ secret) from now on. */
    addSecret: (secret: string) => secrets.push(secret),
    /** Resolves true once `count` deliveries arrived, false after `timeoutMs`. */
    async waitFor(count: number, timeoutMs: number): Promise<boolean> {
      const deadline = performance.now() + timeoutMs;
      while (arrivals.length < count) {
        const left = deadline - performance.now();
        if (left <= 0) return false;
        await Promise.race([new Promise<void>((resolve) => (waiter = resolve)), sleep(Math.min(left, 250))]);
      }
      return true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;
