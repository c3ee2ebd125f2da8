import { describe, expect, it } from 'vitest';
import { Course, Learner } from '../../catalog/index.ts';
import { LmsApiError } from '../../hydrate/client.ts';
import { isRetryable } from '../../hydrate/http-json.ts';
import { courseOfKind, emulatedClient, expectRetryableThrottles, sandboxRefusals, testLmsHttp } from '../../testing/emulated-lms.ts';
import { rejectionOf } from '../../testing/errors.ts';
import { learnWorldsApiClient } from './api-client.ts';
import { learnWorldsSandboxApi } from './sandbox-api.ts';

const school = (settings: Record<string, unknown> = {}) => emulatedClient(learnWorldsApiClient, learnWorldsSandboxApi, { settings });

describe('the LearnWorlds API client', () => {
  it('gets a token with the client credentials, then answers a user as a catalog learner', async () => {
    const { data, client } = await school();
    const user = data.users[0];
    if (!user) throw new Error('the demo data has users');
    expect(Learner.parse(await client.user(String(user.id)))).toEqual({
      id: String(user.id),
      email: user.email,
      username: user.username,
      first_name: user.first_name,
      last_name: user.last_name,
      name: `${user.first_name} ${user.last_name}`,
      department: null,
    });
  });

  it('answers a course with its title and its page on the school', async () => {
    const { data, base, client } = await school();
    const course = courseOfKind(data, 'online_course');
    expect(Course.parse(await client.course(String(course.id)))).toEqual({
      id: String(course.id),
      title: course.title,
      kind: 'online_course',
      url: `${base}/course/${course.id}`,
    });
  });

  it("answers a learner's progress in a course as the enrollment", async () => {
    const { data, client } = await school();
    const enrollment = data.enrollments.find((candidate) => candidate.status === 'completed');
    if (!enrollment) throw new Error('the demo data has a completed enrollment');
    expect(await client.enrollment({ user: String(enrollment.user_id), course: String(enrollment.course_id) })).toMatchObject({
      status: 'completed',
      progress: enrollment.progress,
    });
  });

  it('answers null for a user or course the school does not have', async () => {
    const { client } = await school();
    expect(await client.user('999999')).toBeNull();
    expect(await client.course('999999')).toBeNull();
    expect(await client.course('../users')).toBeNull();
  });

  it('fails without retrying when the client secret is wrong', async () => {
    const { client } = await school({ client_secret: 'not-the-secret' });
    const error = await rejectionOf(LmsApiError, client.user('1'));
    expect(error.status).toBe(401);
    expect(isRetryable(error)).toBe(false);
  });

  it('finds courses by title', async () => {
    const { data, client } = await school();
    const course = courseOfKind(data, 'online_course');
    expect(await client.searchCourses(course.title.slice(0, 8), 50)).toContainEqual(expect.objectContaining({ id: String(course.id) }));
  });

  it("stays under LearnWorlds' 30 requests per 10 seconds", () => {
    const { capacity, perSecond } = learnWorldsApiClient.rateLimit;
    expect(capacity + 10 * perSecond).toBeLessThanOrEqual(30);
  });

  it("turns the sandbox school's 429 into a retryable error carrying Retry-After", async () => {
    const refused = await sandboxRefusals(
      'learnworlds',
      (base) => learnWorldsApiClient.createClient(learnWorldsApiClient.settingsSchema.parse(learnWorldsSandboxApi.sandboxSettings(base)), testLmsHttp()),
      12,
    );
    expectRetryableThrottles(refused);
  });
});
