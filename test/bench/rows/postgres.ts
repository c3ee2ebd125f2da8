import { postgresUnavailable } from '@learnhook/core/testing';
import { learn365Requests } from '../lib/bodies.ts';
import { closedLoad } from '../lib/load.ts';
import { postgresSchema } from '../lib/postgres.ts';
import { type HubChild, startHub } from '../lib/processes.ts';
import { startReceiver } from '../lib/receiver.ts';
import type { Row } from '../lib/report.ts';
import { fmt } from '../lib/stats.ts';
import { learn365Connection } from '../lib/throughput.ts';

/**
 * Row 9 (issue 10): the same load on 1, 2 and 3 `learnhook serve` processes sharing one
 * PostgreSQL schema. N signed Learn365 events go in, spread evenly over the processes (as a load
 * balancer would), while a subscriber on loopback takes every delivery: ingest is acknowledged
 * (committed) events per second, delivery is events delivered per second from the first request
 * to the last arrival. Everything shares this machine's cores with PostgreSQL and the load
 * generator, so the row shows what adding processes costs or gains here, not on separate machines.
 * Beside the 1-process figure, one hub on the embedded store under the same load and subscriber
 * (issue 18: compare like with like, not with row 2's ingest without a subscriber).
 */
const PROCESS_COUNTS = [1, 2, 3] as const;
const CONNECTIONS = 48;
/** 3 processes must deliver at least this share of what 1 delivers: scaling out must not cost throughput. */
const TARGET_RATIO = 0.8;

interface Run {
  processes: number;
  ingestPerSecond: number;
  deliveryPerSecond: number;
  acknowledged: number;
  delivered: number;
  seconds: number;
}

/** `processes` hubs on one fresh PostgreSQL schema, or (`embedded`) one hub on its own embedded store. */
async function runWith(processes: number, events: number, timeoutMs: number, store: 'postgres' | 'embedded' = 'postgres'): Promise<Run> {
  const database = store === 'postgres' ? postgresSchema() : null;
  const hubs: HubChild[] = [];
  const receiver = await startReceiver({ parse: false });
  try {
    hubs.push(...(await Promise.all(Array.from({ length: processes }, () => startHub(database?.env)))));
    const [first] = hubs;
    if (!first) throw new Error('no hub started');
    const hook = await first.api<{ id: string }>('POST', '/v1/hooks', { url: `${receiver.url}/scale`, events: ['*'] });
    if (hook.status !== 201) throw new Error(`subscribing answered ${hook.status}: ${JSON.stringify(hook.body)}`);
    const { pathPrefix, inbound } = await learn365Connection(first);
    const t0 = performance.now();
    const loads = await Promise.all(
      hubs.map((hub, index) =>
        closedLoad({
          url: hub.url,
          connections: Math.ceil(CONNECTIONS / processes),
          amount: Math.floor(events / processes) + (index < events % processes ? 1 : 0),
          // Each process's share carries its own notification ids: every request is a new event.
          next: learn365Requests(inbound, pathPrefix, 1 + index * 10_000_000).next,
        }),
      ),
    );
    const acknowledged = loads.reduce((sum, load) => sum + load.ok, 0);
    const ingestSeconds = Math.max(...loads.map((load) => load.seconds));
    await receiver.waitFor(acknowledged, timeoutMs);
    const last = receiver.arrivals.at(-1)?.at ?? performance.now();
    const seconds = (last - t0) / 1000;
    return {
      processes,
      ingestPerSecond: acknowledged / ingestSeconds,
      deliveryPerSecond: receiver.arrivals.length / seconds,
      acknowledged,
      delivered: receiver.arrivals.length,
      seconds,
    };
  } finally {
    await Promise.all(hubs.map((hub) => hub.stop()));
    await receiver.close();
    await database?.drop();
  }
}

export const postgresRow: Row = {
  row: 9,
  title: 'Scale-out: 1, 2, 3 hub processes on PostgreSQL',
  target: `3 processes deliver >= ${TARGET_RATIO} of 1's rate`,
  async run({ quick, log }) {
    const unavailable = await postgresUnavailable();
    if (unavailable) return { status: 'skipped', result: 'n/a', verdict: `skipped: ${unavailable}`, metrics: {}, notes: [] };
    const events = quick ? 2_000 : 20_000;
    const timeoutMs = quick ? 60_000 : 180_000;
    const runs: Run[] = [];
    let embedded: Run | null = null;
    for (const processes of PROCESS_COUNTS) {
      log(`  ${fmt(events)} events over ${processes} process${processes > 1 ? 'es' : ''} ...`);
      runs.push(await runWith(processes, events, timeoutMs));
      if (processes !== 1) continue;
      // Like with like for the 1-process figure, right after it: the embedded store under the same load and subscriber.
      log(`  ${fmt(events)} events on 1 process, embedded store ...`);
      embedded = await runWith(1, events, timeoutMs, 'embedded');
    }
    if (!embedded) throw new Error('the embedded store was not measured');
    const one = runs[0];
    const three = runs[runs.length - 1];
    const ratio = one && three ? three.deliveryPerSecond / one.deliveryPerSecond : Number.NaN;
    const allDelivered = runs.every((run) => run.delivered >= run.acknowledged);
    const met = allDelivered && ratio >= TARGET_RATIO;
    const cell = (run: Run) => `${run.processes}: ${fmt(run.ingestPerSecond)}/${fmt(run.deliveryPerSecond)}`;
    return {
      status: met ? 'met' : 'missed',
      verdict: met
        ? 'met'
        : allDelivered
          ? `missed: 3 processes deliver ${fmt(ratio, 2)} of 1's rate`
          : 'missed: not every acknowledged event was delivered in time',
      result: `ingest/delivery events/s by processes: ${runs.map(cell).join(', ')}; embedded store, 1: ${fmt(embedded.ingestPerSecond)}/${fmt(embedded.deliveryPerSecond)}`,
      metrics: Object.fromEntries(
        [...runs.map((run) => [String(run.processes), run] as const), ['embedded', embedded] as const].flatMap(([key, run]) => [
          [`ingest_per_s_${key}`, Math.round(run.ingestPerSecond)],
          [`delivery_per_s_${key}`, Math.round(run.deliveryPerSecond)],
          [`delivered_${key}`, run.delivered],
          [`acknowledged_${key}`, run.acknowledged],
        ]),
      ),
      notes: [
        ...runs.map(
          (run) =>
            `${run.processes} process${run.processes > 1 ? 'es' : ''}: ${fmt(run.acknowledged)} events acknowledged at ${fmt(run.ingestPerSecond)}/s; ${fmt(run.delivered)} delivered ${fmt(run.seconds, 1)} s after the first request (${fmt(run.deliveryPerSecond)}/s end to end).`,
        ),
        `The embedded store, 1 process, the same load and subscriber: ${fmt(embedded.acknowledged)} events acknowledged at ${fmt(embedded.ingestPerSecond)}/s, ${fmt(embedded.delivered)} delivered at ${fmt(embedded.deliveryPerSecond)}/s end to end; PostgreSQL's 1 process ingests ${fmt(one ? one.ingestPerSecond / embedded.ingestPerSecond : Number.NaN, 2)} of that. Both pay for delivery: row 13 measures ingest with and without a subscriber on each store.`,
        `Every process, PostgreSQL and the load generator share this machine's cores: more processes add coordination (SKIP LOCKED claims, NOTIFY) without adding CPU; on separate machines each process brings its own.`,
        ...(quick ? [`--quick: ${fmt(events)} events per run instead of 20,000.`] : []),
      ],
    };
  },
};
