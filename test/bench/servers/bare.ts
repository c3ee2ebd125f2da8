import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Row 1's ceiling: a bare node:http server that reads the whole body and answers 200, nothing
 * else. Run as its own process so it has a core to itself, as the hub does in row 2. Prints
 * "listening on http://127.0.0.1:PORT" once ready; stops on SIGTERM.
 */
const server = http.createServer((request, response) => {
  let bytes = 0;
  request.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
  });
  request.on('end', () => {
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.end(bytes > 0 ? 'ok' : 'empty');
  });
});
server.keepAliveTimeout = 5_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`listening on http://127.0.0.1:${port}\n`);
});
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
