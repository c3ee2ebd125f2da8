import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The `learnhook` command's entry point, run as `node <CLI> <command> ...`. */
export const CLI = path.resolve(import.meta.dirname, '../cli.ts');

/** How one `learnhook` run ended: its exit code and everything it printed. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Settings on top of this process's environment (they win over the data folder's LEARNHOOK_DATA). */
  env?: Record<string, string>;
  /** The data folder for LEARNHOOK_DATA (its learnhook.db); a fresh temporary one by default. */
  dataDir?: string;
}

/**
 * Runs `learnhook ...args` as its own process, as a person at a terminal does, and answers once
 * it exits. Asynchronous, so a hub in the calling process keeps answering while the command
 * talks to it.
 */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'learnhook-cli-'));
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, LEARNHOOK_DATA: path.join(dataDir, 'learnhook.db'), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
