/*
 * Sources (facts only): instructure/canvas-lms doc/api/throttling.md (cost-based quota per access
 * token, `403 Forbidden (Rate Limit Exceeded)`, X-Request-Cost, X-Rate-Limit-Remaining, parallel
 * requests' pre-flight penalty), the Users and Courses API docs (GET /api/v1/users/:id,
 * GET /api/v1/courses/:id, GET /api/v1/accounts/:id/users?search_term=, Bearer access tokens).
 */
import express from 'express';
import { describe, expect, it } from 'vitest';
import { Course, Learner } from '../../catalog/index.ts';
import { LmsApiError } from '../../hydrate/client.ts';
import { isRetryable } from '../../hydrate/http-json.ts';
import { courseOfKind, emulatedClient } from '../../testing/emulated-lms.ts';
import { rejectionOf } from '../../testing/errors.ts';
import { canvasApiClient } from './api-client.ts';
import { canvasSandboxApi, createCanvasApi } from './sandbox-api.ts';

const failure = (promise: Promise<unknown>) => rejectionOf(LmsApiError, promise);

describe('the Canvas API client', () => {
  it('answers a user as a catalog learner, split by sortable_name', async () => {
    const { data, client } = await emulatedClient(canvasApiClient, canvasSandboxApi);
    const user = data.users[0]!;
    expect(Learner.parse(await client.user(String(user.id)))).toEqual({
      id: String(user.id),
      email: user.email,
      username: user.email,
      first_name: user.first_name,
      last_name: user.last_name,
      name: `${user.first_name} ${user.last_name}`,
      department: null,
    });
  });

  it('answers a course with its Canvas page, and null for an unknown or non-Canvas id', async () => {
    const { data, client, base } = await emulatedClient(canvasApiClient, canvasSandboxApi);
    const course = courseOfKind(data, 'online_course');
    expect(Course.parse(await client.course(String(course.id)))).toEqual({
      id: String(course.id),
      title: course.title,
      kind: 'online_course',
      url: `${base}/courses/${course.id}`,
    });
    expect(await client.course('999999')).toBeNull();
    expect(await client.user('sis_user_id:42')).toBeNull();
  });

  it('fails with a non-retryable 401 when the token is wrong, without echoing it', async () => {
    const { client } = await emulatedClient(canvasApiClient, canvasSandboxApi, { settings: { access_token: 'wrong-token-abcdef' } });
    const error = await failure(client.user('1001'));
    expect(error.status).toBe(401);
    expect(isRetryable(error)).toBe(false);
    expect(error.message).not.toContain('wrong-token-abcdef');
  });

  it("turns Canvas's 403 Rate Limit Exceeded into a retryable throttle once requests spend the quota", async () => {
    const { data, client } = await emulatedClient(canvasApiClient, createCanvasApi({ quota: 53, refillPerSecond: 0 }));
    const results = await Promise.allSettled(data.users.slice(0, 6).map((user) => client.user(String(user.id))));
    const throttled = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
    expect(throttled.length).toBeGreaterThan(0);
    for (const error of throttled) {
      expect(error).toBeInstanceOf(LmsApiError);
      expect(error).toMatchObject({ status: 429 });
      expect(isRetryable(error)).toBe(true);
    }
  });

  it('keeps a 403 for a missing permission a refusal', async () => {
    const { client } = await emulatedClient(canvasApiClient, {
      ...canvasSandboxApi,
      router: () => {
        const router = express.Router();
        router.use((_req, res) => void res.status(403).json({ status: 'unauthorized', errors: [{ message: 'user not authorized to perform that action' }] }));
        return router;
      },
    });
    const error = await failure(client.user('1001'));
    expect(error.status).toBe(403);
    expect(isRetryable(error)).toBe(false);
  });

  it('searches users and courses with search_term', async () => {
    const { data, client } = await emulatedClient(canvasApiClient, canvasSandboxApi);
    const user = data.users[1]!;
    expect(await client.searchUsers(user.last_name, 50)).toContainEqual(expect.objectContaining({ id: String(user.id) }));
    const course = courseOfKind(data, 'online_course');
    expect(await client.searchCourses(course.title, 5)).toEqual([expect.objectContaining({ id: String(course.id) })]);
  });

  it('sends at most one request at a time on average: a bucket of one', () => {
    expect(canvasApiClient.rateLimit.capacity).toBe(1);
  });
});
