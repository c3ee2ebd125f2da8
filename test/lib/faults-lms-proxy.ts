import http from 'node:http';
import { switchable } from './faults-switch.ts';

/**
 * A loopback proxy in front of the sandbox LMS that plays its outages (issue 9, scenario 3): down
 * (the port refuses connections), slow (each request held before it is passed on) or rate
 * limiting harder than the vendor publishes (429 + Retry-After, answered by the proxy itself). It
 * counts a breach whenever a request arrives while a Retry-After it gave is still running, past
 * IN_FLIGHT_GRACE_MS: requests already on the wire when the 429 went out arrive within that.
 */
const IN_FLIGHT_GRACE_MS = 250;

export interface LmsFaults {
  /** The proxy's base URL: a connection's api.base_url is this plus the vendor API's prefix. */
  url: string;
  /** How each request is treated from now on. */
  mode: { delayMs: number; throttleNext: number; retryAfterSeconds: number };
  stats: { passed: number; throttled: number; breaches: number };
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startLmsFaults(lmsUrl: string): Promise<LmsFaults> {
  const upstream = new URL(lmsUrl);
  const mode = { delayMs: 0, throttleNext: 0, retryAfterSeconds: 1 };
  const stats = { passed: 0, throttled: 0, breaches: 0 };
  let quietFrom = 0;
  let quietUntil = 0;

  const server = http.createServer((req, res) => {
    const now = Date.now();
    if (now >= quietFrom && now < quietUntil) stats.breaches++;
    if (mode.throttleNext > 0) {
      mode.throttleNext--;
      stats.throttled++;
      quietFrom = now + IN_FLIGHT_GRACE_MS;
      quietUntil = now + mode.retryAfterSeconds * 1000;
      req.resume();
      res.writeHead(429, { 'retry-after': String(mode.retryAfterSeconds), 'content-type': 'application/json' }).end('{"message":"Too many requests"}');
      return;
    }
    const forward = () => {
      if (req.destroyed) return;
      stats.passed++;
      const outbound = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      outbound.on('error', () => res.destroy());
      req.pipe(outbound);
    };
    if (mode.delayMs > 0) setTimeout(forward, mode.delayMs);
    else forward();
  });
  const { url, down, up } = await switchable(server);
  return {
    url,
    mode,
    stats,
    down,
    up,
    close: down,
  };
}
