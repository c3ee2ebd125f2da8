import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type CatalogEvent, createLogger, demoData, type Logger, type SandboxSession, startSandbox, wireRequest } from '@learnhook/core';
import { emulatedApi, eventually, refusedUrl, serveEmulator, startReceiver, startTestHub } from '@learnhook/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

type Stats = Record<string, { requests: number; rate_limited: number; endpoints: Record<string, number> }>;

async function openSandbox(env: Record<string, string> = {}, logger: Logger = createLogger({ level: 'silent' })) {
  const session = await startSandbox({
    env: { HOST: '127.0.0.1', LEARNHOOK_RATE_LIMIT: '100000', ...env },
    port: 0,
    dir: mkdtempSync(path.join(os.tmpdir(), 'learnhook-hydration-')),
    logger,
    progress: () => {},
  });
  const receiver = await startReceiver();
  const response = await fetch(`${session.hub.url}/v1/hooks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${session.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ url: receiver.url, events: ['*'] }),
  });
  expect(response.status).toBe(201);
  const delivered = () => receiver.received.map((request) => JSON.parse(request.body) as CatalogEvent);
  return { session, receiver, delivered };
}

async function emit(session: SandboxSession, body: Record<string, unknown>) {
  const response = await fetch(`${session.lms.url}/sandbox/emit`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  return response.json();
}

const stats = (session: SandboxSession) => session.lms.stats() as Stats;

describe('hydration against the sandbox LMS', () => {
  let sandbox: Awaited<ReturnType<typeof openSandbox>>;
  beforeAll(async () => {
    // Cold caches: these tests count the lookups events cause one by one.
    sandbox = await openSandbox({ LEARNHOOK_HYDRATION_WARM_MAX: '0' });
  }, 30_000);
  afterAll(async () => {
    await sandbox.session.close();
    await sandbox.receiver.close();
  });

  it('looks a learner up once for 50 concurrent events about them', async () => {
    const before = structuredClone(stats(sandbox.session)['/absorb']!);
    await Promise.all(
      Array.from({ length: 50 }, () =>
        emit(sandbox.session, { vendor: 'absorb', event: 'Certificate Awarded', user: 'liam.chen@acme-training.example', course: 'Accessibility Basics' }),
      ),
    );
    const events = await eventually(
      async () => {
        const mine = sandbox.delivered().filter((event) => event.type === 'certificate.awarded' && event.learner?.email === 'liam.chen@acme-training.example');
        return mine.length >= 50 && mine;
      },
      20_000,
      '50 deliveries',
    );
    expect(
      events.every((event) => event.hydration.status === 'complete' && event.learner?.first_name === 'Liam' && event.course?.title === 'Accessibility Basics'),
    ).toBe(true);
    const after = stats(sandbox.session)['/absorb']!;
    const userLookups = (after.endpoints['GET /users/:id'] ?? 0) - (before.endpoints['GET /users/:id'] ?? 0);
    expect(userLookups).toBe(1);
    expect(after.requests - before.requests).toBeLessThanOrEqual(5);
  }, 30_000);

  it('never exceeds the LMS rate limit under a burst of 2,000 events: no 429 at all, every event delivered', async () => {
    const users = demoData().users;
    expect(users).toHaveLength(40);
    const before = sandbox.delivered().length;
    const batches = users.map((user) => ({ vendor: 'absorb', event: 'Certificate Awarded', user: user.email, count: 50 }));
    for (let start = 0; start < batches.length; start += 20) {
      await Promise.all(batches.slice(start, start + 20).map((batch) => emit(sandbox.session, batch)));
    }
    await eventually(async () => sandbox.delivered().length - before >= 2000, 60_000, '2,000 deliveries');
    const absorb = stats(sandbox.session)['/absorb']!;
    expect(absorb.rate_limited).toBe(0);
    const burst = sandbox.delivered().slice(before);
    expect(burst.filter((event) => event.hydration.status === 'complete').length).toBe(2000);
    // 40 learners: each looked up once (the first test's learner was cached already), however many events named them.
    expect(absorb.endpoints['GET /users/:id']).toBeLessThanOrEqual(40);
  }, 90_000);

  it('spreads lookups over time to stay under a strict LMS limit: 40 new Learn365 users at once, no 429, all hydrated', async () => {
    const before = sandbox.delivered().length;
    await Promise.all(demoData().users.map((user) => emit(sandbox.session, { vendor: 'learn365', event: 'UserCreated', user: user.email })));
    const created = await eventually(
      async () => {
        const events = sandbox
          .delivered()
          .slice(before)
          .filter((event) => event.type === 'user.created');
        return events.length >= 40 && events;
      },
      40_000,
      '40 user.created deliveries',
    );
    const learn365 = stats(sandbox.session)['/learn365']!;
    // The emulator allows bursts of 10: these 40+ lookups, asked for at once, would have drawn 429s without the client's bucket.
    expect(learn365.requests).toBeGreaterThanOrEqual(40);
    expect(learn365.rate_limited).toBe(0);
    expect(created.every((event) => event.hydration.status === 'complete' && event.learner?.department)).toBe(true);
  }, 60_000);
});

describe('hydration when the LMS is down', () => {
  let sandbox: Awaited<ReturnType<typeof openSandbox>>;
  beforeAll(async () => {
    sandbox = await openSandbox({ LEARNHOOK_HYDRATION_MAX_WAIT_MS: '1500', LEARNHOOK_HYDRATION_WARM_MAX: '0' });
    await sandbox.session.lms.close();
  }, 30_000);
  afterAll(async () => {
    await sandbox.session.hub.close();
    await sandbox.receiver.close();
  });

  it('delivers the event anyway, marked partial with the parts it lacks', async () => {
    const data = demoData();
    const target = sandbox.session.targets.absorb!;
    const wire = wireRequest(
      'absorb',
      'Enrollment Completed by Learner',
      { user: data.users[3]!, course: data.courses[0]!, enrollment: null, data, sequence: 1, at: new Date() },
      target.inbound,
    );
    const started = Date.now();
    const response = await fetch(target.ingestUrl + wire.path, { method: 'POST', headers: wire.headers, body: wire.body });
    expect(response.status).toBe(202);
    const event = await eventually(
      async () => sandbox.delivered().find((candidate) => candidate.type === 'enrollment.completed'),
      20_000,
      'the partial delivery',
    );
    // The LMS's closed port fails every call at once: its circuit breaker opens, and the event says why it is partial.
    expect(event.hydration).toEqual({ status: 'partial', missing: ['learner', 'course', 'enrollment'], reason: 'lms_unavailable' });
    expect(event.learner?.id).toBeTruthy();
    expect(event.learner?.email).toBeNull();
    // Held no longer than the bound (plus a request timeout), never forever.
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 30_000);
});

/** A logger whose lines the test reads: what the hub says about its warm-ups. */
function recordingLogger() {
  const lines: Array<{ level: number; msg: string; connection_id?: string; learners?: number; courses?: number; calls?: number }> = [];
  const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
  const warmUp = (connectionId: string, what: 'finished' | 'failed') =>
    eventually(
      async () => lines.find((line) => line.connection_id === connectionId && line.msg.startsWith(`hydration warm-up ${what}`)),
      30_000,
      `the warm-up ${what}`,
    );
  return { logger, lines, warmUp };
}

/** A sandbox with a recorded log for the tests of one describe block, opened once before them. */
function sandboxWithLog(): { sandbox: Awaited<ReturnType<typeof openSandbox>>; log: ReturnType<typeof recordingLogger> } {
  const suite = {} as ReturnType<typeof sandboxWithLog>;
  beforeAll(async () => {
    suite.log = recordingLogger();
    suite.sandbox = await openSandbox({}, suite.log.logger);
  }, 30_000);
  afterAll(async () => {
    await suite.sandbox.session.close();
    await suite.sandbox.receiver.close();
  });
  return suite;
}

describe('hydration caches warmed from the LMS lists', () => {
  const suite = sandboxWithLog();

  it('costs no user or course lookups for learners and courses no event named before', async () => {
    const connection = await suite.sandbox.session.hub.connections.get('sandbox-absorb');
    const finished = await suite.log.warmUp(connection!.record.id, 'finished');
    const data = demoData();
    expect(finished).toMatchObject({ learners: data.users.length, courses: data.courses.length });
    const before = structuredClone(stats(suite.sandbox.session)['/absorb']!);
    const sent = data.users.map((user, index) => ({ user, course: data.courses[index % data.courses.length]! }));
    for (const { user, course } of sent)
      await emit(suite.sandbox.session, { vendor: 'absorb', event: 'Certificate Awarded', user: user.email, course: course.title });
    const events = await eventually(
      async () => {
        const mine = suite.sandbox.delivered().filter((event) => event.type === 'certificate.awarded');
        return mine.length >= sent.length && mine;
      },
      30_000,
      `${sent.length} deliveries`,
    );
    expect(events.every((event) => event.hydration.status === 'complete')).toBe(true);
    expect(new Set(events.map((event) => event.learner?.email))).toEqual(new Set(data.users.map((user) => user.email)));
    expect(events.every((event) => event.course?.title && event.learner?.department !== undefined)).toBe(true);
    const after = stats(suite.sandbox.session)['/absorb']!;
    const lookups = (endpoint: string) => (after.endpoints[endpoint] ?? 0) - (before.endpoints[endpoint] ?? 0);
    expect([lookups('GET /users/:id'), lookups('GET /courses/:id'), lookups('GET /departments/:id')]).toEqual([0, 0, 0]);
    for (const lms of Object.values(stats(suite.sandbox.session))) expect(lms.rate_limited).toBe(0);
  }, 60_000);

  it('warms the other LMSs that list their users, within their stricter limits', async () => {
    for (const name of ['sandbox-learn365', 'sandbox-seismic-learning']) {
      const connection = await suite.sandbox.session.hub.connections.get(name);
      expect(await suite.log.warmUp(connection!.record.id, 'finished')).toMatchObject({ learners: demoData().users.length });
    }
    for (const lms of Object.values(stats(suite.sandbox.session))) expect(lms.rate_limited).toBe(0);
  }, 60_000);

  it('hydrates one lookup at a time when the LMS could not be listed, once it answers again', async () => {
    const absorb = emulatedApi('absorb');
    const down = await refusedUrl();
    const created = await fetch(`${suite.sandbox.session.hub.url}/v1/connections`, {
      method: 'POST',
      headers: { authorization: `Bearer ${suite.sandbox.session.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'absorb-late', vendor: 'absorb', api: absorb.sandboxSettings(`${down}${absorb.prefix}`) }),
    });
    expect(created.status).toBe(201);
    const connection = (await created.json()) as { id: string; ingest_url: string };
    const failed = await suite.log.warmUp(connection.id, 'failed');
    expect(failed.level).toBe(40);
    expect(suite.log.lines.filter((line) => line.connection_id === connection.id && line.level >= 40)).toHaveLength(1);

    const requests: string[] = [];
    const data = demoData();
    await serveEmulator(absorb, { data, port: Number(new URL(down).port), observe: (req) => void requests.push(`${req.method} ${req.path}`) });
    const user = data.users[9]!;
    const wire = wireRequest('absorb', 'Certificate Awarded', { user, course: data.courses[2]!, enrollment: null, data, sequence: 1, at: new Date() }, {});
    expect((await fetch(connection.ingest_url + wire.path, { method: 'POST', headers: wire.headers, body: wire.body })).status).toBe(202);
    const event = await eventually(
      async () => suite.sandbox.delivered().find((candidate) => candidate.source.connection === 'absorb-late'),
      30_000,
      'the delivery',
    );
    expect(event.hydration.status).toBe('complete');
    expect(event.learner?.email).toBe(user.email);
    expect(requests.filter((request) => /^GET \/absorb\/users\/./.test(request))).toHaveLength(1);
    expect(requests).not.toContain('GET /absorb/users');
  }, 60_000);
});

describe('hydration warm-up when the hub starts', () => {
  it('warms every connection with LMS API settings again when the hub restarts', async () => {
    const absorb = emulatedApi('absorb');
    const requests: string[] = [];
    const lms = await serveEmulator(absorb, { observe: (req) => void requests.push(`${req.method} ${req.path}`) });
    const first = await startTestHub();
    const created = await first.api<{ id: string }>('POST', '/v1/connections', { name: 'absorb-restart', vendor: 'absorb', api: lms.settings });
    expect(created.status).toBe(201);
    await eventually(async () => requests.includes('GET /absorb/users'), 20_000, 'the warm-up on creation');
    await first.close();
    requests.length = 0;
    const lines: Array<{ msg: string; connection_id?: string }> = [];
    const second = await startTestHub({}, first.dataDir, { logDestination: { write: (line) => void lines.push(JSON.parse(line)) } });
    try {
      const finished = await eventually(
        async () => lines.find((line) => line.connection_id === created.body.id && line.msg.startsWith('hydration warm-up finished')),
        20_000,
        'the warm-up on start',
      );
      expect(finished).toMatchObject({ learners: lms.data.users.length, courses: lms.data.courses.length });
      expect(requests).toContain('GET /absorb/users');
    } finally {
      await second.close();
    }
  }, 60_000);
});

describe('LMS API settings saved while hydration runs', () => {
  const suite = sandboxWithLog();

  // Absorb keeps one token per admin: a second client logging in for the save's check would cancel
  // the token hydration holds, and its next call would meet a 401 that nothing caused.
  it('leaves no 401 in the Absorb connection API health: the check after a save shares the hydration client', async () => {
    const { session } = suite.sandbox;
    const headers = { authorization: `Bearer ${session.apiKey}`, 'content-type': 'application/json' };
    const absorb = emulatedApi('absorb');
    const saved = await fetch(`${session.hub.url}/v1/connections/sandbox-absorb`, {
      method: 'PATCH',
      headers,
      body: JSON.stringify({ api: absorb.sandboxSettings(session.lms.apiBase('absorb')!) }),
    });
    expect(saved.status).toBe(200);
    expect(((await saved.json()) as { api_check: { ok: boolean } }).api_check.ok).toBe(true);
    const connection = await session.hub.connections.get('sandbox-absorb');
    await eventually(
      async () =>
        suite.log.lines.filter((line) => line.connection_id === connection!.record.id && line.msg.startsWith('hydration warm-up finished')).length >= 2,
      30_000,
      'the warm-up after the save',
    );

    // An enrollment is not warmed: the event costs a call, with the token the save and its check left.
    await emit(session, {
      vendor: 'absorb',
      event: 'Enrollment Completed by Learner',
      user: 'liam.chen@acme-training.example',
      course: 'Accessibility Basics',
    });
    const event = await eventually(
      async () => suite.sandbox.delivered().find((candidate) => candidate.type === 'enrollment.completed'),
      20_000,
      'the delivery',
    );
    expect(event.hydration.status).toBe('complete');
    const answer = await fetch(`${session.hub.url}/v1/connections/sandbox-absorb`, { headers });
    const health = ((await answer.json()) as { api_health: { calls: number; last_error: { message: string } | null } }).api_health;
    expect(health.calls).toBeGreaterThan(0);
    expect(health.last_error).toBeNull();
  }, 60_000);
});
