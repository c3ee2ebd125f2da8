/**
 * Samples built from:
 * - Standard Webhooks specification v1.0.0, https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
 *   ("Payload structure" {type, timestamp, data}, data may be squashed into the top level; "Signature scheme"
 *   `{msg_id}.{timestamp}.{payload}` HMAC-SHA256, `v1,<base64>`, space-separated signatures; `whsec_` secrets;
 *   the webhook-id stays the same on retries; timestamps checked against a tolerance to stop replays).
 * - xAPI 1.0.3 (github.com/adlnet/xAPI-Spec): xAPI-Communication.md §2.1.2 "POST Statements", §3.3 "Versioning";
 *   xAPI-Data.md §2.4 "Statement Properties", §2.4.2.4 "Account Object".
 */
import { describe, expect, it } from 'vitest';
import { AuthenticationError, PayloadError, SignatureError } from '../../errors.ts';
import { signStandardWebhook } from '../../signatures/standard-webhooks.ts';
import { thrownBy } from '../../testing/errors.ts';
import { ingestRequest } from '../../testing/ingest-request.ts';
import type { IngestRequest } from '../adapter.ts';
import { StandardInbound, standardAdapter } from './inbound.ts';

const receivedAt = new Date('2026-11-20T14:03:11.482Z');
const now = Math.floor(receivedAt.getTime() / 1000);
const context = { connection: 'acme', receivedAt };

const SECRET = `whsec_${Buffer.from('learnhook-standard-test-secret-1').toString('base64')}`;
const NEW_SECRET = `whsec_${Buffer.from('learnhook-standard-test-secret-2').toString('base64')}`;
const OTHER_SECRET = `whsec_${Buffer.from('somebody-elses-secret-32-bytes!!').toString('base64')}`;
const inbound: StandardInbound = { secret: SECRET, xapi: { username: 'acme-lrs', password: 'Vd3k9QzW2mTx7bNp' } };

const completed = {
  type: 'enrollment.completed',
  timestamp: '2026-11-20T14:03:11Z',
  data: {
    actor: { id: 'c1a7e5d2-4b8f-4f0e-9a51-3d2b7e6f9a10', role: 'learner' },
    learner: { id: 'c1a7e5d2-4b8f-4f0e-9a51-3d2b7e6f9a10', email: 'maya.chen@acme-training.example', first_name: 'Maya', last_name: 'Chen' },
    course: { id: 'compliance-101', title: 'Compliance 101: Data Protection Essentials', kind: 'online_course' },
    enrollment: { id: 'enr-88231', status: 'completed', progress: 100, score: 92, passed: true, completed_at: '2026-11-20T14:03:11Z' },
  },
};

function signed(body: unknown, options: { id?: string; at?: number; secret?: string } = {}): IngestRequest {
  const bytes = typeof body === 'string' ? body : JSON.stringify(body);
  const headers = signStandardWebhook({
    id: options.id ?? 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W',
    timestampSeconds: options.at ?? now,
    body: bytes,
    secret: options.secret ?? SECRET,
  });
  return ingestRequest({ body: bytes, headers: { ...headers }, receivedAt });
}

function mapOne(request: IngestRequest, connection: StandardInbound = inbound) {
  standardAdapter.verify(request, connection);
  const [mapped, ...rest] = standardAdapter.parse(request).flatMap((event) => standardAdapter.toCatalog(event, context));
  if (!mapped || rest.length > 0) throw new Error('expected exactly one event');
  return mapped;
}

const payloadError = (run: () => unknown) => thrownBy(PayloadError, run);

describe('standardAdapter.inboundSchema', () => {
  it('takes one whsec_ secret or several', () => {
    expect(StandardInbound.safeParse({ secret: SECRET }).success).toBe(true);
    expect(StandardInbound.safeParse({ secrets: [SECRET, NEW_SECRET] }).success).toBe(true);
  });

  it('refuses a connection without a secret, or with a secret that is not whsec_', () => {
    expect(StandardInbound.safeParse({ xapi: { username: 'a', password: 'b' } }).success).toBe(false);
    expect(StandardInbound.safeParse({ secret: 'hunter2' }).success).toBe(false);
  });
});

describe('standardAdapter.verify', () => {
  it('accepts a request signed with the secret', () => {
    expect(() => standardAdapter.verify(signed(completed), inbound)).not.toThrow();
  });

  it('rejects a request signed with another secret', () => {
    expect(() => standardAdapter.verify(signed(completed, { secret: OTHER_SECRET }), inbound)).toThrow(SignatureError);
  });

  it.each(['webhook-id', 'webhook-timestamp', 'webhook-signature'])('rejects a request without %s', (header) => {
    const request = signed(completed);
    const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => name !== header));
    expect(() => standardAdapter.verify({ ...request, headers }, inbound)).toThrow(/Missing webhook-id/);
  });

  it('rejects a validly signed request whose timestamp is over 5 minutes old (a replay)', () => {
    expect(() => standardAdapter.verify(signed(completed, { at: now - 301 }), inbound)).toThrow(/too old or too new/);
    expect(() => standardAdapter.verify(signed(completed, { at: now - 299 }), inbound)).not.toThrow();
  });

  it('rejects a validly signed request whose timestamp is over 5 minutes ahead', () => {
    expect(() => standardAdapter.verify(signed(completed, { at: now + 301 }), inbound)).toThrow(/too old or too new/);
  });

  it('rejects a valid signature replayed onto an altered body', () => {
    const original = signed(completed);
    const altered = JSON.stringify({ ...completed, data: { ...completed.data, enrollment: { ...completed.data.enrollment, score: 100 } } });
    const request = { ...original, body: Buffer.from(altered) };
    expect(() => standardAdapter.verify(request, inbound)).toThrow(/No webhook-signature matches/);
  });

  it('rejects a valid signature replayed under another webhook-id', () => {
    const request = signed(completed);
    expect(() => standardAdapter.verify({ ...request, headers: { ...request.headers, 'webhook-id': 'msg_other' } }, inbound)).toThrow(SignatureError);
  });

  it('accepts a request signed with the second of two secrets (rotation)', () => {
    const rotating: StandardInbound = { secrets: [SECRET, NEW_SECRET] };
    expect(() => standardAdapter.verify(signed(completed, { secret: NEW_SECRET }), rotating)).not.toThrow();
    expect(() => standardAdapter.verify(signed(completed, { secret: OTHER_SECRET }), rotating)).toThrow(SignatureError);
  });

  it('accepts a request carrying several signatures when one matches', () => {
    const request = signed(completed);
    const stale = signStandardWebhook({ id: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', timestampSeconds: now, body: JSON.stringify(completed), secret: OTHER_SECRET });
    const headers = { ...request.headers, 'webhook-signature': `${stale['webhook-signature']} ${request.headers['webhook-signature']}` };
    expect(() => standardAdapter.verify({ ...request, headers }, inbound)).not.toThrow();
  });

  it('verifies the exact bytes received, indentation and CRLFs included', () => {
    const pretty = JSON.stringify(completed, null, 2).replaceAll('\n', '\r\n');
    expect(mapOne(signed(pretty)).event.type).toBe('enrollment.completed');
  });
});

describe('standardAdapter webhook mapping', () => {
  it('passes a catalog type straight through with its parts', () => {
    const { event, dedupeKey, hydration } = mapOne(signed(completed));
    expect(event.type).toBe('enrollment.completed');
    expect(event.source).toEqual({ vendor: 'standard', connection: 'acme', event: 'enrollment.completed', event_id: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W' });
    expect(event.actor).toEqual({ id: 'c1a7e5d2-4b8f-4f0e-9a51-3d2b7e6f9a10', role: 'learner' });
    expect(event.learner).toEqual({
      id: 'c1a7e5d2-4b8f-4f0e-9a51-3d2b7e6f9a10',
      email: 'maya.chen@acme-training.example',
      username: null,
      first_name: 'Maya',
      last_name: 'Chen',
      name: 'Maya Chen',
      department: null,
    });
    expect(event.course).toEqual({ id: 'compliance-101', title: 'Compliance 101: Data Protection Essentials', kind: 'online_course', url: null });
    expect(event.enrollment).toMatchObject({
      id: 'enr-88231',
      status: 'completed',
      progress: 100,
      score: 92,
      passed: true,
      completed_at: '2026-11-20T14:03:11Z',
    });
    expect(event.occurred_at).toBe('2026-11-20T14:03:11.000Z');
    expect(event.raw).toEqual(completed);
    expect(dedupeKey).toBe('msg_2KWPBgLlAfxdpx2AI54pPJ85f4W');
    expect(hydration).toEqual({});
  });

  it('gives a retry (same webhook-id, new timestamp and signature) the same dedupe key and event id', () => {
    const first = mapOne(signed(completed));
    const retry = mapOne({ ...signed(completed, { at: now - 60 }) });
    expect(retry.dedupeKey).toBe(first.dedupeKey);
    expect(retry.event.id).toBe(first.event.id);
  });

  it('carries the type extras in data', () => {
    const body = {
      type: 'certificate.awarded',
      timestamp: '2026-11-20T14:03:12Z',
      data: {
        actor: { id: null, role: 'system' },
        learner: { id: 'c1a7e5d2-4b8f-4f0e-9a51-3d2b7e6f9a10' },
        certificate: { id: 'cert-1', title: 'Data Protection Certified', awarded_at: '2026-11-20T14:03:12Z', expires_at: null },
      },
    };
    const { event } = mapOne(signed(body));
    expect(event.type).toBe('certificate.awarded');
    if (event.type !== 'certificate.awarded') return;
    expect(event.data.certificate).toEqual(body.data.certificate);
    expect(event.course).toBeNull();
  });

  it('reads data squashed into the top level of the body', () => {
    const { type, timestamp, data } = completed;
    const { event } = mapOne(signed({ type, timestamp, ...data }));
    expect(event.type).toBe('enrollment.completed');
    expect(event.learner?.email).toBe('maya.chen@acme-training.example');
  });

  it('makes a catalog type whose parts do not fit lms.event, with the reason and the payload', () => {
    const body = { ...completed, data: { ...completed.data, enrollment: { status: 'completed', progress: 140 } } };
    const { event } = mapOne(signed(body));
    expect(event.type).toBe('lms.event');
    expect(event.raw).toEqual({ mapped_as: 'enrollment.completed', reason: expect.stringContaining('data.enrollment.progress'), payload: body });
  });

  it('makes a catalog type missing a part it requires lms.event', () => {
    const { learner: _learner, ...withoutLearner } = completed.data;
    const { event } = mapOne(signed({ ...completed, data: withoutLearner }));
    expect(event.type).toBe('lms.event');
    expect(event.raw).toMatchObject({ mapped_as: 'enrollment.completed', reason: expect.stringContaining('learner') });
  });

  it('maps a type outside the catalog to lms.event with the body as raw', () => {
    const body = { type: 'badge.unlocked', timestamp: '2026-11-20T14:03:11Z', data: { learner: { id: 'u-1' }, badge: { id: 'b-7', name: 'Early Bird' } } };
    const { event } = mapOne(signed(body));
    expect(event.type).toBe('lms.event');
    expect(event.source.event).toBe('badge.unlocked');
    expect(event.learner?.id).toBe('u-1');
    expect(event.raw).toEqual(body);
  });

  it('rejects a body without a type with a 400 naming the path', () => {
    const error = payloadError(() => standardAdapter.parse(signed({ timestamp: '2026-11-20T14:03:11Z', data: {} })));
    expect(error.status).toBe(400);
    expect(error.issues.map((issue) => issue.path)).toEqual(['type']);
  });

  it('rejects data that is not an object, naming the path', () => {
    expect(payloadError(() => standardAdapter.parse(signed({ type: 'user.created', data: ['u-1'] }))).issues.map((issue) => issue.path)).toEqual(['data']);
  });

  it("leaves the webhook route's answer to the hub's default 202", () => {
    const request = signed(completed);
    expect(standardAdapter.acknowledge?.(standardAdapter.parse(request), request)).toBeNull();
  });
});

describe('standardAdapter xAPI route', () => {
  const LRS_AUTH = `Basic ${Buffer.from('acme-lrs:Vd3k9QzW2mTx7bNp').toString('base64')}`;
  const VERSION = { 'X-Experience-API-Version': '1.0.3' };
  const statement = (id: string, verb: string, extra: Record<string, unknown> = {}) => ({
    id,
    actor: { mbox: 'mailto:maya.chen@acme-training.example', name: 'Maya Chen' },
    verb: { id: verb },
    object: { id: 'https://lms.acme-training.example/activities/compliance-101/quiz-3', definition: { name: { 'en-US': 'Quiz 3' } } },
    timestamp: '2026-11-20T14:03:11Z',
    ...extra,
  });
  const xapi = (body: unknown, headers: Record<string, string> = { ...VERSION, Authorization: LRS_AUTH }) =>
    ingestRequest({ route: 'xapi-statements', body, headers, receivedAt });

  it('answers a single statement with its id and the version header', () => {
    const request = xapi(statement('0f6a3f8e-7c1b-4d2a-9e5f-1a2b3c4d5e6f', 'http://adlnet.gov/expapi/verbs/answered'));
    standardAdapter.verify(request, inbound);
    expect(standardAdapter.acknowledge?.(standardAdapter.parse(request), request)).toEqual({
      status: 200,
      contentType: 'application/json',
      body: '["0f6a3f8e-7c1b-4d2a-9e5f-1a2b3c4d5e6f"]',
      headers: { 'X-Experience-API-Version': '1.0.3' },
    });
  });

  it('answers an array with the ids in request order, assigning ids to statements without', () => {
    const request = xapi([
      statement('2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e', 'http://id.tincanapi.com/verb/viewed'),
      { ...statement('', 'http://id.tincanapi.com/verb/viewed'), id: undefined },
      statement('0f6a3f8e-7c1b-4d2a-9e5f-1a2b3c4d5e6f', 'http://id.tincanapi.com/verb/viewed'),
    ]);
    const ids: unknown = JSON.parse(standardAdapter.acknowledge?.(standardAdapter.parse(request), request)?.body ?? 'null');
    expect(ids).toEqual(['2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e', expect.stringMatching(/^[0-9a-f-]{36}$/), '0f6a3f8e-7c1b-4d2a-9e5f-1a2b3c4d5e6f']);
  });

  it('rejects a request without X-Experience-API-Version with a 400', () => {
    const request = xapi(statement('0f6a3f8e-7c1b-4d2a-9e5f-1a2b3c4d5e6f', 'http://id.tincanapi.com/verb/viewed'), { Authorization: LRS_AUTH });
    expect(payloadError(() => standardAdapter.parse(request)).status).toBe(400);
  });

  it('rejects a batch with one id twice with a 400', () => {
    const id = '0f6a3f8e-7c1b-4d2a-9e5f-1a2b3c4d5e6f';
    const request = xapi([statement(id, 'http://id.tincanapi.com/verb/viewed'), statement(id, 'http://id.tincanapi.com/verb/viewed')]);
    expect(payloadError(() => standardAdapter.parse(request)).issues.map((issue) => issue.path)).toEqual(['1.id']);
  });

  it('rejects wrong or missing Basic credentials with a 401', () => {
    const wrong = xapi([], { ...VERSION, Authorization: `Basic ${Buffer.from('acme-lrs:nope').toString('base64')}` });
    expect(() => standardAdapter.verify(wrong, inbound)).toThrow(AuthenticationError);
    expect(() => standardAdapter.verify(xapi([], VERSION), inbound)).toThrow(AuthenticationError);
  });

  it('refuses statements on a connection without LRS credentials', () => {
    expect(() => standardAdapter.verify(xapi([]), { secret: SECRET })).toThrow(/no xAPI credentials/);
  });

  it('does not take a Standard Webhooks signature as LRS credentials', () => {
    const request = { ...signed(completed), route: 'xapi-statements' as const };
    expect(() => standardAdapter.verify(request, inbound)).toThrow(AuthenticationError);
  });

  it.each([
    ['http://adlnet.gov/expapi/verbs/completed', 'enrollment.completed'],
    ['http://adlnet.gov/expapi/verbs/attended', 'session.attended'],
    ['http://id.tincanapi.com/verb/viewed', 'activity.viewed'],
    ['http://activitystrea.ms/schema/1.0/like', 'activity.liked'],
    ['http://activitystrea.ms/schema/1.0/dislike', 'activity.disliked'],
    ['http://adlnet.gov/expapi/verbs/answered', 'question.answered'],
    ['http://id.tincanapi.com/verb/skipped', 'question.skipped'],
    ['http://id.tincanapi.com/verb/searched', 'search.performed'],
    ['https://w3id.org/xapi/adl/verbs/satisfied', 'lms.event'],
  ])('maps the verb %s to %s as a standard event', (verb, type) => {
    const request = xapi(
      statement('5e4d3c2b-1a09-4f8e-9d7c-6b5a4f3e2d1c', verb, { result: { response: 'data retention', success: true, score: { scaled: 0.75 } } }),
    );
    const { event, dedupeKey } = mapOne(request);
    expect(event.type).toBe(type);
    expect(event.source).toEqual({ vendor: 'standard', connection: 'acme', event: verb, event_id: '5e4d3c2b-1a09-4f8e-9d7c-6b5a4f3e2d1c' });
    expect(event.learner).toMatchObject({ id: 'maya.chen@acme-training.example', email: 'maya.chen@acme-training.example', name: 'Maya Chen' });
    expect(dedupeKey).toBe('5e4d3c2b-1a09-4f8e-9d7c-6b5a4f3e2d1c');
  });

  it('fills the fields each verb carries', () => {
    const id = '5e4d3c2b-1a09-4f8e-9d7c-6b5a4f3e2d1c';
    const result = { response: 'data retention', success: true, score: { scaled: 0.75 } };
    const done = mapOne(xapi(statement(id, 'http://adlnet.gov/expapi/verbs/completed', { result }))).event;
    expect(done.course).toMatchObject({ title: 'Quiz 3', kind: 'lesson' });
    expect(done.enrollment).toMatchObject({ status: 'completed', score: 75, passed: true });
    const search = mapOne(xapi(statement(id, 'http://id.tincanapi.com/verb/searched', { result }))).event;
    expect(search.data).toMatchObject({ query: 'data retention' });
    const answer = mapOne(xapi(statement(id, 'http://adlnet.gov/expapi/verbs/answered', { result }))).event;
    expect(answer.data).toMatchObject({
      statement: { verb: 'http://adlnet.gov/expapi/verbs/answered', result: { response: 'data retention', success: true, score_scaled: 0.75 } },
    });
    const attended = mapOne(xapi(statement(id, 'http://adlnet.gov/expapi/verbs/attended'))).event;
    expect(attended.data).toEqual({ session: { id: 'https://lms.acme-training.example/activities/compliance-101/quiz-3', title: 'Quiz 3', starts_at: null } });
  });
});
