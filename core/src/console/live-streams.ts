import type { Response } from 'express';
import type { SafeHtml } from './html.ts';

/**
 * The console's Server-Sent Event streams (live tails). Each polls its source every `pollMs` and
 * sends what is new; all end when the hub stops, since an open stream would hold the server's
 * close() open forever.
 */
export interface LiveStreams {
  open(res: Response, next: () => Promise<SafeHtml[]>, options?: { event?: string }): void;
  closeAll(): void;
}

/** One SSE message: each line of the fragment is its own data line, so LMS text with newlines cannot end the message. */
export function sseMessage(event: string, fragment: SafeHtml): string {
  return `event: ${event}\n${fragment.text
    .split(/\r?\n/)
    .map((line) => `data: ${line}`)
    .join('\n')}\n\n`;
}

export function createLiveStreams(options: { pollMs?: number; heartbeatMs?: number } = {}): LiveStreams {
  const pollMs = options.pollMs ?? 1_000;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const open = new Set<() => void>();
  let closed = false;
  return {
    open(res, next, { event = 'message' } = {}) {
      if (closed) {
        res.status(503).set('retry-after', '5').end();
        return;
      }
      res.status(200).set({ 'content-type': 'text/event-stream', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
      res.flushHeaders();
      let busy = false;
      let quietFor = 0;
      const timer = setInterval(async () => {
        if (busy) return;
        busy = true;
        try {
          const fragments = await next();
          for (const fragment of fragments) res.write(sseMessage(event, fragment));
          quietFor = fragments.length ? 0 : quietFor + pollMs;
          // A comment line now and then keeps proxies from closing a quiet stream.
          if (quietFor >= heartbeatMs) {
            res.write(': still here\n\n');
            quietFor = 0;
          }
        } catch {
          stop();
        } finally {
          busy = false;
        }
      }, pollMs);
      const stop = () => {
        clearInterval(timer);
        open.delete(stop);
        res.end();
      };
      open.add(stop);
      res.on('close', stop);
    },
    closeAll() {
      closed = true;
      for (const stop of [...open]) stop();
    },
  };
}
