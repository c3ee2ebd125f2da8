import { parentPort, workerData } from 'node:worker_threads';
import type { TransportAnswer, TransportMessage } from './threaded-transport.ts';
import { createTransport, type TransportOptions } from './transport.ts';

/** The worker thread behind threadedTransport: the real transport, answering each request by its number. */
const port = parentPort;
if (!port) throw new Error('transport-thread.ts runs as a worker thread (threaded-transport.ts starts it).');
const transport = createTransport(workerData as TransportOptions);

port.on('message', (message: TransportMessage) => {
  if (message === 'close') {
    // In-flight sends finish first; then nothing keeps the thread alive.
    void transport.close().finally(() => port.close());
    return;
  }
  void transport.send(message.request).then(
    (result) => port.postMessage({ id: message.id, result } satisfies TransportAnswer),
    (error: unknown) => port.postMessage({ id: message.id, error: error instanceof Error ? error.message : String(error) } satisfies TransportAnswer),
  );
});
