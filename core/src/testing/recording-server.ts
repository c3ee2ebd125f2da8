import type http from 'node:http';
import type { Socket } from 'node:net';
import { listenForTest } from './listen.ts';

/** One request as a recording server received it. */
export interface ReceivedRequest {
  method: string | undefined;
  url: string | undefined;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * A real HTTP server on 127.0.0.1 for the test that calls it, standing in for a webhook target or
 * an LMS: it records every request and the connections they came on, then lets `answer` reply
 * ("ok" by default).
 */
export async function recordingServer(answer: (response: http.ServerResponse, received: ReceivedRequest) => void = (response) => response.end('ok')) {
  const received: ReceivedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = await listenForTest((request, response) => {
    sockets.add(request.socket);
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      const entry = { method: request.method, url: request.url, headers: request.headers, body };
      received.push(entry);
      answer(response, entry);
    });
  });
  return { ...server, received, sockets, port: new URL(server.url).port };
}
