import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { type CatalogEvent, type EventType, SAMPLES } from '@learnhook/core';
import { seeded } from '../../lib/random.ts';
import { signedIn } from '../lib/console-session.ts';
import { BATCH, fillEvents, type HistoryEvent } from '../lib/history.ts';
import { ADMIN_KEY, type HubChild, startHub, tempDir } from '../lib/processes.ts';
import { judgeAll, type Row } from '../lib/report.ts';
import { fmt, quantile, waitUntil, zipf } from '../lib/stats.ts';

/**
 * Row 12 (issue 17 §8): a large history. An embedded store holds 1,000,000 events over the last
 * four weeks from 4 connections, 2,000,000 deliveries to 300 subscriptions (two per event, the
 * subscription drawn by Zipf over 290: a few busy ones, a long tail of quiet ones; ten filtered
 * subscriptions get one event in 2,500, forty deliveries each) and 3,000,000 attempts:
 * 86% of deliveries succeeded at once, 6% after 3 attempts, 5% failed after all 8, 3% are waiting
 * for their third (due in half an hour, so the hub sends nothing while it is measured). Then a real
 * hub starts on the file (spawn to /healthz 200) and every list endpoint, lookup and console page is
 * timed over HTTP, one request at a time. --quick fills the same history (about two minutes here) and
 * times 20 requests per endpoint instead of 40.
 */
export const START_MS = 5_000;
export const P95_MS = 200;
const EVENTS = 1_000_000;
const HOOKS = 300;
/** The last of the hooks are filtered subscriptions (one course's certificates, say): a delivery every FILTERED_EVERY events among them. */
const FILTERED = 10;
const FILTERED_EVERY = 2_500;
const LMS = 4;
const LEARNERS = 20_000;
const COURSES = 800;
const DAY_MS = 86_400_000;
const HISTORY_DAYS = 28;
const MAX_ATTEMPTS = 8;

/** The event types a learning platform mostly sends, and how often (of 100). */
const MIX: [EventType, number][] = [
  ['enrollment.progressed', 30],
  ['enrollment.started', 15],
  ['enrollment.created', 15],
  ['enrollment.completed', 12],
  ['assessment.completed', 10],
  ['certificate.awarded', 6],
  ['user.updated', 6],
  ['user.created', 4],
  ['session.attended', 2],
];
const TYPE_AT: EventType[] = MIX.flatMap(([type, weight]) => Array<EventType>(weight).fill(type));

/** Of every 100 deliveries (spread by a stride so neighbours differ): status and attempts. 150 attempts per 100 deliveries. */
interface Outcome {
  status: 'succeeded' | 'failed' | 'pending';
  attempts: number;
}
const FIRST_TRY: Outcome = { status: 'succeeded', attempts: 1 };
const OUTCOMES: Outcome[] = [
  ...Array.from({ length: 86 }, () => FIRST_TRY),
  ...Array.from({ length: 6 }, (): Outcome => ({ status: 'succeeded', attempts: 3 })),
  ...Array.from({ length: 5 }, (): Outcome => ({ status: 'failed', attempts: MAX_ATTEMPTS })),
  ...Array.from({ length: 3 }, (): Outcome => ({ status: 'pending', attempts: 2 })),
];

const learnerOf = (index: number) => ({
  id: `usr_${index}`,
  email: `learner.${index}@acme-training.example`,
  username: `learner.${index}`,
  first_name: 'Learner',
  last_name: String(index),
  name: `Learner ${index}`,
});
const courseOf = (index: number) => ({ id: `crs_${index}`, title: `Course ${index}: ${index % 2 ? 'Compliance' : 'Leadership'} essentials` });

/** The connections and subscriptions a hub on the empty file makes through the API, as an admin would. */
async function setUp(hub: HubChild): Promise<{ connections: { id: string; name: string }[]; hooks: string[] }> {
  const connections: { id: string; name: string }[] = [];
  for (let index = 0; index < LMS; index += 1) {
    const name = `lms-${index + 1}`;
    const created = await hub.api<{ id: string }>('POST', '/v1/connections', { name, vendor: 'learn365' });
    if (created.status !== 201) throw new Error(`creating a connection answered ${created.status}: ${JSON.stringify(created.body)}`);
    connections.push({ id: created.body.id, name });
  }
  const hooks: string[] = [];
  for (let start = 0; start < HOOKS; start += 25) {
    const made = await Promise.all(
      Array.from({ length: Math.min(25, HOOKS - start) }, async (_, offset) => {
        const n = start + offset;
        const created = await hub.api<{ id: string }>('POST', '/v1/hooks', {
          // A closed port: nothing is due while the hub is measured, and nothing could be sent if it were.
          url: `http://127.0.0.1:9/h/${n}`,
          events: n % 3 === 0 ? ['*'] : [TYPE_AT[(n * 7) % TYPE_AT.length] ?? 'enrollment.completed'],
        });
        if (created.status !== 201) throw new Error(`subscribing answered ${created.status}: ${JSON.stringify(created.body)}`);
        return created.body.id;
      }),
    );
    hooks.push(...made);
  }
  return { connections, hooks };
}

/**
 * Deliveries and attempts for every stored event, in event order, one transaction per batch of
 * events with prepared statements (the fan-out's own rows, without sending anything); each batch
 * also marks its events processed, as a fan-out would.
 */
function fillDeliveries(file: string, hooks: string[], now: number, log: (line: string) => void): { deliveries: number; attempts: number; perHook: number[] } {
  const db = new DatabaseSync(file);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF; PRAGMA cache_size = -262144;');
  const events = db.prepare(
    'SELECT e.seq, e.id, r.received_at FROM events e JOIN raw_requests r ON r.seq = e.raw_request_seq WHERE e.seq > ? ORDER BY e.seq LIMIT ?',
  );
  const insertDelivery = db.prepare(
    `INSERT INTO deliveries (id, event_id, hook_id, reason, status, attempts, next_attempt_at, last_status, last_error, created_at, updated_at)
     VALUES (?, ?, ?, 'event', ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertAttempt = db.prepare(
    'INSERT INTO attempts (delivery_id, attempt, started_at, duration_ms, status, error, response_snippet) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  // With the learner's email the events list finds them by, as completeEvent writes it.
  const processed = db.prepare("UPDATE events SET state = 'processed', learner_email = lower(json_extract(body, '$.learner.email')) WHERE seq BETWEEN ? AND ?");
  const random = seeded(12);
  const hookRank = zipf(HOOKS - FILTERED, 1, random);
  const perHook = Array<number>(HOOKS).fill(0);
  let deliveries = 0;
  let attempts = 0;
  let after = 0;
  try {
    for (;;) {
      const batch = events.all(after, 5_000) as { seq: number; id: string; received_at: number }[];
      const last = batch[batch.length - 1];
      if (!last) break;
      db.exec('BEGIN');
      for (const event of batch) {
        const ranks = [hookRank(), hookRank()];
        // Two different subscriptions per event.
        if (ranks[1] === ranks[0]) ranks[1] = ((ranks[0] ?? 0) + 1) % (HOOKS - FILTERED);
        const n = Number(event.id.slice(4));
        if (n % FILTERED_EVERY === 0) ranks[1] = HOOKS - FILTERED + ((n / FILTERED_EVERY) % FILTERED);
        for (const hook of ranks) {
          perHook[hook] = (perHook[hook] ?? 0) + 1;
          const outcome = OUTCOMES[(deliveries * 37) % OUTCOMES.length] ?? FIRST_TRY;
          const id = `dlv_${deliveries.toString(36).padStart(8, '0')}`;
          const sent = event.received_at + 40;
          let at = sent;
          for (let attempt = 1; attempt <= outcome.attempts; attempt += 1) {
            const ok = outcome.status === 'succeeded' && attempt === outcome.attempts;
            insertAttempt.run(id, attempt, at, ok ? 120 : 30, ok ? 200 : 503, ok ? null : 'HTTP 503', ok ? '{"ok":true}' : 'Service Unavailable');
            at += [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000][attempt - 1] ?? 0;
          }
          attempts += outcome.attempts;
          const done = outcome.status !== 'pending';
          insertDelivery.run(
            id,
            event.id,
            hooks[hook] ?? '',
            outcome.status,
            outcome.attempts,
            done ? null : now + 1_800_000,
            outcome.status === 'succeeded' ? 200 : 503,
            outcome.status === 'succeeded' ? null : 'HTTP 503',
            sent,
            done ? at : sent,
          );
          deliveries += 1;
        }
      }
      processed.run(batch[0]?.seq ?? 0, last.seq);
      db.exec('COMMIT');
      after = last.seq;
      if (deliveries % 400_000 === 0) log(`  stored ${fmt(deliveries)} deliveries ...`);
    }
    db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  return { deliveries, attempts, perHook };
}

interface Timing {
  name: string;
  p50: number;
  p95: number;
}

export const largeHistoryRow: Row = {
  row: 12,
  title: 'Large history: 1M events, 3M attempts; list endpoints, lookups, start-up',
  target: `every p95 < ${P95_MS} ms; start-up < ${START_MS / 1000} s`,
  async run({ quick, log }) {
    const dataDir = tempDir('history');
    const file = path.join(dataDir, 'learnhook.db');
    const now = Date.now();
    const first = now - HISTORY_DAYS * DAY_MS;
    const setup = await startHub({ LEARNHOOK_DATA: file });
    let made: Awaited<ReturnType<typeof setUp>>;
    try {
      made = await setUp(setup);
    } finally {
      await setup.stop();
    }
    const { connections, hooks } = made;

    const random = seeded(8);
    const learner = zipf(LEARNERS, 0.6, random);
    const course = zipf(COURSES, 0.8, random);
    const eventAt = (index: number, id: string): HistoryEvent => {
      const type = TYPE_AT[index % TYPE_AT.length] ?? 'enrollment.completed';
      const sample: Record<string, unknown> = { ...SAMPLES[type], id };
      if ('learner' in sample) sample.learner = { ...(sample.learner as object), ...learnerOf(learner()) };
      if ('course' in sample) sample.course = { ...(sample.course as object), ...courseOf(course()) };
      // The samples are the catalog's own; only ids, learners and courses change.
      return { type, event: sample as CatalogEvent };
    };
    log(`  filling ${fmt(EVENTS)} events from ${LMS} connections over ${HISTORY_DAYS} days ...`);
    const eventSeconds = await fillEvents(file, {
      total: EVENTS,
      log,
      connectionOf: (index) => connections[(index / BATCH) % LMS]?.id ?? 'con_bench',
      receivedAt: (index) => first + Math.round((index / EVENTS) * HISTORY_DAYS * DAY_MS),
      eventAt,
    });
    const fillStarted = performance.now();
    const filled = fillDeliveries(file, hooks, now, log);
    const deliverySeconds = (performance.now() - fillStarted) / 1000;
    log(`  filled in ${fmt(eventSeconds + deliverySeconds)} s; starting the hub on it ...`);

    const spawned = performance.now();
    const hub = await startHub({ LEARNHOOK_DATA: file });
    try {
      await waitUntil(async () => (await fetch(`${hub.url}/healthz`).catch(() => null))?.status === 200, 30_000, 10);
      const startMs = performance.now() - spawned;
      const cookie = await signedIn(hub);
      const samples = quick ? 20 : 40;
      const get = async (route: string, headers: Record<string, string>) => {
        const at = performance.now();
        const response = await fetch(`${hub.url}${route}`, { headers });
        const text = await response.text();
        if (response.status !== 200) throw new Error(`${route} answered ${response.status}: ${text.slice(0, 200)}`);
        return { ms: performance.now() - at, text };
      };
      const api = { authorization: `Bearer ${ADMIN_KEY}` };
      const json = async <T>(route: string) => JSON.parse((await get(route, api)).text) as T;
      const timings: Timing[] = [];
      /** `samples` requests, one at a time, after two not counted. */
      const time = async (name: string, route: (index: number) => string, headers: Record<string, string> = api) => {
        for (let index = 0; index < 2; index += 1) await get(route(index), headers);
        const ms: number[] = [];
        for (let index = 0; index < samples; index += 1) ms.push((await get(route(index), headers)).ms);
        timings.push({ name, p50: quantile(ms, 0.5), p95: quantile(ms, 0.95) });
      };
      /** The cursor of the page 50 pages below the first. */
      const deepCursor = async (route: string) => {
        let cursor: string | null = '';
        for (let page = 0; page < 50 && cursor !== null; page += 1)
          cursor = (await json<{ next_cursor: string | null }>(`${route}${route.includes('?') ? '&' : '?'}limit=50${cursor ? `&cursor=${cursor}` : ''}`))
            .next_cursor;
        if (!cursor) throw new Error(`${route} has fewer than 50 pages`);
        return cursor;
      };
      const pick = (index: number, count: number) => (index * 7919) % count;
      const byRank = hooks.map((id, rank) => ({ id, count: filled.perHook[rank] ?? 0 })).sort((a, b) => b.count - a.count);
      // The quietest hook that still has 50 pages of deliveries: the deep page farthest back in time.
      const deepHook = [...byRank].reverse().find((hook) => hook.count > 51 * 50) ?? byRank[0];
      const hookAt = (index: number) => byRank[pick(index, byRank.length)]?.id ?? '';
      const types = MIX.map(([type]) => type);

      await time('/v1/events', () => '/v1/events?limit=50');
      const eventsDeep = await deepCursor('/v1/events');
      await time('/v1/events 50 pages deep', () => `/v1/events?limit=50&cursor=${eventsDeep}`);
      await time('/v1/events?type=', (index) => `/v1/events?limit=50&type=${types[index % types.length]}`);
      await time('/v1/events?connection=', (index) => `/v1/events?limit=50&connection=${connections[index % LMS]?.name}`);
      await time('/v1/events?learner_email=', (index) => `/v1/events?limit=50&learner_email=${encodeURIComponent(learnerOf(pick(index, LEARNERS)).email)}`);
      await time('/v1/events/:id', (index) => `/v1/events/evt_${pick(index, EVENTS)}`);
      await time('/v1/deliveries?hook_id=', (index) => `/v1/deliveries?limit=50&hook_id=${hookAt(index)}`);
      const deliveriesDeep = await deepCursor(`/v1/deliveries?hook_id=${deepHook?.id}`);
      await time('/v1/deliveries?hook_id= 50 pages deep', () => `/v1/deliveries?limit=50&hook_id=${deepHook?.id}&cursor=${deliveriesDeep}`);
      const filtered = byRank[byRank.length - 1 - (FILTERED >> 1)];
      await time(
        `/v1/deliveries?hook_id= filtered hook (${fmt(filtered?.count)} deliveries)`,
        (index) => `/v1/deliveries?limit=50&hook_id=${byRank[byRank.length - 1 - (index % FILTERED)]?.id}`,
      );
      await time('/v1/deliveries?status=failed', () => '/v1/deliveries?limit=50&status=failed');
      await time('/v1/deliveries/:id', (index) => `/v1/deliveries/dlv_${pick(index, filled.deliveries).toString(36).padStart(8, '0')}`);
      await time('/v1/hooks', () => '/v1/hooks?limit=50');
      await time('/v1/connections', () => '/v1/connections');
      await time('/v1/lookup/users?q=', (index) => `/v1/lookup/users?q=learner.${index % 10}`);
      await time('/v1/lookup/courses?q=', (index) => `/v1/lookup/courses?q=course ${index % 10}`);
      const browser = { cookie };
      await time('console /events', () => '/events', browser);
      await time('console /subscriptions/:id', (index) => `/subscriptions/${hookAt(index)}`, browser);
      await time('console /subscriptions/:id filtered hook', (index) => `/subscriptions/${byRank[byRank.length - 1 - (index % FILTERED)]?.id}`, browser);
      await time('/metrics', () => '/metrics', {});

      const slowest = [...timings].sort((a, b) => b.p95 - a.p95);
      const missed = timings.filter((timing) => timing.p95 >= P95_MS);
      const verdict = judgeAll([
        { what: 'start-up', status: startMs < START_MS ? 'met' : 'missed', verdict: `${fmt(startMs / 1000, 2)} s` },
        ...timings.map((timing) => ({
          what: timing.name,
          status: timing.p95 < P95_MS ? ('met' as const) : ('missed' as const),
          verdict: `p95 ${fmt(timing.p95, 1)} ms`,
        })),
      ]);
      const list = timings.map((timing) => `${timing.name} ${fmt(timing.p50, 1)} / ${fmt(timing.p95, 1)}`).join('; ');
      return {
        ...verdict,
        result: `start-up ${fmt(startMs / 1000, 2)} s; slowest p95 ${slowest
          .slice(0, 3)
          .map((timing) => `${timing.name} ${fmt(timing.p95, 1)} ms`)
          .join(', ')}; ${missed.length ? `${missed.length} of ${timings.length} over ${P95_MS} ms` : `all ${timings.length} under ${P95_MS} ms`}`,
        metrics: {
          events: EVENTS,
          deliveries: filled.deliveries,
          attempts: filled.attempts,
          hooks: HOOKS,
          fill_seconds: Math.round(eventSeconds + deliverySeconds),
          startup_ms: Math.round(startMs),
          ...Object.fromEntries(
            timings.flatMap((timing) => [
              [`${timing.name} p50_ms`, Math.round(timing.p50 * 10) / 10],
              [`${timing.name} p95_ms`, Math.round(timing.p95 * 10) / 10],
            ]),
          ),
        },
        notes: [
          `${fmt(EVENTS)} events (${LMS} connections, ${HISTORY_DAYS} days), ${fmt(filled.deliveries)} deliveries to ${HOOKS} subscriptions (Zipf over ${HOOKS - FILTERED}: the busiest has ${fmt(byRank[0]?.count)}, the quietest ${fmt(byRank[byRank.length - 1 - FILTERED]?.count)}; ${FILTERED} filtered ones ${fmt(filtered?.count)} each), ${fmt(filled.attempts)} attempts, written into the file in ${fmt(eventSeconds, 0)} + ${fmt(deliverySeconds, 0)} s; the hub took ${fmt(startMs / 1000, 2)} s from spawn to /healthz 200 on it.`,
          `p50 / p95 ms over ${samples} requests each, one at a time (filters and ids vary across requests; hook pages cycle through busy and quiet subscriptions; the deep delivery page is the quietest hook with 50 pages): ${list}.`,
        ],
      };
    } finally {
      await hub.stop();
    }
  },
};
