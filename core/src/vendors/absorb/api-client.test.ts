/*
 * Sources (facts only, nothing copied): Absorb "Integration API" v2 documentation at
 * docs.myabsorb.com — overview ("Private API Key", "Authentication": POST /authenticate with
 * username, password and privateKey answers a token valid four hours, and a new token for a user
 * invalidates the previous one; "Pagination"; "Filtering"), "Users" (id, username, firstName,
 * lastName, emailAddress, departmentId), "Departments" (name), "Courses" (name, courseType:
 * OnlineCourse, InstructorLedCourse, CourseBundle, Curriculum), "Enrollments" (status 0 NotStarted
 * … 12 ReadyForReview, progress, score, dateAdded, dateCompleted); Absorb support "Getting Started
 * with the Absorb Integration API" (rest.myabsorb.com and regional gateways); the published rate
 * limit of 200 requests a second with a burst of 100.
 */
import { describe, expect, it } from 'vitest';
import { Course, Enrollment, Learner } from '../../catalog/index.ts';
import { LmsApiError } from '../../hydrate/client.ts';
import { isRetryable } from '../../hydrate/http-json.ts';
import type { EmulatedApi } from '../../sandbox/api/types.ts';
import { demoData, type SandboxData } from '../../sandbox/demo-data.ts';
import { vendorId } from '../../sandbox/vendor-ids.ts';
import { emulatedClient, readWholeList, spread, testLmsHttp } from '../../testing/emulated-lms.ts';
import { rejectionOf } from '../../testing/errors.ts';
import { absorbApiClient } from './api-client.ts';
import { absorbSandboxApi, createAbsorbApi } from './sandbox-api.ts';

/** The emulated Absorb API on 127.0.0.1, counting requests by path, and a client pointed at it. */
async function absorb(options: { data?: SandboxData; api?: EmulatedApi; settings?: Record<string, unknown> } = {}) {
  const requests = new Map<string, number>();
  const observe = (req: { method: string; path: string }) => {
    const key = `${req.method} ${req.path.replace(/\/[0-9a-f-]{36}/gi, '/:id')}`;
    requests.set(key, (requests.get(key) ?? 0) + 1);
  };
  const { data, client, base, settings: sandbox } = await emulatedClient(absorbApiClient, options.api ?? absorbSandboxApi, { ...options, observe });
  const logins = () => requests.get('POST /absorb/authenticate') ?? 0;

  /** Logs the integration's admin in from elsewhere, which cancels the client's token. */
  async function loginElsewhere(): Promise<void> {
    const response = await fetch(`${base}/authenticate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': String(sandbox.private_key) },
      body: JSON.stringify({ username: sandbox.username, password: sandbox.password, privateKey: sandbox.private_key }),
    });
    expect(response.status).toBe(200);
  }

  /** A second client of the same portal, with caches of its own. */
  const another = () => absorbApiClient.createClient(absorbApiClient.settingsSchema.parse(sandbox), testLmsHttp());

  return { data, client, requests, logins, loginElsewhere, another };
}

const failure = (promise: Promise<unknown>) => rejectionOf(LmsApiError, promise);

const userId = (id: number) => vendorId('absorb', 'user', id);
const courseId = (id: number) => vendorId('absorb', 'course', id);

describe('the Absorb Integration API client', () => {
  it('answers a user as a catalog learner, with the department named', async () => {
    const { client } = await absorb();
    expect(Learner.parse(await client.user(userId(1001)))).toEqual({
      id: userId(1001),
      email: 'maya.chen@acme-training.example',
      username: 'maya.chen',
      first_name: 'Maya',
      last_name: 'Chen',
      name: 'Maya Chen',
      department: 'Customer Success',
    });
  });

  it("answers courses with their kind from Absorb's course type", async () => {
    const { data, client } = await absorb();
    const kinds = { online_course: 'online_course', instructor_led: 'instructor_led', curriculum: 'curriculum', bundle: 'bundle' } as const;
    for (const kind of Object.values(kinds)) {
      const course = data.courses.find((candidate) => candidate.kind === kind);
      if (!course) throw new Error(`the demo data has no ${kind}`);
      expect(Course.parse(await client.course(courseId(course.id)))).toEqual({ id: courseId(course.id), title: course.title, kind, url: null });
    }
  });

  it('answers a completed enrollment with its score, progress and dates in UTC', async () => {
    const { data, client } = await absorb();
    const done = data.enrollments.find((enrollment) => enrollment.status === 'completed');
    if (!done) throw new Error('the demo data has a completed enrollment');
    const enrollment = await client.enrollment({ user: userId(done.user_id), course: courseId(done.course_id) });
    expect(Enrollment.parse(enrollment)).toEqual({
      id: vendorId('absorb', 'enrollment', done.id),
      status: 'completed',
      progress: 100,
      score: done.score,
      passed: true,
      enrolled_at: done.enrolled_at,
      completed_at: done.completed_at,
    });
  });

  it("maps Absorb's status codes onto catalog statuses", async () => {
    const data = demoData();
    const statuses = ['in_progress', 'pending_approval', 'not_completed', 'failed', 'declined', 'waitlisted', 'absent'] as const;
    const picked = data.enrollments.slice(0, statuses.length);
    picked.forEach((enrollment, index) => {
      enrollment.status = statuses[index] ?? 'in_progress';
    });
    const { client } = await absorb({ data });
    for (const [index, enrollment] of picked.entries()) {
      const found = await client.enrollment({ user: userId(enrollment.user_id), course: courseId(enrollment.course_id) });
      expect(found?.status).toBe(statuses[index]);
      expect(found?.passed).toBe(statuses[index] === 'failed' ? false : null);
    }
  });

  it('authenticates once for 20 concurrent calls and shares the token', async () => {
    const { data, client, logins, requests } = await absorb();
    const users = data.users.slice(0, 20);
    const learners = await Promise.all(users.map((user) => client.user(userId(user.id))));
    expect(learners.map((learner) => learner?.email)).toEqual(users.map((user) => user.email));
    expect(logins()).toBe(1);
    // The six departments were each asked for once, whatever the number of their users.
    expect(requests.get('GET /absorb/departments/:id')).toBe(new Set(users.map((user) => user.department_id)).size);
  });

  it('authenticates exactly once more when its token is cancelled under 20 concurrent calls', async () => {
    const { data, client, logins, loginElsewhere } = await absorb();
    await client.user(userId(1001));
    expect(logins()).toBe(1);
    await loginElsewhere();
    const courses = await Promise.all(
      data.courses
        .concat(data.courses)
        .slice(0, 20)
        .map((course) => client.course(courseId(course.id))),
    );
    expect(courses.every((course) => course !== null)).toBe(true);
    // Its own first login, the one elsewhere, and one renewal shared by all twenty.
    expect(logins()).toBe(3);
  });

  it('authenticates again once when the token has expired', async () => {
    let clock = Date.now();
    const { client, logins } = await absorb({ api: createAbsorbApi({ now: () => clock }) });
    await client.course(courseId(501));
    clock += 4 * 60 * 60 * 1000;
    await Promise.all([client.course(courseId(502)), client.course(courseId(503)), client.user(userId(1002))]);
    expect(logins()).toBe(2);
  });

  it('answers null for ids Absorb does not know, without asking for ids that are not GUIDs', async () => {
    const { data, client, requests } = await absorb();
    const unenrolled = data.courses.find((course) => !data.enrollments.some((enrollment) => enrollment.user_id === 1001 && enrollment.course_id === course.id));
    expect(await client.user(userId(999_999))).toBeNull();
    expect(await client.course(courseId(999_999))).toBeNull();
    expect(await client.enrollment({ user: userId(1001), course: courseId(unenrolled?.id ?? 0) })).toBeNull();
    expect(await client.enrollment({ user: userId(999_999), course: courseId(501) })).toBeNull();
    const asked = [...requests.values()].reduce((sum, n) => sum + n, 0);
    expect(await client.user('1001')).toBeNull();
    expect(await client.course('../users')).toBeNull();
    expect([...requests.values()].reduce((sum, n) => sum + n, 0)).toBe(asked);
  });

  it('fails with a non-retryable LmsApiError for bad credentials, without logging in again and again', async () => {
    const { client, logins } = await absorb({ settings: { password: 'wrong-password' } });
    const error = await failure(client.user(userId(1001)));
    expect(error.status).toBe(401);
    expect(isRetryable(error)).toBe(false);
    expect(error.message).not.toContain('wrong-password');
    await failure(Promise.all([client.user(userId(1002)), client.course(courseId(501))]));
    expect(logins()).toBe(1);
  });

  it('searches users by parts of their name or email, and courses by title', async () => {
    const { data, client } = await absorb();
    const byName = await client.searchUsers('maya CHEN', 10);
    expect(byName).toEqual([expect.objectContaining({ id: userId(1001), department: 'Customer Success' })]);
    const byEmail = await client.searchUsers('okafor@', 50);
    expect(byEmail.length).toBe(data.users.filter((user) => user.email.includes('okafor@')).length);
    expect(await client.searchUsers(undefined, 3)).toHaveLength(3);
    expect(await client.searchCourses("o'brien", 5)).toEqual([]);
    expect(await client.searchCourses('compliance', 5)).toEqual([expect.objectContaining({ id: courseId(501), kind: 'online_course' })]);
  });

  it('defaults the base URL to the US gateway and stays within the published rate', () => {
    const settings = absorbApiClient.settingsSchema.parse({ private_key: 'k', username: 'u', password: 'p' });
    expect(settings.base_url).toBe('https://rest.myabsorb.com');
    expect(absorbApiClient.rateLimit.perSecond).toBeLessThanOrEqual(200);
    expect(absorbApiClient.rateLimit.capacity).toBeLessThanOrEqual(100);
  });

  it('lists every user as user(id) answers them, department names read from the department list', async () => {
    // Exactly two full pages: totalItems says there is no third to ask for.
    const data = demoData({ users: 2000 });
    const withoutDepartment = data.users[5];
    const inactive = data.users[7];
    if (!withoutDepartment || !inactive) throw new Error('the demo data is too small');
    withoutDepartment.department_id = null;
    inactive.active = false;
    const { client, requests, another } = await absorb({ data });
    if (!client.listUsers) throw new Error('the Absorb client lists no users');
    const { items, pages } = await readWholeList(client.listUsers.bind(client));
    expect(items.map((learner) => learner.id)).toEqual(data.users.map((user) => userId(user.id)));
    // One page of departments, then 1,000 users a page; no department looked up one by one.
    expect(pages).toBe(3);
    expect([requests.get('GET /absorb/departments'), requests.get('GET /absorb/users'), requests.get('GET /absorb/departments/:id')]).toEqual([
      1,
      2,
      undefined,
    ]);
    // Looked up by a client whose department names were not filled from the list.
    const fetching = another();
    const sample = [items[5], items[7], ...spread(items, 20)].filter((item) => item !== undefined);
    for (const listed of sample) expect(listed).toEqual(await fetching.user(listed.id));
    expect(items[5]?.department).toBeNull();
    expect(items[0]?.department).toBeTruthy();
  });

  it('lists every course as course(id) answers it, whatever the kind asked for', async () => {
    const { client, data } = await absorb();
    if (!client.listCourses) throw new Error('the Absorb client lists no courses');
    const { items, pages } = await readWholeList(client.listCourses.bind(client));
    expect(pages).toBe(1);
    expect(items.map((course) => course.id)).toEqual(data.courses.map((course) => courseId(course.id)));
    for (const listed of items) expect(listed).toEqual(await client.course(listed.id, 'certification'));
  });
});
