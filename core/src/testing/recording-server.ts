import type http from 'node:http';
import type { Socket } from 'node:net';
import { onTestFinished } from 'vitest';
import { listen, listenForTest } from './listen.ts';

/** One request as a recording server received it. */
export interface ReceivedRequest {
  method: string | undefined;
  url: string | undefined;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Reads a request whole: its body as UTF-8 once every byte has arrived. */
function received(request: http.IncomingMessage): Promise<ReceivedRequest> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve({ method: request.method, url: request.url, headers: request.headers, body: Buffer.concat(chunks).toString('utf8') }));
  });
}

/**
 * A real HTTP server on 127.0.0.1 for the test that calls it, standing in for a webhook target or
 * an LMS: it records every request and the connections they came on, then lets `answer` reply
 * ("ok" by default).
 */
export async function recordingServer(answer: (response: http.ServerResponse, received: ReceivedRequest) => void = (response) => response.end('ok')) {
  const requests: ReceivedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = await listenForTest((request, response) => {
    sockets.add(request.socket);
    void received(request).then((entry) => {
      requests.push(entry);
      answer(response, entry);
    });
  });
  return { ...server, received: requests, sockets, port: new URL(server.url).port };
}

/** How a receiver answers one request. */
export interface ReceiverAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  delayMs?: number;
}

/**
 * A subscriber endpoint that records what it receives, open until its `close`; `respond` decides
 * each answer (200 by default), so tests can play Zapier's 410, a 429 or an outage.
 */
export async function startReceiver(respond: (request: ReceivedRequest, index: number) => ReceiverAnswer = () => ({ status: 200 })) {
  const requests: ReceivedRequest[] = [];
  const waiters: Array<() => void> = [];
  const server = await listen((req, res) => {
    void received(req).then((request) => {
      const index = requests.push(request) - 1;
      const answer = respond(request, index);
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(answer.status, answer.headers ?? { 'content-type': 'text/plain' });
        res.end(answer.body ?? 'ok');
      }, answer.delayMs ?? 0);
      for (const wake of waiters.splice(0)) wake();
    });
  });
  return {
    url: server.url,
    received: requests,
    /** Resolves once `count` requests have arrived, or fails after `timeoutMs`. */
    async waitFor(count: number, timeoutMs = 10_000): Promise<ReceivedRequest[]> {
      const deadline = Date.now() + timeoutMs;
      while (requests.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`expected ${count} deliveries, got ${requests.length}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return requests;
    },
    close: server.close,
  };
}

/** Like startReceiver, for the test that calls it: the receiver closes when the test finishes. */
export async function receiverForTest(respond?: Parameters<typeof startReceiver>[0]): Promise<Receiver> {
  const receiver = await startReceiver(respond);
  onTestFinished(receiver.close);
  return receiver;
}

/** A receiver as startReceiver answers it. */
export type Receiver = Awaited<ReturnType<typeof startReceiver>>;
