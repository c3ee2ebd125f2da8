import { describe, expect, it } from 'vitest';
import { Learner } from '../../catalog/index.ts';
import { LmsApiError } from '../../hydrate/client.ts';
import { isRetryable } from '../../hydrate/http-json.ts';
import { demoData } from '../../sandbox/demo-data.ts';
import { emulatedClient, expectRetryableThrottles, testLmsHttp as lmsHttp, readWholeList, sandboxRefusals } from '../../testing/emulated-lms.ts';
import { rejectionOf } from '../../testing/errors.ts';
import { kajabiApiClient } from './api-client.ts';
import { kajabiSandboxApi } from './sandbox-api.ts';

describe('the Kajabi API client', () => {
  it('gets a client-credentials token once and answers a contact as a learner, its one name split', async () => {
    const requests: string[] = [];
    const { data, client } = await emulatedClient(kajabiApiClient, kajabiSandboxApi, {
      observe: (request) => requests.push(`${request.method} ${request.path}`),
    });
    const [first, second] = data.users;
    if (!first || !second) throw new Error('no demo users');
    const learner = Learner.parse(await client.user(String(first.id)));
    expect(learner).toMatchObject({
      id: String(first.id),
      email: first.email,
      first_name: first.first_name,
      last_name: first.last_name,
      name: `${first.first_name} ${first.last_name}`,
    });
    await client.user(String(second.id));
    expect(requests.filter((request) => request.endsWith('/oauth/token'))).toHaveLength(1);
  });

  it('answers a course by id with its title', async () => {
    const { data, client } = await emulatedClient(kajabiApiClient, kajabiSandboxApi);
    const course = data.courses[0];
    if (!course) throw new Error('no demo course');
    expect(await client.course(String(course.id))).toEqual({ id: String(course.id), title: course.title, kind: 'online_course', url: null });
  });

  it('answers null for a contact Kajabi does not have', async () => {
    const { client } = await emulatedClient(kajabiApiClient, kajabiSandboxApi);
    expect(await client.user('999999')).toBeNull();
  });

  it('fails with a 401 not worth retrying when the client secret is wrong', async () => {
    const { client } = await emulatedClient(kajabiApiClient, kajabiSandboxApi, { settings: { client_secret: 'wrong' } });
    const error = await rejectionOf(LmsApiError, client.user('1'));
    expect(error.status).toBe(401);
    expect(isRetryable(error)).toBe(false);
  });

  it('lists every contact across pages', async () => {
    const { client } = await emulatedClient(kajabiApiClient, kajabiSandboxApi, { data: demoData({ users: 150 }) });
    if (!client.listUsers) throw new Error('no listUsers');
    const { items, pages } = await readWholeList(client.listUsers.bind(client));
    expect(pages).toBe(2);
    expect(items).toHaveLength(150);
  });

  it("turns the sandbox's 429 into a retryable error carrying Retry-After", async () => {
    const refused = await sandboxRefusals(
      'kajabi',
      (base) => kajabiApiClient.createClient(kajabiApiClient.settingsSchema.parse(kajabiSandboxApi.sandboxSettings(base)), lmsHttp()),
      10,
    );
    expectRetryableThrottles(refused);
  });

  it('defaults to api.kajabi.com and stays under the assumed 60 requests a minute', () => {
    expect(kajabiApiClient.settingsSchema.parse({ client_id: 'i', client_secret: 's' }).base_url).toBe('https://api.kajabi.com');
    const { capacity, perSecond } = kajabiApiClient.rateLimit;
    expect(capacity + 60 * perSecond).toBeLessThanOrEqual(60);
  });
});
