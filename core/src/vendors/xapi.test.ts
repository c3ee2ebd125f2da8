/**
 * Samples are built from the xAPI 1.0.3 specification (ADL, github.com/adlnet/xAPI-Spec):
 * - xAPI-Data.md §2.4 "Statement Properties" (id, actor, verb, object, result, timestamp, stored),
 *   §2.4.2 "Actor" (Agent, Group, inverse functional identifiers, Account Object), §2.4.5.1 "Score".
 * - xAPI-Communication.md §2.1.1 "PUT Statements", §2.1.2 "POST Statements" (ids in order, duplicate
 *   ids in a batch -> 400), §3.3 "Versioning" (X-Experience-API-Version; "1.0" means 1.0.0).
 * Verb IRIs: ADL vocabulary (adlnet.gov/expapi/verbs), the Tin Can registry (id.tincanapi.com/verb),
 * Activity Streams (activitystrea.ms/schema/1.0).
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AuthenticationError, PayloadError, UnsupportedMediaTypeError } from '../errors.ts';
import { thrownBy } from '../testing/errors.ts';
import { ingestRequest } from '../testing/ingest-request.ts';
import type { VendorAdapter } from './adapter.ts';
import { acknowledgeStatements, parseStatements, statementToCatalog, withXapiRoute, XAPI_VERSION, type ReceivedStatement } from './xapi.ts';

const VERSION = { 'X-Experience-API-Version': '1.0.3' };
const context = { connection: 'acme', receivedAt: new Date('2026-11-20T14:03:11.482Z') };

const lesson = {
  objectType: 'Activity',
  id: 'https://acme.lessonly.com/lessons/4821-handling-objections',
  definition: { name: { 'en-US': 'Handling Objections' }, type: 'http://adlnet.gov/expapi/activities/lesson' },
};

function statement(verb: string, extra: Record<string, unknown> = {}) {
  return {
    id: '9c7b5a3e-1f2d-4c6b-8a9e-0d1f2e3c4b5a',
    actor: { objectType: 'Agent', name: 'Maya Chen', mbox: 'mailto:maya.chen@acme-training.example' },
    verb: { id: verb, display: { 'en-US': verb.split('/').pop() ?? verb } },
    object: lesson,
    timestamp: '2026-11-20T14:03:11.000Z',
    ...extra,
  };
}

function post(body: unknown, headers: Record<string, string> = VERSION) {
  return ingestRequest({ route: 'xapi-statements', body, headers });
}

const payloadError = (run: () => unknown) => thrownBy(PayloadError, run);

function mapOne(body: unknown) {
  const [received] = parseStatements(post(body));
  if (!received) throw new Error('no statement parsed');
  return statementToCatalog(received, 'standard', context);
}

describe('parseStatements', () => {
  it('reads a single statement and answers its id', () => {
    const statements = parseStatements(post(statement('http://adlnet.gov/expapi/verbs/completed')));
    expect(statements.map((s) => s.id)).toEqual(['9c7b5a3e-1f2d-4c6b-8a9e-0d1f2e3c4b5a']);
    expect(statements[0]?.assigned).toBe(false);
  });

  it('reads an array and keeps the request order', () => {
    const ids = ['0f6a3f8e-7c1b-4d2a-9e5f-1a2b3c4d5e6f', '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e'];
    const body = ids.map((id) => statement('http://id.tincanapi.com/verb/viewed', { id }));
    expect(parseStatements(post(body)).map((s) => s.id)).toEqual(ids);
  });

  it('accepts an empty batch and answers an empty list', () => {
    expect(parseStatements(post([]))).toEqual([]);
  });

  it.each(['1.0', '1.0.0', '1.0.1', '1.0.3'])('accepts X-Experience-API-Version %s', (version) => {
    const request = post(statement('http://adlnet.gov/expapi/verbs/answered'), { 'X-Experience-API-Version': version });
    expect(parseStatements(request)).toHaveLength(1);
  });

  it('rejects a request without X-Experience-API-Version with a 400 that says which header to send', () => {
    const error = payloadError(() => parseStatements(post(statement('http://adlnet.gov/expapi/verbs/answered'), {})));
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/X-Experience-API-Version header is missing/);
    expect(error.message).toContain('1.0.3');
  });

  it.each(['0.95', '1.1.0', '2.0.0', 'latest'])('rejects X-Experience-API-Version %s with a 400', (version) => {
    const error = payloadError(() =>
      parseStatements(post(statement('http://adlnet.gov/expapi/verbs/answered'), { 'X-Experience-API-Version': version })),
    );
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/not supported; this LRS accepts 1\.0\.x/);
  });

  it('rejects a batch that names one id twice, pointing at the repeat', () => {
    const body = [
      statement('http://id.tincanapi.com/verb/viewed'),
      statement('http://activitystrea.ms/schema/1.0/like', { id: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d' }),
      statement('http://id.tincanapi.com/verb/viewed', { id: '9C7B5A3E-1F2D-4C6B-8A9E-0D1F2E3C4B5A' }),
    ];
    const error = payloadError(() => parseStatements(post(body)));
    expect(error.status).toBe(400);
    expect(error.issues).toEqual([{ path: '2.id', message: expect.stringContaining('statement 0') }]);
  });

  it('names the failing path of a malformed statement in a batch', () => {
    const body = [statement('http://id.tincanapi.com/verb/viewed'), statement('viewed', { id: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d' })];
    const error = payloadError(() => parseStatements(post(body)));
    expect(error.status).toBe(400);
    expect(error.issues.map((issue) => issue.path)).toEqual(['1.verb.id']);
    expect(error.message).toContain('1.verb.id');
  });

  it.each([
    ['an actor without an identifier', { actor: { name: 'Maya Chen' } }, 'actor'],
    ['an actor with two identifiers', { actor: { mbox: 'mailto:maya@acme.example', account: { homePage: 'https://acme.lessonly.com', name: '42' } } }, 'actor'],
    ['an mbox that is not a mailto IRI', { actor: { mbox: 'maya@acme.example' } }, 'actor.mbox'],
    ['an account without a name', { actor: { account: { homePage: 'https://acme.lessonly.com' } } }, 'actor.account.name'],
    ['a missing verb', { verb: undefined }, 'verb'],
    ['an activity without an id', { object: { definition: { name: { 'en-US': 'Handling Objections' } } } }, 'object.id'],
    ['a statement id that is not a UUID', { id: 'statement-1' }, 'id'],
    ['a scaled score above 1', { result: { score: { scaled: 1.5 } } }, 'result.score.scaled'],
    ['an unreadable timestamp', { timestamp: 'yesterday' }, 'timestamp'],
  ])('rejects %s naming the path', (_name, change, path) => {
    const error = payloadError(() => parseStatements(post(statement('http://adlnet.gov/expapi/verbs/answered', change))));
    expect(error.status).toBe(400);
    expect(error.issues.map((issue) => issue.path)).toContain(path);
  });

  it('accepts an anonymous group actor, which lists members instead of an identifier', () => {
    const group = { objectType: 'Group', name: 'Team Ada', member: [{ mbox: 'mailto:maya.chen@acme-training.example' }] };
    expect(parseStatements(post(statement('http://adlnet.gov/expapi/verbs/attended', { actor: group })))).toHaveLength(1);
  });

  it('rejects a body that is not JSON', () => {
    expect(payloadError(() => parseStatements(post('{"actor":'))).status).toBe(400);
  });

  it('refuses statements with attachments (multipart/mixed) as an unsupported media type', () => {
    const request = post('--boundary\r\n', { ...VERSION, 'Content-Type': 'multipart/mixed; boundary=boundary' });
    expect(() => parseStatements(request)).toThrow(UnsupportedMediaTypeError);
  });

  describe('statements without an id', () => {
    const idless = [
      { ...statement('http://id.tincanapi.com/verb/viewed'), id: undefined },
      { ...statement('http://id.tincanapi.com/verb/viewed'), id: undefined },
    ];

    it('get a UUID derived from the body and their position, the same on every resend', () => {
      const first = parseStatements(post(idless));
      const resent = parseStatements(post(idless));
      expect(first.map((s) => s.id)).toEqual(resent.map((s) => s.id));
      expect(first[0]?.id).not.toBe(first[1]?.id);
      expect(first[0]?.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(first.every((s) => s.assigned)).toBe(true);
    });

    it('get other ids when the body differs', () => {
      const other = parseStatements(post([idless[0], { ...idless[1], timestamp: '2026-11-20T14:03:12Z' }]));
      expect(other[0]?.id).not.toBe(parseStatements(post(idless))[0]?.id);
    });

    it('keep the statement as received in raw, without the assigned id', () => {
      const mapped = mapOne({ ...statement('http://id.tincanapi.com/verb/viewed'), id: undefined });
      expect(mapped.event.raw).not.toHaveProperty('id');
      expect(mapped.event.source.event_id).toBe(mapped.dedupeKey);
    });
  });

  describe('PUT ?statementId=', () => {
    const id = '5e4d3c2b-1a09-4f8e-9d7c-6b5a4f3e2d1c';

    it('stores the statement under the statementId parameter and answers 204', () => {
      const request = ingestRequest({ method: 'PUT', route: 'xapi-statements', query: { statementId: id }, headers: VERSION, body: { ...statement('http://adlnet.gov/expapi/verbs/answered'), id: undefined } });
      const statements = parseStatements(request);
      expect(statements.map((s) => s.id)).toEqual([id]);
      expect(acknowledgeStatements(statements, { method: 'PUT' })).toMatchObject({ status: 204, body: '', headers: { 'X-Experience-API-Version': XAPI_VERSION } });
    });

    it('rejects a statement whose id differs from statementId', () => {
      const request = ingestRequest({ method: 'PUT', route: 'xapi-statements', query: { statementId: id }, headers: VERSION, body: statement('http://adlnet.gov/expapi/verbs/answered') });
      expect(payloadError(() => parseStatements(request)).issues).toEqual([{ path: 'id', message: expect.stringContaining(id) }]);
    });

    it('rejects a PUT without statementId', () => {
      const request = ingestRequest({ method: 'PUT', route: 'xapi-statements', headers: VERSION, body: statement('http://adlnet.gov/expapi/verbs/answered') });
      expect(payloadError(() => parseStatements(request)).issues).toEqual([{ path: 'statementId', message: 'required' }]);
    });
  });
});

describe('acknowledgeStatements', () => {
  it('answers 200 with the ids in request order and the xAPI version header', () => {
    const statements: ReceivedStatement[] = parseStatements(
      post([statement('http://id.tincanapi.com/verb/viewed', { id: 'b0000000-0000-4000-8000-000000000002' }), statement('http://id.tincanapi.com/verb/viewed', { id: 'a0000000-0000-4000-8000-000000000001' })]),
    );
    const reply = acknowledgeStatements(statements);
    expect(reply).toEqual({
      status: 200,
      contentType: 'application/json',
      body: '["b0000000-0000-4000-8000-000000000002","a0000000-0000-4000-8000-000000000001"]',
      headers: { 'X-Experience-API-Version': '1.0.3' },
    });
  });
});

describe('statementToCatalog', () => {
  it('maps adlnet completed to enrollment.completed on a lesson with score and pass', () => {
    const { event, dedupeKey, hydration } = mapOne(
      statement('http://adlnet.gov/expapi/verbs/completed', { result: { score: { scaled: 0.92, raw: 46, min: 0, max: 50 }, success: true, completion: true } }),
    );
    expect(event.type).toBe('enrollment.completed');
    expect(event.course).toEqual({ id: lesson.id, title: 'Handling Objections', kind: 'lesson', url: null });
    expect(event.enrollment).toMatchObject({ status: 'completed', score: 92, passed: true, completed_at: '2026-11-20T14:03:11.000Z' });
    expect(event.learner).toMatchObject({ id: 'maya.chen@acme-training.example', email: 'maya.chen@acme-training.example', name: 'Maya Chen' });
    expect(event.actor).toEqual({ id: 'maya.chen@acme-training.example', role: 'learner' });
    expect(event.source).toEqual({ vendor: 'standard', connection: 'acme', event: 'http://adlnet.gov/expapi/verbs/completed', event_id: '9c7b5a3e-1f2d-4c6b-8a9e-0d1f2e3c4b5a' });
    expect(dedupeKey).toBe('9c7b5a3e-1f2d-4c6b-8a9e-0d1f2e3c4b5a');
    expect(hydration).toEqual({});
  });

  it('takes the raw score when there is no scaled one, and a course kind from a course activity type', () => {
    const course = { id: 'https://acme.lessonly.com/paths/17-onboarding', definition: { name: { 'en-GB': 'Onboarding' }, type: 'http://adlnet.gov/expapi/activities/course' } };
    const { event } = mapOne(statement('http://adlnet.gov/expapi/verbs/completed', { object: course, result: { score: { raw: 17 }, success: false } }));
    expect(event.course).toMatchObject({ kind: 'online_course', title: 'Onboarding' });
    expect(event.enrollment).toMatchObject({ score: 17, passed: false });
  });

  it('maps adlnet attended to session.attended with the activity as the session', () => {
    const session = { id: 'https://acme.lessonly.com/sessions/77-kickoff', definition: { name: { 'en-US': 'Q4 Sales Kickoff Live Session' }, type: 'http://adlnet.gov/expapi/activities/meeting' } };
    const { event } = mapOne(statement('http://adlnet.gov/expapi/verbs/attended', { object: session }));
    expect(event.type).toBe('session.attended');
    if (event.type !== 'session.attended') return;
    expect(event.data.session).toEqual({ id: session.id, title: 'Q4 Sales Kickoff Live Session', starts_at: null });
  });

  it.each([
    ['http://id.tincanapi.com/verb/viewed', 'activity.viewed'],
    ['http://activitystrea.ms/schema/1.0/like', 'activity.liked'],
    ['http://activitystrea.ms/schema/1.0/dislike', 'activity.disliked'],
    ['http://adlnet.gov/expapi/verbs/answered', 'question.answered'],
    ['http://id.tincanapi.com/verb/skipped', 'question.skipped'],
    ['http://adlnet.gov/expapi/verbs/skipped', 'question.skipped'],
  ])('maps %s to %s with the statement part', (verb, type) => {
    const result = { success: true, completion: true, response: 'Acknowledge, then ask an open question', score: { scaled: 1 }, duration: 'PT42S' };
    const { event } = mapOne(statement(verb, { result }));
    expect(event.type).toBe(type);
    expect(event.data).toEqual({
      statement: {
        statement_id: '9c7b5a3e-1f2d-4c6b-8a9e-0d1f2e3c4b5a',
        verb,
        activity: { id: lesson.id, name: 'Handling Objections', type: 'http://adlnet.gov/expapi/activities/lesson' },
        result: { success: true, completion: true, response: 'Acknowledge, then ask an open question', score_scaled: 1, duration: 'PT42S' },
      },
    });
    expect(event.learner?.email).toBe('maya.chen@acme-training.example');
  });

  it('gives a statement part with a null result when the statement has none', () => {
    const { event } = mapOne(statement('http://id.tincanapi.com/verb/viewed'));
    expect(event.data).toMatchObject({ statement: { result: null } });
  });

  it('maps tincanapi searched to search.performed with the query from the response', () => {
    const { event } = mapOne(statement('http://id.tincanapi.com/verb/searched', { object: { id: 'https://acme.lessonly.com/search' }, result: { response: 'pricing objections' } }));
    expect(event.type).toBe('search.performed');
    expect(event.data).toMatchObject({ query: 'pricing objections', statement: { verb: 'http://id.tincanapi.com/verb/searched' } });
  });

  it('takes the search query from the activity name when there is no response', () => {
    const searchActivity = { id: 'https://acme.lessonly.com/search?q=pricing', definition: { name: { en: 'pricing objections' } } };
    const { event } = mapOne(statement('http://id.tincanapi.com/verb/searched', { object: searchActivity }));
    expect(event.data).toMatchObject({ query: 'pricing objections' });
  });

  it('maps an unknown verb to lms.event with the statement as raw', () => {
    const body = statement('http://adlnet.gov/expapi/verbs/experienced');
    const { event } = mapOne(body);
    expect(event.type).toBe('lms.event');
    expect(event.source.event).toBe('http://adlnet.gov/expapi/verbs/experienced');
    expect(event.raw).toEqual(body);
    expect(event.learner?.id).toBe('maya.chen@acme-training.example');
  });

  it('maps a known verb whose object is not an activity to lms.event', () => {
    const { event } = mapOne(statement('http://activitystrea.ms/schema/1.0/like', { object: { objectType: 'StatementRef', id: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d' } }));
    expect(event.type).toBe('lms.event');
  });

  it('maps a statement about an anonymous group to lms.event, having no one learner', () => {
    const group = { objectType: 'Group', member: [{ mbox: 'mailto:maya.chen@acme-training.example' }] };
    const { event } = mapOne(statement('http://adlnet.gov/expapi/verbs/attended', { actor: group }));
    expect(event.type).toBe('lms.event');
    expect(event.learner).toBeNull();
  });

  it('identifies an account actor by the account name and looks the user up when no name is given', () => {
    const actor = { account: { homePage: 'https://acme.lessonly.com', name: '4821' } };
    const { event, hydration } = mapOne(statement('http://id.tincanapi.com/verb/viewed', { actor }));
    expect(event.learner).toMatchObject({ id: '4821', username: '4821', email: null, name: null });
    expect(event.actor).toEqual({ id: '4821', role: 'learner' });
    expect(hydration).toEqual({ user: '4821' });
    expect(event.hydration.status).toBe('pending');
  });

  it('does not look up an account actor that carries a name', () => {
    const actor = { name: 'Maya Chen', account: { homePage: 'https://acme.lessonly.com', name: '4821' } };
    expect(mapOne(statement('http://id.tincanapi.com/verb/viewed', { actor })).hydration).toEqual({});
  });

  it('does not look up an actor known only by an mbox_sha1sum, which the LMS cannot resolve', () => {
    const actor = { mbox_sha1sum: 'ebd31e95054c018b10727ccffd2ef2ec3a016ee9' };
    const { event, hydration } = mapOne(statement('http://id.tincanapi.com/verb/viewed', { actor }));
    expect(event.learner?.id).toBe('ebd31e95054c018b10727ccffd2ef2ec3a016ee9');
    expect(hydration).toEqual({});
  });

  it('lower-cases the mbox so one learner keeps one id', () => {
    const { event } = mapOne(statement('http://id.tincanapi.com/verb/viewed', { actor: { mbox: 'mailto:Maya.Chen@ACME-Training.example' } }));
    expect(event.learner?.id).toBe('maya.chen@acme-training.example');
  });

  it('takes occurred_at from the timestamp, else from stored, else the receive time', () => {
    const withStored = statement('http://id.tincanapi.com/verb/viewed', { timestamp: undefined, stored: '2026-11-20T14:03:05+01:00' });
    expect(mapOne(withStored).event.occurred_at).toBe('2026-11-20T13:03:05.000Z');
    const bare = statement('http://id.tincanapi.com/verb/viewed', { timestamp: undefined });
    expect(mapOne(bare).event.occurred_at).toBe('2026-11-20T14:03:11.482Z');
    expect(mapOne(statement('http://id.tincanapi.com/verb/viewed')).event.occurred_at).toBe('2026-11-20T14:03:11.000Z');
  });
});

describe('withXapiRoute', () => {
  const credentials = { username: 'acme-lrs', password: 'Vd3k9QzW2mTx7bNp' };
  const LRS_AUTH = `Basic ${Buffer.from('acme-lrs:Vd3k9QzW2mTx7bNp').toString('base64')}`;
  const seen: string[] = [];
  /** A webhook adapter that records which of its parts ran. */
  const webhook: VendorAdapter<{ kind: 'ping' }, { xapi?: typeof credentials }> = {
    vendor: 'standard',
    title: 'Test',
    inboundSchema: z.object({}),
    routes: ['webhook'],
    events: { ping: 'lms.event' },
    verify: () => void seen.push('verify'),
    parse: () => [{ kind: 'ping' }],
    toCatalog: () => [],
    acknowledge: () => ({ status: 200, contentType: 'text/plain', body: 'pong' }),
  };
  const adapter = withXapiRoute(webhook);

  it('adds the xAPI route and the verbs to the webhook adapter', () => {
    expect(adapter.routes).toEqual(['webhook', 'xapi-statements']);
    expect(adapter.events).toMatchObject({ ping: 'lms.event', 'http://adlnet.gov/expapi/verbs/completed': 'enrollment.completed' });
    expect(adapter.vendor).toBe('standard');
  });

  it('leaves the webhook route to the webhook adapter', () => {
    seen.length = 0;
    const request = ingestRequest({ body: {} });
    adapter.verify(request, { xapi: credentials });
    const events = adapter.parse(request);
    expect(events).toEqual([{ kind: 'ping' }]);
    expect(adapter.toCatalog({ kind: 'ping' }, context)).toEqual([]);
    expect(adapter.acknowledge?.(events, request)?.body).toBe('pong');
    expect(seen).toEqual(['verify']);
  });

  it('reads the xAPI route as an LRS behind the connection\'s Basic credentials', () => {
    seen.length = 0;
    const request = ingestRequest({ route: 'xapi-statements', body: statement('http://adlnet.gov/expapi/verbs/completed'), headers: { ...VERSION, Authorization: LRS_AUTH } });
    adapter.verify(request, { xapi: credentials });
    expect(() => adapter.verify(request, {})).toThrow(AuthenticationError);
    const events = adapter.parse(request);
    const [mapped] = events.flatMap((event) => adapter.toCatalog(event, context));
    expect(mapped?.event.type).toBe('enrollment.completed');
    expect(mapped?.event.source.vendor).toBe('standard');
    expect(adapter.acknowledge?.(events, request)?.body).toBe('["9c7b5a3e-1f2d-4c6b-8a9e-0d1f2e3c4b5a"]');
    expect(seen).toEqual([]);
  });
});
