import { demoData } from '@learnhook/core';
import { lmsSender, subscribe } from '../lib/lms-sender.ts';
import { openLoad } from '../lib/load.ts';
import { startSandboxChild } from '../lib/processes.ts';
import { startReceiver } from '../lib/receiver.ts';
import { judgeAll, judge, type Row } from '../lib/report.ts';
import { fmt, seeded, zipf } from '../lib/stats.ts';

/**
 * Row 8: hydration against the sandbox LMS with its rate limit (Absorb: bursts of 100, 200 calls/s).
 * An organisation of 10,000 learners and 500 courses; lean Absorb "Certificate Awarded" webhooks
 * whose learner and course are drawn from a Zipf distribution (s = 1, seeded), sent at a fixed
 * rate from a cold cache. Counts the LMS API calls the emulator served (authentication included)
 * and the 429s it answered, and compares the calls with the floor: one per distinct learner and
 * course named, which no cache can beat without fetching ahead.
 */
const USERS = 10_000;
const COURSES = 500;
const SKEW = 1;
const TARGET_CALLS = 0.1;

type Stats = Record<string, { requests: number; rate_limited: number; endpoints: Record<string, number> }>;

export const hydrationRow: Row = {
  row: 8,
  title: 'Hydration: Zipf over 10,000 users × 500 courses',
  target: `< ${TARGET_CALLS} API calls/event, zero 429s`,
  async run({ quick, log }) {
    const events = quick ? 2_500 : 30_000;
    const rate = quick ? 500 : 1_000;
    const data = demoData({ users: USERS, courses: COURSES });
    const sandbox = await startSandboxChild({ users: USERS, courses: COURSES });
    const receiver = await startReceiver();
    const target = sandbox.info.targets.absorb;
    if (!target) throw new Error('the sandbox has no absorb connection');
    const sender = lmsSender(target, data);
    try {
      await subscribe(sandbox, receiver, ['certificate.awarded']);
      const stats = async () => ((await (await fetch(`${sandbox.info.lms}/sandbox/stats`)).json()) as Stats)['/absorb'] ?? { requests: 0, rate_limited: 0, endpoints: {} };
      const before = await stats();
      const random = seeded(8);
      const pickUser = zipf(USERS, SKEW, random);
      const pickCourse = zipf(COURSES, SKEW, random);
      const users = new Set<number>();
      const courses = new Set<number>();
      log(`  ${fmt(events)} events at ${fmt(rate)}/s ...`);
      const started = performance.now();
      const load = await openLoad({
        rate,
        durationMs: (events / rate) * 1000,
        send: () => {
          const user = pickUser();
          const course = pickCourse();
          users.add(user);
          courses.add(course);
          return sender.send(user, course);
        },
      });
      const waitSeconds = quick ? 60 : 240;
      const all = await receiver.waitFor(load.offered, waitSeconds * 1000);
      const seconds = (performance.now() - started) / 1000;
      const after = await stats();
      const calls = after.requests - before.requests;
      const limited = after.rate_limited - before.rate_limited;
      const delivered = receiver.arrivals.length;
      const complete = receiver.arrivals.filter((arrival) => arrival.hydration === 'complete').length;
      const perEvent = calls / load.offered;
      const floor = (users.size + courses.size) / load.offered;
      const { status, verdict } = judgeAll([
        { what: 'calls/event', ...judge(Math.round(perEvent * 1000) / 1000, TARGET_CALLS, 'lower') },
        { what: '429s', ...(limited === 0 ? { status: 'met' as const, verdict: 'met' } : { status: 'missed' as const, verdict: `${limited} received` }) },
      ]);
      const endpoints = Object.entries(after.endpoints)
        .map(([name, count]) => [name, count - (before.endpoints[name] ?? 0)] as const)
        .filter(([, count]) => count > 0)
        .map(([name, count]) => `${name} ${fmt(count)}`)
        .join(', ');
      return {
        status,
        verdict,
        result: `${fmt(perEvent, 3)} calls/event (${fmt(calls)} for ${fmt(load.offered)}; floor ${fmt(floor, 3)}), ${limited} × 429`,
        metrics: {
          events: load.offered,
          api_calls: calls,
          calls_per_event: Math.round(perEvent * 1000) / 1000,
          floor_calls_per_event: Math.round(floor * 1000) / 1000,
          distinct_users: users.size,
          distinct_courses: courses.size,
          rate_limited_429: limited,
          delivered,
          hydrated_complete: complete,
          all_delivered: all,
          seconds: Math.round(seconds * 10) / 10,
        },
        notes: [
          `${fmt(load.offered)} events named ${fmt(users.size)} distinct learners and ${fmt(courses.size)} courses (Zipf s = ${SKEW}); the LMS served ${fmt(calls)} calls (${endpoints}): ${fmt(calls / (users.size + courses.size), 2)}× the floor of one call per distinct learner and course, i.e. cache and coalescing waste ${calls - users.size - courses.size <= 2 ? 'nothing' : `${fmt(calls - users.size - courses.size)} calls`}.`,
          `${fmt(complete)} of ${fmt(delivered)} deliveries hydrated complete${all ? '' : ` (${fmt(load.offered - delivered)} not delivered within ${waitSeconds} s)`}, the last ${fmt(seconds, 1)} s after the first event was sent (${fmt(load.seconds, 1)} s of sending): the LMS served ${fmt(calls / seconds)} calls/s on average, the hub keeping well under the emulated limit, and each fan-out batch waits for its new learners' lookups.`,
          perEvent >= TARGET_CALLS
            ? `Below ${TARGET_CALLS} calls/event is out of reach from a cold cache at this size: the floor itself is ${fmt(floor, 3)} for ${fmt(load.offered)} events (it falls under 0.1 only after about 100,000 events at this skew). Obvious win: warm the learner and course caches from the LMS's list endpoints (Absorb pages of up to 1,000 users) when a connection starts, a few dozen calls instead of one per learner.`
            : '',
        ].filter(Boolean),
      };
    } finally {
      sender.close();
      await receiver.close();
      await sandbox.stop();
    }
  },
};
