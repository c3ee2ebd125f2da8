import { describe, expect, it } from 'vitest';
import { Course, Learner } from '../../catalog/index.ts';
import { LmsApiError } from '../../hydrate/client.ts';
import { isRetryable } from '../../hydrate/http-json.ts';
import { demoData } from '../../sandbox/demo-data.ts';
import { emulatedClient, expectRetryableThrottles, testLmsHttp as lmsHttp, readWholeList, sandboxRefusals } from '../../testing/emulated-lms.ts';
import { rejectionOf } from '../../testing/errors.ts';
import { listenForTest } from '../../testing/listen.ts';
import { thinkificApiClient } from './api-client.ts';
import { thinkificSandboxApi } from './sandbox-api.ts';

const thinkific = (override: Record<string, unknown> = {}, data = demoData()) =>
  emulatedClient(thinkificApiClient, thinkificSandboxApi, { data, settings: override });

describe('the Thinkific API client', () => {
  it('answers a user as a catalog learner, signing in with the API key and subdomain headers', async () => {
    const { data, client } = await thinkific();
    const user = data.users[0];
    if (!user) throw new Error('no demo user');
    const learner = Learner.parse(await client.user(String(user.id)));
    expect(learner).toMatchObject({ id: String(user.id), email: user.email, first_name: user.first_name, last_name: user.last_name, username: null });
  });

  it("answers a course with its name and an address built from the site's subdomain and the course's slug", async () => {
    const { data, client } = await thinkific();
    const course = data.courses[0];
    if (!course) throw new Error('no demo course');
    const found = Course.parse(await client.course(String(course.id)));
    expect(found.title).toBe(course.title);
    expect(found.url).toMatch(/^https:\/\/acme-training\.thinkific\.com\/courses\/[a-z0-9-]+$/);
  });

  it('answers null for an id Thinkific does not have, and for one that is no Thinkific id', async () => {
    const { client } = await thinkific();
    expect(await client.user('999999')).toBeNull();
    expect(await client.course('not-a-number')).toBeNull();
  });

  it('answers a completed enrollment as complete at 100 %', async () => {
    const { data, client } = await thinkific();
    const done = data.enrollments.find((enrollment) => enrollment.status === 'completed');
    if (!done) throw new Error('no completed enrollment');
    expect(await client.enrollment({ user: String(done.user_id), course: String(done.course_id) })).toMatchObject({ status: 'completed', progress: 100 });
  });

  it('is refused with a wrong API key, as a 401 that is not worth retrying', async () => {
    const { client } = await thinkific({ api_key: 'wrong' });
    const error = await rejectionOf(LmsApiError, client.user('1'));
    expect(error.status).toBe(401);
    expect(isRetryable(error)).toBe(false);
  });

  it("turns the sandbox site's 429 into a retryable error carrying Retry-After", async () => {
    const refused = await sandboxRefusals(
      'thinkific',
      (base) => thinkificApiClient.createClient(thinkificApiClient.settingsSchema.parse(thinkificSandboxApi.sandboxSettings(base)), lmsHttp()),
      14,
    );
    expectRetryableThrottles(refused);
  });

  it('reads Retry-After from a 429 of the real API shape', async () => {
    const server = await listenForTest((_request, response) => {
      response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '7' });
      response.end(JSON.stringify({ error: 'Too many requests' }));
    });
    const client = thinkificApiClient.createClient(
      thinkificApiClient.settingsSchema.parse({ base_url: server.url, subdomain: 'acme', api_key: 'k' }),
      lmsHttp(),
    );
    const error = await rejectionOf(LmsApiError, client.user('1'));
    expect(error.status).toBe(429);
    expect(error.retryAfterMs).toBe(7000);
  });

  it('lists every user across pages of 250, each as user(id) answers it', async () => {
    const { client } = await thinkific({}, demoData({ users: 300 }));
    if (!client.listUsers) throw new Error('no listUsers');
    const { items, pages } = await readWholeList(client.listUsers.bind(client));
    expect(pages).toBe(2);
    expect(items).toHaveLength(300);
    expect(items[260]).toEqual(await client.user(items[260]?.id ?? ''));
  });

  it('defaults to api.thinkific.com and stays under 120 requests a minute', () => {
    const settings = thinkificApiClient.settingsSchema.parse({ subdomain: 'acme', api_key: 'k' });
    expect(settings.base_url).toBe('https://api.thinkific.com/api/public/v1');
    const { capacity, perSecond } = thinkificApiClient.rateLimit;
    expect(capacity + 60 * perSecond).toBeLessThanOrEqual(120);
    expect(capacity).toBeLessThanOrEqual(10);
  });
});
