/*
 * Sources (facts only, nothing copied): Adobe Learning Manager "Application developer manual"
 * (AdobeDocs/learning-manager: OAuth 2.0 — POST /oauth/token/refresh with client_id,
 * client_secret and refresh_token; access tokens valid seven days, and a refresh while one is
 * valid answers the existing token; JSON:API documents, include, fields, page[limit],
 * page[offset], page[cursor] via links.next; the learningObject, learningObjectInstanceEnrollment
 * and user models; error codes 401, 404, 406 for a wrong Accept header), "API Rate Limits in
 * Learning Manager" (admin GET limit (100, 100)), and the v2 API reference as shown on
 * elearning.adobe.com ("GET /users": offset at most 500, ids=email:<address>; "GET
 * /users/{id}/enrollments": filter.loTypes defaulting to course).
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { EmulatedApi } from '../../sandbox/api/types.ts';
import { serveEmulator } from '../../testing/emulated-lms.ts';
import { adobeAlmSandboxApi, createAdobeAlmApi } from './sandbox-api.ts';

const Settings = z.object({ client_id: z.string(), client_secret: z.string(), refresh_token: z.string() });
const TokenAnswer = z.object({ access_token: z.string(), refresh_token: z.string(), expires_in: z.number() });

async function emulator(api: EmulatedApi = adobeAlmSandboxApi) {
  const served = await serveEmulator(api);
  const { data, base } = served;
  const settings = Settings.parse(served.settings);

  async function refresh(overrides: Record<string, string> = {}) {
    const response = await fetch(`${base}/oauth/token/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...settings, ...overrides }).toString(),
    });
    const body: unknown = await response.json();
    return { status: response.status, body };
  }

  async function token(): Promise<string> {
    return TokenAnswer.parse((await refresh()).body).access_token;
  }

  async function get(path: string, authorization: string | null, accept = 'application/vnd.api+json') {
    const response = await fetch(`${base}/primeapi/v2${path}`, { headers: { accept, ...(authorization ? { authorization } : {}) } });
    const body: unknown = await response.json();
    return { status: response.status, body, type: response.headers.get('content-type') };
  }

  return { data, settings, refresh, token, get };
}

describe('the emulated Adobe Learning Manager API', () => {
  it('answers an access token for the refresh token, the same one while it is valid', async () => {
    const { refresh } = await emulator();
    const first = TokenAnswer.parse((await refresh()).body);
    const second = TokenAnswer.parse((await refresh()).body);
    expect(first.expires_in).toBe(7 * 24 * 60 * 60);
    expect(second.access_token).toBe(first.access_token);
    expect(second.refresh_token).toBe(first.refresh_token);
  });

  it('refuses a wrong client secret (401) and a wrong refresh token (400)', async () => {
    const { refresh } = await emulator();
    expect((await refresh({ client_secret: 'nope' })).status).toBe(401);
    expect((await refresh({ client_id: 'nope' })).status).toBe(401);
    expect((await refresh({ refresh_token: 'nope' })).status).toBe(400);
  });

  it('answers 401 without a token, with a wrong one, and once the token has expired', async () => {
    let clock = Date.UTC(2026, 10, 2, 9);
    const { get, token } = await emulator(createAdobeAlmApi({ now: () => clock }));
    const access = await token();
    expect((await get('/users/1001', null)).status).toBe(401);
    expect((await get('/users/1001', 'Bearer not-the-token')).status).toBe(401);
    expect((await get('/users/1001', `Bearer ${access}`)).status).toBe(200);
    expect((await get('/users/1001', `oauth ${access}`)).status).toBe(200);
    clock += 7 * 24 * 60 * 60 * 1000;
    expect((await get('/users/1001', `Bearer ${access}`)).status).toBe(401);
    const renewed = await token();
    expect(renewed).not.toBe(access);
    expect((await get('/users/1001', `Bearer ${renewed}`)).status).toBe(200);
  });

  it('answers 406 to an Accept header that wants neither JSON:API nor JSON', async () => {
    const { get, token } = await emulator();
    expect((await get('/users/1001', `Bearer ${await token()}`, 'text/html')).status).toBe(406);
  });

  it("answers a user as a JSON:API document with ALM's attribute names", async () => {
    const { get, token } = await emulator();
    const answer = await get('/users/1001', `Bearer ${await token()}`);
    expect(answer.type).toMatch(/^application\/vnd\.api\+json/);
    expect(answer.body).toMatchObject({
      data: {
        id: '1001',
        type: 'user',
        attributes: {
          name: 'Maya Chen',
          email: 'maya.chen@acme-training.example',
          userUniqueId: 'maya.chen@acme-training.example',
          state: 'ACTIVE',
          userType: 'Internal',
          fields: { Department: 'Customer Success' },
        },
        relationships: { account: { data: { type: 'account' } } },
      },
    });
  });

  it('answers learning objects by their typed ids, with loType, loFormat and localized names', async () => {
    const { data, get, token } = await emulator();
    const bearer = `Bearer ${await token()}`;
    const path = data.courses.find((course) => course.kind === 'learning_path');
    const workshop = data.courses.find((course) => course.kind === 'instructor_led');
    expect((await get(`/learningObjects/learningProgram:${path?.id}`, bearer)).body).toMatchObject({
      data: {
        id: `learningProgram:${path?.id}`,
        type: 'learningObject',
        attributes: { loType: 'learningProgram', state: 'Published', localizedMetadata: [{ locale: 'en-US', name: path?.title }] },
      },
    });
    expect((await get(`/learningObjects/course:${workshop?.id}`, bearer)).body).toMatchObject({
      data: { attributes: { loType: 'course', loFormat: 'Classroom' } },
    });
  });

  it("lists a user's enrollments in one learning object, of the types asked for", async () => {
    const { data, get, token } = await emulator();
    const bearer = `Bearer ${await token()}`;
    const done = data.enrollments.find(
      (enrollment) => enrollment.status === 'completed' && data.courses.find((course) => course.id === enrollment.course_id)?.kind === 'online_course',
    );
    const answer = await get(`/users/${done?.user_id}/enrollments?filter.loTypes=course&filter.loIds=course:${done?.course_id}`, bearer);
    expect(answer.body).toMatchObject({
      data: [
        {
          id: `course:${done?.course_id}_${(done?.course_id ?? 0) + 9000}_${done?.user_id}`,
          type: 'learningObjectInstanceEnrollment',
          attributes: { state: 'COMPLETED', hasPassed: true, progressPercent: 100, score: done?.score, dateCompleted: done?.completed_at },
          relationships: { learner: { data: { id: String(done?.user_id) } }, learningObject: { data: { id: `course:${done?.course_id}` } } },
        },
      ],
    });
    // Learning programs are not listed unless asked for.
    const inPath = data.enrollments.find((enrollment) => data.courses.find((course) => course.id === enrollment.course_id)?.kind === 'learning_path');
    const courses = z
      .object({ data: z.array(z.unknown()) })
      .parse((await get(`/users/${inPath?.user_id}/enrollments?filter.loIds=learningProgram:${inPath?.course_id}`, bearer)).body);
    expect(courses.data).toEqual([]);
  });

  it('pages lists with page[limit] and a cursor in links.next, and stops the user list at offset 500', async () => {
    const { data, get, token } = await emulator();
    const bearer = `Bearer ${await token()}`;
    const Page = z.object({ links: z.object({ next: z.string().optional() }), data: z.array(z.object({ id: z.string() })) });
    const first = Page.parse((await get('/users?page[limit]=15', bearer)).body);
    expect(first.data).toHaveLength(15);
    const next = new URL(first.links.next ?? '');
    const second = Page.parse((await get(`/users${next.search}`, bearer)).body);
    expect(second.data[0]?.id).toBe(String(data.users[15]?.id));
    expect((await get('/users?page[limit]=10&page[offset]=501', bearer)).status).toBe(400);
    expect(Page.parse((await get('/users?page[limit]=50&include=account', bearer)).body).data).toHaveLength(10);
    const byEmail = Page.parse((await get('/users?ids=email:LIAM.CHEN@acme-training.example', bearer)).body);
    expect(byEmail.data.map((user) => user.id)).toEqual(['1002']);
  });

  it('answers 404 for unknown users, learning objects, enrollments and paths', async () => {
    const { data, get, token } = await emulator();
    const bearer = `Bearer ${await token()}`;
    const path = data.courses.find((course) => course.kind === 'learning_path');
    expect((await get('/users/999999', bearer)).status).toBe(404);
    expect((await get('/users/abc', bearer)).status).toBe(404);
    expect((await get('/users/999999/enrollments', bearer)).status).toBe(404);
    expect((await get('/learningObjects/course:999999', bearer)).status).toBe(404);
    // A learning program's number under another type names nothing.
    expect((await get(`/learningObjects/course:${path?.id}`, bearer)).status).toBe(404);
    expect((await get('/enrollments/course:501_9501_999999', bearer)).status).toBe(404);
    expect((await get('/nothing-here', bearer)).status).toBe(404);
  });

  it('names the caller by access token for the rate limit, and nobody without one', () => {
    expect(adobeAlmSandboxApi.callerOf({ authorization: 'Bearer abc123' })).toMatch(/^alm:[0-9a-f]{16}$/);
    expect(adobeAlmSandboxApi.callerOf({ authorization: 'Bearer abc123' })).not.toContain('abc123');
    expect(adobeAlmSandboxApi.callerOf({})).toBeNull();
  });
});
