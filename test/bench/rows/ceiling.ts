import type { Row } from '../lib/report.ts';
import { fmt } from '../lib/stats.ts';
import { ceilingAndIngest, CONNECTIONS } from '../lib/throughput.ts';

/**
 * Row 1: a bare node:http server (its own process; reads the body, answers 200) under exactly the
 * load /ingest gets in row 2, measured in rounds alternating with it.
 */
export const ceilingRow: Row = {
  row: 1,
  title: 'Ceiling: bare node:http, same load',
  target: '(reference)',
  async run({ quick, log }) {
    const pair = await ceilingAndIngest(quick, log);
    const run = pair.ceiling;
    return {
      status: 'met',
      verdict: 'reference',
      result: `${fmt(run.okPerSecond)} req/s, p50 ${run.p50Ms} ms, p99 ${run.p99Ms} ms`,
      metrics: {
        req_per_s: Math.round(run.okPerSecond),
        p50_ms: run.p50Ms,
        p99_ms: run.p99Ms,
        rounds_req_per_s: run.rounds.map((round) => Math.round(round.okPerSecond)).join(','),
        server_cpu_us_per_request: run.cpuMicrosPerRequest,
        errors: run.errors,
        connections: CONNECTIONS,
        body_bytes: pair.bodyBytes,
        server_cores: run.serverCores,
        bench_cores: run.benchCores,
        other_cores: run.otherCores,
      },
      notes: [
        `autocannon, ${CONNECTIONS} connections, ${pair.bodyBytes}-byte signed Learn365 bodies (one per request), median of ${run.rounds.length} rounds of ${pair.roundSeconds} s alternating with row 2; the server spent ${run.cpuMicrosPerRequest} µs of CPU per request.`,
        ...(run.otherCores > 0.3
          ? [
              `Other work on the machine took ${run.otherCores} cores meanwhile: absolute numbers are understated; the ratio in row 2 is fairer, both rows sharing the same rounds.`,
            ]
          : []),
      ],
    };
  },
};
