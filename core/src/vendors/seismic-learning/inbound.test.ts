/**
 * Samples built from:
 * - Lessonly, "Reporting Webhook Documentation", https://www.lessonly.com/documentation/reporting-webhook-documentation/
 *   (fields user{ext_uid, id, name, email, custom_fields}, lesson{id, title, retake_score}, score (deprecated),
 *   score_percent, started_at, completed_at, assigned_at, report_card_url; optional static Authorization header).
 * - Seismic Learning help center, "Reporting Webhook", https://intercom.help/lessonly/en/articles/3828587-reporting-webhook
 * - User webhooks: no public envelope; the shape documented in seismic-learning.ts.
 * - xAPI 1.0.3 (github.com/adlnet/xAPI-Spec): xAPI-Communication.md §2.1.2 "POST Statements", §3.3 "Versioning";
 *   xAPI-Data.md §2.4 "Statement Properties".
 */
import { describe, expect, it } from 'vitest';
import { AuthenticationError, PayloadError } from '../../errors.ts';
import { thrownBy } from '../../testing/errors.ts';
import { ingestRequest } from '../../testing/ingest-request.ts';
import type { IngestRequest } from '../adapter.ts';
import { type SeismicLearningEvent, SeismicLearningInbound, seismicLearningAdapter } from './inbound.ts';

const context = { connection: 'acme', receivedAt: new Date('2026-11-20T14:03:11.482Z') };
const inbound: SeismicLearningInbound = {
  authorization: 'Token lh-7c1e2f9a4b',
  xapi: { username: 'lessonly-acme', password: 'q7T2v9LmX4pR8sWz' },
};
const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
const LRS_AUTH = basic('lessonly-acme', 'q7T2v9LmX4pR8sWz');

const lessonCompleted = {
  user: {
    ext_uid: 'E-20931',
    id: '4821',
    name: 'Maya Chen',
    email: 'maya.chen@acme-training.example',
    custom_fields: { Region: 'EMEA', 'Hire Cohort': '2026-Q3' },
  },
  lesson: { id: '91734', title: 'Handling Objections', retake_score: 80 },
  score: 0.92,
  score_percent: 92.0,
  started_at: '2026-11-20T13:41:02Z',
  completed_at: '2026-11-20T14:03:11Z',
  assigned_at: '2026-11-02T09:15:00Z',
  report_card_url: 'https://acme.lessonly.com/lessons/91734/report_card/4821',
};

function webhook(body: unknown, headers: Record<string, string> = { Authorization: 'Token lh-7c1e2f9a4b' }): IngestRequest {
  return ingestRequest({ body, headers });
}

function mapAll(request: IngestRequest) {
  seismicLearningAdapter.verify(request, inbound);
  return seismicLearningAdapter.parse(request).flatMap((event) => seismicLearningAdapter.toCatalog(event, context));
}

function mapOne(request: IngestRequest) {
  const [mapped, ...rest] = mapAll(request);
  if (!mapped || rest.length > 0) throw new Error('expected exactly one event');
  return mapped;
}

const payloadError = (run: () => unknown) => thrownBy(PayloadError, run);

describe('seismicLearningAdapter.inboundSchema', () => {
  it('accepts an Authorization value, LRS credentials, both or neither', () => {
    expect(SeismicLearningInbound.parse(inbound)).toEqual(inbound);
    expect(SeismicLearningInbound.parse({})).toEqual({});
    expect(SeismicLearningInbound.safeParse({ xapi: { username: 'lessonly-acme' } }).success).toBe(false);
  });
});

describe('seismicLearningAdapter.verify on the webhook route', () => {
  it('accepts the Authorization value typed into Lessonly', () => {
    expect(() => seismicLearningAdapter.verify(webhook(lessonCompleted), inbound)).not.toThrow();
  });

  it('rejects a wrong Authorization value with a 401 that does not echo the secret', () => {
    const run = () => seismicLearningAdapter.verify(webhook(lessonCompleted, { Authorization: 'Token lh-0000000000' }), inbound);
    expect(run).toThrow(AuthenticationError);
    expect(run).toThrow(expect.objectContaining({ status: 401, message: expect.not.stringContaining('lh-7c1e2f9a4b') }));
  });

  it('rejects a request without the Authorization header', () => {
    expect(() => seismicLearningAdapter.verify(webhook(lessonCompleted, {}), inbound)).toThrow(/Authorization header is missing/);
  });

  it('matches a value configured with stray whitespace, which HTTP strips in transit', () => {
    expect(() => seismicLearningAdapter.verify(webhook(lessonCompleted), { authorization: ' Token lh-7c1e2f9a4b ' })).not.toThrow();
  });

  it('accepts any request when no Authorization value is configured (the ingest URL token protects it)', () => {
    expect(() => seismicLearningAdapter.verify(webhook(lessonCompleted, {}), {})).not.toThrow();
  });
});

describe('seismicLearningAdapter.verify on the xAPI route', () => {
  const request = (headers: Record<string, string>) =>
    ingestRequest({ route: 'xapi-statements', headers: { 'X-Experience-API-Version': '1.0.3', ...headers }, body: [] });

  it('accepts the configured Basic credentials', () => {
    expect(() => seismicLearningAdapter.verify(request({ Authorization: LRS_AUTH }), inbound)).not.toThrow();
  });

  it.each([
    ['a wrong password', { Authorization: basic('lessonly-acme', 'wrong') }],
    ['a wrong user', { Authorization: basic('someone-else', 'q7T2v9LmX4pR8sWz') }],
    ['no Authorization header', {}],
    ['the webhook Authorization value', { Authorization: 'Token lh-7c1e2f9a4b' }],
  ])('rejects %s with a 401', (_name, headers) => {
    expect(() => seismicLearningAdapter.verify(request(headers), inbound)).toThrow(AuthenticationError);
  });

  it('rejects every request when the connection has no LRS credentials', () => {
    expect(() => seismicLearningAdapter.verify(request({ Authorization: LRS_AUTH }), { authorization: 'x' })).toThrow(/no xAPI credentials/);
  });
});

describe('the lesson-completed reporting webhook', () => {
  it('maps to enrollment.completed on a lesson, with learner, score and dates', () => {
    const { event, dedupeKey, hydration } = mapOne(webhook(lessonCompleted));
    expect(event.type).toBe('enrollment.completed');
    expect(event.source).toEqual({ vendor: 'seismic-learning', connection: 'acme', event: 'lesson-completed', event_id: null });
    expect(event.actor).toEqual({ id: '4821', role: 'learner' });
    expect(event.learner).toMatchObject({ id: '4821', email: 'maya.chen@acme-training.example', name: 'Maya Chen' });
    expect(event.course).toEqual({ id: '91734', title: 'Handling Objections', kind: 'lesson', url: null });
    expect(event.enrollment).toEqual({
      id: null,
      status: 'completed',
      progress: 100,
      score: 92,
      passed: true,
      enrolled_at: '2026-11-02T09:15:00.000Z',
      completed_at: '2026-11-20T14:03:11.000Z',
    });
    expect(event.occurred_at).toBe('2026-11-20T14:03:11.000Z');
    expect(event.raw).toEqual(lessonCompleted);
    expect(dedupeKey).toBe('lesson-completed:4821:91734:2026-11-20T14:03:11.000Z');
    expect(hydration).toEqual({});
  });

  it('gives a retry the same dedupe key even when the JSON is serialised differently', () => {
    const reordered = JSON.stringify({ ...lessonCompleted, lesson: lessonCompleted.lesson, user: lessonCompleted.user }, null, 2);
    expect(mapOne(webhook(reordered)).dedupeKey).toBe(mapOne(webhook(lessonCompleted)).dedupeKey);
  });

  it('marks the lesson failed when the score is below the retake score', () => {
    const { event } = mapOne(webhook({ ...lessonCompleted, score: 0.6, score_percent: 60 }));
    expect(event.enrollment).toMatchObject({ score: 60, passed: false });
  });

  it('reads the deprecated 0–1 score as a percentage when score_percent is absent', () => {
    const { score_percent: _percent, ...older } = lessonCompleted;
    expect(mapOne(webhook({ ...older, score: 0.85 })).event.enrollment).toMatchObject({ score: 85, passed: true });
  });

  it('accepts numeric ids and asks for the user and lesson when the body lacks their details', () => {
    const lean = { ...lessonCompleted, user: { id: 4821, name: 'Maya Chen', email: '' }, lesson: { id: 91734 } };
    const { event, hydration } = mapOne(webhook(lean));
    expect(event.learner).toMatchObject({ id: '4821', email: null });
    expect(event.course).toMatchObject({ id: '91734', title: null, kind: 'lesson' });
    expect(event.raw).toEqual(lean);
    expect(event.enrollment?.passed).toBeNull();
    expect(hydration).toEqual({ user: '4821', course: { id: '91734', kind: 'lesson' } });
    expect(event.hydration.status).toBe('pending');
  });

  it.each([
    ['without a lesson id', { ...lessonCompleted, lesson: { title: 'Handling Objections' } }, 'lesson.id'],
    ['without a user', { ...lessonCompleted, user: undefined }, 'user'],
    ['with a score that is not a number', { ...lessonCompleted, score_percent: '92%' }, 'score_percent'],
  ])('rejects a body %s with a 400 naming the path', (_name, body, path) => {
    const error = payloadError(() => seismicLearningAdapter.parse(webhook(body)));
    expect(error.status).toBe(400);
    expect(error.issues.map((issue) => issue.path)).toContain(path);
  });

  it('rejects a body that is not a JSON object', () => {
    expect(payloadError(() => seismicLearningAdapter.parse(webhook([lessonCompleted]))).status).toBe(400);
    expect(payloadError(() => seismicLearningAdapter.parse(webhook('user=4821'))).status).toBe(400);
  });

  it("leaves the webhook route's answer to the hub's default 202", () => {
    const request = webhook(lessonCompleted);
    expect(seismicLearningAdapter.acknowledge?.(seismicLearningAdapter.parse(request), request)).toBeNull();
  });
});

describe('user webhooks', () => {
  const user = {
    id: 4821,
    email: 'maya.chen@acme-training.example',
    name: 'Maya Chen',
    first_name: 'Maya',
    last_name: 'Chen',
    ext_uid: 'E-20931',
    department: 'Customer Success',
    role: 'learner',
  };

  it.each([
    ['user-created', 'user.created', 'admin'],
    ['user-updated', 'user.updated', null],
    ['user-archived', 'user.deactivated', 'admin'],
    ['user-restored', 'user.reactivated', 'admin'],
  ] as const)('maps %s to %s', (name, type, role) => {
    const body = { event: name, id: 'whk_5b2e8c4a', occurred_at: '2026-11-20T14:03:11Z', user };
    const { event, dedupeKey, hydration } = mapOne(webhook(body));
    expect(event.type).toBe(type);
    expect(event.source).toMatchObject({ event: name, event_id: 'whk_5b2e8c4a' });
    expect(event.actor).toEqual(role ? { id: null, role } : null);
    expect(event.learner).toEqual({
      id: '4821',
      email: 'maya.chen@acme-training.example',
      username: null,
      first_name: 'Maya',
      last_name: 'Chen',
      name: 'Maya Chen',
      department: 'Customer Success',
    });
    expect(event.occurred_at).toBe('2026-11-20T14:03:11.000Z');
    expect(event.raw).toEqual(body);
    expect(dedupeKey).toBe(`${name}:whk_5b2e8c4a`);
    expect(hydration).toEqual({});
  });

  it.each(['user.created', 'user_created', 'User Created', 'USER-CREATED'])('reads the event name %s as user-created', (name) => {
    const { event } = mapOne(webhook({ type: name, user }));
    expect(event.type).toBe('user.created');
    expect(event.source.event).toBe(name);
  });

  it('asks for the user profile when the body names only the user id', () => {
    const { event, hydration } = mapOne(webhook({ event: 'user-archived', timestamp: 1795183391, user: { id: '4821' } }));
    expect(event.learner).toMatchObject({ id: '4821', email: null });
    expect(hydration).toEqual({ user: '4821' });
    expect(event.occurred_at).toBe('2026-11-20T14:03:11.000Z');
  });

  it('dedupes an event without an id on the user and time, else on the body', () => {
    expect(mapOne(webhook({ event: 'user-updated', occurred_at: '2026-11-20T14:03:11Z', user })).dedupeKey).toBe('user-updated:4821:2026-11-20T14:03:11.000Z');
    expect(mapOne(webhook({ event: 'user-updated', user })).dedupeKey).toMatch(/^user-updated:body:/);
  });

  it('rejects a user event without its user, naming the path', () => {
    const error = payloadError(() => seismicLearningAdapter.parse(webhook({ event: 'user-created', id: 'whk_1' })));
    expect(error.issues.map((issue) => issue.path)).toEqual(['user']);
  });

  it('rejects a user event whose user has no id', () => {
    const error = payloadError(() => seismicLearningAdapter.parse(webhook({ event: 'user-created', user: { email: 'maya.chen@acme-training.example' } })));
    expect(error.issues.map((issue) => issue.path)).toEqual(['user.id']);
  });

  it('maps an unknown event name to lms.event, keeping the raw body and any user it names', () => {
    const body = { event: 'group-membership-changed', id: 77, user: { id: 4821 }, group: { id: 12, name: 'New Hires' } };
    const { event, dedupeKey } = mapOne(webhook(body));
    expect(event.type).toBe('lms.event');
    expect(event.source).toMatchObject({ event: 'group-membership-changed', event_id: '77' });
    expect(event.learner?.id).toBe('4821');
    expect(event.raw).toEqual(body);
    expect(dedupeKey).toBe('group-membership-changed:77');
  });

  it('maps an unknown event without a usable user to lms.event with no learner', () => {
    const { event } = mapOne(webhook({ event: 'company-settings-updated', user: 'system' }));
    expect(event.type).toBe('lms.event');
    expect(event.learner).toBeNull();
  });
});

describe('the xAPI route', () => {
  const VERSION = { 'X-Experience-API-Version': '1.0.3' };
  const actor = { objectType: 'Agent', name: 'Maya Chen', account: { homePage: 'https://acme.lessonly.com', name: '4821' } };
  const object = {
    objectType: 'Activity',
    id: 'https://acme.lessonly.com/lessons/91734-handling-objections',
    definition: { name: { 'en-US': 'Handling Objections' }, type: 'http://adlnet.gov/expapi/activities/lesson' },
  };
  const statement = (id: string, verb: string, extra: Record<string, unknown> = {}) => ({
    id,
    actor,
    verb: { id: verb, display: { 'en-US': verb.split('/').pop() ?? verb } },
    object,
    timestamp: '2026-11-20T14:03:11Z',
    ...extra,
  });
  const xapi = (body: unknown, headers: Record<string, string> = { ...VERSION, Authorization: LRS_AUTH }) =>
    ingestRequest({ route: 'xapi-statements', body, headers });

  function acknowledged(request: IngestRequest) {
    seismicLearningAdapter.verify(request, inbound);
    const events: SeismicLearningEvent[] = seismicLearningAdapter.parse(request);
    return seismicLearningAdapter.acknowledge?.(events, request);
  }

  it('answers a single statement with its id', () => {
    const reply = acknowledged(xapi(statement('0f6a3f8e-7c1b-4d2a-9e5f-1a2b3c4d5e6f', 'http://adlnet.gov/expapi/verbs/completed')));
    expect(reply).toEqual({
      status: 200,
      contentType: 'application/json',
      body: '["0f6a3f8e-7c1b-4d2a-9e5f-1a2b3c4d5e6f"]',
      headers: { 'X-Experience-API-Version': '1.0.3' },
    });
  });

  it('answers an array with the ids in request order', () => {
    const ids = ['2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e', '0f6a3f8e-7c1b-4d2a-9e5f-1a2b3c4d5e6f', '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d'];
    const reply = acknowledged(xapi(ids.map((id) => statement(id, 'http://id.tincanapi.com/verb/viewed'))));
    expect(JSON.parse(reply?.body ?? 'null')).toEqual(ids);
  });

  it('rejects a request without X-Experience-API-Version with a 400', () => {
    const request = xapi(statement('0f6a3f8e-7c1b-4d2a-9e5f-1a2b3c4d5e6f', 'http://id.tincanapi.com/verb/viewed'), { Authorization: LRS_AUTH });
    expect(payloadError(() => seismicLearningAdapter.parse(request)).message).toMatch(/X-Experience-API-Version/);
  });

  it('rejects a batch with one id twice with a 400', () => {
    const id = '0f6a3f8e-7c1b-4d2a-9e5f-1a2b3c4d5e6f';
    const request = xapi([statement(id, 'http://id.tincanapi.com/verb/viewed'), statement(id, 'http://activitystrea.ms/schema/1.0/like')]);
    expect(payloadError(() => seismicLearningAdapter.parse(request)).issues).toEqual([{ path: '1.id', message: expect.any(String) }]);
  });

  it('rejects wrong Basic credentials with a 401', () => {
    const request = xapi([], { ...VERSION, Authorization: basic('lessonly-acme', 'guess') });
    expect(() => seismicLearningAdapter.verify(request, inbound)).toThrow(expect.objectContaining({ status: 401 }));
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
    ['http://adlnet.gov/expapi/verbs/experienced', 'lms.event'],
  ])('maps the verb %s to %s as a Seismic Learning event', (verb, type) => {
    const { event, dedupeKey } = mapOne(
      xapi(statement('5e4d3c2b-1a09-4f8e-9d7c-6b5a4f3e2d1c', verb, { result: { response: 'pricing objections', success: true } })),
    );
    expect(event.type).toBe(type);
    expect(event.source).toEqual({ vendor: 'seismic-learning', connection: 'acme', event: verb, event_id: '5e4d3c2b-1a09-4f8e-9d7c-6b5a4f3e2d1c' });
    expect(event.learner).toMatchObject({ id: '4821', name: 'Maya Chen' });
    expect(event.occurred_at).toBe('2026-11-20T14:03:11.000Z');
    expect(dedupeKey).toBe('5e4d3c2b-1a09-4f8e-9d7c-6b5a4f3e2d1c');
  });

  it('fills the lesson completion from the statement', () => {
    const { event } = mapOne(
      xapi(
        statement('5e4d3c2b-1a09-4f8e-9d7c-6b5a4f3e2d1c', 'http://adlnet.gov/expapi/verbs/completed', { result: { score: { scaled: 0.8 }, success: true } }),
      ),
    );
    expect(event.course).toMatchObject({ id: object.id, title: 'Handling Objections', kind: 'lesson' });
    expect(event.enrollment).toMatchObject({ status: 'completed', score: 80, passed: true });
  });
});
