import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import packageJson from '../package.json' with { type: 'json' };
import type { Config } from './config.ts';
import { createApp } from './http/app.ts';
import type { Logger } from './logger.ts';

export interface RunningHub {
  url: string;
  port: number;
  /** Stops accepting connections and resolves once in-flight requests have finished. */
  close(): Promise<void>;
}

export const VERSION: string = packageJson.version;

/** Starts the hub's HTTP server; resolves once it listens. */
export async function startHub(config: Config, logger: Logger): Promise<RunningHub> {
  const app = createApp({ logger, version: VERSION });
  const server = http.createServer(app);
  // Idle keep-alive sockets would hold close() open; in-flight requests still finish.
  server.keepAliveTimeout = 5_000;
  server.listen(config.PORT, config.HOST);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${port}`;
  return {
    url,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}
