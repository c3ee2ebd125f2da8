import { learn365Requests, type RequestFactory } from './bodies.ts';
import { closedLoad } from './load.ts';
import { cpuMeter } from './machine.ts';
import { type Child, type HubChild, startBare, startDurableFloor, startHub } from './processes.ts';
import { median } from './stats.ts';

/**
 * Rows 1 and 2 (and row 2's durable floor) load their servers the same way: autocannon, CONNECTIONS connections, the same
 * Learn365 body (distinct per request). Both servers run side by side and are measured in
 * alternating rounds (A B B A ...), so that other work on the machine, which comes and goes,
 * weighs on both alike; each row reports the median of its rounds.
 */
export const CONNECTIONS = 50;

/** The Learn365 secret the durable floor server verifies with (its default). */
const FLOOR_SECRET = 'a-learn365-secret-of-32-characters-or-more';

export interface Round {
  okPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  ok: number;
  errors: number;
  cpu: { benchCores: number; serverCores: number; otherCores: number };
}

export interface Measured {
  okPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Server CPU time per answered request, µs (what the server spends, whatever else runs). */
  cpuMicrosPerRequest: number;
  serverCores: number;
  benchCores: number;
  otherCores: number;
  rounds: Round[];
  /** 2xx answers over the warm-up and every round. */
  answered: number;
  errors: number;
}

export interface PairResult {
  ceiling: Measured;
  /** The least a durable signed receiver does (servers/durable-floor.ts), under the same load. */
  floor: Measured;
  ingest: Measured & { stored: number; duplicates: number };
  bodyBytes: number;
  bodyMode: string;
  roundSeconds: number;
}

function aggregate(rounds: Round[], warmupOk: number): Measured {
  const pick = (get: (round: Round) => number) => median(rounds.map(get));
  const okPerSecond = pick((round) => round.okPerSecond);
  const serverCores = pick((round) => round.cpu.serverCores);
  return {
    okPerSecond,
    p50Ms: pick((round) => round.p50Ms),
    p99Ms: pick((round) => round.p99Ms),
    cpuMicrosPerRequest: Math.round((serverCores * 1e6) / okPerSecond),
    serverCores: Math.round(serverCores * 100) / 100,
    benchCores: Math.round(pick((round) => round.cpu.benchCores) * 100) / 100,
    otherCores: Math.round(pick((round) => round.cpu.otherCores) * 100) / 100,
    rounds,
    answered: warmupOk + rounds.reduce((sum, round) => sum + round.ok, 0),
    errors: rounds.reduce((sum, round) => sum + round.errors, 0),
  };
}

async function round(url: string, factory: RequestFactory, seconds: number, pid: number | undefined): Promise<Round> {
  const meter = cpuMeter(() => [pid]);
  const run = await closedLoad({ url, connections: CONNECTIONS, durationSeconds: seconds, next: factory.next });
  return { okPerSecond: run.okPerSecond, p50Ms: run.p50Ms, p99Ms: run.p99Ms, ok: run.ok, errors: run.errors + run.non2xx + run.timeouts, cpu: meter.stop() };
}

export async function learn365Connection(hub: HubChild, name = 'bench-learn365'): Promise<{ pathPrefix: string; inbound: Record<string, unknown> }> {
  const created = await hub.api<{ ingest_url: string; inbound: Record<string, unknown> }>('POST', '/v1/connections', { name, vendor: 'learn365' });
  if (created.status !== 201 && created.status !== 200) throw new Error(`creating the connection answered ${created.status}: ${JSON.stringify(created.body)}`);
  return { pathPrefix: new URL(created.body.ingest_url).pathname, inbound: created.body.inbound };
}

/** Loads a hub's /ingest as the rounds do, for `seconds` (the profiled run). */
export async function loadIngest(hub: HubChild, seconds: number): Promise<void> {
  const { pathPrefix, inbound } = await learn365Connection(hub);
  const factory = learn365Requests(inbound, pathPrefix);
  await closedLoad({ url: hub.url, connections: CONNECTIONS, durationSeconds: seconds, next: factory.next });
}

async function measurePair(quick: boolean, log: (line: string) => void): Promise<PairResult> {
  const rounds = quick ? 2 : 4;
  const roundSeconds = quick ? 2.5 : 5;
  let bare: Child | null = null;
  let floor: Child | null = null;
  let hub: HubChild | null = null;
  try {
    bare = await startBare();
    floor = await startDurableFloor();
    hub = await startHub();
    const { pathPrefix, inbound } = await learn365Connection(hub);
    // The bare server reads any body; the floor checks the signature with the secret it was started with.
    const bareRequests = learn365Requests({ secret: FLOOR_SECRET }, '/');
    const hubRequests = learn365Requests(inbound, pathPrefix);
    const servers = {
      ceiling: { url: bare.ready, factory: bareRequests, pid: bare.child.pid, rounds: [] as Round[], warmupOk: 0 },
      floor: { url: floor.ready, factory: learn365Requests({ secret: FLOOR_SECRET }, '/'), pid: floor.child.pid, rounds: [] as Round[], warmupOk: 0 },
      ingest: { url: hub.url, factory: hubRequests, pid: hub.child.pid, rounds: [] as Round[], warmupOk: 0 },
    };
    for (const server of Object.values(servers)) {
      server.warmupOk = (await closedLoad({ url: server.url, connections: CONNECTIONS, durationSeconds: 1, next: server.factory.next })).ok;
    }
    log(`  ${rounds} alternating rounds of ${roundSeconds} s per server, ${CONNECTIONS} connections ...`);
    for (let index = 0; index < rounds; index++) {
      const order = index % 2 === 0 ? [servers.ceiling, servers.floor, servers.ingest] : [servers.ingest, servers.floor, servers.ceiling];
      for (const server of order) server.rounds.push(await round(server.url, server.factory, roundSeconds, server.pid));
    }
    const stored = await hub.counter('learnhook_events_stored_total');
    const duplicates = await hub.counter('learnhook_events_duplicate_total');
    return {
      ceiling: aggregate(servers.ceiling.rounds, servers.ceiling.warmupOk),
      floor: aggregate(servers.floor.rounds, servers.floor.warmupOk),
      ingest: { ...aggregate(servers.ingest.rounds, servers.ingest.warmupOk), stored, duplicates },
      bodyBytes: hubRequests.bodyBytes,
      bodyMode: hubRequests.mode,
      roundSeconds,
    };
  } finally {
    await bare?.stop();
    await floor?.stop();
    await hub?.stop();
  }
}

let shared: { quick: boolean; result: Promise<PairResult> } | null = null;

/** The paired measurement, made once per run and shared by rows 1 and 2. */
export function ceilingAndIngest(quick: boolean, log: (line: string) => void): Promise<PairResult> {
  if (!shared || shared.quick !== quick) shared = { quick, result: measurePair(quick, log) };
  return shared.result;
}
