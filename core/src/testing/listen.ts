import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { onTestFinished } from 'vitest';

/** Serves a request handler on a free loopback port, for tests that speak real HTTP. */
export async function listen(handler: http.RequestListener): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Like listen, for the test that calls it: the server closes when the test finishes. */
export async function listenForTest(handler: http.RequestListener): Promise<{ url: string; close: () => Promise<void> }> {
  const server = await listen(handler);
  onTestFinished(server.close);
  return server;
}

/** The URL of a loopback port that nothing listens on any more: connecting to it is refused. */
export async function refusedUrl(): Promise<string> {
  const server = await listen(() => {});
  await server.close();
  return server.url;
}
