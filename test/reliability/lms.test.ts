import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type CatalogEvent, createLogger, demoData, type SandboxSession, startSandbox, wireRequest } from '@learnhook/core';
import { emulatedApi, eventually, startReceiver } from '@learnhook/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LmsFaults, startLmsFaults } from '../lib/faults-lms-proxy.ts';
import { report } from './report.ts';

/**
 * Issue 9, scenario 3: the LMS API behind hydration goes down, turns slow, or rate limits harder
 * than it publishes. Events keep flowing: marked partial with what is missing while the LMS
 * cannot answer in time, complete again once it can, and the hub never calls while a 429's
 * Retry-After runs or past the emulator's own limit. The sandbox hub and LMS run in this process;
 * the Absorb connection's API goes through a fault proxy.
 */

const MAX_WAIT_MS = 4_000;
/** The circuit breaker's first cool-down here: long enough to see it open, short enough to see it probe. */
const COOLDOWN_MS = 1_500;
/** createLmsHttp's request timeout: a call already sent may hold an event this much past the bound. */
const LMS_TIMEOUT_MS = 10_000;

type Stats = Record<string, { requests: number; rate_limited: number }>;

describe('hydration while the LMS API fails', () => {
  let session: SandboxSession;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let faults: LmsFaults;
  let sequence = 1;
  let nextUser = 0;

  beforeAll(async () => {
    session = await startSandbox({
      // No warm-up: these scenarios are about per-event lookups meeting a failing LMS, and a warmed
      // learner or course would answer from the cache (test/e2e/hydration.test.ts covers warming).
      env: {
        HOST: '127.0.0.1',
        LEARNHOOK_RATE_LIMIT: '100000',
        LEARNHOOK_HYDRATION_MAX_WAIT_MS: String(MAX_WAIT_MS),
        LEARNHOOK_HYDRATION_WARM_MAX: '0',
        LEARNHOOK_LMS_COOLDOWN_MS: String(COOLDOWN_MS),
      },
      port: 0,
      dir: mkdtempSync(path.join(os.tmpdir(), 'learnhook-lms-faults-')),
      logger: createLogger({ level: 'silent' }),
      progress: () => {},
    });
    receiver = await startReceiver();
    faults = await startLmsFaults(session.lms.url);
    const headers = { authorization: `Bearer ${session.apiKey}`, 'content-type': 'application/json' };
    expect((await saveApiSettings()).ok).toBe(true);
    const hook = await fetch(`${session.hub.url}/v1/hooks`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ url: receiver.url, events: ['*'], filter: { connection: 'sandbox-absorb' } }),
    });
    expect(hook.status).toBe(201);
  }, 30_000);
  afterAll(async () => {
    await faults.close();
    await session.close();
    await receiver.close();
  });

  /**
   * Sends `count` lean Absorb completions, each about a learner not asked of the LMS before until
   * the demo data's 40 are used up (nothing answers from the cache); answers the delivered events
   * and how long each took.
   */
  async function send(count: number): Promise<Array<{ event: CatalogEvent; ms: number }>> {
    const data = demoData();
    const target = session.targets.absorb;
    if (!target) throw new Error('the sandbox has no Absorb connection');
    const sent = await Promise.all(
      Array.from({ length: count }, async () => {
        // Past the 40 demo learners (the last scenario), earlier ones come round again from the cache.
        const learner = nextUser % data.users.length;
        const user = data.users[learner]!;
        // The demo organisation enrolls learner n in course n mod 12: the enrollment lookup finds it.
        const course = data.courses[learner % data.courses.length]!;
        nextUser++;
        const wire = wireRequest(
          'absorb',
          'Enrollment Completed by Learner',
          { user, course, enrollment: null, data, sequence: sequence++, at: new Date() },
          target.inbound,
        );
        const started = Date.now();
        const response = await fetch(target.ingestUrl + wire.path, { method: 'POST', headers: wire.headers, body: wire.body });
        expect(response.status).toBe(202);
        const [id] = ((await response.json()) as { event_ids: string[] }).event_ids;
        return { id, started };
      }),
    );
    return Promise.all(
      sent.map(async ({ id, started }) => {
        const event = await eventually(
          async () => receiver.received.map((request) => JSON.parse(request.body) as CatalogEvent).find((candidate) => candidate.id === id),
          MAX_WAIT_MS + 15_000,
          `delivery of ${id}`,
        );
        return { event, ms: Date.now() - started };
      }),
    );
  }

  const statuses = (events: Array<{ event: CatalogEvent }>) => events.map(({ event }) => event.hydration.status);
  const slowest = (events: Array<{ ms: number }>) => Math.max(...events.map(({ ms }) => ms));

  const count = (events: Array<{ event: CatalogEvent }>, status: string) => statuses(events).filter((candidate) => candidate === status).length;
  const absorbStats = () => structuredClone((session.lms.stats() as Stats)['/absorb']!);

  /** Saves the Absorb connection's API settings (through the fault proxy); answers the test call the save makes. */
  async function saveApiSettings(): Promise<{ ok: boolean; message: string }> {
    const absorb = emulatedApi('absorb');
    const patched = await fetch(`${session.hub.url}/v1/connections/sandbox-absorb`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${session.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ api: absorb.sandboxSettings(faults.url + absorb.prefix) }),
    });
    return ((await patched.json()) as { api_check: { ok: boolean; message: string } }).api_check;
  }

  /** The connection's LMS API health as the API reports it. */
  async function apiHealth(): Promise<{ calls: number; circuit: string }> {
    const answer = await fetch(`${session.hub.url}/v1/connections/sandbox-absorb`, { headers: { authorization: `Bearer ${session.apiKey}` } });
    return ((await answer.json()) as { api_health: { calls: number; circuit: string } }).api_health;
  }

  it('delivers events partial while the LMS is down, naming what is missing, stops asking it (circuit open) and is complete again once a probe gets through', async () => {
    const healthy = await send(4);
    await faults.down();
    const whileDown = await send(4);
    const opened = await apiHealth();
    // With the breaker open, events do not wait for the LMS at all: no call is made for them.
    const whileOpen = await send(4);
    const stillOpen = await apiHealth();
    await faults.up();
    await new Promise((resolve) => setTimeout(resolve, COOLDOWN_MS));
    const back = await send(4);
    report({
      scenario: 'lms: down, then back',
      tried: `lean Absorb completions (hydration bound ${MAX_WAIT_MS} ms): 4 healthy, 4 with the LMS API's port closed (its circuit breaker opens), 4 more while it is open, 4 once it listens again and the ${COOLDOWN_MS} ms cool-down passed`,
      figures: {
        sent: 16,
        delivered: healthy.length + whileDown.length + whileOpen.length + back.length,
        partial_while_down: count(whileDown, 'partial'),
        lms_calls_while_open: stillOpen.calls - opened.calls,
        complete_after: count(back, 'complete'),
        slowest_while_down_ms: slowest(whileDown),
        slowest_while_open_ms: slowest(whileOpen),
      },
    });
    expect(statuses(healthy)).toEqual(['complete', 'complete', 'complete', 'complete']);
    const partial = { status: 'partial', missing: ['learner', 'course', 'enrollment'], reason: 'lms_unavailable' };
    expect(whileDown.map(({ event }) => event.hydration)).toEqual(whileDown.map(() => partial));
    expect(opened.circuit).toBe('open');
    expect(whileOpen.map(({ event }) => event.hydration)).toEqual(whileOpen.map(() => partial));
    expect(stillOpen.calls).toBe(opened.calls);
    // What the webhook itself said is kept: the ids subscribers filter and join on.
    expect(whileDown.every(({ event }) => event.learner?.id && event.course?.id)).toBe(true);
    expect(slowest(whileDown)).toBeLessThan(MAX_WAIT_MS + LMS_TIMEOUT_MS);
    expect(statuses(back)).toEqual(['complete', 'complete', 'complete', 'complete']);
    expect((await apiHealth()).circuit).toBe('closed');
  });

  it('waits for a slow LMS within the bound, and sends events partial when it answers later than a request may take', async () => {
    faults.mode.delayMs = 800;
    const slow = await send(4);
    // Past the LMS request timeout (10 s): the calls fail, and the events go out without them.
    faults.mode.delayMs = LMS_TIMEOUT_MS + 2_000;
    const tooSlow = await send(4);
    faults.mode.delayMs = 0;
    // Calls that time out are an outage too: the breaker opened, and events stopped waiting.
    expect((await apiHealth()).circuit).not.toBe('closed');
    report({
      scenario: 'lms: slow',
      tried: `4 events with the LMS API answering 800 ms late, 4 with it ${(LMS_TIMEOUT_MS + 2_000) / 1000} s late (hydration bound ${MAX_WAIT_MS} ms, LMS request timeout ${LMS_TIMEOUT_MS / 1000} s)`,
      figures: {
        sent: 8,
        complete_when_slow: count(slow, 'complete'),
        partial_when_too_slow: count(tooSlow, 'partial'),
        slowest_slow_ms: slowest(slow),
        slowest_too_slow_ms: slowest(tooSlow),
      },
    });
    expect(statuses(slow)).toEqual(['complete', 'complete', 'complete', 'complete']);
    expect(statuses(tooSlow)).toEqual(['partial', 'partial', 'partial', 'partial']);
    // Held no longer than the bound plus one LMS request timeout, never until the LMS answers.
    expect(slowest(tooSlow)).toBeLessThan(MAX_WAIT_MS + LMS_TIMEOUT_MS + 1_500);
  }, 60_000);

  it('holds every call on the connection while a 429 Retry-After runs, then hydrates in full within the bound, and never draws a 429 from the emulated limit', async () => {
    // The timeouts above left the breaker open: a person's test call (saving the settings) closes it.
    expect((await saveApiSettings()).ok).toBe(true);
    expect((await apiHealth()).circuit).toBe('closed');
    const before = absorbStats();
    // 2 s: far past the hydrator's own first backoffs (125-500 ms), so a retry that ignored it would show.
    faults.mode.retryAfterSeconds = 2;
    faults.mode.throttleNext = 1;
    const throttled = await send(6);
    const burst = await send(14);
    const after = absorbStats();
    report({
      scenario: 'lms: rate limiting',
      tried: '6 events while the LMS API answered 429 Retry-After: 2 once, then 14 at once under the emulated Absorb limit',
      figures: {
        sent: throttled.length + burst.length,
        complete: count([...throttled, ...burst], 'complete'),
        lms_calls: after.requests - before.requests,
        proxy_429s: faults.stats.throttled,
        calls_during_retry_after: faults.stats.breaches,
        emulator_429s: after.rate_limited - before.rate_limited,
      },
    });
    expect(statuses(throttled)).toEqual(throttled.map(() => 'complete'));
    expect(statuses(burst)).toEqual(burst.map(() => 'complete'));
    expect(faults.stats.throttled).toBe(1);
    expect(faults.stats.breaches).toBe(0);
    expect(after.rate_limited - before.rate_limited).toBe(0);
  });
});
