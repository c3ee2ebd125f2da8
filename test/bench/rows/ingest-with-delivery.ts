import { postgresUnavailable, sleep } from '@learnhook/core/testing';
import { learn365Requests } from '../lib/bodies.ts';
import { closedLoad } from '../lib/load.ts';
import { cpuMeter } from '../lib/machine.ts';
import { postgresSchema } from '../lib/postgres.ts';
import { type HubChild, startHub } from '../lib/processes.ts';
import { type Receiver, startReceiver } from '../lib/receiver.ts';
import { judge, judgeAll, type Row, type RowStatus } from '../lib/report.ts';
import { fmt, median, waitUntil } from '../lib/stats.ts';
import { learn365Connection } from '../lib/throughput.ts';

/**
 * Row 13 (issue 18): delivery must not halve ingest. On each store, one `learnhook serve` takes
 * the same closed-loop load in alternating rounds (A B B A ...), without a subscriber and with one
 * live REST hook whose loopback receiver answers 200 to every delivery: ingest with over ingest
 * without, and whether delivery keeps pace (deliveries per second against the same round's
 * ingest, the backlog when the load stops, and how long after it the last delivery arrives).
 *
 * Each round has its own connection and the round's hook filters on it, so a delivery counts for
 * the round that ingested its event, whatever an earlier round left behind; the next round starts
 * once every delivery arrived (bounded), the hook is deleted and the hub is idle again.
 */
const TARGET_RATIO = 0.8;
const TARGET_PACE = 0.95;
/** Issue 18's measurement: 32 requests in flight. */
const CONNECTIONS = 32;
/** The hub is idle again once it used less than this share of a core over QUIET_MS. */
const QUIET_CORES = 0.1;
const QUIET_MS = 250;

type Store = 'sqlite' | 'postgres';
type Mode = 'without' | 'with';

interface Cores {
  hub: number;
  bench: number;
  other: number;
}

interface Round {
  mode: Mode;
  /** 2xx answers per second while the load ran. */
  ingestPerSecond: number;
  /** Events the hub stored for the round (its counter): the 2xx answers and requests still in flight when the load stopped. */
  stored: number;
  failed: number;
  /** The round's deliveries that arrived by the end of the drain. */
  delivered: number;
  /** Deliveries per second from the round's first delivery to the end of the load. */
  deliveredPerSecond: number;
  /** All the round's deliveries over the time from the start of the load to the last of them. */
  endToEndPerSecond: number;
  /** Stored minus delivered when the load stopped. */
  backlogAtEnd: number;
  /** From the end of the load to the round's last delivery (0 when none was left). */
  lastDeliveryAfterMs: number;
  /** Deliveries per second after the load stopped, while the backlog drained (NaN when none was left). */
  drainPerSecond: number;
  firstDeliveryMs: number;
  drained: boolean;
  settled: boolean;
  /** Hub CPU from the start of the load until it was idle again, per stored event. */
  hubMicrosPerEvent: number;
  /** Cores used while the load ran. */
  cores: Cores;
  /** Deliveries the dispatcher took as fan-out handed them over, and those it claimed back from the store. */
  dispatched: { handoff: number; claim: number };
}

/** Waits until the hub used less than QUIET_CORES over QUIET_MS (fan-out and delivery caught up), at most `boundMs`. */
async function idle(hub: HubChild, boundMs: number): Promise<boolean> {
  const deadline = performance.now() + boundMs;
  while (performance.now() < deadline) {
    const meter = cpuMeter(() => [hub.child.pid]);
    await sleep(QUIET_MS);
    if (meter.stop().serverCores < QUIET_CORES) return true;
  }
  return false;
}

/** The receiver's arrivals on `target` from `from` on, counted as they come (one pass over each arrival). */
function arrivalsOn(receiver: Receiver, target: string, from: number) {
  const times: number[] = [];
  let scanned = from;
  return () => {
    for (; scanned < receiver.arrivals.length; scanned++) {
      const arrival = receiver.arrivals[scanned];
      if (arrival?.path === target) times.push(arrival.at);
    }
    return times;
  };
}

async function round(hub: HubChild, receiver: Receiver, mode: Mode, index: number, seconds: number, boundMs: number): Promise<Round> {
  const connection = `delivery-round-${index}`;
  const { pathPrefix, inbound } = await learn365Connection(hub, connection);
  const requests = learn365Requests(inbound, pathPrefix);
  const target = `/round-${index}`;
  let hookId: string | null = null;
  if (mode === 'with') {
    const hook = await hub.api<{ id: string }>('POST', '/v1/hooks', { url: receiver.url + target, events: ['*'], filter: { connection } });
    if (hook.status !== 201) throw new Error(`subscribing answered ${hook.status}: ${JSON.stringify(hook.body)}`);
    hookId = hook.body.id;
  }
  const arrivals = arrivalsOn(receiver, target, receiver.arrivals.length);
  const dispatchedSoFar = async () => ({
    handoff: await hub.counter('learnhook_deliveries_dispatched_total', { via: 'handoff' }),
    claim: await hub.counter('learnhook_deliveries_dispatched_total', { via: 'claim' }),
  });
  const dispatchedBefore = await dispatchedSoFar();
  const storedBefore = await hub.counter('learnhook_events_stored_total');
  const storedSince = async () => (await hub.counter('learnhook_events_stored_total')) - storedBefore;

  const started = performance.now();
  const meter = cpuMeter(() => [hub.child.pid]);
  const load = await closedLoad({ url: hub.url, connections: CONNECTIONS, durationSeconds: seconds, next: requests.next });
  const ended = performance.now();
  const during = meter.stop();
  const atEnd = arrivals().filter((at) => at <= ended);
  let stored = await storedSince();
  const backlogAtEnd = stored - atEnd.length;

  let drained = true;
  if (hookId) {
    // Requests in flight when the load stopped may still be stored: wait for their deliveries too.
    for (;;) {
      drained = await waitUntil(() => arrivals().length >= stored, Math.max(0, ended + boundMs - performance.now()));
      const now = await storedSince();
      if (!drained || now === stored) break;
      stored = now;
    }
    const deleted = await hub.api('DELETE', `/v1/hooks/${hookId}`);
    if (deleted.status !== 204) throw new Error(`unsubscribing answered ${deleted.status}`);
  }
  const settled = await idle(hub, boundMs);
  const dispatchedAfter = await dispatchedSoFar();
  const whole = meter.stop();
  const wholeSeconds = (performance.now() - started) / 1000;
  if (!hookId) stored = await storedSince();

  const times = arrivals();
  const first = atEnd[0];
  const last = times[times.length - 1];
  return {
    mode,
    ingestPerSecond: load.okPerSecond,
    stored,
    failed: load.non2xx + load.errors + load.timeouts,
    delivered: times.length,
    deliveredPerSecond: first !== undefined && ended > first ? atEnd.length / ((ended - first) / 1000) : 0,
    endToEndPerSecond: last !== undefined ? times.length / ((last - started) / 1000) : 0,
    backlogAtEnd,
    lastDeliveryAfterMs: last !== undefined ? Math.max(0, last - ended) : 0,
    drainPerSecond: last !== undefined && last > ended ? (times.length - atEnd.length) / ((last - ended) / 1000) : Number.NaN,
    firstDeliveryMs: first !== undefined ? first - started : Number.NaN,
    drained,
    settled,
    hubMicrosPerEvent: (whole.serverCores * wholeSeconds * 1e6) / Math.max(1, stored),
    cores: { hub: during.serverCores, bench: during.benchCores, other: during.otherCores },
    dispatched: { handoff: dispatchedAfter.handoff - dispatchedBefore.handoff, claim: dispatchedAfter.claim - dispatchedBefore.claim },
  };
}

interface Measured {
  store: Store;
  without: Round[];
  with: Round[];
  withoutPerSecond: number;
  withPerSecond: number;
  ratio: number;
  deliveredPerSecond: number;
  /** Median over the with-subscriber rounds of delivered per second over the same round's ingest per second. */
  pace: number;
}

/** Rounds of each mode, their length, and how long a round may take to drain and go idle. */
const plan = (quick: boolean) => (quick ? { rounds: 2, seconds: 2, boundMs: 10_000 } : { rounds: 4, seconds: 5, boundMs: 30_000 });

async function measure(store: Store, quick: boolean, log: (line: string) => void): Promise<Measured> {
  const { rounds, seconds, boundMs } = plan(quick);
  const database = store === 'postgres' ? postgresSchema() : null;
  const receiver = await startReceiver({ parse: false });
  let hub: HubChild | null = null;
  try {
    hub = await startHub(database?.env);
    let index = 0;
    // Warm-up, one short round of each mode (JIT, caches, the store's first pages), not counted.
    for (const mode of ['without', 'with'] as const) await round(hub, receiver, mode, index++, 1, boundMs);
    log(`  ${store}: ${rounds * 2} alternating rounds of ${seconds} s without and with a subscriber, ${CONNECTIONS} connections ...`);
    const done: Record<Mode, Round[]> = { without: [], with: [] };
    for (let pair = 0; pair < rounds; pair++) {
      const order: Mode[] = pair % 2 === 0 ? ['without', 'with'] : ['with', 'without'];
      for (const mode of order) done[mode].push(await round(hub, receiver, mode, index++, seconds, boundMs));
    }
    const withoutPerSecond = median(done.without.map((r) => r.ingestPerSecond));
    const withPerSecond = median(done.with.map((r) => r.ingestPerSecond));
    return {
      store,
      without: done.without,
      with: done.with,
      withoutPerSecond,
      withPerSecond,
      ratio: withPerSecond / withoutPerSecond,
      deliveredPerSecond: median(done.with.map((r) => r.deliveredPerSecond)),
      pace: median(done.with.map((r) => r.deliveredPerSecond / r.ingestPerSecond)),
    };
  } finally {
    await hub?.stop();
    await receiver.close();
    await database?.drop();
  }
}

const rates = (rounds: Round[]) => rounds.map((r) => fmt(r.ingestPerSecond)).join(', ');
const cores = (rounds: Round[], pick: (cores: Cores) => number) => fmt(median(rounds.map((r) => pick(r.cores))), 2);
const micros = (rounds: Round[]) => median(rounds.map((r) => r.hubMicrosPerEvent));
const dispatchedIn = (rounds: Round[], via: keyof Round['dispatched']) => rounds.reduce((sum, r) => sum + r.dispatched[via], 0);

function storeNotes(m: Measured): string[] {
  const all = [...m.without, ...m.with];
  const backlog = Math.max(...m.with.map((r) => r.backlogAtEnd));
  const lastAfter = Math.max(...m.with.map((r) => r.lastDeliveryAfterMs));
  const added = micros(m.with) - micros(m.without);
  const notes = [
    `${m.store}: ingest ${fmt(m.withoutPerSecond)} events/s without a subscriber (rounds ${rates(m.without)}), ${fmt(m.withPerSecond)} with one (${rates(m.with)}): ${fmt(m.ratio, 2)}. Delivered ${fmt(m.deliveredPerSecond)}/s from a round's first delivery (after ${fmt(median(m.with.map((r) => r.firstDeliveryMs)))} ms) to the end of its load, ${fmt(m.pace, 2)} of the same round's ingest; when the load stopped at most ${fmt(backlog)} events waited for delivery, the last arrived at most ${fmt(lastAfter)} ms later (from the start of the load to the last delivery, ${fmt(median(m.with.map((r) => r.endToEndPerSecond)))} deliveries/s). Once the load stopped the backlog drained at ${fmt(median(m.with.map((r) => r.drainPerSecond).filter((rate) => !Number.isNaN(rate))))} deliveries/s: how fast delivery goes when ingest leaves it the hub. The dispatcher took ${fmt(dispatchedIn(m.with, 'handoff'))} deliveries as fan-out handed them over and claimed ${fmt(dispatchedIn(m.with, 'claim'))} back from the store (each round's hook is new, so its in-flight limit starts at 4).`,
    `${m.store} CPU: the hub spent ${fmt(micros(m.without))} µs per event without a subscriber and ${fmt(micros(m.with))} µs with one (from the start of the load until it was idle again, so fan-out and delivery left over after the load count): delivery adds ${fmt(added)} µs per event (claim, sign, send, read the answer, record the attempt). While the load ran the hub used ${cores(m.without, (c) => c.hub)} cores without and ${cores(m.with, (c) => c.hub)} with, the bench process (load and receiver) ${cores(m.without, (c) => c.bench)} / ${cores(m.with, (c) => c.bench)}, other work ${cores(m.without, (c) => c.other)} / ${cores(m.with, (c) => c.other)}${m.store === 'postgres' ? ' (PostgreSQL itself among it)' : ''}.`,
  ];
  const undrained = m.with.filter((r) => !r.drained).length;
  if (undrained)
    notes.push(
      `${m.store}: ${undrained} of ${m.with.length} rounds with a subscriber did not drain within the bound; their hook was deleted with deliveries still waiting, so the next round started with delivery work left over.`,
    );
  const unsettled = all.filter((r) => !r.settled).length;
  if (unsettled) notes.push(`${m.store}: after ${unsettled} rounds the hub was still busy when the bound ran out; the next round started anyway.`);
  const failed = all.reduce((sum, r) => sum + r.failed, 0);
  if (failed) notes.push(`${m.store}: ${fmt(failed)} requests were not answered 2xx (non-2xx, errors, timeouts).`);
  return notes;
}

export const ingestWithDeliveryRow: Row = {
  row: 13,
  title: 'Delivery does not halve ingest: with / without a live subscriber',
  target: `with >= ${TARGET_RATIO} of without, delivered >= ${TARGET_PACE} of ingest, both stores`,
  async run({ quick, log }) {
    const measured: Measured[] = [await measure('sqlite', quick, log)];
    const unavailable = await postgresUnavailable();
    if (!unavailable) measured.push(await measure('postgres', quick, log));
    const parts = measured.flatMap((m) => [
      { what: `${m.store} with/without`, ...judge(Math.round(m.ratio * 100) / 100, TARGET_RATIO, 'higher') },
      { what: `${m.store} delivered/ingest`, ...judge(Math.round(m.pace * 100) / 100, TARGET_PACE, 'higher') },
    ]);
    const judged = judgeAll(parts);
    const status: RowStatus = judged.status === 'met' && unavailable ? 'skipped' : judged.status;
    const verdict = unavailable ? `${judged.status === 'met' ? 'sqlite met' : judged.verdict}; postgres skipped: ${unavailable}` : judged.verdict;
    const sqlite = measured.find((m) => m.store === 'sqlite');
    const postgres = measured.find((m) => m.store === 'postgres');
    const { rounds, seconds, boundMs } = plan(quick);
    return {
      status,
      verdict,
      result: measured
        .map((m) => `${m.store} ${fmt(m.withoutPerSecond)} → ${fmt(m.withPerSecond)}/s (${fmt(m.ratio, 2)}), delivered ${fmt(m.deliveredPerSecond)}/s`)
        .join('; '),
      metrics: Object.fromEntries(
        measured.flatMap((m) => [
          [`${m.store}_ingest_without_per_s`, Math.round(m.withoutPerSecond)],
          [`${m.store}_ingest_with_per_s`, Math.round(m.withPerSecond)],
          [`${m.store}_ratio`, Math.round(m.ratio * 1000) / 1000],
          [`${m.store}_delivered_per_s`, Math.round(m.deliveredPerSecond)],
          [`${m.store}_delivered_over_ingest`, Math.round(m.pace * 1000) / 1000],
          [`${m.store}_backlog_at_end_max`, Math.max(...m.with.map((r) => r.backlogAtEnd))],
          [`${m.store}_last_delivery_after_ms_max`, Math.round(Math.max(...m.with.map((r) => r.lastDeliveryAfterMs)))],
          [`${m.store}_drained_all`, m.with.every((r) => r.drained)],
          [`${m.store}_dispatched_handoff`, dispatchedIn(m.with, 'handoff')],
          [`${m.store}_dispatched_claim`, dispatchedIn(m.with, 'claim')],
          [`${m.store}_hub_cpu_us_per_event_without`, Math.round(micros(m.without))],
          [`${m.store}_hub_cpu_us_per_event_with`, Math.round(micros(m.with))],
          [`${m.store}_rounds_without_per_s`, m.without.map((r) => Math.round(r.ingestPerSecond)).join(',')],
          [`${m.store}_rounds_with_per_s`, m.with.map((r) => Math.round(r.ingestPerSecond)).join(',')],
        ]),
      ),
      notes: [
        `One \`learnhook serve\` per store, ${CONNECTIONS} connections in a closed loop, signed Learn365 notifications, each a new event; ${rounds} rounds of each mode of ${seconds} s after a 1 s warm-up of each, alternating (A B B A) so other work on the machine weighs on both alike; medians of rounds. The subscriber is a REST hook created through the API to a loopback receiver that answers 200 and parses nothing; each round has its own connection and hook filter, and the next round starts once the round's deliveries all arrived (at most ${boundMs / 1000} s), the hook is deleted and the hub idles (< ${QUIET_CORES} core over ${QUIET_MS} ms).`,
        ...measured.flatMap(storeNotes),
        ...(sqlite && postgres
          ? [
              `Like with like (row 9's 1-process figure): with a subscriber PostgreSQL ingests ${fmt(postgres.withPerSecond / sqlite.withPerSecond, 2)} of the embedded store's rate (${fmt(postgres.withPerSecond)} against ${fmt(sqlite.withPerSecond)} events/s), without one ${fmt(postgres.withoutPerSecond / sqlite.withoutPerSecond, 2)}.`,
            ]
          : []),
        ...(unavailable ? [`PostgreSQL not measured, missing prerequisite: ${unavailable}.`] : []),
        ...(quick ? [`--quick: ${rounds} rounds of ${seconds} s per mode instead of ${plan(false).rounds} of ${plan(false).seconds} s.`] : []),
      ],
    };
  },
};
