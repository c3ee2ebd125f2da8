/*
 * Sources (facts only, nothing copied):
 * - The certified LMS365 connector, microsoft/PowerPlatformConnectors
 *   certified-connectors/LMS365/apiDefinition.swagger.json: /odata/v2/Users ($filter), Courses({Id}),
 *   Enrollments({Id}), Basic auth, the entities' PascalCase properties and CourseType values.
 * - Zensai help center: "How to authorize with an API key in the Learn365 API and Postman" (Basic,
 *   user name "api", API key as password); "Update registration details via API" (CoursePassingStatus
 *   names; errors as an object with code and message).
 * - Learn365 Cloud API overview, api.365.systems/Documentation: OData v4, pages of at most 10,000
 *   items continued by @odata.nextLink.
 */
import { describe, expect, it } from 'vitest';
import { serveEmulator } from '../../testing/emulated-lms.ts';
import { learn365SandboxApi } from './sandbox-api.ts';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

async function emulator() {
  const { data, base, settings } = await serveEmulator(learn365SandboxApi);
  const key = String(settings.api_key);
  const get = async (path: string, authorization: string | null = basic('api', key)) => {
    const response = await fetch(`${base}/odata/v2/${path}`, { headers: authorization ? { authorization } : {} });
    const body: unknown = await response.json();
    return { status: response.status, headers: response.headers, body };
  };
  return { data, key, get, root: `${base}/odata/v2` };
}

describe('the emulated Learn365 API', () => {
  it('answers 401 with an OData error when the API key is missing or wrong', async () => {
    const { get } = await emulator();
    const missing = await get('Users(1001)', null);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect(missing.body).toEqual({ error: { code: 'Unauthorized', message: expect.any(String) } });
    expect((await get('Users(1001)', basic('api', 'wrong-key'))).status).toBe(401);
    expect((await get('Users(1001)', 'Bearer token')).status).toBe(401);
  });

  it('answers a user by key with PascalCase properties and an @odata.context', async () => {
    const { get, root } = await emulator();
    const response = await get('Users(1001)');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      '@odata.context': `${root}/$metadata#Users/$entity`,
      Id: '1001',
      Title: 'Maya Chen',
      Email: 'maya.chen@acme-training.example',
      LoginName: 'i:0#.f|membership|maya.chen@acme-training.example',
      Department: 'Customer Success',
      DirectoryObjectId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
  });

  it('reads keys written bare or quoted, as OData allows', async () => {
    const { get } = await emulator();
    expect((await get("Users('1001')")).body).toMatchObject({ Id: '1001' });
  });

  it('answers 404 for unknown keys and entity sets', async () => {
    const { get } = await emulator();
    for (const path of ['Users(999999)', 'Users(abc)', 'Courses(999999)', 'Enrollments(999999)', 'Certificates', 'Users(1001)/Nothing']) {
      const response = await get(path);
      expect(response.status, path).toBe(404);
      expect(response.body).toMatchObject({ error: { code: 'NotFound' } });
    }
  });

  it('answers a course with its CourseType, and its SharePoint site only when expanded', async () => {
    const { data, get } = await emulator();
    const classroom = data.courses.find((course) => course.kind === 'instructor_led');
    const plain = await get(`Courses(${classroom?.id})`);
    expect(plain.body).toMatchObject({ Id: String(classroom?.id), Title: classroom?.title, CourseType: 'ClassRoom', IsPublished: true });
    expect(plain.body).not.toHaveProperty('SharepointWeb');
    const expanded = await get(`Courses(${classroom?.id})?$expand=SharepointWeb`);
    expect(expanded.body).toMatchObject({ SharepointWeb: { Url: classroom?.url } });
  });

  it('filters collections with OData $filter and answers them in value', async () => {
    const { data, get, root } = await emulator();
    const enrollment = data.enrollments[0];
    const response = await get(`Enrollments?$filter=${encodeURIComponent(`UserId eq ${enrollment?.user_id} and CourseId eq '${enrollment?.course_id}'`)}`);
    expect(response.body).toEqual({
      '@odata.context': `${root}/$metadata#Enrollments`,
      value: [expect.objectContaining({ Id: String(enrollment?.id), RegistrationDate: enrollment?.enrolled_at, CoursePassingStatus: expect.any(String) })],
    });
    const users = await get(`Users?$filter=${encodeURIComponent("contains(tolower(Title),'chen') and not (Department eq 'Sales')")}&$top=2`);
    expect(users.body).toMatchObject({ value: [expect.objectContaining({ Title: 'Maya Chen' }), expect.objectContaining({ Title: 'Ava Chen' })] });
  });

  it('answers 400 for a $filter it cannot read or a property that does not exist', async () => {
    const { get } = await emulator();
    for (const filter of ["Title eq 'unterminated", 'Nope eq 1', 'substringof(Title,1)', 'Title gt 3']) {
      const response = await get(`Users?$filter=${encodeURIComponent(filter)}`);
      expect(response.status, filter).toBe(400);
      expect(response.body).toMatchObject({ error: { code: 'BadRequest' } });
    }
  });

  it('pages with $top and $skip', async () => {
    const { data, get } = await emulator();
    const response = await get('Users?$top=5&$skip=10');
    expect(response.body).toMatchObject({ value: data.users.slice(10, 15).map((user) => expect.objectContaining({ Id: String(user.id) })) });
  });

  it('names the caller by a hash of the API key, and nobody without one', () => {
    expect(learn365SandboxApi.callerOf({ authorization: basic('api', 'secret-key') })).toMatch(/^learn365:[0-9a-f]{16}$/);
    expect(learn365SandboxApi.callerOf({})).toBeNull();
  });
});
