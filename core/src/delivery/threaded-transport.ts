import { Worker } from 'node:worker_threads';
import type { Transport, TransportOptions, TransportRequest, TransportResult } from './transport.ts';

export type TransportAnswer = { id: number; result: TransportResult } | { id: number; error: string };
export interface TransportSend {
  id: number;
  request: TransportRequest;
}
/** Sends asked for in one turn of the event loop travel as one message, and answers come back the same way. */
export type TransportMessage = TransportSend[] | 'close';

interface Waiting {
  resolve: (result: TransportResult) => void;
  reject: (error: Error) => void;
}

const THREAD = new URL('./transport-thread.ts', import.meta.url);

/**
 * The transport (transport.ts) on a worker thread of its own. Sending a delivery and reading its
 * answer cost the event loop about 75 µs (undici, the body's bytes, the answer's), which the main
 * thread, busy with ingest and the store, need not pay while the second core idles. Handing a send
 * over and taking its answer back cost the main thread about 18 µs as one message each, and about
 * 10 since the sends of one turn (a claim's deliveries) travel as one message and their answers
 * come back batched too. Bench row 4's p99 at 500/s went 119 -> 47 ms and its maximum 1,293 ->
 * 1,570 deliveries/s; row 13 delivered 20-50 % more while ingest ran. A thread that dies rejects
 * what it had in flight (the dispatcher's lease brings those back) and the next send starts another.
 */
export function threadedTransport(options: TransportOptions, spawn = () => new Worker(THREAD, { workerData: options })): Transport {
  const waiting = new Map<number, Waiting>();
  let worker: Worker | null = null;
  let next = 0;
  let outbox: TransportSend[] = [];
  let closing: Promise<void> | null = null;

  function started(): Worker {
    if (worker) return worker;
    const thread = spawn();
    let failure = 'The delivery thread stopped.';
    thread.on('message', (answers: TransportAnswer[]) => {
      for (const answer of answers) {
        const pending = waiting.get(answer.id);
        if (!pending) continue;
        waiting.delete(answer.id);
        if ('result' in answer) pending.resolve(answer.result);
        else pending.reject(new Error(answer.error));
      }
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

  function post(): void {
    const sends = outbox;
    outbox = [];
    started().postMessage(sends satisfies TransportMessage);
  }

  return {
    send(request) {
      if (closing) return Promise.reject(new Error('The transport is closed.'));
      const id = next++;
      started().ref();
      return new Promise<TransportResult>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        // A claim's deliveries are sent in one turn: one message carries them all.
        if (outbox.length === 0) queueMicrotask(post);
        outbox.push({ id, request });
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
