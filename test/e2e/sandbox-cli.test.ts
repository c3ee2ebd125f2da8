import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI } from '../lib/hub-process.ts';

let child: ChildProcess | undefined;
afterAll(() => {
  child?.kill('SIGKILL');
});

/** Starts `learnhook sandbox` as a person would and resolves with everything it printed once it says it is ready. */
function startSandboxProcess(dir: string): Promise<string> {
  child = spawn(process.execPath, [CLI, 'sandbox', '--port', '0', '--dir', dir], { env: { ...process.env, HOST: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'pipe'] });
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
    const emitted = spawnSync(process.execPath, [CLI, 'emit', 'absorb', 'Enrollment Completed by Learner', '--user', 'maya.chen@acme-training.example', '--course', 'Compliance 101', '--sandbox', lms], { encoding: 'utf8' });
    expect(emitted.status, emitted.stderr).toBe(0);
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

  it('lists a vendor\'s events and explains an unknown vendor or a sandbox that is not running', () => {
    const list = spawnSync(process.execPath, [CLI, 'emit', 'learn365', '--list'], { encoding: 'utf8' });
    expect(list.status).toBe(0);
    expect(list.stdout).toMatch(/CourseCompleted\s+-> enrollment\.completed/);
    const unknown = spawnSync(process.execPath, [CLI, 'emit', 'moodle', 'x'], { encoding: 'utf8' });
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('Unknown vendor "moodle"');
    const away = spawnSync(process.execPath, [CLI, 'emit', 'absorb', 'User Created', '--sandbox', 'http://127.0.0.1:9'], { encoding: 'utf8' });
    expect(away.status).toBe(1);
    expect(away.stderr).toContain('No sandbox answers at http://127.0.0.1:9');
  });

  it('prints its help', () => {
    const help = spawnSync(process.execPath, [CLI, 'sandbox', '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('lms.json');
  });
});
