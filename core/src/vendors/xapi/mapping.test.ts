/**
 * Samples are built from the xAPI 1.0.3 specification (ADL, github.com/adlnet/xAPI-Spec):
 * xAPI-Data.md §2.4 "Statement Properties", §2.4.2 "Actor" (inverse functional identifiers, Account
 * Object), §2.4.5.1 "Score". Verb IRIs: ADL vocabulary (adlnet.gov/expapi/verbs), the Tin Can
 * registry (id.tincanapi.com/verb), Activity Streams (activitystrea.ms/schema/1.0).
 */
import { describe, expect, it } from 'vitest';
import { postStatements, XAPI_LESSON, XAPI_MAPPING_CONTEXT, xapiStatement } from '../../testing/xapi-statements.ts';
import { parseStatements } from './lrs.ts';
import { statementToCatalog } from './mapping.ts';

function mapOne(body: unknown) {
  const [received] = parseStatements(postStatements(body));
  if (!received) throw new Error('no statement parsed');
  return statementToCatalog(received, 'standard', XAPI_MAPPING_CONTEXT);
}

describe('statementToCatalog', () => {
  it('maps adlnet completed to enrollment.completed on a lesson with score and pass', () => {
    const { event, dedupeKey, hydration } = mapOne(
      xapiStatement('http://adlnet.gov/expapi/verbs/completed', {
        result: { score: { scaled: 0.92, raw: 46, min: 0, max: 50 }, success: true, completion: true },
      }),
    );
    expect(event.type).toBe('enrollment.completed');
    expect(event.course).toEqual({ id: XAPI_LESSON.id, title: 'Handling Objections', kind: 'lesson', url: null });
    expect(event.enrollment).toMatchObject({ status: 'completed', score: 92, passed: true, completed_at: '2026-11-20T14:03:11.000Z' });
    expect(event.learner).toMatchObject({ id: 'maya.chen@acme-training.example', email: 'maya.chen@acme-training.example', name: 'Maya Chen' });
    expect(event.actor).toEqual({ id: 'maya.chen@acme-training.example', role: 'learner' });
    expect(event.source).toEqual({
      vendor: 'standard',
      connection: 'acme',
      event: 'http://adlnet.gov/expapi/verbs/completed',
      event_id: '9c7b5a3e-1f2d-4c6b-8a9e-0d1f2e3c4b5a',
    });
    expect(dedupeKey).toBe('9c7b5a3e-1f2d-4c6b-8a9e-0d1f2e3c4b5a');
    expect(hydration).toEqual({});
  });

  it('takes the raw score when there is no scaled one, and a course kind from a course activity type', () => {
    const course = {
      id: 'https://acme.lessonly.com/paths/17-onboarding',
      definition: { name: { 'en-GB': 'Onboarding' }, type: 'http://adlnet.gov/expapi/activities/course' },
    };
    const { event } = mapOne(xapiStatement('http://adlnet.gov/expapi/verbs/completed', { object: course, result: { score: { raw: 17 }, success: false } }));
    expect(event.course).toMatchObject({ kind: 'online_course', title: 'Onboarding' });
    expect(event.enrollment).toMatchObject({ score: 17, passed: false });
  });

  it('maps adlnet attended to session.attended with the activity as the session', () => {
    const session = {
      id: 'https://acme.lessonly.com/sessions/77-kickoff',
      definition: { name: { 'en-US': 'Q4 Sales Kickoff Live Session' }, type: 'http://adlnet.gov/expapi/activities/meeting' },
    };
    const { event } = mapOne(xapiStatement('http://adlnet.gov/expapi/verbs/attended', { object: session }));
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
    const { event } = mapOne(xapiStatement(verb, { result }));
    expect(event.type).toBe(type);
    expect(event.data).toEqual({
      statement: {
        statement_id: '9c7b5a3e-1f2d-4c6b-8a9e-0d1f2e3c4b5a',
        verb,
        activity: { id: XAPI_LESSON.id, name: 'Handling Objections', type: 'http://adlnet.gov/expapi/activities/lesson' },
        result: { success: true, completion: true, response: 'Acknowledge, then ask an open question', score_scaled: 1, duration: 'PT42S' },
      },
    });
    expect(event.learner?.email).toBe('maya.chen@acme-training.example');
  });

  it('gives a statement part with a null result when the statement has none', () => {
    const { event } = mapOne(xapiStatement('http://id.tincanapi.com/verb/viewed'));
    expect(event.data).toMatchObject({ statement: { result: null } });
  });

  it('maps tincanapi searched to search.performed with the query from the response', () => {
    const { event } = mapOne(
      xapiStatement('http://id.tincanapi.com/verb/searched', {
        object: { id: 'https://acme.lessonly.com/search' },
        result: { response: 'pricing objections' },
      }),
    );
    expect(event.type).toBe('search.performed');
    expect(event.data).toMatchObject({ query: 'pricing objections', statement: { verb: 'http://id.tincanapi.com/verb/searched' } });
  });

  it('takes the search query from the activity name when there is no response', () => {
    const searchActivity = { id: 'https://acme.lessonly.com/search?q=pricing', definition: { name: { en: 'pricing objections' } } };
    const { event } = mapOne(xapiStatement('http://id.tincanapi.com/verb/searched', { object: searchActivity }));
    expect(event.data).toMatchObject({ query: 'pricing objections' });
  });

  it('maps an unknown verb to lms.event with the statement as raw', () => {
    const body = xapiStatement('http://adlnet.gov/expapi/verbs/experienced');
    const { event } = mapOne(body);
    expect(event.type).toBe('lms.event');
    expect(event.source.event).toBe('http://adlnet.gov/expapi/verbs/experienced');
    expect(event.raw).toEqual(body);
    expect(event.learner?.id).toBe('maya.chen@acme-training.example');
  });

  it('maps a known verb whose object is not an activity to lms.event', () => {
    const { event } = mapOne(
      xapiStatement('http://activitystrea.ms/schema/1.0/like', { object: { objectType: 'StatementRef', id: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d' } }),
    );
    expect(event.type).toBe('lms.event');
  });

  it('maps a statement about an anonymous group to lms.event, having no one learner', () => {
    const group = { objectType: 'Group', member: [{ mbox: 'mailto:maya.chen@acme-training.example' }] };
    const { event } = mapOne(xapiStatement('http://adlnet.gov/expapi/verbs/attended', { actor: group }));
    expect(event.type).toBe('lms.event');
    expect(event.learner).toBeNull();
  });

  it('identifies an account actor by the account name and looks the user up when no name is given', () => {
    const actor = { account: { homePage: 'https://acme.lessonly.com', name: '4821' } };
    const { event, hydration } = mapOne(xapiStatement('http://id.tincanapi.com/verb/viewed', { actor }));
    expect(event.learner).toMatchObject({ id: '4821', username: '4821', email: null, name: null });
    expect(event.actor).toEqual({ id: '4821', role: 'learner' });
    expect(hydration).toEqual({ user: '4821' });
    expect(event.hydration.status).toBe('pending');
  });

  it('does not look up an account actor that carries a name', () => {
    const actor = { name: 'Maya Chen', account: { homePage: 'https://acme.lessonly.com', name: '4821' } };
    expect(mapOne(xapiStatement('http://id.tincanapi.com/verb/viewed', { actor })).hydration).toEqual({});
  });

  it('does not look up an actor known only by an mbox_sha1sum, which the LMS cannot resolve', () => {
    const actor = { mbox_sha1sum: 'ebd31e95054c018b10727ccffd2ef2ec3a016ee9' };
    const { event, hydration } = mapOne(xapiStatement('http://id.tincanapi.com/verb/viewed', { actor }));
    expect(event.learner?.id).toBe('ebd31e95054c018b10727ccffd2ef2ec3a016ee9');
    expect(hydration).toEqual({});
  });

  it('lower-cases the mbox so one learner keeps one id', () => {
    const { event } = mapOne(xapiStatement('http://id.tincanapi.com/verb/viewed', { actor: { mbox: 'mailto:Maya.Chen@ACME-Training.example' } }));
    expect(event.learner?.id).toBe('maya.chen@acme-training.example');
  });

  it('takes occurred_at from the timestamp, else from stored, else the receive time', () => {
    const withStored = xapiStatement('http://id.tincanapi.com/verb/viewed', { timestamp: undefined, stored: '2026-11-20T14:03:05+01:00' });
    expect(mapOne(withStored).event.occurred_at).toBe('2026-11-20T13:03:05.000Z');
    const bare = xapiStatement('http://id.tincanapi.com/verb/viewed', { timestamp: undefined });
    expect(mapOne(bare).event.occurred_at).toBe('2026-11-20T14:03:11.482Z');
    expect(mapOne(xapiStatement('http://id.tincanapi.com/verb/viewed')).event.occurred_at).toBe('2026-11-20T14:03:11.000Z');
  });

  it('keeps an id-less statement as received in raw, without the id assigned to it', () => {
    const mapped = mapOne({ ...xapiStatement('http://id.tincanapi.com/verb/viewed'), id: undefined });
    expect(mapped.event.raw).not.toHaveProperty('id');
    expect(mapped.event.source.event_id).toBe(mapped.dedupeKey);
  });
});
