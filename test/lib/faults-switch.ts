import { once } from 'node:events';
import type http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * Puts `server` on a free loopback port and lets a test take it down (the port refuses
 * connections, open sockets are cut) and bring it back on the same port, as a receiver or an
 * LMS that goes away and returns.
 */
export async function switchable(server: http.Server): Promise<{ url: string; down(): Promise<void>; up(): Promise<void>; isUp(): boolean }> {
  const sockets = new Set<Socket>();
  let listening = false;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  async function listenOn(port: number): Promise<number> {
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    listening = true;
    return (server.address() as AddressInfo).port;
  }

  const port = await listenOn(0);
  return {
    url: `http://127.0.0.1:${port}`,
    async down() {
      if (!listening) return;
      listening = false;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
    async up() {
      if (!listening) await listenOn(port);
    },
    isUp: () => listening,
  };
}
