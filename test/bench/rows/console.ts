import path from 'node:path';
import { learn365Requests } from '../lib/bodies.ts';
import { signedIn } from '../lib/console-session.ts';
import { fillEvents } from '../lib/history.ts';
import { closedLoad } from '../lib/load.ts';
import { startHub, tempDir } from '../lib/processes.ts';
import { judgeAll, type Row } from '../lib/report.ts';
import { fmt, quantile } from '../lib/stats.ts';
import { CONNECTIONS, learn365Connection } from '../lib/throughput.ts';

/**
 * Row 10 (issue 15): the console must not cost what it watches. Ingest (row 2's load) with three
 * live tails open against the same hub without them, in alternating rounds; and the events page
 * with a million events stored (a tenth with --quick), first page and a deep cursor page.
 */
export const TAIL_RATIO = 0.95;
export const LIST_P95_MS = 200;
const TAILS = 3;

/** Live tails as a browser holds them: each reads its stream to the end, counting the events it was sent. */
function openTails(url: string, cookie: string, count: number) {
  const controller = new AbortController();
  const received = { events: 0 };
  const tails = Array.from({ length: count }, async () => {
    const response = await fetch(`${url}/events/stream`, { headers: { cookie }, signal: controller.signal });
    const reader = response.body?.getReader();
    const decoder = new TextDecoder();
    try {
      while (reader) {
        const chunk = await reader.read();
        if (chunk.done) break;
        received.events += (decoder.decode(chunk.value).match(/^event: event$/gm) ?? []).length;
      }
    } catch {
      // Aborted when the round ends.
    }
  });
  return {
    received,
    async close() {
      controller.abort();
      await Promise.allSettled(tails);
    },
  };
}

const median = (values: number[]) => quantile(values, 0.5);
const p95 = (values: number[]) => quantile(values, 0.95);

async function tailsCost(quick: boolean, log: (line: string) => void) {
  const hub = await startHub();
  try {
    const cookie = await signedIn(hub);
    const { pathPrefix, inbound } = await learn365Connection(hub);
    const requests = learn365Requests(inbound, pathPrefix);
    const seconds = quick ? 2.5 : 5;
    const rounds = quick ? 2 : 4;
    await closedLoad({ url: hub.url, connections: CONNECTIONS, durationSeconds: 1, next: requests.next });
    const without: number[] = [];
    const withTails: number[] = [];
    let streamed = 0;
    log(`  ${rounds} alternating rounds of ${seconds} s, without and with ${TAILS} live tails ...`);
    for (let index = 0; index < rounds; index += 1) {
      without.push((await closedLoad({ url: hub.url, connections: CONNECTIONS, durationSeconds: seconds, next: requests.next })).okPerSecond);
      const tails = openTails(hub.url, cookie, TAILS);
      withTails.push((await closedLoad({ url: hub.url, connections: CONNECTIONS, durationSeconds: seconds, next: requests.next })).okPerSecond);
      // The tails poll once a second: let the last poll of the round reach them before counting.
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      await tails.close();
      streamed += tails.received.events;
    }
    return { without: median(without), withTails: median(withTails), streamed };
  } finally {
    await hub.stop();
  }
}

async function listSpeed(quick: boolean, log: (line: string) => void) {
  const total = quick ? 100_000 : 1_000_000;
  const dataDir = tempDir('events');
  const file = path.join(dataDir, 'learnhook.db');
  const fillSeconds = await fillEvents(file, { total, log });
  const hub = await startHub({ LEARNHOOK_DATA: file });
  try {
    const cookie = await signedIn(hub);
    const time = async (route: string) => {
      const at = performance.now();
      const response = await fetch(`${hub.url}${route}`, { headers: { cookie } });
      const text = await response.text();
      if (response.status !== 200) throw new Error(`${route} answered ${response.status}`);
      return { ms: performance.now() - at, text };
    };
    const first: number[] = [];
    let cursor = '';
    for (let index = 0; index < 20; index += 1) {
      const answer = await time('/events');
      first.push(answer.ms);
      cursor ||= /cursor=([^"&]+)/.exec(answer.text)?.[1] ?? '';
    }
    // Fifty pages deep, the way someone paging back through a month would get there.
    for (let page = 0; page < 50 && cursor; page += 1) cursor = /cursor=([^"&]+)/.exec((await time(`/events?cursor=${cursor}`)).text)?.[1] ?? '';
    const deep: number[] = [];
    for (let index = 0; index < 20 && cursor; index += 1) deep.push((await time(`/events?cursor=${cursor}`)).ms);
    return { total, fillSeconds, firstP95: p95(first), firstMedian: median(first), deepP95: p95(deep) };
  } finally {
    await hub.stop();
  }
}

export const consoleRow: Row = {
  row: 10,
  title: 'Console: ingest with live tails open; the events page at 1M events',
  target: `>= ${TAIL_RATIO} of ingest without tails; p95 < ${LIST_P95_MS} ms`,
  async run({ quick, log }) {
    const tails = await tailsCost(quick, log);
    const list = await listSpeed(quick, log);
    const ratio = tails.withTails / tails.without;
    const { status, verdict } = judgeAll([
      { what: 'ingest with tails', status: ratio >= TAIL_RATIO ? 'met' : 'missed', verdict: `${fmt(ratio, 2)} of ${TAIL_RATIO}` },
      { what: 'first page', status: list.firstP95 < LIST_P95_MS ? 'met' : 'missed', verdict: `p95 ${fmt(list.firstP95, 1)} ms` },
      { what: 'deep page', status: list.deepP95 < LIST_P95_MS ? 'met' : 'missed', verdict: `p95 ${fmt(list.deepP95, 1)} ms` },
    ]);
    return {
      status,
      verdict,
      result: `tails ${fmt(ratio, 2)}× ingest; /events p95 ${fmt(list.firstP95, 1)} ms, 50 pages deep ${fmt(list.deepP95, 1)} ms at ${fmt(list.total)} events`,
      metrics: {
        ingest_without_tails_per_s: Math.round(tails.without),
        ingest_with_tails_per_s: Math.round(tails.withTails),
        ratio: Math.round(ratio * 1000) / 1000,
        events_streamed: tails.streamed,
        events_stored: list.total,
        fill_seconds: Math.round(list.fillSeconds),
        first_page_p95_ms: Math.round(list.firstP95 * 10) / 10,
        first_page_median_ms: Math.round(list.firstMedian * 10) / 10,
        deep_page_p95_ms: Math.round(list.deepP95 * 10) / 10,
      },
      notes: [
        `${TAILS} tails (SSE, each polling the store once a second) were sent ${fmt(tails.streamed)} events while ingest ran; ingest ${fmt(tails.without)} events/s without them, ${fmt(tails.withTails)} with (medians of alternating rounds on one hub).`,
        `The events page renders 50 rows from the newest-first index on seq; a cursor page is one indexed range read. ${fmt(list.total)} events were written straight into the store file in ${fmt(list.fillSeconds)} s.`,
      ],
    };
  },
};
