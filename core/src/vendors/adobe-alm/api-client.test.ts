/*
 * Sources (facts only, nothing copied): Adobe Learning Manager "Application developer manual"
 * (AdobeDocs/learning-manager: OAuth 2.0 refresh at POST /oauth/token/refresh with client_id,
 * client_secret and refresh_token; seven-day access tokens; Accept: application/vnd.api+json;
 * JSON:API documents with links.next; the user, learningObject and
 * learningObjectInstanceEnrollment attributes: name, email, userUniqueId, fields, loType,
 * loFormat, localizedMetadata, state, progressPercent, score, hasPassed, dateEnrolled,
 * dateCompleted; enrollment ids as <loId>_<instance>_<user>), "API Rate Limits in Learning
 * Manager" (admin GET (100, 100), 429 with Retry-After), and the v2 API reference as shown on
 * elearning.adobe.com ("GET /users": ids=email:<address>, page size 10, offset at most 500;
 * "GET /users/{id}/enrollments": filter.loTypes).
 */
import { describe, expect, it } from 'vitest';
import { Course, Enrollment, Learner } from '../../catalog/index.ts';
import { LmsApiError } from '../../hydrate/client.ts';
import { isRetryable } from '../../hydrate/http-json.ts';
import type { EmulatedApi } from '../../sandbox/api/types.ts';
import { demoData, type SandboxData } from '../../sandbox/demo-data.ts';
import { courseOfKind, emulatedClient } from '../../testing/emulated-lms.ts';
import { rejectionOf } from '../../testing/errors.ts';
import { adobeAlmApiClient } from './api-client.ts';
import { adobeAlmSandboxApi, createAdobeAlmApi } from './sandbox-api.ts';

/** The emulated ALM API on 127.0.0.1, counting requests by path, and a client pointed at it. */
async function alm(options: { data?: SandboxData; api?: EmulatedApi; settings?: Record<string, unknown> } = {}) {
  const requests: string[] = [];
  const observe = (req: { method: string; path: string }) => requests.push(`${req.method} ${req.path}`);
  const { data, client } = await emulatedClient(adobeAlmApiClient, options.api ?? adobeAlmSandboxApi, { ...options, observe });
  const refreshes = () => requests.filter((request) => request === 'POST /alm/oauth/token/refresh').length;
  return { data, client, requests, refreshes };
}

const failure = (promise: Promise<unknown>) => rejectionOf(LmsApiError, promise);

describe('the Adobe Learning Manager API client', () => {
  it('answers a user as a catalog learner, the department read from the active fields', async () => {
    const { client } = await alm();
    expect(Learner.parse(await client.user('1001'))).toEqual({
      id: '1001',
      email: 'maya.chen@acme-training.example',
      username: 'maya.chen@acme-training.example',
      first_name: 'Maya',
      last_name: 'Chen',
      name: 'Maya Chen',
      department: 'Customer Success',
    });
  });

  it('answers learning objects with their kind from loType (and loFormat for classroom courses)', async () => {
    const { data, client } = await alm();
    const cases = [
      ['online_course', 'course', 'online_course'],
      ['instructor_led', 'course', 'instructor_led'],
      ['learning_path', 'learningProgram', 'learning_path'],
      ['certification', 'certification', 'certification'],
    ] as const;
    for (const [sandboxKind, loType, kind] of cases) {
      const course = courseOfKind(data, sandboxKind);
      expect(Course.parse(await client.course(`${loType}:${course.id}`))).toEqual({ id: `${loType}:${course.id}`, title: course.title, kind, url: null });
    }
    // A bare number is a course, or what the kind the webhook implied says.
    const path = courseOfKind(data, 'learning_path');
    expect(await client.course(String(path.id), 'learning_path')).toMatchObject({ id: `learningProgram:${path.id}` });
  });

  it('answers a completed enrollment with progress, score, pass and dates', async () => {
    const { data, client } = await alm();
    const done = data.enrollments.find(
      (enrollment) => enrollment.status === 'completed' && data.courses.find((course) => course.id === enrollment.course_id)?.kind === 'online_course',
    );
    if (!done) throw new Error('the demo data has a completed course enrollment');
    const enrollment = await client.enrollment({ user: String(done.user_id), course: `course:${done.course_id}` });
    expect(Enrollment.parse(enrollment)).toEqual({
      id: `course:${done.course_id}_${done.course_id + 9000}_${done.user_id}`,
      status: 'completed',
      progress: 100,
      score: done.score,
      passed: true,
      enrolled_at: done.enrolled_at,
      completed_at: done.completed_at,
    });
  });

  it("maps ALM's enrollment states onto catalog statuses, in learning programs too", async () => {
    const data = demoData();
    const path = courseOfKind(data, 'learning_path');
    const statuses = ['enrolled', 'in_progress', 'pending_approval', 'declined', 'waitlisted'] as const;
    const picked = data.enrollments.filter((enrollment) => enrollment.course_id === path.id).slice(0, statuses.length);
    expect(picked.length).toBeGreaterThan(2);
    picked.forEach((enrollment, index) => {
      enrollment.status = statuses[index] ?? 'enrolled';
      enrollment.completed_at = null;
    });
    const { client } = await alm({ data });
    for (const [index, enrollment] of picked.entries()) {
      const found = await client.enrollment({ user: String(enrollment.user_id), course: `learningProgram:${path.id}` });
      expect(found).toMatchObject({ status: statuses[index], passed: null, completed_at: null });
    }
  });

  it('refreshes the access token once for 20 concurrent calls and shares it', async () => {
    const { data, client, refreshes } = await alm();
    const users = data.users.slice(0, 20);
    const learners = await Promise.all(users.map((user) => client.user(String(user.id))));
    expect(learners.map((learner) => learner?.email)).toEqual(users.map((user) => user.email));
    expect(refreshes()).toBe(1);
  });

  it('refreshes exactly once more when the access token has expired under 20 concurrent calls', async () => {
    let clock = Date.now();
    const { data, client, refreshes } = await alm({ api: createAdobeAlmApi({ now: () => clock }) });
    await client.user('1001');
    clock += 7 * 24 * 60 * 60 * 1000;
    const learners = await Promise.all(data.users.slice(0, 20).map((user) => client.user(String(user.id))));
    expect(learners.every((learner) => learner !== null)).toBe(true);
    expect(refreshes()).toBe(2);
  });

  it('answers null for ids ALM does not know, without asking for ids it could not have', async () => {
    const { data, client, requests } = await alm();
    const unenrolled = data.courses.find(
      (course) => course.kind === 'online_course' && !data.enrollments.some((enrollment) => enrollment.user_id === 1001 && enrollment.course_id === course.id),
    );
    expect(await client.user('999999')).toBeNull();
    expect(await client.course('course:999999')).toBeNull();
    expect(await client.enrollment({ user: '1001', course: `course:${unenrolled?.id}` })).toBeNull();
    expect(await client.enrollment({ user: '999999', course: 'course:501' })).toBeNull();
    const asked = requests.length;
    expect(await client.user('maya.chen')).toBeNull();
    expect(await client.course('course:501/../../users')).toBeNull();
    expect(requests.length).toBe(asked);
  });

  it('fails with a non-retryable LmsApiError for bad client credentials, without refreshing again and again', async () => {
    const { client, refreshes } = await alm({ settings: { client_secret: 'wrong-secret' } });
    const error = await failure(client.user('1001'));
    expect(error.status).toBe(401);
    expect(isRetryable(error)).toBe(false);
    expect(error.message).not.toContain('wrong-secret');
    await failure(Promise.all([client.user('1002'), client.course('course:501')]));
    expect(refreshes()).toBe(1);
  });

  it('fails with a non-retryable LmsApiError for a revoked refresh token', async () => {
    const { client } = await alm({ settings: { refresh_token: 'revoked' } });
    const error = await failure(client.course('course:501'));
    expect(error.status).toBe(400);
    expect(isRetryable(error)).toBe(false);
  });

  it('searches users by name across pages, and by exact email in one call', async () => {
    const { data, client, requests } = await alm();
    const okafors = data.users.filter((user) => user.last_name === 'Okafor');
    expect(await client.searchUsers('okafor', 50)).toEqual(okafors.map((user) => expect.objectContaining({ id: String(user.id), last_name: 'Okafor' })));
    const before = requests.length;
    expect(await client.searchUsers('liam.chen@acme-training.example', 5)).toEqual([expect.objectContaining({ id: '1002', first_name: 'Liam' })]);
    expect(requests.length - before).toBe(1);
    expect(await client.searchUsers(undefined, 3)).toHaveLength(3);
  });

  it('searches courses, learning programs and certifications by title', async () => {
    const { data, client } = await alm();
    expect(await client.searchCourses('learning path', 5)).toEqual([
      expect.objectContaining({ kind: 'learning_path', title: courseOfKind(data, 'learning_path').title }),
    ]);
    expect(await client.searchCourses('certified', 5)).toEqual([expect.objectContaining({ id: `certification:${courseOfKind(data, 'certification').id}` })]);
    expect(await client.searchCourses(undefined, 12)).toHaveLength(12);
  });

  it('defaults the base URL to learningmanager.adobe.com and stays within (100, 100) a minute', () => {
    const settings = adobeAlmApiClient.settingsSchema.parse({ client_id: 'i', client_secret: 's', refresh_token: 'r' });
    expect(settings.base_url).toBe('https://learningmanager.adobe.com');
    const { capacity, perSecond } = adobeAlmApiClient.rateLimit;
    expect(perSecond * 60).toBeLessThanOrEqual(100);
    expect(capacity).toBeLessThanOrEqual(100);
  });
});
