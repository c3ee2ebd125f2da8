import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** Readers for the deploy files (Dockerfile, systemd unit, env files) and a way to run the hub from them. */

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const readRepoFile = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');

/** package.json's start script as argv: what `npm start`, the image and the unit all run. */
export function startCommand(): string[] {
  const pkg: unknown = JSON.parse(readRepoFile('package.json'));
  const start = typeof pkg === 'object' && pkg !== null && 'scripts' in pkg ? (pkg.scripts as Record<string, unknown>).start : undefined;
  if (typeof start !== 'string') throw new Error('package.json has no start script');
  return start.split(/\s+/);
}

export interface Instruction {
  keyword: string;
  args: string;
}

/** A Dockerfile's instructions, continuation lines joined and comments dropped. */
export function dockerInstructions(text: string): Instruction[] {
  const joined = text.replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

/** A unit file's `Key=value` lines per section, in order (a key may repeat). */
export function unitEntries(text: string): Array<{ section: string; key: string; value: string }> {
  const entries: Array<{ section: string; key: string; value: string }> = [];
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header?.[1]) {
      section = header[1];
      continue;
    }
    const at = line.indexOf('=');
    entries.push({ section, key: line.slice(0, at), value: line.slice(at + 1) });
  }
  return entries;
}

/** systemd's `Environment=A=1 B=2` (unquoted assignments only: the unit uses no quotes). */
export function environmentAssignments(value: string): Record<string, string> {
  if (/["']/.test(value)) throw new Error(`quoted Environment= values are not read here: ${value}`);
  return Object.fromEntries(value.split(/\s+/).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
}

/** An env file as systemd's EnvironmentFile= and docker compose read it: NAME=value lines, # comments. */
export function envFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const at = line.indexOf('=');
    values[line.slice(0, at)] = line.slice(at + 1);
  }
  return values;
}

/** Whether a program is on PATH, for tests that need a system tool. */
export const hasTool = (name: string): boolean => spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;

export interface RunningHub {
  child: ChildProcess;
  output: string[];
  stop(): Promise<number | null>;
}

/**
 * Runs the hub from a deploy file's command line, working directory and environment (nothing
 * inherited but PATH), and resolves once `url` answers /healthz.
 */
export async function runHub(argv: string[], options: { cwd: string; env: Record<string, string>; url: string }): Promise<RunningHub> {
  const [command = '', ...args] = argv;
  const child = spawn(command, args, { cwd: options.cwd, env: { PATH: process.env.PATH ?? '', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = () => {
    child.kill('SIGTERM');
    return exited;
  };
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  const deadline = Date.now() + 20_000;
  while (!gone && Date.now() < deadline) {
    const ok = await fetch(`${options.url}/healthz`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return { child, output, stop };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  if (!gone) child.kill('SIGKILL');
  throw new Error(`the hub did not answer ${options.url}/healthz:\n${output.join('')}`);
}

/** The hub's settings, as `learnhook serve --help` lists them (one schema in core/src/config.ts gives that list). */
export function hubSettingNames(): Set<string> {
  const help = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'node'), [path.join(ROOT, 'core', 'src', 'cli.ts'), 'serve', '--help'], { encoding: 'utf8' });
  const names = [...(help.stdout.split('Settings come from the environment:')[1]?.matchAll(/^ {2}([A-Z][A-Z0-9_]+) /gm) ?? [])].map((match) => match[1] ?? '');
  if (names.length < 10) throw new Error(`learnhook serve --help listed no settings:\n${help.stdout}${help.stderr}`);
  return new Set(names);
}
