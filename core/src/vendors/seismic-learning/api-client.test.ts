/*
 * Sources (facts only, nothing copied): the Lessonly API documentation, lessonly/lesson.ly-api-docs
 * (published at docs.lessonly.com): "Authentication" (HTTP Basic SUBDOMAIN:API_KEY), "Rate Limiting"
 * (500 requests a minute, answered "403 Forbidden (Rate Limit Exceeded)"), "Errors", "Users" (Show User
 * Details, List Users v1.1 with filter[email] / filter[active_only], User Assignments), "Lessons" (Show
 * Lesson Details, List Lessons v1.1, the "completed or awaiting grade" completion rule), "Paths"
 * (is_certification), "Assignments" (statuses Incomplete, Completed, Overdue, Grade Pending).
 */
import { describe, expect, it } from 'vitest';
import { Course, Enrollment, Learner } from '../../catalog/index.ts';
import { type LmsApiClient, LmsApiError } from '../../hydrate/client.ts';
import { isRetryable } from '../../hydrate/http-json.ts';
import { demoData, type SandboxData } from '../../sandbox/demo-data.ts';
import { courseOfKind, emulatedClient, testLmsHttp as lmsHttp, readWholeList, spread } from '../../testing/emulated-lms.ts';
import { rejectionOf } from '../../testing/errors.ts';
import { listenForTest } from '../../testing/listen.ts';
import { seismicLearningApiClient } from './api-client.ts';
import { seismicLearningSandboxApi } from './sandbox-api.ts';

/** The emulated Lessonly API on 127.0.0.1, and a client pointed at it with the given settings. */
function lessonly(data: SandboxData = demoData(), override: Record<string, unknown> = {}) {
  return emulatedClient(seismicLearningApiClient, seismicLearningSandboxApi, { data, settings: override });
}

const failure = (promise: Promise<unknown>) => rejectionOf(LmsApiError, promise);

function enrollmentIn(data: SandboxData, kind: string, status: string) {
  const enrollment = data.enrollments.find(
    (candidate) => candidate.status === status && data.courses.some((course) => course.id === candidate.course_id && course.kind === kind),
  );
  if (!enrollment) throw new Error(`the demo data has no ${status} enrollment in a ${kind}`);
  return enrollment;
}

describe('the Seismic Learning (Lessonly) API client', () => {
  it("answers a user as a catalog learner, splitting Lessonly's single name into first and last", async () => {
    const { client } = await lessonly();
    const learner = await client.user('1001');
    expect(Learner.parse(learner)).toEqual({
      id: '1001',
      email: 'maya.chen@acme-training.example',
      username: null,
      first_name: 'Maya',
      last_name: 'Chen',
      name: 'Maya Chen',
      department: 'Customer Success',
    });
  });

  it('keeps every word after the first as the last name, and a one-word name as the first name only', async () => {
    const data = demoData();
    const [first, second] = data.users;
    if (!first || !second) throw new Error('the demo data has users');
    first.first_name = 'Mary Ann';
    first.last_name = 'van der Berg';
    second.first_name = 'Cher';
    second.last_name = '';
    const { client } = await lessonly(data);
    expect(await client.user(String(first.id))).toMatchObject({ name: 'Mary Ann van der Berg', first_name: 'Mary', last_name: 'Ann van der Berg' });
    expect(await client.user(String(second.id))).toMatchObject({ name: 'Cher', first_name: 'Cher', last_name: null });
  });

  it('answers a lesson as a course of kind lesson, with its overview link', async () => {
    const { data, client } = await lessonly();
    const lesson = courseOfKind(data, 'lesson');
    const course = await client.course(String(lesson.id), 'lesson');
    expect(Course.parse(course)).toEqual({ id: String(lesson.id), title: lesson.title, kind: 'lesson', url: lesson.url });
  });

  it('answers paths as learning paths, or certifications when Lessonly marks them so', async () => {
    const { data, client } = await lessonly();
    const path = courseOfKind(data, 'learning_path');
    const certification = courseOfKind(data, 'certification');
    expect(await client.course(String(path.id), 'learning_path')).toMatchObject({ title: path.title, kind: 'learning_path' });
    expect(await client.course(String(certification.id), 'certification')).toMatchObject({ title: certification.title, kind: 'certification' });
  });

  it('looks a course up among paths when no kind is given and no lesson has the id', async () => {
    const { data, client } = await lessonly();
    const path = courseOfKind(data, 'learning_path');
    expect(await client.course(String(path.id))).toMatchObject({ id: String(path.id), kind: 'learning_path' });
  });

  it('answers a completed assignment as a completed enrollment with score and dates', async () => {
    const { data, client } = await lessonly();
    const done = enrollmentIn(data, 'lesson', 'completed');
    const enrollment = await client.enrollment({ user: String(done.user_id), course: String(done.course_id) });
    expect(Enrollment.parse(enrollment)).toEqual({
      id: String(done.id),
      status: 'completed',
      progress: 100,
      score: done.score,
      passed: null,
      enrolled_at: done.enrolled_at,
      completed_at: done.completed_at,
    });
  });

  it('answers a started, incomplete assignment as in progress', async () => {
    const { data, client } = await lessonly();
    const started = enrollmentIn(data, 'lesson', 'in_progress');
    const enrollment = await client.enrollment({ user: String(started.user_id), course: String(started.course_id), id: String(started.id) });
    expect(enrollment).toMatchObject({ id: String(started.id), status: 'in_progress', completed_at: null });
  });

  it('answers null for ids Lessonly does not know', async () => {
    const { data, client } = await lessonly();
    const lesson = courseOfKind(data, 'lesson');
    const onlineCourse = courseOfKind(data, 'online_course');
    expect(await client.user('999999')).toBeNull();
    expect(await client.user('maya.chen')).toBeNull();
    expect(await client.course('999999', 'lesson')).toBeNull();
    expect(await client.course('999999')).toBeNull();
    // Lessonly has lessons and paths only: the sandbox's other kinds are not in it.
    expect(await client.course(String(onlineCourse.id))).toBeNull();
    expect(await client.enrollment({ user: '999999', course: String(lesson.id) })).toBeNull();
    const unassigned = data.users.find((user) => !data.enrollments.some((enrollment) => enrollment.user_id === user.id && enrollment.course_id === lesson.id));
    expect(await client.enrollment({ user: String(unassigned?.id), course: String(lesson.id) })).toBeNull();
  });

  it('fails with a non-retryable LmsApiError when the credentials are wrong', async () => {
    const { client } = await lessonly(demoData(), { api_key: 'not-the-key' });
    const error = await failure(client.user('1001'));
    expect(error.status).toBe(401);
    expect(isRetryable(error)).toBe(false);
    expect(error.message).not.toContain('not-the-key');
  });

  it("searches users by part of a name, and by exact email through Lessonly's filter", async () => {
    const { client } = await lessonly();
    const byName = await client.searchUsers('okafor', 50);
    expect(byName.length).toBeGreaterThan(0);
    for (const learner of byName) expect(learner.last_name).toBe('Okafor');
    expect(await client.searchUsers('liam.chen@acme-training.example', 5)).toEqual([expect.objectContaining({ id: '1002', first_name: 'Liam' })]);
    expect(await client.searchUsers(undefined, 3)).toHaveLength(3);
  });

  it('searches lessons and paths by title', async () => {
    const { data, client } = await lessonly();
    const found = await client.searchCourses('objections', 10);
    expect(found).toEqual([expect.objectContaining({ title: 'Handling Objections', kind: 'lesson' })]);
    const all = await client.searchCourses(undefined, 50);
    expect(all).toHaveLength(data.courses.filter((course) => ['lesson', 'learning_path', 'certification'].includes(course.kind)).length);
    expect(await client.searchCourses('path', 10)).toEqual([expect.objectContaining({ kind: 'learning_path' })]);
  });

  it("turns Lessonly's 403 Rate Limit Exceeded into a retryable rate-limit error", async () => {
    const server = await listenForTest((_request, response) => {
      response.writeHead(403, { 'content-type': 'text/plain' });
      response.end('403 Forbidden (Rate Limit Exceeded)');
    });
    const client: LmsApiClient = seismicLearningApiClient.createClient(
      seismicLearningApiClient.settingsSchema.parse({ base_url: server.url, subdomain: 'acme', api_key: 'k' }),
      lmsHttp(),
    );
    const error = await failure(client.user('1001'));
    expect(error.status).toBe(429);
    expect(isRetryable(error)).toBe(true);
  });

  it('defaults the base URL to api.lessonly.com and keeps under 500 requests a minute', () => {
    const settings = seismicLearningApiClient.settingsSchema.parse({ subdomain: 'acme', api_key: 'k' });
    expect(settings.base_url).toBe('https://api.lessonly.com');
    const { capacity, perSecond } = seismicLearningApiClient.rateLimit;
    expect(capacity + 60 * perSecond).toBeLessThanOrEqual(500);
  });

  it('lists every user, archived ones too, as user(id) answers them', async () => {
    const data = demoData({ users: 2300 });
    const archived = data.users[7];
    if (!archived) throw new Error('the demo data is too small');
    archived.active = false;
    const { client } = await lessonly(data);
    if (!client.listUsers) throw new Error('the Lessonly client lists no users');
    const { items, pages } = await readWholeList(client.listUsers.bind(client));
    expect(pages).toBe(3);
    expect(items).toHaveLength(2300);
    for (const listed of [items[7], ...spread(items, 20)]) expect(listed).toEqual(await client.user(listed?.id ?? ''));
  });

  it('lists no courses: a lesson and a path may share an id, and only the kind an event names tells them apart', async () => {
    const { client } = await lessonly();
    expect(client.listCourses).toBeUndefined();
  });
});
