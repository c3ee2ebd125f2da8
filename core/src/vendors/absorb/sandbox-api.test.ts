/*
 * Sources (facts only, nothing copied): Absorb "Integration API" v2 documentation at
 * docs.myabsorb.com — overview ("Private API Key": x-api-key on every request, 401 without it;
 * "Authentication": tokens valid four hours, one token per user from /authenticate, a new one
 * invalidating the last; "Pagination": _offset is a page number from 0, _limit at most 1000;
 * "Sorting"; "Filtering": eq ne gt ge lt le and or not, substringof endswith startswith tolower
 * toupper), "Users", "Departments", "Courses", "Enrollments" (status codes 0–12); Absorb support
 * "Getting Started with the Absorb Integration API" (regional gateways).
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { EmulatedApi } from '../../sandbox/api/types.ts';
import { vendorId } from '../../sandbox/vendor-ids.ts';
import { serveEmulator } from '../../testing/emulated-lms.ts';
import { absorbSandboxApi, createAbsorbApi } from './sandbox-api.ts';

const Settings = z.object({ private_key: z.string(), username: z.string(), password: z.string() });

async function emulator(api: EmulatedApi = absorbSandboxApi) {
  const served = await serveEmulator(api);
  const { data, base } = served;
  const settings = Settings.parse(served.settings);

  async function call(method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: unknown) {
    const response = await fetch(base + path, {
      method,
      headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
    });
    const parsed: unknown = await response.json();
    return { status: response.status, body: parsed };
  }

  async function authenticate(overrides: Record<string, string> = {}) {
    const credentials = { username: settings.username, password: settings.password, privateKey: settings.private_key, ...overrides };
    return call('POST', '/authenticate', { 'x-api-key': settings.private_key, 'x-api-version': '2' }, credentials);
  }

  async function token(): Promise<string> {
    const answer = await authenticate();
    return z.string().parse(answer.body);
  }

  const headers = (bearer: string) => ({ 'x-api-key': settings.private_key, 'x-api-version': '2', authorization: `Bearer ${bearer}` });
  const get = (path: string, bearer: string) => call('GET', path, headers(bearer));
  return { data, settings, authenticate, token, get, call, headers };
}

const userId = (id: number) => vendorId('absorb', 'user', id);
const courseId = (id: number) => vendorId('absorb', 'course', id);

describe('the emulated Absorb Integration API', () => {
  it('answers the token as a bare JSON string', async () => {
    const { authenticate } = await emulator();
    const answer = await authenticate();
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(expect.any(String));
  });

  it('refuses to authenticate with a wrong password, username or private key, or without the x-api-key header', async () => {
    const { authenticate, call, settings } = await emulator();
    expect((await authenticate({ password: 'nope' })).status).toBe(401);
    expect((await authenticate({ username: 'someone-else' })).status).toBe(401);
    expect((await authenticate({ privateKey: '00000000-0000-4000-8000-000000000000' })).status).toBe(401);
    const withoutKey = await call('POST', '/authenticate', {}, { username: settings.username, password: settings.password, privateKey: settings.private_key });
    expect(withoutKey.status).toBe(401);
  });

  it('answers 401 without a token, with a made-up token, or without the private key', async () => {
    const { get, call, token, settings } = await emulator();
    const bearer = await token();
    expect((await call('GET', `/users/${userId(1001)}`, { 'x-api-key': settings.private_key, 'x-api-version': '2' })).status).toBe(401);
    expect((await get(`/users/${userId(1001)}`, 'not-a-token')).status).toBe(401);
    expect((await call('GET', `/users/${userId(1001)}`, { 'x-api-version': '2', authorization: `Bearer ${bearer}` })).status).toBe(401);
    expect((await get(`/users/${userId(1001)}`, bearer)).status).toBe(200);
  });

  it('cancels a token when the same user authenticates again', async () => {
    const { get, token } = await emulator();
    const first = await token();
    expect((await get(`/users/${userId(1001)}`, first)).status).toBe(200);
    const second = await token();
    expect((await get(`/users/${userId(1001)}`, first)).status).toBe(401);
    expect((await get(`/users/${userId(1001)}`, second)).status).toBe(200);
  });

  it('expires a token four hours after it was issued', async () => {
    let clock = Date.UTC(2026, 10, 2, 9);
    const { get, token } = await emulator(createAbsorbApi({ now: () => clock }));
    const bearer = await token();
    clock += 4 * 60 * 60 * 1000 - 1;
    expect((await get(`/users/${userId(1001)}`, bearer)).status).toBe(200);
    clock += 1;
    expect((await get(`/users/${userId(1001)}`, bearer)).status).toBe(401);
  });

  it('wants x-api-version 2 on data requests', async () => {
    const { call, token, settings } = await emulator();
    const bearer = await token();
    const answer = await call('GET', `/users/${userId(1001)}`, { 'x-api-key': settings.private_key, authorization: `Bearer ${bearer}` });
    expect(answer.status).toBe(400);
  });

  it("answers a user with Absorb's v2 field names and GUID ids", async () => {
    const { get, token } = await emulator();
    const answer = await get(`/users/${userId(1001)}`, await token());
    expect(answer.body).toMatchObject({
      id: userId(1001),
      username: 'maya.chen',
      firstName: 'Maya',
      lastName: 'Chen',
      emailAddress: 'maya.chen@acme-training.example',
      departmentId: vendorId('absorb', 'department', 1),
      activeStatus: 0,
      isLearner: true,
      dateAdded: '2026-10-01T00:00:00.000',
    });
  });

  it("answers departments, courses and a user's enrollment in a course", async () => {
    const { data, get, token } = await emulator();
    const bearer = await token();
    expect((await get(`/departments/${vendorId('absorb', 'department', 1)}`, bearer)).body).toMatchObject({ name: 'Customer Success' });
    const workshop = data.courses.find((course) => course.kind === 'instructor_led');
    expect((await get(`/courses/${courseId(workshop?.id ?? 0)}`, bearer)).body).toMatchObject({
      name: workshop?.title,
      courseType: 'InstructorLedCourse',
      activeStatus: 0,
    });
    const done = data.enrollments.find((enrollment) => enrollment.status === 'completed');
    const answer = await get(`/users/${userId(done?.user_id ?? 0)}/enrollments/${courseId(done?.course_id ?? 0)}`, bearer);
    expect(answer.body).toMatchObject({
      id: vendorId('absorb', 'enrollment', done?.id ?? 0),
      status: 3,
      progress: 100,
      score: done?.score,
      userId: userId(done?.user_id ?? 0),
    });
  });

  it('answers 404 for unknown users, courses, departments, enrollments and paths', async () => {
    const { data, get, token } = await emulator();
    const bearer = await token();
    const unenrolled = data.courses.find((course) => !data.enrollments.some((enrollment) => enrollment.user_id === 1001 && enrollment.course_id === course.id));
    expect((await get(`/users/${userId(999_999)}`, bearer)).status).toBe(404);
    expect((await get('/users/1001', bearer)).status).toBe(404);
    expect((await get(`/users/${courseId(501)}`, bearer)).status).toBe(404);
    expect((await get(`/courses/${courseId(999_999)}`, bearer)).status).toBe(404);
    expect((await get(`/departments/${vendorId('absorb', 'department', 99)}`, bearer)).status).toBe(404);
    expect((await get(`/users/${userId(1001)}/enrollments/${courseId(unenrolled?.id ?? 0)}`, bearer)).status).toBe(404);
    expect((await get('/nothing-here', bearer)).status).toBe(404);
  });

  it('filters, sorts and pages collections, with _offset counting pages', async () => {
    const { data, get, token } = await emulator();
    const bearer = await token();
    const byName = await get(`/users?_filter=${encodeURIComponent("substringof('okafor',tolower(lastName))")}&_sort=-firstName&_limit=5`, bearer);
    const body = z
      .object({
        totalItems: z.number(),
        returnedItems: z.number(),
        limit: z.number(),
        offset: z.number(),
        users: z.array(z.object({ lastName: z.string(), firstName: z.string() })),
      })
      .parse(byName.body);
    expect(body.totalItems).toBe(data.users.filter((user) => user.last_name === 'Okafor').length);
    expect(body.users.every((user) => user.lastName === 'Okafor')).toBe(true);
    expect(body.users.map((user) => user.firstName)).toEqual(
      body.users
        .map((user) => user.firstName)
        .toSorted()
        .reverse(),
    );
    const second = z
      .object({ offset: z.number(), users: z.array(z.object({ id: z.string() })) })
      .parse((await get('/users?_limit=10&_offset=1&_sort=username', bearer)).body);
    const all = data.users.map((user) => user.username).toSorted();
    expect(second.offset).toBe(1);
    expect(second.users).toHaveLength(10);
    const eleventh = data.users.find((user) => user.username === all[10]);
    expect(second.users[0]?.id).toBe(userId(eleventh?.id ?? 0));
    const guid = await get(`/courses?_filter=${encodeURIComponent(`id eq guid'${courseId(501)}'`)}`, bearer);
    expect(guid.body).toMatchObject({ totalItems: 1, courses: [{ id: courseId(501) }] });
  });

  it('answers 422 for a _filter it cannot read or a property it does not have', async () => {
    const { get, token } = await emulator();
    const bearer = await token();
    expect((await get(`/users?_filter=${encodeURIComponent('lastName eq')}`, bearer)).status).toBe(422);
    expect((await get(`/users?_filter=${encodeURIComponent("shoeSize eq '9'")}`, bearer)).status).toBe(422);
  });

  it('names the caller by private key for the rate limit, and nobody without one', () => {
    expect(absorbSandboxApi.callerOf({ 'x-api-key': 'key-1' })).toMatch(/^absorb:[0-9a-f]{16}$/);
    expect(absorbSandboxApi.callerOf({ 'x-api-key': 'key-1' })).not.toContain('key-1');
    expect(absorbSandboxApi.callerOf({})).toBeNull();
  });
});
