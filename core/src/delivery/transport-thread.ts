import { parentPort, workerData } from 'node:worker_threads';
import type { TransportAnswer, TransportMessage } from './threaded-transport.ts';
import { createTransport, type TransportOptions } from './transport.ts';

/** The worker thread behind threadedTransport: the real transport, answering each request by its number. */
if (!parentPort) throw new Error('transport-thread.ts runs as a worker thread (threaded-transport.ts starts it).');
const port = parentPort;
const transport = createTransport(workerData as TransportOptions);

let answers: TransportAnswer[] = [];

function flush(): void {
  if (answers.length === 0) return;
  port.postMessage(answers);
  answers = [];
}

/** Answers that arrive in one turn go back as one message (threaded-transport.ts). */
function answer(done: TransportAnswer): void {
  if (answers.length === 0) setImmediate(flush);
  answers.push(done);
}

port.on('message', (message: TransportMessage) => {
  if (message === 'close') {
    // In-flight sends finish first; then nothing keeps the thread alive.
    void transport.close().finally(() => {
      flush();
      port.close();
    });
    return;
  }
  for (const { id, request } of message)
    void transport.send(request).then(
      (result) => answer({ id, result }),
      (error: unknown) => answer({ id, error: error instanceof Error ? error.message : String(error) }),
    );
});
