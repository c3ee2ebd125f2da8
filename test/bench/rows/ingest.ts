import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { ROOT, startHub } from '../lib/processes.ts';
import { newestProfile, percent, summarizeProfile } from '../lib/profile.ts';
import { judge, type Row } from '../lib/report.ts';
import { fmt } from '../lib/stats.ts';
import { CONNECTIONS, ceilingAndIngest, loadIngest } from '../lib/throughput.ts';

/**
 * Row 2: learnhook's POST /ingest (`learnhook serve`, its own process, the embedded store with its
 * real settings: WAL, synchronous=FULL, group commit) under the ceiling's load: a Learn365
 * connection, every request a signed notification with its own Id, so each 202 is a NEW durable
 * event, not a duplicate. The run checks that against the hub's own counters.
 */
export const TARGET_RATIO = 0.5;

export const PROFILES_DIR = path.join(ROOT, 'bench-results', 'profiles');

/** The same load for a few seconds against a hub under --cpu-prof: where its time goes. */
export async function profileIngest(quick: boolean): Promise<{ file: string; lines: string[] } | null> {
  const directory = path.join(PROFILES_DIR, `ingest-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(directory, { recursive: true });
  const hub = await startHub({}, `--cpu-prof --cpu-prof-dir=${directory}`);
  try {
    await loadIngest(hub, quick ? 3 : 10);
  } finally {
    await hub.stop();
  }
  const file = newestProfile(directory);
  if (!file) return null;
  const summary = summarizeProfile(file, 10);
  return {
    file: path.relative(ROOT, file),
    lines: [
      `Profile (node --cpu-prof, self time of the busy samples, start-up included): by area ${summary.areas.map((area) => `${area.name} ${percent(area.share)}`).join(', ')}.`,
      `Hottest functions (self): ${summary.functions
        .slice(0, 6)
        .map((fn) => `${fn.name} ${percent(fn.share)}`)
        .join(', ')}.`,
      `learnhook's own code (inclusive): ${summary.core.map((fn) => `${fn.name} ${percent(fn.share)}`).join(', ')}.`,
    ],
  };
}

export const ingestRow: Row = {
  row: 2,
  title: 'Ingest: /ingest, signed Learn365, durable ack',
  target: `>= ${TARGET_RATIO} of ceiling`,
  async run({ quick, log }) {
    const pair = await ceilingAndIngest(quick, log);
    const run = pair.ingest;
    const ratio = run.okPerSecond / pair.ceiling.okPerSecond;
    const floorRatio = pair.floor.okPerSecond / pair.ceiling.okPerSecond;
    const { status, verdict } = judge(Math.round(ratio * 100) / 100, TARGET_RATIO, 'higher');
    // autocannon stops counting with requests still in flight (up to one per connection per run).
    const unanswered = run.stored - run.answered;
    const consistent = unanswered >= 0 && unanswered <= CONNECTIONS * (run.rounds.length + 1) && run.duplicates === 0;
    const notes = [
      `${fmt(run.answered)} requests answered 202, ${fmt(run.stored)} new events stored, ${fmt(run.duplicates)} duplicates: ${consistent ? `every acknowledgement is a new durable event (${unanswered} more were stored for requests still in flight when a round ended)` : 'MISMATCH between acknowledgements and stored events'}.`,
      `The hub spent ${run.cpuMicrosPerRequest} µs of CPU per event, the bare server ${pair.ceiling.cpuMicrosPerRequest} µs per request; hub ${run.serverCores} cores, load generator ${run.benchCores}, other work on the machine ${run.otherCores}.`,
      `Durable floor (test/bench/servers/durable-floor.ts: node:http, the same Learn365 signature check, one row per request through the hub's group commit, 202 once durable; no mapping, no event row, no indexes), in the same alternating rounds: ${fmt(pair.floor.okPerSecond)} req/s, ratio ${fmt(floorRatio, 2)} of the ceiling, ${pair.floor.cpuMicrosPerRequest} µs of CPU per request. The hub reaches ${fmt(run.okPerSecond / pair.floor.okPerSecond, 2)} of it: that is what the hub's own work (parsing and mapping, the event row and its indexes, fan-out) costs; the floor's distance from the ceiling is the signature's and the disk's.`,
    ];
    if (status === 'missed') {
      log('  ingest missed its target: profiling a short run under --cpu-prof ...');
      const profile = await profileIngest(quick).catch((error: unknown) => ({ file: '', lines: [`Profiling failed: ${String(error)}`] }));
      if (profile) notes.push(...profile.lines, profile.file ? `Profile: ${profile.file} (open in Chrome DevTools).` : '');
    }
    return {
      status,
      verdict,
      result: `${fmt(run.okPerSecond)} events/s (ratio ${fmt(ratio, 2)}), p50 ${run.p50Ms} ms, p99 ${run.p99Ms} ms`,
      metrics: {
        events_per_s: Math.round(run.okPerSecond),
        ratio_to_ceiling: Math.round(ratio * 1000) / 1000,
        floor_req_per_s: Math.round(pair.floor.okPerSecond),
        floor_ratio_to_ceiling: Math.round(floorRatio * 1000) / 1000,
        ratio_to_floor: Math.round((run.okPerSecond / pair.floor.okPerSecond) * 1000) / 1000,
        floor_cpu_us_per_request: pair.floor.cpuMicrosPerRequest,
        p50_ms: run.p50Ms,
        p99_ms: run.p99Ms,
        rounds_events_per_s: run.rounds.map((round) => Math.round(round.okPerSecond)).join(','),
        server_cpu_us_per_event: run.cpuMicrosPerRequest,
        answered: run.answered,
        stored: run.stored,
        duplicates: run.duplicates,
        errors: run.errors,
        connections: CONNECTIONS,
        body_bytes: pair.bodyBytes,
        server_cores: run.serverCores,
        bench_cores: run.benchCores,
        other_cores: run.otherCores,
      },
      notes: notes.filter(Boolean),
    };
  },
};
