/*
 * Sources (facts only, nothing copied):
 * - The certified LMS365 connector, microsoft/PowerPlatformConnectors
 *   certified-connectors/LMS365/apiDefinition.swagger.json and apiProperties.json: host api.365.systems,
 *   Basic auth, GET /odata/v2/Users ($filter), /odata/v2/Courses({Id}) with $expand=SharepointWeb,
 *   /odata/v2/Enrollments({Id}); their PascalCase properties; CourseType ELearning, ClassRoom, Webinar, TrainingPlan.
 * - Zensai help center: "How to authorize with an API key in the Learn365 API and Postman" (Basic,
 *   user name "api", the key as password); "Update registration details via API" (CoursePassingStatus
 *   0 Completed, 1 Not Started, 2 In Progress; OData error object with code and message).
 * - Learn365 Cloud API overview, api.365.systems/Documentation (OData v4, 10,000-item pages with
 *   @odata.nextLink, regional endpoints). No rate limit is published there.
 */
import { describe, expect, it } from 'vitest';
import { Course, Enrollment, Learner } from '../../catalog/index.ts';
import { LmsApiError } from '../../hydrate/client.ts';
import { isRetryable } from '../../hydrate/http-json.ts';
import { demoData, type SandboxData } from '../../sandbox/demo-data.ts';
import { courseOfKind, emulatedClient, testLmsHttp as lmsHttp, readWholeList, spread } from '../../testing/emulated-lms.ts';
import { rejectionOf } from '../../testing/errors.ts';
import { listenForTest } from '../../testing/listen.ts';
import { learn365ApiClient } from './api-client.ts';
import { learn365SandboxApi } from './sandbox-api.ts';

/** The emulated Learn365 API on 127.0.0.1, and a client pointed at it. */
function learn365(data: SandboxData = demoData(), override: Record<string, unknown> = {}) {
  return emulatedClient(learn365ApiClient, learn365SandboxApi, { data, settings: override });
}

const failure = (promise: Promise<unknown>) => rejectionOf(LmsApiError, promise);

function enrollmentWith(data: SandboxData, status: string) {
  const enrollment = data.enrollments.find((candidate) => candidate.status === status);
  if (!enrollment) throw new Error(`the demo data has no ${status} enrollment`);
  return enrollment;
}

describe('the Learn365 API client', () => {
  it('answers a user profile as a catalog learner with email and department', async () => {
    const { client } = await learn365();
    const learner = await client.user('1001');
    expect(Learner.parse(learner)).toEqual({
      id: '1001',
      email: 'maya.chen@acme-training.example',
      username: 'i:0#.f|membership|maya.chen@acme-training.example',
      first_name: 'Maya',
      last_name: 'Chen',
      name: 'Maya Chen',
      department: 'Customer Success',
    });
  });

  it('answers a course with its title, its CourseType as the kind and its site URL', async () => {
    const { data, client } = await learn365();
    const eLearning = courseOfKind(data, 'online_course');
    expect(Course.parse(await client.course(String(eLearning.id)))).toEqual({
      id: String(eLearning.id),
      title: eLearning.title,
      kind: 'online_course',
      url: eLearning.url,
    });
    expect(await client.course(String(courseOfKind(data, 'instructor_led').id))).toMatchObject({ kind: 'instructor_led' });
    expect(await client.course(String(courseOfKind(data, 'learning_path').id))).toMatchObject({ kind: 'learning_path' });
  });

  it('maps every documented CourseType, Webinar included, and leaves an unknown one without a kind', async () => {
    const types = ['ELearning', 'ClassRoom', 'Webinar', 'TrainingPlan', 'Hologram'];
    const server = await listenForTest((request, response) => {
      const index = Number(/Courses\((\d+)\)/.exec(request.url ?? '')?.[1]);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ Id: String(index), Title: 'T', CourseType: types[index] }));
    });
    const client = learn365ApiClient.createClient(learn365ApiClient.settingsSchema.parse({ base_url: server.url, api_key: 'k' }), lmsHttp());
    const kinds = await Promise.all(types.map(async (_type, index) => (await client.course(String(index)))?.kind));
    expect(kinds).toEqual(['online_course', 'instructor_led', 'instructor_led', 'learning_path', null]);
  });

  it('answers a completed enrollment by its id with status, progress and dates', async () => {
    const { data, client } = await learn365();
    const done = enrollmentWith(data, 'completed');
    const enrollment = await client.enrollment({ user: String(done.user_id), course: String(done.course_id), id: String(done.id) });
    expect(Enrollment.parse(enrollment)).toEqual({
      id: String(done.id),
      status: 'completed',
      progress: 100,
      score: null,
      passed: null,
      enrolled_at: done.enrolled_at,
      completed_at: done.completed_at,
    });
  });

  it('finds the enrollment by user and course when the webhook named no enrollment id', async () => {
    const { data, client } = await learn365();
    const started = enrollmentWith(data, 'in_progress');
    const enrollment = await client.enrollment({ user: String(started.user_id), course: String(started.course_id) });
    expect(enrollment).toMatchObject({ id: String(started.id), status: 'in_progress', completed_at: null });
  });

  it("does not take another user's enrollment for this one when the id does not fit", async () => {
    const { data, client } = await learn365();
    const mine = data.enrollments[0];
    const other = data.enrollments.find((candidate) => candidate.user_id !== mine?.user_id);
    if (!mine || !other) throw new Error('the demo data has enrollments of two users');
    const enrollment = await client.enrollment({ user: String(mine.user_id), course: String(mine.course_id), id: String(other.id) });
    expect(enrollment?.id).toBe(String(mine.id));
  });

  it('answers null for ids Learn365 does not know', async () => {
    const { data, client } = await learn365();
    const course = data.courses[0];
    expect(await client.user('999999')).toBeNull();
    expect(await client.user("1001') or (1 eq 1")).toBeNull();
    expect(await client.course('999999')).toBeNull();
    expect(await client.enrollment({ user: '1001', course: '999999' })).toBeNull();
    expect(await client.enrollment({ user: '999999', course: String(course?.id), id: '999999' })).toBeNull();
  });

  it('fails with a non-retryable LmsApiError when the API key is wrong', async () => {
    const { client } = await learn365(demoData(), { api_key: 'not-the-key' });
    const error = await failure(client.user('1001'));
    expect(error.status).toBe(401);
    expect(isRetryable(error)).toBe(false);
  });

  it('searches users by name or email, whatever the case', async () => {
    const { client } = await learn365();
    const byName = await client.searchUsers('OKAFOR', 50);
    expect(byName.length).toBeGreaterThan(0);
    for (const learner of byName) expect(learner.last_name).toBe('Okafor');
    expect(await client.searchUsers('liam.chen@', 5)).toEqual([expect.objectContaining({ id: '1002', department: 'Sales' })]);
    expect(await client.searchUsers(undefined, 4)).toHaveLength(4);
    // A quote in the search text stays inside the OData string literal.
    expect(await client.searchUsers("o'brien", 5)).toEqual([]);
  });

  it('searches courses by title', async () => {
    const { client } = await learn365();
    expect(await client.searchCourses('compliance', 10)).toEqual([
      expect.objectContaining({ title: 'Compliance 101: Data Protection Essentials', kind: 'online_course' }),
    ]);
    expect(await client.searchCourses(undefined, 5)).toHaveLength(5);
  });

  it('sends the key as the Basic password under the user name "api", to api.365.systems by default', async () => {
    const settings = learn365ApiClient.settingsSchema.parse({ api_key: 'the-key' });
    expect(settings.base_url).toBe('https://api.365.systems');
    const seen: Array<string | undefined> = [];
    const server = await listenForTest((request, response) => {
      seen.push(request.headers.authorization);
      response.writeHead(404);
      response.end();
    });
    await learn365ApiClient.createClient({ base_url: server.url, api_key: 'the-key' }, lmsHttp()).user('1001');
    expect(seen).toEqual([`Basic ${Buffer.from('api:the-key').toString('base64')}`]);
  });

  it('lists every user as user(id) answers them, a page of 1,000 at a time', async () => {
    const data = demoData({ users: 2300 });
    const withoutDepartment = data.users[5];
    if (!withoutDepartment) throw new Error('the demo data is too small');
    withoutDepartment.department_id = null;
    const { client } = await learn365(data);
    if (!client.listUsers) throw new Error('the Learn365 client lists no users');
    const { items, pages } = await readWholeList(client.listUsers.bind(client));
    expect(pages).toBe(3);
    expect(items.map((learner) => learner.id)).toEqual(data.users.map((user) => String(user.id)));
    for (const listed of [items[5], ...spread(items, 20)]) expect(listed).toEqual(await client.user(listed?.id ?? ''));
    expect(items[5]?.department).toBeNull();
  });

  it('lists every course, with its site URL, as course(id) answers it whatever the kind asked for', async () => {
    const { client, data } = await learn365();
    if (!client.listCourses) throw new Error('the Learn365 client lists no courses');
    const { items } = await readWholeList(client.listCourses.bind(client));
    expect(items.map((course) => course.id)).toEqual(data.courses.map((course) => String(course.id)));
    expect(items.every((course) => course.url)).toBe(true);
    for (const listed of items) expect(listed).toEqual(await client.course(listed.id, 'lesson'));
  });
});
