import { Worker } from 'node:worker_threads';
import type { Transport, TransportOptions, TransportRequest, TransportResult } from './transport.ts';

export type TransportAnswer = { id: number; result: TransportResult } | { id: number; error: string };
export type TransportMessage = { id: number; request: TransportRequest } | 'close';

interface Waiting {
  resolve: (result: TransportResult) => void;
  reject: (error: Error) => void;
}

const THREAD = new URL('./transport-thread.ts', import.meta.url);

/**
 * The transport (transport.ts) on a worker thread of its own. Sending a delivery and reading its
 * answer cost the event loop about 75 µs (undici, the body's bytes, the answer's), which the main
 * thread, busy with ingest and the store, need not pay while the second core idles; handing it over
 * costs the main thread about 20 µs. Bench row 4's p99 at 500/s went 119 -> 47 ms and its maximum
 * 1,293 -> 1,570 deliveries/s; row 13 delivered 20-50 % more while ingest ran. A thread that dies rejects what it had in flight (the dispatcher's lease
 * brings those back) and the next send starts another.
 */
export function threadedTransport(options: TransportOptions, spawn = () => new Worker(THREAD, { workerData: options })): Transport {
  const waiting = new Map<number, Waiting>();
  let worker: Worker | null = null;
  let next = 0;
  let closing: Promise<void> | null = null;

  function started(): Worker {
    if (worker) return worker;
    const thread = spawn();
    let failure = 'The delivery thread stopped.';
    thread.on('message', (answer: TransportAnswer) => {
      const pending = waiting.get(answer.id);
      if (!pending) return;
      waiting.delete(answer.id);
      if ('result' in answer) pending.resolve(answer.result);
      else pending.reject(new Error(answer.error));
      if (waiting.size === 0) thread.unref();
    });
    thread.on('error', (error) => {
      failure = `The delivery thread failed: ${error.message}`;
    });
    thread.on('exit', () => {
      if (worker === thread) worker = null;
      for (const pending of waiting.values()) pending.reject(new Error(failure));
      waiting.clear();
    });
    // Only sends in flight keep the process alive, as with pooled connections on the main thread.
    thread.unref();
    worker = thread;
    return thread;
  }

  return {
    send(request) {
      if (closing) return Promise.reject(new Error('The transport is closed.'));
      const thread = started();
      const id = next++;
      thread.ref();
      return new Promise<TransportResult>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        thread.postMessage({ id, request } satisfies TransportMessage);
      });
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        if (!worker) return resolve();
        worker.ref();
        worker.once('exit', () => resolve());
        worker.postMessage('close' satisfies TransportMessage);
      });
      return closing;
    },
  };
}
