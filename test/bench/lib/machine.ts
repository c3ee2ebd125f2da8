import { readFileSync } from 'node:fs';
import os from 'node:os';

/** What the bench ran on, and how busy the machine was with other work while a row ran. */

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGb: number;
  os: string;
  node: string;
  loadAverage1m: number;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    loadAverage1m: Math.round((os.loadavg()[0] ?? 0) * 100) / 100,
  };
}

const TICKS_PER_SECOND = 100;

function machineTicks(): { busy: number; total: number } {
  try {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((sum, value) => sum + value, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: Number.NaN, total: Number.NaN };
  }
}

function processTicks(pid: number): number {
  try {
    const fields = (readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1] ?? '').split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/**
 * Measures, over an interval, the cores the machine spent busy, the bench process and the given
 * server processes' share, and the rest: other work on the machine that competed with the row.
 */
export function cpuMeter(pids: () => Array<number | undefined>) {
  const started = performance.now();
  const machine = machineTicks();
  const self = process.cpuUsage();
  const children = new Map<number, number>();
  for (const pid of pids()) if (pid) children.set(pid, processTicks(pid));
  return {
    stop(): { benchCores: number; serverCores: number; otherCores: number } {
      const seconds = (performance.now() - started) / 1000;
      const machineNow = machineTicks();
      const selfUsed = process.cpuUsage(self);
      let serverTicks = 0;
      for (const pid of pids()) if (pid) serverTicks += processTicks(pid) - (children.get(pid) ?? 0);
      const busyCores = (machineNow.busy - machine.busy) / TICKS_PER_SECOND / seconds;
      const benchCores = (selfUsed.user + selfUsed.system) / 1e6 / seconds;
      const serverCores = serverTicks / TICKS_PER_SECOND / seconds;
      const round = (value: number) => Math.round(value * 100) / 100;
      return { benchCores: round(benchCores), serverCores: round(serverCores), otherCores: round(Math.max(0, busyCores - benchCores - serverCores)) };
    },
  };
}
