/*
 * Sources (facts only): 360Learning API v2 docs, https://360learning.readme.io/docs/authentication
 * (POST /api/v2/oauth2/token, client credentials, one-hour tokens, `360-api-version: v2.0`),
 * https://360learning.readme.io/docs/copy-of-rate-limiting-errors (50 reads a second per company,
 * 429 `tooManyRequests`, "wait ~1 second"), and the API v2 OpenAPI (GET /api/v2/users/{userId}
 * UserDTO, /api/v2/courses/{courseId} CourseDTO, /api/v2/paths/{pathId} PathDTO).
 */
import { describe, expect, it } from 'vitest';
import { Course, Learner } from '../../catalog/index.ts';
import { LmsApiError } from '../../hydrate/client.ts';
import { isRetryable } from '../../hydrate/http-json.ts';
import type { EmulatedApi } from '../../sandbox/api/types.ts';
import { vendorId } from '../../sandbox/vendor-ids.ts';
import { courseOfKind, emulatedClient } from '../../testing/emulated-lms.ts';
import { rejectionOf } from '../../testing/errors.ts';
import { threeSixtyLearningApiClient } from './api-client.ts';
import { createThreeSixtyLearningApi, threeSixtyLearningSandboxApi } from './sandbox-api.ts';

async function emulated(options: { api?: EmulatedApi; settings?: Record<string, unknown> } = {}) {
  const requests: string[] = [];
  const observe = (req: { method: string; path: string }) => requests.push(`${req.method} ${req.path}`);
  const served = await emulatedClient(threeSixtyLearningApiClient, options.api ?? threeSixtyLearningSandboxApi, { ...options, observe });
  const tokenRequests = () => requests.filter((request) => request === 'POST /360learning/api/v2/oauth2/token').length;
  return { ...served, requests, tokenRequests };
}

const failure = (promise: Promise<unknown>) => rejectionOf(LmsApiError, promise);
const userId = (id: number) => vendorId('360learning', 'user', id);
const courseId = (id: number) => vendorId('360learning', 'course', id);

describe('the 360Learning API client', () => {
  it('answers a user as a catalog learner', async () => {
    const { data, client } = await emulated();
    const user = data.users[0]!;
    expect(Learner.parse(await client.user(userId(user.id)))).toEqual({
      id: userId(user.id),
      email: user.email,
      username: user.username,
      first_name: user.first_name,
      last_name: user.last_name,
      name: `${user.first_name} ${user.last_name}`,
      department: 'Acme Training',
    });
  });

  it('answers a course from /courses and a learning path from /paths, by the kind the event names', async () => {
    const { data, client, requests } = await emulated();
    const course = courseOfKind(data, 'online_course');
    const path = courseOfKind(data, 'learning_path');
    expect(Course.parse(await client.course(courseId(course.id)))).toEqual({ id: courseId(course.id), title: course.title, kind: 'online_course', url: null });
    expect(await client.course(courseId(path.id), 'learning_path')).toEqual({ id: courseId(path.id), title: path.title, kind: 'learning_path', url: null });
    expect(requests).toContain(`GET /360learning/api/v2/paths/${courseId(path.id)}`);
  });

  it('answers null for an unknown id, and does not ask for one that is no ObjectId', async () => {
    const { client, requests } = await emulated();
    expect(await client.user('aaaaaaaaaaaaaaaaaaaaaaaa')).toBeNull();
    const before = requests.length;
    expect(await client.user('../admin')).toBeNull();
    expect(requests.length).toBe(before);
  });

  it('asks for one access token however many lookups run at once, and a new one when it expires', async () => {
    let clock = Date.parse('2026-11-20T14:00:00Z');
    const api = createThreeSixtyLearningApi({ now: () => clock });
    const { data, client, tokenRequests } = await emulated({ api });
    await Promise.all(data.users.slice(0, 10).map((user) => client.user(userId(user.id))));
    expect(tokenRequests()).toBe(1);
    // The emulator's token has expired: the 401 renews it once and the lookup succeeds.
    clock += 2 * 60 * 60 * 1000;
    expect(await client.user(userId(data.users[0]!.id))).toMatchObject({ id: userId(data.users[0]!.id) });
    expect(tokenRequests()).toBe(2);
  });

  it('fails with a non-retryable error naming the credentials when they are wrong, without echoing the secret', async () => {
    const { client } = await emulated({ settings: { client_secret: 'not-the-secret-at-all' } });
    const error = await failure(client.user(userId(1)));
    expect(error.status).toBe(401);
    expect(isRetryable(error)).toBe(false);
    expect(error.message).toMatch(/client ID and secret/);
    expect(error.message).not.toContain('not-the-secret-at-all');
  });

  it("honours 360Learning's 429: a retryable error that waits the documented second when no Retry-After comes", async () => {
    const { data, client } = await emulated({ api: createThreeSixtyLearningApi({ readsPerSecond: 2 }) });
    const results = await Promise.allSettled(data.users.slice(0, 6).map((user) => client.user(userId(user.id))));
    const limited = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
    expect(limited.length).toBeGreaterThan(0);
    for (const error of limited) {
      expect(error).toBeInstanceOf(LmsApiError);
      expect(error).toMatchObject({ status: 429, retryAfterMs: 1000 });
      expect(isRetryable(error)).toBe(true);
    }
  });

  it('searches users and courses by name', async () => {
    const { data, client } = await emulated();
    const user = data.users[1]!;
    expect(await client.searchUsers(user.last_name, 50)).toContainEqual(expect.objectContaining({ id: userId(user.id) }));
    const course = courseOfKind(data, 'online_course');
    expect(await client.searchCourses(course.title, 5)).toEqual([expect.objectContaining({ id: courseId(course.id), title: course.title })]);
  });

  it('defaults to the EU host and stays under the documented 50 reads a second', () => {
    const settings = threeSixtyLearningApiClient.settingsSchema.parse({ client_id: 'id', client_secret: 'secret' });
    expect(settings.base_url).toBe('https://app.360learning.com');
    const { capacity, perSecond } = threeSixtyLearningApiClient.rateLimit;
    expect(perSecond).toBeLessThanOrEqual(50);
    expect(capacity).toBeLessThanOrEqual(50);
  });
});
