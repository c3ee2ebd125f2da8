import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createLogger, demoData, startSandbox } from '@learnhook/core';

/**
 * Rows 4 and 8: `learnhook sandbox` (the hub and the sandbox LMS, one connection per vendor wired
 * to the emulated APIs) as its own process, so the load generator and the receiver in the bench
 * process do not share its event loop. BENCH_DIR is the sandbox folder; BENCH_USERS and
 * BENCH_COURSES, when set, write a demo organisation of that size as its lms.json first. Prints one
 * line "bench-ready {json}" with the hub URL, the LMS URL, the admin key and the targets.
 */
const dir = process.env.BENCH_DIR;
if (!dir) throw new Error('BENCH_DIR is required');
const users = Number(process.env.BENCH_USERS ?? 0);
const courses = Number(process.env.BENCH_COURSES ?? 0);
if (users > 0 || courses > 0) {
  const data = demoData({ ...(users > 0 ? { users } : {}), ...(courses > 0 ? { courses } : {}) });
  writeFileSync(path.join(dir, 'lms.json'), JSON.stringify(data));
}
const session = await startSandbox({
  env: { ...process.env, HOST: '127.0.0.1', LEARNHOOK_RATE_LIMIT: '1000000' },
  port: 0,
  dir,
  logger: createLogger({ level: 'warn' }),
  progress: () => {},
});
process.stdout.write(`bench-ready ${JSON.stringify({ url: session.hub.url, lms: session.lms.url, apiKey: session.apiKey, targets: session.targets })}\n`);
process.on('SIGTERM', () => {
  void session.close().then(() => process.exit(0));
});
