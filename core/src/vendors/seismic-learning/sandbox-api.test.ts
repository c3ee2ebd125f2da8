/*
 * Sources (facts only, nothing copied): the Lessonly API documentation, lessonly/lesson.ly-api-docs:
 * "Authentication" (HTTP Basic SUBDOMAIN:API_KEY), "Errors" (401 for a wrong subdomain or key, 404
 * for an unknown resource), "Users" (Show User Details fields, List Users paging and filter[email]),
 * "Lessons" (Show Lesson Details v1 and v1.1), "Paths", "User Assignments".
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { serveEmulator } from '../../testing/emulated-lms.ts';
import { seismicLearningSandboxApi } from './sandbox-api.ts';

async function emulator() {
  const { data, base, settings } = await serveEmulator(seismicLearningSandboxApi);
  const basic = `Basic ${Buffer.from(`${String(settings.subdomain)}:${String(settings.api_key)}`).toString('base64')}`;
  const get = async (path: string, authorization: string | null = basic) => {
    const response = await fetch(`${base}${path}`, { headers: authorization ? { authorization } : {} });
    const body: unknown = await response.json();
    return { status: response.status, headers: response.headers, body };
  };
  return { data, settings, get };
}

describe('the emulated Lessonly API', () => {
  it('answers 401 with a Basic challenge when the credentials are missing', async () => {
    const { get } = await emulator();
    const response = await get('/api/v1/users/1001', null);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Basic/);
  });

  it('answers 401 for a wrong API key or a wrong subdomain', async () => {
    const { settings, get } = await emulator();
    const wrongKey = `Basic ${Buffer.from(`${String(settings.subdomain)}:nope`).toString('base64')}`;
    const wrongSubdomain = `Basic ${Buffer.from(`other:${String(settings.api_key)}`).toString('base64')}`;
    expect((await get('/api/v1/users/1001', wrongKey)).status).toBe(401);
    expect((await get('/api/v1/users/1001', wrongSubdomain)).status).toBe(401);
    expect((await get('/api/v1/users/1001', 'Bearer abc')).status).toBe(401);
  });

  it("answers a user with Lessonly's field names", async () => {
    const { get } = await emulator();
    const response = await get('/api/v1/users/1001');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      type: 'user',
      resource_type: 'user',
      id: 1001,
      name: 'Maya Chen',
      email: 'maya.chen@acme-training.example',
      ext_uid: 'maya.chen',
      role: 'learner',
      department: 'Customer Success',
      archived_at: null,
      custom_user_field_data: [],
    });
  });

  it('answers 404 for unknown users, lessons, paths and API versions', async () => {
    const { data, get } = await emulator();
    const onlineCourse = data.courses.find((course) => course.kind === 'online_course');
    const lesson = data.courses.find((course) => course.kind === 'lesson');
    expect((await get('/api/v1/users/999999')).status).toBe(404);
    expect((await get('/api/v1/users/abc')).status).toBe(404);
    expect((await get('/api/v1/users/999999/assignments')).status).toBe(404);
    expect((await get(`/api/v1/lessons/${onlineCourse?.id}`)).status).toBe(404);
    expect((await get(`/api/v1/paths/${lesson?.id}`)).status).toBe(404);
    expect((await get('/api/v2/users/1001')).status).toBe(404);
    expect((await get('/api/v1/nothing-here')).status).toBe(404);
  });

  it('shows lesson statistics in v1 and not in v1.1', async () => {
    const { data, get } = await emulator();
    const lesson = data.courses.find((course) => course.kind === 'lesson');
    const v1 = await get(`/api/v1/lessons/${lesson?.id}`);
    const v11 = await get(`/api/v1.1/lessons/${lesson?.id}`);
    expect(v1.body).toMatchObject({ type: 'lesson', id: lesson?.id, title: lesson?.title, assignees_count: expect.any(Number) });
    expect(v11.body).not.toHaveProperty('assignees_count');
  });

  it("lists a user's assignments for lessons and paths only", async () => {
    const { data, get } = await emulator();
    const kinds = new Map(data.courses.map((course) => [course.id, course.kind]));
    const enrollment = data.enrollments.find((candidate) => kinds.get(candidate.course_id) === 'lesson');
    const response = await get(`/api/v1/users/${enrollment?.user_id}/assignments`);
    expect(response.body).toMatchObject({ type: 'user_assignments' });
    const body = z.object({ assignments: z.array(z.looseObject({ assignable_type: z.string() })) }).parse(response.body);
    expect(body.assignments).toContainEqual(expect.objectContaining({ id: enrollment?.id, assignable_type: 'Lesson', assignable_id: enrollment?.course_id }));
    for (const assignment of body.assignments) expect(['Lesson', 'LearningPaths::Path']).toContain(assignment.assignable_type);
  });

  it('pages the user list and filters it by email', async () => {
    const { data, get } = await emulator();
    const second = await get('/api/v1.1/users?page=2&per_page=10');
    expect(second.body).toMatchObject({ type: 'users', total_users: data.users.length, page: 2, per_page: 10, total_pages: Math.ceil(data.users.length / 10) });
    const filtered = await get('/api/v1.1/users?filter[email]=LIAM.CHEN@acme-training.example');
    expect(filtered.body).toMatchObject({ total_users: 1, users: [{ id: 1002, groups: { member: [], manager: [] } }] });
  });

  it('names the caller by subdomain for the rate limit, and nobody without credentials', () => {
    const basic = `Basic ${Buffer.from('acme-training:key').toString('base64')}`;
    expect(seismicLearningSandboxApi.callerOf({ authorization: basic })).toMatch(/^lessonly:acme-training:/);
    expect(seismicLearningSandboxApi.callerOf({ authorization: basic })).not.toContain('key');
    expect(seismicLearningSandboxApi.callerOf({})).toBeNull();
  });
});
