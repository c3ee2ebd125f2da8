import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, runCli } from '@learnhook/core/testing';

let child: ChildProcess | undefined;
afterAll(() => {
  child?.kill('SIGKILL');
});

/** Starts `learnhook sandbox` as a person would and resolves with everything it printed once it says it is ready. */
function startSandboxProcess(dir: string): Promise<string> {
  child = spawn(process.execPath, [CLI, 'sandbox', '--port', '0', '--dir', dir], {
    env: { ...process.env, HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sandbox did not start:\n${lines.join('\n')}`)), 20_000);
    for (const stream of [child!.stdout!, child!.stderr!]) {
      readline.createInterface({ input: stream }).on('line', (line) => {
        lines.push(line);
        if (line.includes('Stop with Ctrl-C') && lines.some((seen) => seen.includes('is ready'))) {
          clearTimeout(timer);
          resolve(lines.join('\n'));
        }
      });
    }
  });
}

/** A value from the printed summary block ("  Hub        http://..."). */
const field = (text: string, label: string) => new RegExp(`^ {2}${label} {2,}(\\S+)`, 'm').exec(text)?.[1] ?? '';

/** The commands alone (help, refusals, output) are tested beside them in core/src/cli/sandbox.test.ts and emit.test.ts. */
describe('learnhook sandbox, as a new user runs it', () => {
  it('shows progress, prints true next steps, and `learnhook emit` sends an event the hub stores', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'learnhook-sandbox-cli-'));
    const printed = await startSandboxProcess(dir);
    expect(printed).toMatch(/\[1\/4\] Starting the hub/);
    expect(printed).toMatch(/\[4\/4\] Connecting/);
    const hub = field(printed, 'Hub');
    const key = field(printed, 'API key');
    const lms = field(printed, 'LMS');
    expect(hub).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    // The printed key works against the printed hub.
    const me = await fetch(`${hub}/v1/me`, { headers: { authorization: `Bearer ${key}` } });
    expect(me.status).toBe(200);

    // The printed emit line works (pointed at this sandbox's LMS port).
    const emitted = await runCli([
      'emit',
      'absorb',
      'Enrollment Completed by Learner',
      '--user',
      'maya.chen@acme-training.example',
      '--course',
      'Compliance 101',
      '--sandbox',
      lms,
    ]);
    expect(emitted.code, emitted.stderr).toBe(0);
    const result = JSON.parse(emitted.stdout) as { catalog_type: string; responses: Array<{ status: number; body: { event_ids: string[] } }> };
    expect(result.catalog_type).toBe('enrollment.completed');
    const eventId = result.responses[0]?.body.event_ids[0];
    expect(result.responses[0]?.status).toBe(202);

    const event = await fetch(`${hub}/v1/events/${eventId}`, { headers: { authorization: `Bearer ${key}` } });
    expect(event.status).toBe(200);
    expect(((await event.json()) as { learner: { id: string } }).learner.id).toBeTruthy();

    // Ctrl-C stops it cleanly.
    const exited = new Promise<number | null>((resolve) => child!.once('exit', resolve));
    child!.kill('SIGINT');
    expect(await exited).toBe(0);
  }, 60_000);
});
