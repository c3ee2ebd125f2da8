import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { onTestFinished } from 'vitest';

/** Serves a request handler on a free loopback port (or the one given), for tests that speak real HTTP. */
export async function listen(handler: http.RequestListener, port = 0): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(handler);
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Like listen, for the test that calls it: the server closes when the test finishes. */
export async function listenForTest(handler: http.RequestListener, port = 0): Promise<{ url: string; close: () => Promise<void> }> {
  const server = await listen(handler, port);
  onTestFinished(server.close);
  return server;
}

/** A loopback port that nothing listens on any more (connecting is refused), to bring a server up on later. */
export async function freePort(): Promise<number> {
  const server = await listen(() => {});
  await server.close();
  return Number(new URL(server.url).port);
}

/** The URL of a loopback port that nothing listens on any more: connecting to it is refused. */
export async function refusedUrl(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}`;
}
