import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { HUB_NODE_FLAGS, sqliteFileBytes } from '@learnhook/core';
import { callApi, sleep } from '@learnhook/core/testing';
import { learn365Requests } from '../lib/bodies.ts';
import { closedLoad } from '../lib/load.ts';
import { ADMIN_KEY, type HubChild, startChild, tempDir } from '../lib/processes.ts';
import { judgeAll, type Row } from '../lib/report.ts';
import { fmt, quantile } from '../lib/stats.ts';
import { CONNECTIONS, learn365Connection } from '../lib/throughput.ts';

/**
 * Row 11 (issue 17 §1): retention over a long compressed-clock run. Two hubs on compressed clocks
 * (servers/compressed-hub.ts), one keeping 30 days (LEARNHOOK_RETENTION_DAYS=30, pruning every
 * half second of real time) and one keeping everything (0), take row 2's load in alternating
 * rounds. A simulated day is a fixed number of events (steady rate): during a round the loaded
 * hub's clock runs at the speed its last round's rate gives, and after it the clock is set to
 * exactly its events so far; the other hub's clock stands still. After each of its rounds the
 * pruning hub's clock stays still until its passes have caught up (pruneCaughtUp). Reported: the
 * store file (and its WAL) by simulated day, and ingest with pruning over ingest without, over the
 * rounds after day 32, when every pass has requests to prune.
 */
export const RETENTION_DAYS = 30;
export const THROUGHPUT_RATIO = 0.95;
/** The file's growth over the last third of the run, as a share of its size at two thirds. */
export const LEVEL_GROWTH = 0.1;
const DAY_MS = 86_400_000;
/** Pruning has caught up once the oldest request is at most this far past the window (a pass prunes up to it). */
const CAUGHT_UP_DAYS = 0.5;
/** How long the pruning hub may take to catch up after a round before the next starts anyway. */
const CATCH_UP_BOUND_MS = 10_000;

interface Sample {
  day: number;
  bytes: number;
  eventsPerSecond: number;
  /** Simulated days past the window the oldest stored request was when the round ended (pruning's lag). */
  lagDays: number;
}

interface CompressedHub {
  hub: HubChild;
  file: string;
  control: string;
  samples: Sample[];
  /** Requests answered 2xx in its rounds: its clock's position. */
  answered: number;
  /** Its last round's events/s. */
  rate: number;
}

async function startCompressedHub(retentionDays: number): Promise<CompressedHub> {
  const dir = tempDir('retention');
  const child = await startChild(
    [...HUB_NODE_FLAGS, path.resolve(import.meta.dirname, '../servers/compressed-hub.ts')],
    { BENCH_DIR: dir, LEARNHOOK_RETENTION_DAYS: String(retentionDays), LEARNHOOK_API_KEY: ADMIN_KEY },
    /^bench-ready (.*)$/,
  );
  const info = JSON.parse(child.ready) as { url: string; control: string; file: string };
  const hub: HubChild = {
    ...child,
    url: info.url,
    dataDir: dir,
    dataFile: info.file,
    api: <T>(method: string, route: string, body?: unknown) => callApi<T>(info.url, method, route, body, ADMIN_KEY),
    counter: async () => Number.NaN,
  };
  return { hub, file: info.file, control: info.control, samples: [], answered: 0, rate: 0 };
}

const clock = async (hub: CompressedHub, action: string) =>
  ((await (await fetch(`${hub.control}/${action}`, { method: 'POST' })).json()) as { now: number }).now;

const mb = (bytes: number) => `${fmt(bytes / 1e6, 1)} MB`;

/** The hub's oldest stored request's receive time (its compressed clock), read from its file beside it. */
function oldestRequestAt(file: string): number | null {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const row = db.prepare('SELECT received_at FROM raw_requests ORDER BY seq LIMIT 1').get() as { received_at?: number } | undefined;
    return row?.received_at ?? null;
  } finally {
    db.close();
  }
}

/**
 * After a round the pruning hub's clock stands still while its passes take what fell out of the
 * window, up to `boundMs`: a hub loaded to saturation holds pruning to a tenth of its time and
 * falls behind by days, which no hub does whose load leaves it idle at times. Answers the lag in
 * simulated days past the window when the round ended.
 */
async function pruneCaughtUp(hub: CompressedHub, now: number, boundMs: number): Promise<number> {
  const lagDays = () => (now - (oldestRequestAt(hub.file) ?? now)) / DAY_MS - RETENTION_DAYS;
  const lag = lagDays();
  const deadline = performance.now() + boundMs;
  while (lagDays() > CAUGHT_UP_DAYS && performance.now() < deadline) await sleep(100);
  return lag;
}

export const retentionRow: Row = {
  row: 11,
  title: 'Retention: 60 simulated days, file size and ingest while pruning',
  target: `file levels off (< ${LEVEL_GROWTH * 100}% growth over the last 20 days); ingest >= ${THROUGHPUT_RATIO} of no pruning`,
  async run({ quick, log }) {
    const days = 60;
    const roundSeconds = quick ? 1.5 : 3;
    const plannedRounds = quick ? 15 : 30;
    const hubs: CompressedHub[] = [];
    try {
      const pruning = await startCompressedHub(RETENTION_DAYS);
      hubs.push(pruning);
      const keeping = await startCompressedHub(0);
      hubs.push(keeping);
      const loads = new Map<CompressedHub, ReturnType<typeof learn365Requests>>();
      for (const hub of hubs) {
        const { pathPrefix, inbound } = await learn365Connection(hub.hub);
        const requests = learn365Requests(inbound, pathPrefix);
        loads.set(hub, requests);
        // A warm-up on the first day, then a second that says how many events a simulated day holds.
        await closedLoad({ url: hub.hub.url, connections: CONNECTIONS, durationSeconds: 1, next: requests.next });
        hub.rate = (await closedLoad({ url: hub.hub.url, connections: CONNECTIONS, durationSeconds: roundSeconds, next: requests.next })).okPerSecond;
      }
      const start = await clock(pruning, 'pause');
      await clock(keeping, `set?now=${start}`);
      const eventsPerDay = Math.max(100, Math.round((Math.min(...hubs.map((hub) => hub.rate)) * roundSeconds * plannedRounds) / days));
      const msPerEvent = DAY_MS / eventsPerDay;
      log(`  rounds of ${roundSeconds} s per hub, alternating, until both reach day ${days} at ${fmt(eventsPerDay)} events per simulated day ...`);
      const dayOf = (hub: CompressedHub) => (hub.answered * msPerEvent) / DAY_MS;
      for (let index = 0; index < plannedRounds * 3 && hubs.some((hub) => dayOf(hub) < days); index += 1) {
        for (const hub of index % 2 === 0 ? hubs : [...hubs].reverse()) {
          const requests = loads.get(hub);
          if (!requests || dayOf(hub) >= days) continue;
          await clock(hub, `run?speed=${(hub.rate * msPerEvent) / 1000}`);
          const run = await closedLoad({ url: hub.hub.url, connections: CONNECTIONS, durationSeconds: roundSeconds, next: requests.next });
          hub.answered += run.ok;
          hub.rate = run.okPerSecond;
          const now = await clock(hub, `set?now=${Math.round(start + hub.answered * msPerEvent)}`);
          const lagDays = hub === pruning ? await pruneCaughtUp(hub, now, CATCH_UP_BOUND_MS) : 0;
          hub.samples.push({ day: dayOf(hub), bytes: sqliteFileBytes(hub.file), eventsPerSecond: run.okPerSecond, lagDays });
        }
      }
      const speed = Math.round((pruning.rate * msPerEvent) / 1000);
      const rounds = pruning.samples.length;
      const daysPerRound = fmt(days / rounds, 1);

      const after = (hub: CompressedHub, day: number) => hub.samples.filter((sample) => sample.day > day);
      const at = (hub: CompressedHub, day: number) => after(hub, day)[0] ?? hub.samples[hub.samples.length - 1];
      const last = (hub: CompressedHub) => hub.samples[hub.samples.length - 1];
      const median = (values: number[]) => quantile(values, 0.5);
      // Pruning starts at day 30; from day 32 on each of its passes has a day's requests to remove.
      const withPruning = median(after(pruning, RETENTION_DAYS + 2).map((sample) => sample.eventsPerSecond));
      const without = median(after(keeping, RETENTION_DAYS + 2).map((sample) => sample.eventsPerSecond));
      const ratio = withPruning / without;
      const twoThirds = at(pruning, 40)?.bytes ?? Number.NaN;
      const end = last(pruning)?.bytes ?? Number.NaN;
      const growth = end / twoThirds - 1;
      const keptEnd = last(keeping)?.bytes ?? Number.NaN;
      const keptTwoThirds = at(keeping, 40)?.bytes ?? Number.NaN;
      const verdict = judgeAll([
        { what: 'file growth', ...judgeGrowth(growth) },
        {
          what: 'ingest ratio',
          ...(ratio >= THROUGHPUT_RATIO ? { status: 'met' as const, verdict: 'met' } : { status: 'missed' as const, verdict: `${fmt(ratio, 3)}` }),
        },
      ]);
      const bySize = (hub: CompressedHub) =>
        hub.samples
          .filter((sample, index) => Math.floor(sample.day / 10) > Math.floor((hub.samples[index - 1]?.day ?? -1) / 10))
          .map((sample) => `day ${Math.round(sample.day)} ${mb(sample.bytes)}`)
          .join(', ');
      return {
        ...verdict,
        result: `30-day file ${mb(twoThirds)} at day 40, ${mb(end)} at day 60 (${growth >= 0 ? '+' : ''}${fmt(growth * 100, 1)}%; keeping all: ${mb(keptTwoThirds)} -> ${mb(keptEnd)}); ingest ${fmt(withPruning)} vs ${fmt(without)} events/s (${fmt(ratio, 2)})`,
        metrics: {
          file_bytes_day40: twoThirds,
          file_bytes_day60: end,
          file_growth_last_third: Math.round(growth * 1000) / 1000,
          kept_file_bytes_day40: keptTwoThirds,
          kept_file_bytes_day60: keptEnd,
          events_per_s_pruning: Math.round(withPruning),
          events_per_s_keeping: Math.round(without),
          ratio: Math.round(ratio * 1000) / 1000,
          events_per_day: eventsPerDay,
          speed,
          rounds,
        },
        notes: [
          `Store file (with its WAL) by simulated day, pruning: ${bySize(pruning)}; keeping everything: ${bySize(keeping)}.`,
          `Pruning's lag when a round ended (how far past the window the oldest stored request was), after day ${RETENTION_DAYS + 2}: median ${fmt(median(after(pruning, RETENTION_DAYS + 2).map((sample) => sample.lagDays)), 1)} simulated days, at most ${fmt(Math.max(...after(pruning, RETENTION_DAYS + 2).map((sample) => sample.lagDays)), 1)}; the hub's clock then stood still until its passes caught up (at most ${CATCH_UP_BOUND_MS / 1000} s), as a hub's load leaves it idle at times: loaded to saturation without a pause, pruning is held to a tenth of the hub's time and the file grows with its lag.`,
          `A simulated day is ${fmt(eventsPerDay)} events; each round is ${roundSeconds} s of row 2's load (about ${daysPerRound} simulated days, the clock at ~${fmt(speed)} simulated ms per real ms); retention passes every 0.5 s of real time (~${fmt((500 * speed) / 3_600_000, 1)} simulated hours) instead of every 10 minutes. Ingest is the median of each hub's rounds after day ${RETENTION_DAYS + 2}.`,
        ],
      };
    } finally {
      for (const hub of hubs) await hub.hub.stop();
    }
  },
};

function judgeGrowth(growth: number): { status: 'met' | 'missed'; verdict: string } {
  return growth < LEVEL_GROWTH ? { status: 'met', verdict: 'met' } : { status: 'missed', verdict: `+${fmt(growth * 100, 1)}%` };
}
