import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger, demoData, startSandbox, wireRequest, type CatalogEvent, type SandboxSession } from '@learnhook/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startReceiver } from '../helpers/hub.ts';

type Stats = Record<string, { requests: number; rate_limited: number; endpoints: Record<string, number> }>;

async function openSandbox(env: Record<string, string> = {}) {
  const session = await startSandbox({
    env: { HOST: '127.0.0.1', LEARNHOOK_RATE_LIMIT: '100000', ...env },
    port: 0,
    dir: mkdtempSync(path.join(os.tmpdir(), 'learnhook-hydration-')),
    logger: createLogger({ level: 'silent' }),
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
  const response = await fetch(`${session.lms.url}/sandbox/emit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.status).toBe(200);
  return response.json();
}

const stats = (session: SandboxSession) => session.lms.stats() as Stats;

describe('hydration against the sandbox LMS', () => {
  let sandbox: Awaited<ReturnType<typeof openSandbox>>;
  beforeAll(async () => {
    sandbox = await openSandbox();
  }, 30_000);
  afterAll(async () => {
    await sandbox.session.close();
    await sandbox.receiver.close();
  });

  it('looks a learner up once for 50 concurrent events about them', async () => {
    const before = structuredClone(stats(sandbox.session)['/absorb']!);
    await Promise.all(
      Array.from({ length: 50 }, () => emit(sandbox.session, { vendor: 'absorb', event: 'Certificate Awarded', user: 'liam.chen@acme-training.example', course: 'Accessibility Basics' })),
    );
    const events = await eventually(async () => {
      const mine = sandbox.delivered().filter((event) => event.type === 'certificate.awarded' && event.learner?.email === 'liam.chen@acme-training.example');
      return mine.length >= 50 && mine;
    }, 20_000, '50 deliveries');
    expect(events.every((event) => event.hydration.status === 'complete' && event.learner?.first_name === 'Liam' && event.course?.title === 'Accessibility Basics')).toBe(true);
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
    const created = await eventually(async () => {
      const events = sandbox.delivered().slice(before).filter((event) => event.type === 'user.created');
      return events.length >= 40 && events;
    }, 40_000, '40 user.created deliveries');
    const learn365 = stats(sandbox.session)['/learn365']!;
    // The emulator allows bursts of 10: these 40+ lookups, asked for at once, would have drawn 429s without the client's bucket.
    expect(learn365.requests).toBeGreaterThanOrEqual(40);
    expect(learn365.rate_limited).toBe(0);
    expect(created.every((event) => event.hydration.status === 'complete' && event.learner?.department)).toBe(true);
  }, 60_000);
});

describe('LMS API settings', () => {
  it('are checked when a connection is created, naming the failing field', async () => {
    const { session, receiver } = await openSandbox();
    try {
      const post = (body: unknown) =>
        fetch(`${session.hub.url}/v1/connections`, { method: 'POST', headers: { authorization: `Bearer ${session.apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const bad = await post({ name: 'bad-absorb-api', vendor: 'absorb', api: { base_url: 'not a url', private_key: 'k', username: 'u', password: 'p' } });
      expect(bad.status).toBe(400);
      const body = (await bad.json()) as { error: { details: { issues: Array<{ path: string }> } } };
      expect(body.error.details.issues.map((issue) => issue.path)).toContain('api.base_url');
      const standard = await post({ name: 'standard-with-api', vendor: 'standard', api: { base_url: 'https://lms.example' } });
      expect(standard.status).toBe(400);
      expect((await fetch(`${session.hub.url}/v1/connections/bad-absorb-api`, { headers: { authorization: `Bearer ${session.apiKey}` } })).status).toBe(404);
    } finally {
      await session.close();
      await receiver.close();
    }
  }, 30_000);
});

describe('hydration when the LMS is down', () => {
  let sandbox: Awaited<ReturnType<typeof openSandbox>>;
  beforeAll(async () => {
    sandbox = await openSandbox({ LEARNHOOK_HYDRATION_MAX_WAIT_MS: '1500' });
    await sandbox.session.lms.close();
  }, 30_000);
  afterAll(async () => {
    await sandbox.session.hub.close();
    await sandbox.receiver.close();
  });

  it('delivers the event anyway, marked partial with the parts it lacks', async () => {
    const data = demoData();
    const target = sandbox.session.targets.absorb!;
    const wire = wireRequest('absorb', 'Enrollment Completed by Learner', { user: data.users[3]!, course: data.courses[0]!, enrollment: null, data, sequence: 1, at: new Date() }, target.inbound);
    const started = Date.now();
    const response = await fetch(target.ingestUrl + wire.path, { method: 'POST', headers: wire.headers, body: wire.body });
    expect(response.status).toBe(202);
    const event = await eventually(async () => sandbox.delivered().find((candidate) => candidate.type === 'enrollment.completed'), 20_000, 'the partial delivery');
    expect(event.hydration).toEqual({ status: 'partial', missing: ['learner', 'course', 'enrollment'] });
    expect(event.learner?.id).toBeTruthy();
    expect(event.learner?.email).toBeNull();
    // Held no longer than the bound (plus a request timeout), never forever.
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 30_000);
});
