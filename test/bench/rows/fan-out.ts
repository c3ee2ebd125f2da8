import { completionRequest } from '@learnhook/core/testing';
import { httpClient } from '../lib/load.ts';
import { startHub } from '../lib/processes.ts';
import { startReceiver } from '../lib/receiver.ts';
import { judge, type Row } from '../lib/report.ts';
import { fmt, quantile } from '../lib/stats.ts';
import { learn365Connection } from '../lib/throughput.ts';

/**
 * Row 5: one event, 1,000 subscriptions (each its own URL on one local receiver): from the ingest
 * request to the last of the 1,000 signed deliveries. Three events one after another; judged on
 * their median.
 */
const HOOKS = 1_000;
const TARGET_MS = 1_000;
const EVENTS = 3;

export const fanOutRow: Row = {
  row: 5,
  title: 'Fan-out: 1 event -> 1,000 subscriptions',
  target: `last delivery < ${TARGET_MS / 1000} s`,
  async run() {
    const hub = await startHub();
    const receiver = await startReceiver();
    const client = httpClient(8);
    try {
      const { pathPrefix, inbound } = await learn365Connection(hub);
      for (let start = 0; start < HOOKS; start += 25) {
        await Promise.all(
          Array.from({ length: Math.min(25, HOOKS - start) }, async (_, offset) => {
            const created = await hub.api<{ secret: string }>('POST', '/v1/hooks', {
              url: `${receiver.url}/h/${start + offset}`,
              events: ['enrollment.completed'],
            });
            if (created.status !== 201) throw new Error(`subscribing answered ${created.status}: ${JSON.stringify(created.body)}`);
            if (start + offset === 0) receiver.addSecret(created.body.secret);
          }),
        );
      }
      const times: number[] = [];
      const firsts: number[] = [];
      for (let n = 1; n <= EVENTS; n++) {
        const from = receiver.arrivals.length;
        const wire = completionRequest('learn365', inbound, n);
        const started = performance.now();
        const answer = await client.post(hub.url + pathPrefix + wire.path, wire.headers, wire.body);
        if (answer.status !== 202) throw new Error(`ingest answered ${answer.status}: ${answer.text}`);
        const all = await receiver.waitFor(from + HOOKS, 30_000);
        const arrivals = receiver.arrivals.slice(from);
        if (!all) throw new Error(`only ${arrivals.length} of ${HOOKS} deliveries arrived within 30 s`);
        const paths = new Set(arrivals.map((arrival) => arrival.path));
        if (paths.size !== HOOKS) throw new Error(`${HOOKS} deliveries went to only ${paths.size} distinct subscriptions`);
        times.push(Math.max(...arrivals.map((arrival) => arrival.at)) - started);
        firsts.push(Math.min(...arrivals.map((arrival) => arrival.at)) - started);
      }
      const median = quantile(times, 0.5);
      const { status, verdict } = judge(Math.round(median), TARGET_MS, 'lower', ' ms');
      const signed = receiver.arrivals.filter((arrival) => arrival.path === '/h/0' && arrival.signatureOk).length;
      return {
        status,
        verdict,
        result: `last of ${fmt(HOOKS)} after ${times.map((time) => fmt(time)).join(' / ')} ms (median ${fmt(median)} ms)`,
        metrics: {
          hooks: HOOKS,
          last_delivery_ms: Math.round(median),
          last_delivery_ms_each: times.map((time) => Math.round(time)).join(','),
          first_delivery_ms: Math.round(quantile(firsts, 0.5)),
          deliveries_per_s: Math.round(HOOKS / (median / 1000)),
        },
        notes: [
          `First delivery after ${fmt(quantile(firsts, 0.5))} ms (median); ${fmt(HOOKS / (median / 1000))} deliveries/s while fanning out; hook 0's deliveries verified with its secret: ${signed}/${EVENTS}.`,
        ],
      };
    } finally {
      client.close();
      await receiver.close();
      await hub.stop();
    }
  },
};
