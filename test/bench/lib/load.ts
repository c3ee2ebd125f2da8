import http from 'node:http';
import { sleep } from '@learnhook/core/testing';
import autocannon from 'autocannon';

/**
 * The load generators. Closed loop (rows 1-3, 6): autocannon with a fixed number of connections,
 * each sending its next request when the previous one is answered, every request built fresh by
 * `next()` so bodies can differ. Open loop (rows 4, 8): requests started on a fixed schedule,
 * whatever the answers, so a slow server shows up as latency instead of a lower offered rate.
 */

export interface WireRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface ClosedLoadOptions {
  url: string;
  connections: number;
  /** Run for this long... */
  durationSeconds?: number;
  /** ...or until this many requests were answered (takes precedence). */
  amount?: number;
  next: () => WireRequest;
}

export interface ClosedLoadResult {
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  seconds: number;
  /** 2xx answers per second over the run. */
  okPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export async function closedLoad(options: ClosedLoadOptions): Promise<ClosedLoadResult> {
  const started = process.hrtime.bigint();
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    pipelining: 1,
    ...(options.amount !== undefined ? { amount: options.amount } : { duration: options.durationSeconds ?? 5 }),
    timeout: 30,
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => {
          const wire = options.next();
          return { ...request, method: 'POST', path: wire.path, headers: wire.headers, body: wire.body };
        },
      },
    ],
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const ok = result['2xx'];
  return {
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    seconds,
    okPerSecond: ok / seconds,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
  };
}

export interface OpenLoadOptions {
  /** Requests started per second. */
  rate: number;
  durationMs: number;
  /** Never more than this many unanswered at once; a start that would pass it is counted as not offered. */
  maxInFlight?: number;
  send: (index: number) => Promise<void>;
}

export interface OpenLoadResult {
  offered: number;
  /** Starts skipped because maxInFlight answers were still outstanding. */
  notOffered: number;
  failed: number;
  seconds: number;
}

/** Starts `rate` requests per second for `durationMs`, on schedule, then waits for the answers. */
export async function openLoad(options: OpenLoadOptions): Promise<OpenLoadResult> {
  const maxInFlight = options.maxInFlight ?? 2_000;
  const total = Math.round((options.rate * options.durationMs) / 1000);
  const pending = new Set<Promise<void>>();
  let started = 0;
  let notOffered = 0;
  let failed = 0;
  const t0 = performance.now();
  while (started + notOffered < total) {
    const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * options.rate) + 1);
    while (started + notOffered < due) {
      if (pending.size >= maxInFlight) {
        notOffered++;
        continue;
      }
      const index = started++;
      const work = options.send(index).catch(() => {
        failed++;
      });
      pending.add(work);
      void work.finally(() => pending.delete(work));
    }
    const nextAt = t0 + ((started + notOffered) / options.rate) * 1000;
    await sleep(Math.max(0, Math.min(5, nextAt - performance.now())));
  }
  await Promise.all(pending);
  return { offered: started, notOffered, failed, seconds: (performance.now() - t0) / 1000 };
}

/** A keep-alive HTTP client for the open-loop rows: POSTs a body, answers status and text. */
export function httpClient(maxSockets = 64) {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  return {
    post(url: string, headers: Record<string, string>, body: string): Promise<{ status: number; text: string }> {
      return new Promise((resolve, reject) => {
        const request = http.request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
          response.on('error', reject);
        });
        request.on('error', reject);
        request.end(body);
      });
    },
    close: () => agent.destroy(),
  };
}
