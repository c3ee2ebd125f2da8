import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createLogger, readConfig, startHub, VENDOR_REGISTRY } from '@learnhook/core';

/**
 * Row 11: the hub (`startHub`, as `learnhook serve` builds it, the embedded store with its real
 * settings) on a compressed clock, in its own process. The clock runs only while the bench says
 * so (POST /run?speed=<simulated ms per real ms>, POST /pause, POST /set?now=<ms> on a control
 * port), so two hubs loaded in turn each see days pass only while they are loaded, and the bench
 * can keep the rate of events per simulated day steady. Its retention sees that
 * clock: receive times are stamped with it and passes measure ages by it. Prints one line
 * "bench-ready {json}" with the hub URL, the control URL and the data file.
 */
const dir = process.env.BENCH_DIR;
if (!dir) throw new Error('BENCH_DIR is required');
let speed = 1;
const file = path.join(dir, 'learnhook.db');

let simulated = Date.UTC(2026, 0, 1);
let runningSince: number | null = null;
const now = () => Math.round(simulated + (runningSince === null ? 0 : (performance.now() - runningSince) * speed));

const config = readConfig({
  ...process.env,
  PORT: '0',
  HOST: '127.0.0.1',
  LEARNHOOK_DATA: file,
  LEARNHOOK_RATE_LIMIT: '1000000',
});
const hub = await startHub(config, createLogger({ level: 'warn' }), VENDOR_REGISTRY, {
  now,
  retentionIntervalMs: Number(process.env.BENCH_RETENTION_INTERVAL_MS ?? 500),
});

const control = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://control');
  if (runningSince !== null) {
    simulated = now();
    runningSince = null;
  }
  if (url.pathname === '/run') {
    speed = Number(url.searchParams.get('speed') ?? speed);
    runningSince = performance.now();
  }
  if (url.pathname === '/set') simulated = Number(url.searchParams.get('now') ?? simulated);
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ now: now() }));
});
control.listen(0, '127.0.0.1');
await new Promise((resolve) => control.once('listening', resolve));
const { port } = control.address() as AddressInfo;
process.stdout.write(`bench-ready ${JSON.stringify({ url: hub.url, control: `http://127.0.0.1:${port}`, file })}\n`);
process.on('SIGTERM', () => {
  control.close();
  void hub.close().then(() => process.exit(0));
});
