import type { Request } from 'express';
import { describe, expect, it } from 'vitest';
import { Learner } from '../../catalog/index.ts';
import { LmsApiError } from '../../hydrate/client.ts';
import { isRetryable } from '../../hydrate/http-json.ts';
import { courseOfKind, emulatedClient, expectRetryableThrottles, sandboxRefusals, testLmsHttp } from '../../testing/emulated-lms.ts';
import { rejectionOf } from '../../testing/errors.ts';
import { listenForTest } from '../../testing/listen.ts';
import { LITMOS_REGIONS, litmosApiClient } from './api-client.ts';
import { litmosSandboxApi } from './sandbox-api.ts';

const litmos = (settings: Record<string, unknown> = {}, observe?: (request: Request) => void) =>
  emulatedClient(litmosApiClient, litmosSandboxApi, { settings, ...(observe ? { observe } : {}) });

describe('the SAP Litmos API client', () => {
  it('answers a user as a catalog learner, sending the key in the apikey header and never in the URL', async () => {
    const seen: Request[] = [];
    const { data, client, settings } = await litmos({}, (request) => seen.push(request));
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
    const [request] = seen;
    expect(request?.headers.apikey).toBe(settings.api_key);
    expect(request?.originalUrl).not.toContain(String(settings.api_key));
    expect(new URL(request?.originalUrl ?? '', 'http://x').searchParams.get('source')).toBe(settings.source);
  });

  it('answers a course, and a learning path from its own endpoint', async () => {
    const { data, client } = await litmos();
    const course = courseOfKind(data, 'online_course');
    const pathCourse = courseOfKind(data, 'learning_path');
    expect(await client.course(String(course.id))).toEqual({ id: String(course.id), title: course.title, kind: 'online_course', url: null });
    expect(await client.course(String(pathCourse.id), 'learning_path')).toMatchObject({ title: pathCourse.title, kind: 'learning_path' });
    expect(await client.course(String(pathCourse.id))).toBeNull();
  });

  it("answers a learner's result in a course as the enrollment", async () => {
    const { data, client } = await litmos();
    const enrollment = data.enrollments.find((candidate) => candidate.status === 'completed');
    if (!enrollment) throw new Error('the demo data has a completed enrollment');
    expect(await client.enrollment({ user: String(enrollment.user_id), course: String(enrollment.course_id) })).toMatchObject({ status: 'completed' });
  });

  it('fails without retrying on a wrong key', async () => {
    const { client } = await litmos({ api_key: 'wrong-litmos-key-123' });
    const error = await rejectionOf(LmsApiError, client.user('1'));
    expect(error.status).toBe(401);
    expect(isRetryable(error)).toBe(false);
  });

  it('blanks the key when Litmos echoes the request in an error', async () => {
    const server = await listenForTest((request, response) => {
      response.writeHead(400, { 'content-type': 'text/plain' });
      response.end(`Bad request with apikey ${String(request.headers.apikey)}`);
    });
    const client = litmosApiClient.createClient(
      litmosApiClient.settingsSchema.parse({ base_url: server.url, api_key: 'secret-litmos-key-456' }),
      testLmsHttp(),
    );
    const error = await rejectionOf(LmsApiError, client.user('1'));
    expect(error.message).toContain('[redacted]');
    expect(error.message).not.toContain('secret-litmos-key-456');
  });

  it('lets a person pick the US, EU or AU host, the US by default, and keeps under 100 requests a minute', () => {
    const parse = (base_url?: string) => litmosApiClient.settingsSchema.parse({ api_key: 'k', ...(base_url ? { base_url } : {}) });
    expect(parse().base_url).toBe('https://api.litmos.com/v1.svc');
    expect(parse(LITMOS_REGIONS.EU).base_url).toBe('https://api.litmoseu.com/v1.svc');
    expect(parse(LITMOS_REGIONS.AU).base_url).toBe('https://api.litmos.com.au/v1.svc');
    const { capacity, perSecond } = litmosApiClient.rateLimit;
    expect(capacity + 60 * perSecond).toBeLessThanOrEqual(100);
  });

  it("turns the sandbox's 429 into a retryable error carrying Retry-After", async () => {
    const refused = await sandboxRefusals(
      'litmos',
      (base) => litmosApiClient.createClient(litmosApiClient.settingsSchema.parse(litmosSandboxApi.sandboxSettings(base)), testLmsHttp()),
      16,
    );
    expectRetryableThrottles(refused);
  });
});
