import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { HUB_NODE_FLAGS } from '@learnhook/core';
import { CLI } from '@learnhook/core/testing';

export { CLI };

export interface HubProcess {
  url: string;
  child: ChildProcess;
  dataDir: string;
  /** Every stdout/stderr line so far. */
  output: string[];
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface HubProcessOptions {
  /**
   * The data folder (learnhook.db and the generated secret.key); a fresh temporary one by default.
   * Pass a previous process's dataDir to restart a hub on the same store.
   */
  dataDir?: string;
}

/**
 * Runs `learnhook serve` as its own process, the way `npm start` does, on a free port, and
 * resolves once it logs that it listens.
 */
export function startHubProcess(env: Record<string, string> = {}, options: HubProcessOptions = {}): Promise<HubProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'learnhook-test-'));
  const child = spawn(process.execPath, [...HUB_NODE_FLAGS, CLI, 'serve'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LEARNHOOK_DATA: path.join(dataDir, 'learnhook.db'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`hub did not start:\n${output.join('\n')}`));
    }, 15_000);
    for (const stream of [child.stdout, child.stderr]) {
      readline.createInterface({ input: stream }).on('line', (line) => {
        output.push(line);
        const match = /listening on (http:\/\/\S+?)"/.exec(line);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve({
            url: match[1],
            child,
            dataDir,
            output,
            stop: (signal = 'SIGTERM') => {
              child.kill(signal);
              return exited;
            },
          });
        }
      });
    }
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`hub exited with ${code} before listening:\n${output.join('\n')}`));
    });
  });
}

/**
 * The local ports of the hub's open TCP connections to `remotePort` on this machine (Linux
 * /proc), so a receiver can tell which hub process a request came from.
 */
export function localPortsTo(hub: HubProcess, remotePort: number): Set<number> {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${hub.child.pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${hub.child.pid}/fd/${fd}`));
      if (match?.[1]) inodes.add(match[1]);
    } catch {
      // The descriptor closed while we listed them.
    }
  }
  const ports = new Set<number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const [, local, remote, , , , , , , inode] = line.trim().split(/\s+/);
      if (!local || !remote || !inode || !inodes.has(inode)) continue;
      if (Number.parseInt(remote.split(':')[1] ?? '', 16) === remotePort) ports.add(Number.parseInt(local.split(':')[1] ?? '', 16));
    }
  }
  return ports;
}
