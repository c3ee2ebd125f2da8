import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { apiAt, connectAlm, eventually, sendCompletion, startTestHub, subscribe, type TestHub } from '@learnhook/core/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FaultyReceiver, startFaultyReceiver } from '../lib/faults-receiver.ts';
import { report } from './report.ts';

/**
 * Issue 9, scenario 2, memory: while a receiver is down, the deliveries owed to it pile up in the
 * store, not in the hub's memory. The hub runs in this process (its own file, so no other test's
 * hub comes or goes meanwhile) and the heap is measured after full collections.
 */

let nextEvent = 1;
const receivers: FaultyReceiver[] = [];
afterEach(async () => {
  for (const receiver of receivers.splice(0)) await receiver.close();
});

const BACKLOG_RETRY_MS = 8_000;

describe('a backlog behind a receiver that is down', () => {
  let hub: TestHub;
  beforeAll(async () => {
    // Retried every 8 s for minutes: the real schedule's second wait (5 min) would outlast the test.
    hub = await startTestHub({}, undefined, { retryDelaysMs: Array.from({ length: 30 }, () => BACKLOG_RETRY_MS) });
  });
  afterAll(() => hub.close());

  /** The heap after a full collection: what the hub really holds, without garbage waiting to be collected. */
  function heapAfterGc(): number {
    v8.setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  }

  it('keeps the pending deliveries in the store: the heap grows by a small fraction of an envelope per pending event, and all drain once it is back', async () => {
    const api = apiAt(() => hub.url);
    const target = await startFaultyReceiver();
    receivers.push(target);
    await target.down();
    const connection = await connectAlm(api, 'rf-backlog');
    const { id: hookId } = await subscribe(api, `${target.url}/backlog`, connection);
    // The first 2,000 pay the one-off costs (compiled code, prepared statements, pools, both
    // sides' sockets; a probe outside vitest saw ~350 B/event over the first 2,500, ~90 after);
    // the growth that matters is what each further pending event adds.
    const warmUp = 2_000;
    const backlog = 2_000;

    let refused = 0;
    // Plain counting, no expect() per request: this process's heap is the hub's, measured below.
    const send = async (count: number) => {
      const ids: string[] = [];
      const workers = Array.from({ length: 8 }, async (_, worker) => {
        for (let n = worker; n < count; n += 8) {
          const answer = await sendCompletion(hub.url, connection, nextEvent + n);
          if (answer.status === 202 && answer.eventIds) ids.push(...answer.eventIds);
          else refused++;
        }
      });
      await Promise.all(workers);
      nextEvent += count;
      // Matched and queued; the dispatcher never goes idle while the receiver is down.
      await hub.hub.fanOut.idle();
      return ids;
    };
    const eventIds = await send(warmUp);
    const before = heapAfterGc();
    const rssBefore = process.memoryUsage().rss;
    eventIds.push(...(await send(backlog)));
    const after = heapAfterGc();
    const rssAfter = process.memoryUsage().rss;
    const pending = (await api('GET', `/v1/deliveries?hook_id=${hookId}&status=pending&limit=100`)).body.data.length;
    const envelopeBytes = Buffer.byteLength(JSON.stringify((await api('GET', `/v1/events/${eventIds[0]}`)).body));
    const perEvent = (after - before) / backlog;

    const drainStarted = Date.now();
    await target.up();
    await eventually(async () => target.delivered().size === eventIds.length, 60_000, 'the backlog to drain');
    const drainMs = Date.now() - drainStarted;
    report({
      scenario: 'receivers: memory while a backlog builds',
      tried: `${backlog} events while the receiver was down (refused, retried every ${BACKLOG_RETRY_MS / 1000} s), then back`,
      figures: {
        pending_events: backlog + warmUp,
        envelope_bytes: envelopeBytes,
        heap_growth_bytes_per_event: Math.round(perEvent),
        process_rss_growth_mb: Math.round((rssAfter - rssBefore) / 2 ** 20),
        drained: target.delivered().size,
        drain_ms: drainMs,
        lost: eventIds.length - target.delivered().size,
      },
    });
    expect(refused).toBe(0);
    expect(pending).toBe(100);
    // Held in memory, each pending delivery would cost at least its envelope's JSON; the store
    // holds them instead. A quarter of that covers this test's own list of event ids (same
    // process, ~60 B each) and GC noise; a backlog in memory would show 1 KB or more.
    expect(perEvent).toBeLessThan(envelopeBytes / 4);
    expect(target.delivered()).toEqual(new Set(eventIds));
  });
});
