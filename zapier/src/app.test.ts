import { CatalogEventSchema, catalogEntry } from '@learnhook/core';
import { ADMIN_KEY, COURSE_ID, completionRequest, startTestHub, type TestHub, USER_ID } from '@learnhook/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppTester } from 'zapier-platform-core';
import { z } from 'zod';
import { authentication, testAuth } from './authentication.ts';
import app from './index.ts';
import { connectionList, courseList, findCourse, findUser } from './lookups.ts';
import { asZapierRequest, startCatcher, userMessage } from './testing/real-hub.ts';
import { hookTrigger, newLmsEvent } from './triggers.ts';

/**
 * The app as Zapier runs it (createAppTester runs the real handler), against a real hub on
 * loopback: no HTTP is mocked. The catcher stands in for hooks.zapier.com.
 */

const appTester = createAppTester(app);
const Hook = z.object({ id: z.string(), url: z.string(), events: z.array(z.string()), filter: z.record(z.string(), z.array(z.string())) });
const Connection = z.object({ ingest_url: z.string(), inbound: z.record(z.string(), z.unknown()) });

let hub: TestHub;
let catcher: Awaited<ReturnType<typeof startCatcher>>;
/** A key as `learnhook keys create` makes it for Zapier: scopes hooks and events. */
let zapierKey: string;
let authData: { hub_url: string; api_key: string };

beforeAll(async () => {
  hub = await startTestHub();
  catcher = await startCatcher();
  zapierKey = await hub.createKey('--label', 'zapier');
  authData = { hub_url: hub.url, api_key: zapierKey };
});
afterAll(async () => {
  await hub?.close();
  await catcher?.close();
});

/** An LMS connection on the hub; `send` posts one signed completion from it (unique per n). */
async function connect(name: string) {
  const created = await hub.api('POST', '/v1/connections', { name, vendor: 'standard' });
  expect(created.status).toBe(201);
  const connection = Connection.parse(created.body);
  return {
    async send(n: number) {
      const request = completionRequest('standard', connection.inbound, n);
      const response = await fetch(connection.ingest_url + request.path, { method: 'POST', headers: request.headers, body: request.body });
      expect(response.status).toBeLessThan(300);
      // Answered once stored; wait until it has been processed and is listed and delivered.
      await hub.hub.fanOut.idle();
      await hub.hub.dispatcher.idle();
    },
  };
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error: unknown = await promise.then(
    () => null,
    (reason: unknown) => reason,
  );
  if (!(error instanceof Error)) throw new Error('expected the call to fail');
  return error;
}

describe('connecting a hub (authentication)', () => {
  it('accepts a hub URL and a Zapier key, and labels the connection with the key and the hub', async () => {
    const bundle = { authData };
    const me = await appTester(testAuth, bundle);
    expect(me).toMatchObject({ label: 'zapier', scopes: ['hooks', 'events'], connection_label: `zapier @ ${new URL(hub.url).host}` });
    expect(authentication.connectionLabel).toBe('{{bundle.inputData.connection_label}}');
  });

  it("rejects a wrong key with the hub's own message and asks to reconnect, not with a stack trace", async () => {
    const bundle = { authData: { hub_url: hub.url, api_key: 'lh_wrong_key' } };
    const error = await failure(appTester(testAuth, bundle));
    expect(error.name).toBe('ExpiredAuthError');
    expect(userMessage(error)).toBe(
      'The learnhook hub refused the API key: The API key is not valid or has been revoked. Reconnect with a new key from API keys in your learnhook console.',
    );
  });

  it('explains that a hub that is down cannot be reached, naming its URL', async () => {
    const down = await startCatcher();
    const url = down.url;
    await down.close();
    const error = await failure(appTester(testAuth, { authData: { hub_url: url, api_key: zapierKey } }));
    expect(userMessage(error)).toMatch(new RegExp(`^Could not reach the learnhook hub at ${url} \\(.*ECONNREFUSED.*\\)\\. Check the Hub URL`));
    expect(userMessage(error)).not.toMatch(/\n\s+at /);
  });

  it('refuses a key that cannot subscribe, saying which scope it lacks and how to make one that can', async () => {
    const eventsOnly = await hub.createKey('--scope', 'events', '--label', 'reporting');
    const error = await failure(appTester(testAuth, { authData: { hub_url: hub.url, api_key: eventsOnly } }));
    expect(userMessage(error)).toContain('also needs hooks');
    expect(userMessage(error)).toContain('npx learnhook keys create');
  });

  it('tells a user whose Hub URL points at something else to check it', async () => {
    const error = await failure(appTester(testAuth, { authData: { hub_url: catcher.url, api_key: zapierKey } }));
    expect(userMessage(error)).toContain('Check that the Hub URL points at a learnhook hub');
  });
});

describe('a Course Completed Zap (REST hook)', () => {
  const trigger = hookTrigger('enrollment_completed');

  it('subscribes, receives a real signed delivery as the documented event, and unsubscribes', async () => {
    const lms = await connect('zap-completed');
    const targetUrl = `${catcher.url}/hooks/completed`;
    const subscribeBundle = { authData, targetUrl, inputData: { connection: 'zap-completed' } };
    const subscribeData = await appTester(trigger.operation.performSubscribe, subscribeBundle);
    expect(subscribeData.secret).toMatch(/^whsec_/);

    const hook = Hook.parse((await hub.api('GET', `/v1/hooks/${subscribeData.id}`)).body);
    expect(hook).toMatchObject({ url: targetUrl, events: ['enrollment.completed'], filter: { connection: ['zap-completed'] } });

    await lms.send(1);
    const delivery = await catcher.next('/hooks/completed');
    const performBundle = { authData, subscribeData, ...asZapierRequest(delivery) };
    const [event] = await appTester(trigger.operation.perform, performBundle);

    // The documented envelope, exactly as the hub sent it: Zapier flattens it to learner__email, ...
    expect(event).toEqual(JSON.parse(delivery.body));
    const parsed = CatalogEventSchema.parse(event);
    expect(parsed).toMatchObject({
      type: 'enrollment.completed',
      source: { connection: 'zap-completed' },
      learner: { id: USER_ID },
      course: { id: COURSE_ID },
    });

    const unsubscribed = await appTester(trigger.operation.performUnsubscribe, { authData, subscribeData });
    expect(unsubscribed).toEqual({ id: subscribeData.id, deleted: true });
    expect((await hub.api('GET', `/v1/hooks/${subscribeData.id}`)).status).toBe(404);
  });

  it('halts, without triggering, on a request whose body does not match its signature', async () => {
    const lms = await connect('zap-forged');
    const subscribeData = await appTester(trigger.operation.performSubscribe, {
      authData,
      targetUrl: `${catcher.url}/hooks/forged`,
      inputData: { connection: 'zap-forged' },
    });
    await lms.send(1);
    const delivery = await catcher.next('/hooks/forged');
    const forged = { ...delivery, body: delivery.body.replace('maya@acme.example', 'mallory@evil.example') };
    const error = await failure(appTester(trigger.operation.perform, { authData, subscribeData, ...asZapierRequest(forged) }));
    expect(error.name).toBe('HaltedError');
    expect(userMessage(error)).toBe(
      "Ignored a request to this Zap's hook URL that did not come from your learnhook hub: No webhook-signature matches the body.",
    );
  });

  it('unsubscribes without an error when the hub has already deleted the subscription', async () => {
    const subscribeData = await appTester(trigger.operation.performSubscribe, { authData, targetUrl: `${catcher.url}/hooks/gone` });
    expect((await hub.api('DELETE', `/v1/hooks/${subscribeData.id}`)).status).toBe(204);
    expect(await appTester(trigger.operation.performUnsubscribe, { authData, subscribeData })).toEqual({ id: subscribeData.id, deleted: false });
  });

  it("shows the hub's reason when it refuses to subscribe", async () => {
    const error = await failure(appTester(trigger.operation.performSubscribe, { authData, targetUrl: 'http://169.254.169.254/latest/meta-data' }));
    expect(error.name).toBe('AppError');
    expect(userMessage(error)).toMatch(/169\.254\.169\.254|link-local|metadata/i);
  });

  it('lists the catalog sample until an event arrives, then the real events, newest first', async () => {
    const inputData = { connection: 'zap-samples' };
    const before = await appTester(trigger.operation.performList, { authData, inputData });
    expect(before).toEqual([catalogEntry('enrollment.completed').sample]);

    const lms = await connect('zap-samples');
    await lms.send(1);
    await lms.send(2);
    const after = await appTester(trigger.operation.performList, { authData, inputData });
    expect(after).toHaveLength(2);
    const events = after.map((event) => CatalogEventSchema.parse(event));
    expect(events.map((event) => event.source.connection)).toEqual(['zap-samples', 'zap-samples']);
    expect(events[0]?.received_at.localeCompare(events[1]?.received_at ?? '')).toBeGreaterThanOrEqual(0);

    const otherCourse = await appTester(trigger.operation.performList, { authData, inputData: { ...inputData, course_id: 'another-course' } });
    expect(otherCourse).toEqual([catalogEntry('enrollment.completed').sample]);
    const thisCourse = await appTester(trigger.operation.performList, { authData, inputData: { ...inputData, course_id: COURSE_ID } });
    expect(thisCourse).toHaveLength(2);
  });
});

describe('the New LMS Event trigger', () => {
  it('subscribes to every event type when none is picked, and to the picked one otherwise', async () => {
    const any = await appTester(newLmsEvent.operation.performSubscribe, { authData, targetUrl: `${catcher.url}/hooks/any`, inputData: {} });
    expect(Hook.parse((await hub.api('GET', `/v1/hooks/${any.id}`)).body).events).toEqual(['*']);
    const picked = await appTester(newLmsEvent.operation.performSubscribe, {
      authData,
      targetUrl: `${catcher.url}/hooks/picked`,
      inputData: { event_type: 'certificate.awarded' },
    });
    expect(Hook.parse((await hub.api('GET', `/v1/hooks/${picked.id}`)).body).events).toEqual(['certificate.awarded']);
  });

  it('offers the output fields of the picked type', async () => {
    const dynamic = newLmsEvent.operation.outputFields.find((field) => typeof field === 'function');
    if (!dynamic) throw new Error('New LMS Event has no dynamic output fields');
    const certificate = await appTester(dynamic, { authData, inputData: { event_type: 'certificate.awarded' } });
    expect(certificate.map((field) => field.key)).toContain('data__certificate__title');
    const every = await appTester(dynamic, { authData, inputData: {} });
    expect(every.map((field) => field.key)).toEqual(expect.arrayContaining(['data__certificate__title', 'enrollment__status', 'learner__email']));
  });
});

describe('dropdowns and searches', () => {
  beforeAll(async () => {
    await (await connect('zap-lookups')).send(1);
  });

  it('fill the course dropdown from the hub', async () => {
    const courses = await appTester(courseList.operation.perform, { authData, inputData: {} });
    expect(courses).toContainEqual(expect.objectContaining({ id: COURSE_ID, title: 'Compliance 101' }));
  });

  it('fill the connection dropdown with the connections events came from', async () => {
    const connections = await appTester(connectionList.operation.perform, { authData, inputData: {} });
    expect(connections).toContainEqual({ id: 'zap-lookups', name: 'zap-lookups (standard)' });
  });

  it('find a user by email and a course by title', async () => {
    const users = await appTester(findUser.operation.perform, { authData, inputData: { query: 'maya@acme' } });
    expect(users[0]).toMatchObject({ id: USER_ID, email: 'maya@acme.example' });
    const courses = await appTester(findCourse.operation.perform, { authData, inputData: { query: 'compliance' } });
    expect(courses[0]).toMatchObject({ id: COURSE_ID, title: 'Compliance 101' });
    expect(await appTester(findCourse.operation.perform, { authData, inputData: { query: 'no such course' } })).toEqual([]);
  });

  it('work with the admin key too', async () => {
    const users = await appTester(findUser.operation.perform, { authData: { hub_url: hub.url, api_key: ADMIN_KEY }, inputData: { query: USER_ID } });
    expect(users[0]).toMatchObject({ id: USER_ID });
  });
});
